"""What moved a KPI this week: each dimension's value that contributed most to its change.

"Service rate fell 2 points" calls for "where?": the report names, for each dimension of the
KPI, the value whose rows moved it most (the Lyon warehouse, the partner channel), with its
volumes, as Tableau Pulse's "top drivers" do. The contribution splits the KPI's change into
parts that add up to it, so a large part is a real share of the change, not a noisy small
value's own swing.
"""

from __future__ import annotations

import math

import sqlglot
from sqlglot import exp

from kpis.bounds import check_breakdown
from kpis.compute import compute_window
from kpis.definitions import Kpi
from kpis.errors import UsageError
from kpis.mix import volumes
from kpis.periods import DateRange
from kpis.report.model import Driver
from kpis.store import Store


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _key(value: object) -> str | None:
    return None if value is None or value != value else str(value)


def additive(expr: str) -> bool:
    """A measure whose parts add up to the whole: a sum or a count (not a median, a mean)."""
    tree = sqlglot.parse_one(expr, read="duckdb")
    if isinstance(tree, exp.Filter):
        tree = tree.this
    return isinstance(tree, exp.Sum | exp.Count | exp.CountIf)


def contributions(
    values: dict[str | None, tuple[float | None, float | None]],
    weights: dict[str | None, tuple[float | None, float | None]],
) -> dict[str | None, float]:
    """Each value's contribution to the change: w_now x x_now - w_before x x_before.

    `values` maps a dimension value to the KPI over its rows (before, now); `weights` to its
    weight (before, now). A side without a value or a weight counts as 0.
    """
    found = {}
    for key, (before, now) in values.items():
        w_before, w_now = weights.get(key, (None, None))
        parts = [
            (w or 0.0) * (x or 0.0) if w is not None and x is not None else 0.0
            for w, x in ((w_before, before), (w_now, now))
        ]
        found[key] = parts[1] - parts[0]
    return found


def top_drivers(
    store: Store, name: str, previous: DateRange, week: DateRange
) -> tuple[Driver, ...]:
    """For each dimension of KPI `name`, the value that moved it most from `previous` to `week`.

    Contribution of value v (x: the KPI over v's rows, W: v's weight, t: the week, t-1: the
    one before):  c_v = W_v,t x x_v,t - W_v,t-1 x x_v,t-1, where
      - for a ratio KPI (numerator / denominator), W_v = v's denominator / the total
        denominator: the KPI is the weighted mean of its values' ratios, so the c_v add up
        to the KPI's change exactly (e.g. conversion: v's converted leads / all leads, this
        week minus last week);
      - for a sum or a count, W_v = 1: the KPI is the sum of its values';
      - for any other measure (a median), W_v = v's share of the rows the KPI is counted
        over (kpis.mix.counted): the parts then add up to the change of the volume-weighted
        mean of the values' KPIs, an approximation of the KPI's own change.
    An annualised KPI keeps its factor in x (the same 7 days both weeks). The largest |c_v|
    wins in each dimension (ties: the value's name); drivers are listed largest first. A
    dimension with one value, or more values than limits.max_breakdown_values, says nothing.
    """
    definitions = store.definitions
    kpi = definitions.kpis[name]
    both = DateRange(previous.start, week.end)
    found = []
    for dimension in definitions.dimensions_of(kpi):
        read = [(m.source, m.time or "") for m in kpi.measures]
        try:
            check_breakdown(store, read, dimension, both)
        except UsageError:
            continue
        frame = compute_window(store, [name], both, "week", dimension)
        rows: dict[str | None, dict[str, dict[str, float | None]]] = {}
        for record in frame.to_dict("records"):
            side = "now" if record["period_start"] == week.start else "before"
            rows.setdefault(_key(record["dimension_value"]), {})[side] = {
                "value": _number(record["value"]),
                "denominator": _number(record["denominator"]),
            }
        if len(rows) < 2:
            continue
        mix = volumes(store, [name], {name: (previous, week, None)}, dimension)
        shares = {_key(r["dimension_value"]): r for r in mix.to_dict("records")}
        values = {
            key: (sides.get("before", {}).get("value"), sides.get("now", {}).get("value"))
            for key, sides in rows.items()
        }
        weights = _weights(kpi, rows, shares)
        parts = contributions(values, weights)
        key = max(sorted(parts, key=lambda k: "" if k is None else k),
                  key=lambda k: abs(parts[k]))  # fmt: skip
        share = shares.get(key, {})
        found.append(
            Driver(
                dimension=dimension,
                value=key,
                contribution=parts[key],
                kpi_value=values[key][1],
                kpi_previous=values[key][0],
                volume=_number(share.get("volume_after")) or 0.0,
                volume_previous=_number(share.get("volume_before")) or 0.0,
                share=_number(share.get("share_after")),
                share_previous=_number(share.get("share_before")),
            )
        )
    return tuple(sorted(found, key=lambda d: -abs(d.contribution)))


def _weights(
    kpi: Kpi,
    rows: dict[str | None, dict[str, dict[str, float | None]]],
    shares: dict[str | None, dict[str, object]],
) -> dict[str | None, tuple[float | None, float | None]]:
    """Each value's weight (before, now), as top_drivers' docstring defines it."""
    if kpi.denominator is not None:
        totals = {
            side: sum(s.get(side, {}).get("denominator") or 0.0 for s in rows.values())
            for side in ("before", "now")
        }
        return {
            key: tuple(  # type: ignore[misc]
                (sides.get(side, {}).get("denominator") or 0.0) / totals[side]
                if totals[side]
                else None
                for side in ("before", "now")
            )
            for key, sides in rows.items()
        }
    if kpi.measure is not None and additive(kpi.measure.expr):
        return {key: (1.0, 1.0) for key in rows}
    return {
        key: (
            _number(shares.get(key, {}).get("share_before")),
            _number(shares.get(key, {}).get("share_after")),
        )
        for key in rows
    }
