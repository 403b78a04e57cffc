"""How far each source's data reaches, and which KPI values it can vouch for.

A KPI value for a period is only a number when every source it reads has data through the
period's last day. Otherwise the number is not late, it is wrong: orders promised after the
orders export's last day count as failures, and a week of tickets with half its days missing
looks like a quiet week. So such a value is null, with the reason ("orders data through
2026-11-15"), and comparisons are cut at the last covered day.

A source's "data through" is the last day its exports cover: the latest time at which
something happened in it (`ordered_at`, `delivered_at`: its event columns), never a promise
about the future (`promise_columns`, such as `promised_date`), or a later day an analyst
stated on upload (`kpis ingest --through`), whichever is later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb
import pandas as pd

from kpis.bounds import day_extremes
from kpis.definitions import Definitions
from kpis.formatting import number
from kpis.i18n import _, language, ngettext, use_language
from kpis.periods import DateRange, last_complete_week
from kpis.store import UPLOADS, Store, one, quote

Through = Mapping[str, dt.date | None]  # source -> last day its data covers (None: no data)


def data_through(store: Store) -> dict[str, dt.date | None]:
    """The last day each source's data covers (None when it holds no rows)."""
    cursor = store.cursor()
    # A lake says it beside each dataset (kpis/lake.py); the database in its upload log.
    from kpis.spark_engine import LakeStore

    stated = store.stated_through() if isinstance(store, LakeStore) else _uploads_through(cursor)
    found: dict[str, dt.date | None] = {}
    for name, source in store.definitions.sources.items():
        lasts = [
            one(cursor, f"SELECT {day_extremes(quote(column))[1]} FROM {quote(name)}")[0]
            for column in source.event_columns
        ]
        days = [d for d in (*lasts, stated.get(name)) if d is not None]
        found[name] = max(days) if days else None
    return found


def _uploads_through(cursor: duckdb.DuckDBPyConnection) -> dict[str, dt.date]:
    """The last day each source's loaded uploads said they cover (`kpis ingest --through`)."""
    has_column = one(
        cursor,
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
        [UPLOADS, "data_through"],
    )[0]
    if not has_column:  # a database opened read-only may predate the column
        return {}
    return dict(
        cursor.execute(
            f"SELECT source, max(data_through) FROM {UPLOADS} "
            "WHERE status = 'loaded' AND data_through IS NOT NULL GROUP BY source"
        ).fetchall()
    )


def kpi_through(
    definitions: Definitions, through: Through, name: str
) -> tuple[dt.date | None, str]:
    """The last day every source of KPI `name` covers, and the source that stops first."""
    sources = definitions.sources_of(definitions.kpis[name])
    missing = [s for s in sources if through.get(s) is None]
    if missing:
        return None, missing[0]
    first = min(sources, key=lambda s: through[s] or dt.date.max)
    return through[first], first


def lag_reason(source: str, day: dt.date | None) -> str:
    """Why a value is missing: "orders data through 2026-11-15" or "no orders data yet".

    The reason is data (a `reason` column, JSON): English whatever the reader's language.
    """
    with use_language("en"):
        return _reason(source, day)


def _reason(source: str, day: dt.date | None) -> str:
    if day is None:
        return _("no {source} data yet").format(source=source)
    return _("{source} data through {day}").format(source=source, day=day.isoformat())


def mark_complete(frame: pd.DataFrame, definitions: Definitions, through: Through) -> pd.DataFrame:
    """Add `complete` and `reason` to a compute() frame; values of incomplete periods go.

    A period is complete when every source of its KPI has data through its last day. An
    incomplete one keeps its row (the period exists) with no value and the reason; a complete
    one without a value (no rows, or nothing to divide by) says "no data".
    """
    frame = frame.copy()
    ends: dict[str, tuple[dt.date | None, str]] = {
        name: kpi_through(definitions, through, name) for name in frame["kpi"].unique()
    }
    last = pd.Series([ends[k][0] or dt.date.min for k in frame["kpi"]], index=frame.index)
    complete = (frame["period_end"] <= last) & pd.Series(
        [ends[k][0] is not None for k in frame["kpi"]], index=frame.index
    )
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].where(complete)
    lagging = [lag_reason(ends[k][1], ends[k][0]) for k in frame["kpi"]]
    reason = pd.Series(lagging, index=frame.index, dtype=object).where(~complete)
    reason = reason.where(~(complete & frame["value"].isna()), "no data")
    frame["complete"] = complete.astype(bool)
    frame["reason"] = reason.where(reason.notna(), None)
    return frame


def covered(
    definitions: Definitions,
    through: Through,
    name: str,
    before: DateRange,
    after: DateRange,
) -> tuple[DateRange | None, DateRange | None, str | None]:
    """The windows of a comparison of KPI `name` cut at its data's last day, and why.

    A window reaching past the last day a source covers would count the days without data
    as days without events (no order delivered: an OTIF failure). The KPI is compared over
    the covered days only, and the note says how much is missing; a window wholly past the
    data is None.
    """
    last, _source = kpi_through(definitions, through, name)
    cut = [_cut(window, last) for window in (before, after)]
    if cut[0] == before and cut[1] == after:
        return before, after, None
    with use_language("en"):  # the note is data (a column, JSON): English in every language
        return cut[0], cut[1], missing_note(definitions, through, name, before, after)


