"""The events of the report's last 13 weeks and their before/after verdicts so far.

A change made five weeks ago is judged as the Before / after page judges it (kpis.compare
around the event: equal runs of whole ISO weeks on each side), with the weeks after it the
report's week has reached: the verdict firms up week after week, and the report says where
it stands now. Kept to 13 weeks, so the report's cost does not grow with the event list.
"""

from __future__ import annotations

import datetime as dt
import math

from kpis.compare import compare
from kpis.compute import kpis_for_dimension
from kpis.errors import UsageError
from kpis.events import all_events
from kpis.freshness import coverage
from kpis.i18n import N_
from kpis.periods import DateRange, event_windows, grain_start
from kpis.report.model import EventReview, Verdict
from kpis.store import Store

RECENT_WEEKS = 13  # the report's week and the 12 before it

# Why an event has no verdicts yet: data (JSON), said with _() where shown.
NO_WEEK_AFTER = N_("no whole week after the event yet")
NO_WEEK_BEFORE = N_("no whole week of data before the event")
NO_KPI = N_("no KPI has the event's dimension")


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def event_reviews(store: Store, week: DateRange) -> tuple[EventReview, ...]:
    """Each event dated in the 13 weeks ending with `week`, oldest first, with its verdicts."""
    first = week.start - dt.timedelta(weeks=RECENT_WEEKS - 1)
    found = []
    for event in all_events(store):
        if not first <= event.date <= week.end:
            continue
        in_week = week.start <= event.date <= week.end
        scope = event.scope_pair
        names = list(store.definitions.kpis)
        if scope is not None:
            try:
                names = kpis_for_dimension(store.definitions, names, scope[0], explicit=False)
            except UsageError:
                found.append(EventReview(event.name, event.date, scope, in_week, 0, None, None,
                                         (), NO_KPI))  # fmt: skip
                continue
        after_start = grain_start(event.date, "week")
        if after_start < event.date:
            after_start += dt.timedelta(days=7)
        after_weeks = ((week.end - after_start).days + 1) // 7
        span = coverage(store, names, common=True)
        before_end = grain_start(event.date, "week") - dt.timedelta(days=1)
        before_weeks = 0 if span is None else ((before_end - span.start).days + 1) // 7
        weeks = min(after_weeks, before_weeks, RECENT_WEEKS)
        if weeks < 1:
            reason = NO_WEEK_AFTER if after_weeks < 1 else NO_WEEK_BEFORE
            found.append(
                EventReview(event.name, event.date, scope, in_week, 0, None, None, (), reason)
            )
            continue
        assert span is not None
        before, after = event_windows(event.date, DateRange(span.start, week.end), weeks)
        frame = compare(store, before, after, names, scope=scope, holding=False)
        verdicts = tuple(
            Verdict(
                kpi=str(r["kpi"]),
                before=_number(r["before"]),
                after=_number(r["after"]),
                delta=_number(r["delta"]),
                delta_pct=_number(r["delta_pct"]),
                p_value=_number(r["p_value"]),
                verdict=r["verdict"] if isinstance(r["verdict"], str) else None,
                note=r["note"] if isinstance(r["note"], str) else None,
            )
            for r in frame.to_dict("records")
        )
        found.append(
            EventReview(event.name, event.date, scope, in_week, weeks, before, after, verdicts,
                        None)
        )  # fmt: skip
    return tuple(found)
