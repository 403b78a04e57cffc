"""The weekly report of one ISO week, computed from the store: what every format of it says.

The weekly review's reading of a week (kpis.variation: normal weekly variation, the trend, a
year earlier; kpis.freshness: complete weeks only) made into one frozen value (model.py), so
the JSON, HTML, PDF and XLSX reports and the dashboard's Report page say the same numbers.
A KPI whose data is incomplete has no value and says why: right, or visibly absent.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from kpis.compute import compute
from kpis.definitions import Kpi
from kpis.errors import UsageError
from kpis.formatting import format_week
from kpis.freshness import default_week, source_coverage
from kpis.i18n import _
from kpis.periods import DateRange, iso_week, week_of
from kpis.report.drivers import top_drivers
from kpis.report.event_verdicts import event_reviews
from kpis.report.headline import make_headline
from kpis.report.model import (
    OFF_TARGET,
    UNUSUAL_CHANGE,
    Attention,
    KpiWeek,
    Report,
    SourceFreshness,
    Variation,
    WeekValue,
)
from kpis.store import Store
from kpis.variation import WEEKS, trend_tone, weekly_trend, weekly_variation, year_earlier

HISTORY = WEEKS + 1  # weeks before the report's: 12 week-over-week changes, a 12-week series


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _day(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def report_week(store: Store, week: str | None = None) -> DateRange:
    """The week to report on: `week` (2026-W46) checked against the data, or the default.

    The default is the latest ISO week complete for every KPI (kpis.freshness.default_week).
    A week that is not an ISO week, or that no source's data reaches (before the first day
    or after the last day of every source), is a UsageError in one sentence.
    """
    coverage = source_coverage(store)
    firsts = [d for d in map(_day, coverage["first_day"]) if d is not None]
    lasts = [d for d in map(_day, coverage["last_day"]) if d is not None]
    if not firsts or not lasts:
        raise UsageError(_("there is no data to report on yet: load exports first (kpis ingest)"))
    if week is None:
        chosen = default_week(store)
        if chosen is None:
            raise UsageError(
                _("no week is complete for any KPI yet: load more exports (kpis ingest)")
            )
        return chosen
    window = week_of(week)
    first, last = min(firsts), max(lasts)
    if window.end < first or window.start > last:
        raise UsageError(
            _("there is no data for week {week}: the data covers {first} to {last}").format(
                week=iso_week(window.start), first=iso_week(first), last=iso_week(last)
            )
        )
    return window


def kpi_starts(store: Store, coverage: pd.DataFrame) -> dict[str, dt.date | None]:
    """The first day each KPI's data covers: when every source it reads has started.

    Weeks before it (a first week with days missing) are not history to read a week
    against, nor a year earlier to show, as on the weekly review.
    """
    definitions = store.definitions
    firsts = {s: _day(d) for s, d in zip(coverage["source"], coverage["first_day"], strict=True)}
    starts: dict[str, dt.date | None] = {}
    for name, kpi in definitions.kpis.items():
        days = [firsts.get(source) for source in definitions.sources_of(kpi)]
        starts[name] = None if any(d is None for d in days) else max(d for d in days if d)
    return starts


def target_met(kpi: Kpi, value: float | None) -> bool | None:
    """Whether `value` meets the KPI's target (its direction says which side); None without."""
    if kpi.target is None or value is None:
        return None
    return value >= kpi.target if kpi.higher_is_better else value <= kpi.target


def build_report(store: Store, week: str | None = None) -> Report:
    """The report of ISO `week` (default: the latest week complete for every KPI)."""
    definitions = store.definitions
    window = report_week(store, week)
    label = iso_week(window.start)
    coverage = source_coverage(store)
    starts = kpi_starts(store, coverage)
    names = list(definitions.kpis)
    first = window.start - dt.timedelta(weeks=HISTORY)
    frame = compute(store, names, "week", first, window.end)
    earlier_week = year_earlier(label)
    earlier: dict[str, float | None] = {}
    if earlier_week is not None:
        then = week_of(earlier_week)
        if any(s is not None and s <= then.start for s in starts.values()):
            past = compute(store, names, "week", then.start, then.end)
            for row in past.to_dict("records"):
                begins = starts[str(row["kpi"])]
                if begins is not None and begins <= then.start:
                    earlier[str(row["kpi"])] = _number(row["value"])
    weeks = [
        _kpi_week(definitions.kpis[name], name, label, part, starts[name], earlier_week, earlier)
        for name, part in ((n, frame[frame["kpi"] == n]) for n in names)
    ]
    previous = DateRange(window.start - dt.timedelta(days=7), window.start - dt.timedelta(days=1))
    attention = []
    for row in weeks:
        reasons = tuple(
            code
            for code, flagged in ((OFF_TARGET, row.target_met is False),
                                  (UNUSUAL_CHANGE, row.unusual))
            if flagged
        )  # fmt: skip
        if reasons:
            drivers = top_drivers(store, row.kpi, previous, window)
            attention.append(Attention(row.kpi, reasons, row.change, drivers))
    freshness = tuple(
        SourceFreshness(
            source=str(r["source"]),
            rows=int(r["rows"]),
            first_day=_day(r["first_day"]),
            data_through=_day(r["last_day"]),
            late=_day(r["last_day"]) is None or r["last_day"] < window.end,
        )
        for r in coverage.to_dict("records")
    )
    return Report(
        week=label,
        start=window.start,
        end=window.end,
        kpis=tuple(weeks),
        headline=make_headline(definitions, weeks),
        attention=tuple(attention),
        events=event_reviews(store, window),
        freshness=freshness,
    )


def _kpi_week(
    kpi: Kpi,
    name: str,
    week: str,
    part: pd.DataFrame,
    begins: dt.date | None,
    earlier_week: str | None,
    earlier: dict[str, float | None],
) -> KpiWeek:
    """One KPI's row of the report from its weekly values up to and including `week`."""
    rows = part.sort_values("period_start").to_dict("records")
    history = [
        None
        if begins is None or (r["period_start"] < begins and i < len(rows) - 1)
        else _number(r["value"])
        for i, r in enumerate(rows)
    ]
    last = rows[-1] if rows else {}
    value = history[-1] if history else None
    previous = history[-2] if len(history) > 1 else None
    year_ago = earlier.get(name)
    found = weekly_variation(history)
    variation = (
        None
        if found is None
        else Variation(found.change, found.low, found.high, found.changes, found.usual)
    )
    shown = history[-WEEKS:]
    trend = weekly_trend(shown)
    series = tuple(
        WeekValue(iso_week(r["period_start"]), v) for r, v in zip(rows[-WEEKS:], shown, strict=True)
    )
    return KpiWeek(
        kpi=name,
        week=week,
        value=value,
        previous=previous,
        year_ago=year_ago,
        year_ago_week=earlier_week if name in earlier else None,
        target=kpi.target,
        target_met=target_met(kpi, value),
        complete=bool(last.get("complete", False)),
        reason=None if value is not None else (last.get("reason") or "no data"),
        change=None if value is None or previous is None else value - previous,
        year_change=None if value is None or year_ago is None else value - year_ago,
        variation=variation,
        unusual=variation is not None and not variation.usual,
        trend=None if trend is None else trend.direction,
        tone=trend_tone(trend, kpi.higher_is_better),
        series=series,
    )


def week_title(report: Report) -> str:
    """'W46 2026' / 'S46 2026': the report's week as a title says it."""
    return f"{format_week(report.week)} {report.week[:4]}"
