"""Local times that never happen or happen twice in the calendar's zone, as SQL conditions.

Exports write times on the wall clock without an offset. When clocks go forward (Europe/Paris,
last Sunday of March, 02:00 -> 03:00) the hour between does not exist: a time in it is a
typo or a time in another zone, and stored as written it would stretch or shrink every
duration through it. When clocks go back, an hour happens twice and a time in it cannot
say which. The rule (README, "Uploads"): a time that does not exist rejects its row; a time
in the repeated hour is kept as written, and the upload says how many there were.

The zone's transitions come from the IANA database (zoneinfo), so the rule follows every
zone and every historical change; they are found once per zone and range, then cached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import duckdb

from kpis.definitions import DateBounds, Source
from kpis.ingest.sniff import sql_literal
from kpis.store import one, quote

# Transitions are looked for in this span only: before it, wall-clock rules were local
# custom; after it, the zone database only repeats its last rule.
_FIRST_YEAR, _LAST_YEAR = 1900, 2200
_UTC = dt.UTC


@dataclass(frozen=True)
class Shift:
    """A change of the zone's offset: the wall-clock hours it skips or repeats."""

    start: dt.datetime  # naive wall-clock time where the skipped or repeated span begins
    end: dt.datetime  # ... and where it ends (exclusive)
    skipped: bool  # True: clocks went forward (the span never happens); False: it repeats

    def describe(self, zone: str) -> str:
        span = f"{self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
        if self.skipped:
            return f"clocks in {zone} went forward over {span}"
        return f"the hour {span} happened twice in {zone} (clocks went back)"


def _offset(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


@lru_cache(maxsize=32)
def shifts(zone_name: str, first: dt.date, last: dt.date) -> tuple[Shift, ...]:
    """Every offset change of `zone_name` whose wall-clock span touches [first, last]."""
    zone = ZoneInfo(zone_name)
    start_year = max(first.year, _FIRST_YEAR)
    end_year = min(last.year, _LAST_YEAR)
    if start_year > end_year:
        return ()
    found = []
    # Offsets are compared a day apart, then the change is narrowed to the minute: about
    # 50,000 lookups for two centuries, once per zone.
    day = dt.datetime(start_year, 1, 1, tzinfo=_UTC) - dt.timedelta(days=1)
    stop = dt.datetime(end_year, 12, 31, tzinfo=_UTC) + dt.timedelta(days=2)
    before = _offset(zone, day)
    while day < stop:
        following = day + dt.timedelta(days=1)
        after = _offset(zone, following)
        if after != before:
            low, high = day, following
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            instant = high.replace(second=0, microsecond=0, tzinfo=None)
            wall_before, wall_after = instant + before, instant + after
            shift = Shift(
                min(wall_before, wall_after), max(wall_before, wall_after), after > before
            )
            if shift.end.date() >= first and shift.start.date() <= last:
                found.append(shift)
            before = after
        day = following
    return tuple(found)


def _literal(moment: dt.datetime) -> str:
    return f"TIMESTAMP '{moment:%Y-%m-%d %H:%M:%S}'"


def condition(typed: str, spans: tuple[Shift, ...]) -> str | None:
    """SQL true when the TIMESTAMP expression `typed` falls in one of `spans`.

    A cheap test of the hour and month comes first: only the few values in a transition's
    hour (one in 24 or so) reach the exact comparison with each span.
    """
    if not spans:
        return None
    hours = sorted({h for s in spans for h in _hours(s)})
    months = sorted({s.start.month for s in spans} | {s.end.month for s in spans})
    exact = " OR ".join(
        f"({typed} >= {_literal(s.start)} AND {typed} < {_literal(s.end)})" for s in spans
    )
    return (
        f"(hour({typed}) IN ({', '.join(map(str, hours))}) "
        f"AND month({typed}) IN ({', '.join(map(str, months))}) AND ({exact}))"
    )


def _hours(span: Shift) -> list[int]:
    found, moment = [], span.start.replace(minute=0, second=0)
    while moment < span.end:
        found.append(moment.hour)
        moment += dt.timedelta(hours=1)
    return found


def skipped(zone: str, bounds: DateBounds) -> tuple[Shift, ...]:
    """The wall-clock spans that do not exist in `zone` between the source's valid dates."""
    return tuple(s for s in shifts(zone, bounds.min, bounds.max) if s.skipped)


def repeated(zone: str, bounds: DateBounds) -> tuple[Shift, ...]:
    """The wall-clock spans that happen twice in `zone` between the source's valid dates."""
    return tuple(s for s in shifts(zone, bounds.min, bounds.max) if not s.skipped)


def check_loaded(
    cur: duckdb.DuckDBPyConnection, table: str, source: Source, zone: str
) -> list[str]:
    """Reject the rows of `table` holding a time the clocks skipped; note repeated ones.

    Run on the typed rows of an upload (rows already rejected are left as they are), with
    only the clock changes between the first and the last time the file holds: a weekly
    export meets one or none, and the check costs a scan of two columns.
    """
    columns = [c for c, spec in source.columns.items() if spec.type == "timestamp"]
    if not columns:
        return []
    extremes = ", ".join(f"min({quote(c)}), max({quote(c)})" for c in columns)
    found = one(cur, f"SELECT {extremes} FROM {table} WHERE _reason IS NULL")
    notes = []
    for index, column in enumerate(columns):
        first, last = found[2 * index], found[2 * index + 1]
        if first is None:
            continue
        spans = shifts(zone, first.date(), last.date())
        name = quote(column)
        gap = condition(name, tuple(s for s in spans if s.skipped))
        if gap is not None:
            shown = f"strftime({name}, '%Y-%m-%d %H:%M:%S')"
            message = (
                f"'{column}: \"' || {shown} || '\" never happened in {zone}: the clocks "
                "went forward over it that night; write the time with its UTC offset, or "
                "correct it'"
            )
            cur.execute(
                f"UPDATE {table} SET _reason = {message}, _column = {sql_literal(column)}, "
                f"_value = {shown} WHERE _reason IS NULL AND {gap}"
            )
        twice = condition(name, tuple(s for s in spans if not s.skipped))
        if twice is None:
            continue
        count, example = one(
            cur, f"SELECT count(*), min({name}) FROM {table} WHERE _reason IS NULL AND {twice}"
        )
        if count:
            notes.append(
                f"{column}: {count} time{'s' if count > 1 else ''} (such as "
                f"{example:%Y-%m-%d %H:%M}) {'fall' if count > 1 else 'falls'} in an hour that "
                f"happened twice in {zone}, when clocks went back; kept as written, so a "
                "duration through that hour may be off by one hour (times written with "
                "their UTC offset remove the doubt)"
            )
    return notes
