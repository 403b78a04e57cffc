"""KPI values per period (day, ISO week, month, quarter), optionally per dimension value.

Each KPI becomes one DuckDB query: its measures aggregated per period (measures sharing a
source, time column and filter are computed in one scan), joined to the list of periods so
that a period without data shows as null rather than disappearing. Ratios are computed from
the period's sums (ratio of sums, never a mean of daily ratios); a zero or missing
denominator gives null. Only per-period aggregates ever leave DuckDB.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence

import pandas as pd

from kpis.bounds import (
    check_breakdown,
    check_periods,
    clamp_request,
    within_limits,
)
from kpis.definitions import Definitions, Kpi
from kpis.errors import DefinitionError, UsageError
from kpis.freshness import coverage, data_through, mark_complete
from kpis.i18n import _
from kpis.kpi_query import kpi_query, render
from kpis.periods import GRAINS, DateRange, Grain
from kpis.store import Store

RESULT_COLUMNS = [
    "kpi", "period_start", "period_end", "days", "value", "numerator", "denominator", "complete",
    "reason",
]  # fmt: skip


def resolve_kpis(definitions: Definitions, names: Sequence[str] | None) -> list[str]:
    """Check KPI names (in kpis.yaml order when none are given)."""
    if not names:
        return list(definitions.kpis)
    for name in names:
        if name not in definitions.kpis:
            close = difflib.get_close_matches(name, list(definitions.kpis), n=1)
            hint = (
                _("did you mean {name}?").format(name=repr(close[0]))
                if close
                else _("KPIs: {names}").format(names=", ".join(definitions.kpis))
            )
            raise UsageError(_("unknown KPI {name} ({hint})").format(name=repr(name), hint=hint))
    return list(dict.fromkeys(names))


def kpis_for_dimension(
    definitions: Definitions, names: list[str], by: str, explicit: bool
) -> list[str]:
    """The KPIs of `names` that can be broken down by `by`; an error if one asked for cannot."""
    able = [n for n in names if by in definitions.dimensions_of(definitions.kpis[n])]
    if explicit and len(able) < len(names):
        name = next(n for n in names if n not in able)
        dims = definitions.dimensions_of(definitions.kpis[name])
        raise UsageError(
            _("{kpi} cannot be broken down by {dimension}; its dimensions: {dimensions}").format(
                kpi=name, dimension=repr(by), dimensions=", ".join(dims) or _("none")
            )
        )
    if not able:
        every = sorted({d for k in definitions.kpis.values() for d in definitions.dimensions_of(k)})
        raise UsageError(
            _("no KPI can be broken down by {dimension}; dimensions: {dimensions}").format(
                dimension=repr(by), dimensions=", ".join(every)
            )
        )
    return able


def compute(
    store: Store,
    kpis: Sequence[str] | None = None,
    grain: Grain = "week",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """One row per KPI and period (and dimension value with `by`).

    Columns: kpi, period_start, period_end, days, [dimension, dimension_value], value,
    numerator, denominator (numerator and denominator are null for one-measure KPIs).
    Without start or end, the range is the days the KPIs' data covers. A range of more
    periods than limits.max_periods is clamped to the data (`frame.attrs["note"]` says so),
    or refused when still too large.
    """
    if grain not in GRAINS:
        raise UsageError(
            _("unknown grain {grain}; use one of {grains}").format(
                grain=repr(grain), grains=", ".join(GRAINS)
            )
        )
    definitions = store.definitions
    names = resolve_kpis(definitions, kpis)
    if by is not None:
        names = kpis_for_dimension(definitions, names, by, explicit=bool(kpis))
    if start is None or end is None:
        span = coverage(store, names)
        if span is None:
            return _empty(by)
        start, end = start or span.start, end or span.end
    if end < start:
        raise UsageError(
            _("the range ends ({end}) before it starts ({start})").format(end=end, start=start)
        )
    asked = DateRange(start, end)
    window: DateRange | None = asked
    note = None
    if not within_limits(asked, grain, definitions.limits):
        window, note = clamp_request(asked, grain, coverage(store, names), definitions.limits)
    if window is None:
        frame = _empty(by)
    else:
        if by is not None:
            check_breakdown(store, _read_by(definitions, names), by, window)
        frame = mark_complete(
            compute_window(store, names, window, grain, by), definitions, data_through(store)
        )
        for column in ("numerator", "denominator"):
            frame[column] = _counts_as_integers(frame[column])
    if note is not None:
        frame.attrs["note"] = note
    return frame


def _counts_as_integers(column: pd.Series) -> pd.Series:
    """Whole numbers (counts of leads, tickets, orders) as integers; other values as they are.

    The SQL divides in DOUBLE, so a count of 395 comes back as 395.0; CSV and JSON readers
    (and the Explorer's table) should see 395.
    """
    return pd.Series(
        [
            int(v)
            if isinstance(v, float) and v == v and v.is_integer()
            else (None if v != v else v)
            for v in column.astype(object)
        ],
        index=column.index,
        dtype=object,
    )


def _read_by(definitions: Definitions, names: Sequence[str]) -> list[tuple[str, str]]:
    """The (source, time column) pairs the KPIs `names` read."""
    return [(m.source, m.time or "") for n in names for m in definitions.kpis[n].measures]


def compute_window(
    store: Store,
    names: Sequence[str],
    window: DateRange,
    grain: Grain | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Like `compute`, over an explicit window; `grain=None` gives one value per KPI.

    Refuses a window of more periods than limits.max_periods (a UsageError): this is where
    every computation passes, so no caller can build an unbounded list of periods.
    """
    check_periods(window, grain, store.definitions.limits)
    frames = []
    for name in names:
        tree = kpi_query(store.definitions, store.definitions.kpis[name], window, grain, by,
                         store.engine)  # fmt: skip
        try:
            frame = store.query(tree)
        except store.engine_errors as exc:
            # Validation binds every expression, but some errors depend on the values (an
            # integer overflow): name the KPI to look at rather than fail without a word.
            first = str(exc).strip().splitlines()[0]
            raise DefinitionError(
                _(
                    "{kpi} could not be computed on this data ({reason}); check its definition "
                    "in {file} (kpis.{kpi})"
                ).format(kpi=name, reason=first, file=store.definitions.file)
            ) from None
        frame.insert(0, "kpi", name)
        frames.append(frame)
    if not frames:
        return _empty(by)
    result = pd.concat(frames, ignore_index=True)
    if by is not None:
        result.insert(4, "dimension", by)
        result = result.rename(columns={"_dim": "dimension_value"})
    for column in ("period_start", "period_end"):
        result[column] = pd.to_datetime(result[column]).dt.date
    return result


def _empty(by: str | None) -> pd.DataFrame:
    columns = list(RESULT_COLUMNS)
    if by is not None:
        columns[4:4] = ["dimension", "dimension_value"]
    return pd.DataFrame(columns=columns)


def kpi_sql(
    definitions: Definitions,
    kpi: Kpi,
    window: DateRange,
    grain: Grain | None,
    by: str | None,
    engine: str = "duckdb",
) -> str:
    """The one query computing `kpi` for every period of `window`, in `engine`'s SQL."""
    return render(kpi_query(definitions, kpi, window, grain, by, engine), engine)
