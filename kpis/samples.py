"""The data a KPI's before/after uncertainty is estimated from, one side at a time.

A proportion needs its two counts; a median needs the rows; a ratio of sums needs its sums
per day (or week). Each comes from DuckDB already aggregated as far as the method allows:
only a bootstrap of a median or a mean reads rows, and then only the one value per row
the statistic is taken of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kpis.compute import compute_window
from kpis.definitions.methods import Method, method_for
from kpis.kpi_query import rows_query
from kpis.periods import DateRange, Grain
from kpis.store import Store

Scope = tuple[str, str] | None  # (dimension, value): only these rows


@dataclass(frozen=True)
class Sample:
    """One side of a comparison, in the form its method needs."""

    method: Method
    successes: int = 0  # two_proportions
    trials: int = 0
    values: np.ndarray = field(default_factory=lambda: np.empty(0))  # bootstrap_rows
    # bootstrap_rows over more than inference.ROW_CAP rows on Spark: their number and the
    # statistic's standard error, computed where the rows are (no values collected).
    rows: int = 0
    standard_error: float | None = None
    numerators: np.ndarray = field(default_factory=lambda: np.empty(0))  # bootstrap_units
    denominators: np.ndarray | None = None  # None for a total (a one-measure KPI)
    scale: float = 1.0  # 365 / days of the window for an annualised KPI

    @property
    def size(self) -> int:
        """How many observations, rows or units the estimate rests on."""
        if self.method.kind == "two_proportions":
            return self.trials
        if self.method.kind == "bootstrap_rows":
            return self.rows or int(self.values.size)
        return int(self.numerators.size)


def _scoped(frame, scope: Scope):  # type: ignore[no-untyped-def]
    if scope is None:
        return frame
    return frame[frame["dimension_value"] == scope[1]]


def draw(store: Store, name: str, window: DateRange, scope: Scope = None) -> Sample:
    """The sample of KPI `name` over `window` (rows of one dimension value with `scope`)."""
    kpi = store.definitions.kpis[name]
    method = method_for(kpi)
    by = scope[0] if scope else None
    if method.kind == "two_proportions":
        frame = _scoped(compute_window(store, [name], window, None, by), scope)
        if frame.empty or np.isnan(frame["denominator"].iloc[0]):
            return Sample(method)
        row = frame.iloc[0]
        return Sample(method, int(row["numerator"]), int(row["denominator"]))
    if method.kind == "bootstrap_units":
        grain: Grain = "week" if method.unit == "week" else "day"
        frame = _scoped(compute_window(store, [name], window, grain, by), scope)
        if kpi.measure is not None:  # a total: a unit without rows contributes zero
            return Sample(method, numerators=frame["value"].fillna(0.0).to_numpy(float))
        kept = frame[frame["denominator"].notna()]
        return Sample(
            method,
            numerators=kept["numerator"].fillna(0.0).to_numpy(float),
            denominators=kept["denominator"].to_numpy(float),
            scale=365.0 / window.days if kpi.annualize else 1.0,
        )
    if method.kind == "bootstrap_rows":
        return _row_sample(store, name, method, window, scope)
    return Sample(method)


def _row_sample(store: Store, name: str, method: Method, window: DateRange, scope: Scope) -> Sample:
    """The rows' values, or on Spark beyond inference.ROW_CAP rows their count and spread.

    Beyond the cap only the count and two order statistics (or a mean's variance) leave
    Spark; below it the values are collected (the bootstrap resamples them), in one query
    that stops one row past the cap. DuckDB holds its rows in this process: it always
    collects them (the same order statistics, so the same numbers).
    """
    from kpis.inference import ROW_CAP, rank_interval, standard_error_of
    from kpis.spark_engine import LakeStore

    kpi = store.definitions.kpis[name]
    assert kpi.measure is not None and method.row_sql is not None
    tree = rows_query(store.definitions, kpi.measure, method.row_sql, window, scope, store.engine)
    summarised = isinstance(store, LakeStore)
    head = store.query(tree.limit(ROW_CAP + 1) if summarised else tree)
    if not summarised or len(head) <= ROW_CAP:
        values = head.iloc[:, 0].to_numpy(dtype=float, na_value=np.nan)
        # Sorted: each engine gives the rows in its own order, and a seeded resample of the
        # same values in another order would give another interval.
        return Sample(method, values=np.sort(np.asarray(values, dtype=float)))
    assert isinstance(store, LakeStore)
    count = store.count(tree)
    if method.statistic == "mean":
        spread = store.deviation(tree)
        return Sample(method, rows=count, standard_error=spread / math.sqrt(count))
    low, high = store.order_statistics(tree, rank_interval(method, count), count)
    return Sample(method, rows=count, standard_error=standard_error_of(method, low, high))