def missing_note(
    definitions: Definitions, through: Through, name: str, before: DateRange, after: DateRange
) -> str | None:
    """What a comparison of KPI `name` misses past its data's last day, in the reader's language.

    `covered` keeps it (in English) as the comparison's note; a refusal (--strict) says it.
    """
    last, source = kpi_through(definitions, through, name)
    reason = _reason(source, last)
    parts = []
    for side, asked in enumerate((before, after)):
        kept = _cut(asked, last)
        if kept == asked:
            continue
        missing = asked.days - (kept.days if kept else 0)
        span = (
            ngettext("{count} week", "{count} weeks", missing // 7).format(
                count=_count(missing // 7)
            )
            if missing % 7 == 0
            else ngettext("{count} day", "{count} days", missing).format(count=_count(missing))
        )
        text = (
            _("the before window ends {end}; {reason}: {span} of {kpi} missing")
            if side == 0
            else _("the after window ends {end}; {reason}: {span} of {kpi} missing")
        )
        parts.append(text.format(end=asked.end, reason=reason, span=span, kpi=name))
    return "; ".join(parts) or None


def _count(value: int) -> str:
    # The English note is data and has always written 1000, not 1,000: keep it byte for byte.
    return str(value) if language() == "en" else number(value, 0)


def _cut(window: DateRange, last: dt.date | None) -> DateRange | None:
    if last is None or last < window.start:
        return None
    return window if window.end <= last else DateRange(window.start, last)


def complete_through(store: Store, names: Sequence[str] | None = None) -> dt.date | None:
    """The last day the data of every KPI in `names` (default: all) covers."""
    through = data_through(store)
    definitions = store.definitions
    days = [kpi_through(definitions, through, n)[0] for n in names or definitions.kpis]
    return None if any(d is None for d in days) else min(d for d in days if d is not None)


def latest_complete_week(store: Store) -> DateRange | None:
    """The latest ISO week complete for every KPI (None when a KPI has no data at all)."""
    day = complete_through(store)
    return last_complete_week(day) if day is not None else None


def default_week(store: Store) -> DateRange | None:
    """The week the weekly review and the weekly report open on.

    The latest ISO week complete for every KPI; when a KPI has no data at all (a source never
    loaded), the latest week complete for every KPI that has some: one missing export must
    not leave the review and the report without a week. None without any data.
    """
    latest = latest_complete_week(store)
    if latest is not None:
        return latest
    definitions = store.definitions
    through = data_through(store)
    names = [
        name
        for name, kpi in definitions.kpis.items()
        if all(through.get(source) for source in definitions.sources_of(kpi))
    ]
    day = complete_through(store, names) if names else None
    return None if day is None else last_complete_week(day)


def coverage(store: Store, names: Sequence[str], *, common: bool = False) -> DateRange | None:
    """The days the data of these KPIs covers: their union, or with `common` the overlap.

    The overlap ends where the data of every KPI is complete (see freshness.py): a window
    around an event must not reach past a source's last day. KPIs without any data are left
    out of the overlap (None when no KPI has data).
    """
    definitions = store.definitions
    through = data_through(store) if common else {}
    spans = []
    for name in names:
        found, empty = [], False
        for m in definitions.kpis[name].measures:
            first, last = day_extremes(quote(m.time or ""))
            row = one(store.cursor(), f"SELECT {first}, {last} FROM {quote(m.source)}")
            if row[0] is None:
                empty = True
                continue
            found.append((row[0], row[1]))
        if common:
            # A KPI with no data at all (a source never loaded, an optional column no export
            # has) has no value in any window: it must not stop the others' windows.
            end, _ = kpi_through(definitions, through, name)
            if empty or end is None:
                continue
            found.append((dt.date.min, end))
        spans += found
    if not spans:
        return None
    if common:
        start, end = max(s for s, _ in spans), min(e for _, e in spans)
        return DateRange(start, end) if start <= end else None
    return DateRange(min(s for s, _ in spans), max(e for _, e in spans))


def source_coverage(store: Store) -> pd.DataFrame:
    """Per source: rows stored, the first day of its main time column, and its data through.

    `last_day` is what "data through" means everywhere (freshness.py): the last day the
    source's exports cover. A source whose export is late shows an older date than the others.
    """
    through = data_through(store)
    rows = []
    for name, source in store.definitions.sources.items():
        first, _ = day_extremes(quote(source.time_columns[0]))
        count, first_day = one(store.cursor(), f"SELECT count(*), {first} FROM {quote(name)}")
        rows.append([name, source.label or name, int(count), first_day, through[name]])
    return pd.DataFrame(rows, columns=["source", "label", "rows", "first_day", "last_day"])
