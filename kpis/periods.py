"""Calendar arithmetic: grains, periods of whole days, ISO weeks and before/after windows.

Every KPI is computed over periods of whole days [start, end]. A period at the edge of a
requested range is clipped to it, and `days` counts only the days inside, so per-day scaled
KPIs (stock rotation) stay comparable between a full and a partial week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from kpis.errors import UsageError
from kpis.i18n import _

Grain = Literal["day", "week", "month", "quarter"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter")


@dataclass(frozen=True)
class Period:
    """A run of whole days; `start` is the grain's own start (a Monday for weeks)."""

    start: dt.date
    first_day: dt.date  # start clipped to the requested range
    last_day: dt.date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


def grain_start(day: dt.date, grain: Grain) -> dt.date:
    """The first day of the period of `grain` that contains `day`."""
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def next_start(start: dt.date, grain: Grain) -> dt.date:
    """The first day of the period after the one starting on `start`."""
    if grain == "day":
        return start + dt.timedelta(days=1)
    if grain == "week":
        return start + dt.timedelta(days=7)
    months = 1 if grain == "month" else 3
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def periods(window: DateRange, grain: Grain | None) -> list[Period]:
    """The periods covering `window`, clipped to it; one period when `grain` is None."""
    if grain is None:
        return [Period(window.start, window.start, window.end)]
    found = []
    start = grain_start(window.start, grain)
    while start <= window.end:
        following = next_start(start, grain)
        found.append(
            Period(
                start,
                max(start, window.start),
                min(following - dt.timedelta(days=1), window.end),
            )
        )
        start = following
    return found


def iso_week(day: dt.date) -> str:
    """The ISO week of `day` as 2026-W46 (the form used in URLs)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(label: str) -> DateRange:
    """The Monday-to-Sunday range of an ISO week written 2026-W46."""
    try:
        monday = dt.date.fromisocalendar(int(label[:4]), int(label.split("W")[1]), 1)
        sunday = monday + dt.timedelta(days=6)  # past year 9999 for 9999-W52: OverflowError
    except (ValueError, IndexError, OverflowError):
        raise UsageError(
            _("week {label} is not an ISO week such as 2026-W46").format(label=repr(label))
        ) from None
    return DateRange(monday, sunday)


def last_complete_week(through: dt.date) -> DateRange:
    """The latest Monday-to-Sunday week that ends on or before `through`."""
    sunday = through - dt.timedelta(days=(through.weekday() + 1) % 7)
    return DateRange(sunday - dt.timedelta(days=6), sunday)


def parse_date(text: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date, or a UsageError saying what was expected."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            _("{what} {text} is not a date; write it as YYYY-MM-DD").format(
                what=_("date") if what == "date" else what, text=repr(text)
            )
        ) from None


def parse_range(text: str, what: str = "range") -> DateRange:
    """START:END (inclusive), as given to `kpis compare --before/--after`."""
    parts = text.split(":")
    shown = _("range") if what == "range" else what
    if len(parts) != 2:
        raise UsageError(
            _("{what} {text} must be START:END, e.g. 2026-01-05:2026-03-29").format(
                what=shown, text=repr(text)
            )
        )
    window = DateRange(
        parse_date(parts[0], _("{what} start").format(what=shown)),
        parse_date(parts[1], _("{what} end").format(what=shown)),
    )
    if window.end < window.start:
        raise UsageError(
            _("{what} {text} ends before it starts").format(what=shown, text=repr(text))
        )
    return window


def event_windows(
    event_day: dt.date,
    coverage: DateRange,
    weeks: int | None,
    washout_days: int = 0,
    last_year: bool = False,
) -> tuple[DateRange, DateRange]:
    """Equal runs of whole ISO weeks before and after an event.

    The week containing the event is left out unless the event falls on its Monday: it
    mixes days before and after the change. `washout_days` skips the settling-in days after
    the event (the after window starts on the first Monday after them). With `last_year`,
    the before window is the same ISO weeks one year (52 weeks) earlier than the after
    window, which takes seasonality out of the comparison. Without `weeks`, use the most
    whole weeks the data covers on both sides.
    """
    if washout_days < 0:
        raise UsageError(_("--washout must be 0 days or more"))
    monday = grain_start(event_day, "week")
    before_end = monday - dt.timedelta(days=1)
    settled = event_day + dt.timedelta(days=washout_days)
    after_start = grain_start(settled, "week")
    if after_start < settled:
        after_start += dt.timedelta(days=7)
    after_weeks = ((coverage.end - after_start).days + 1) // 7
    if last_year:
        year = dt.timedelta(weeks=52)
        if after_start - year < coverage.start:
            raise UsageError(
                _(
                    "the data starts on {start}: there is no year of history before {day} to "
                    "compare with"
                ).format(start=coverage.start, day=after_start)
            )
        available = min(after_weeks, 52)
    else:
        available = min(((before_end - coverage.start).days + 1) // 7, after_weeks)
    if weeks is None:
        weeks = available
        if weeks < 1:
            raise UsageError(
                _("the data ({span}) does not cover a whole week on both sides of {day}").format(
                    span=coverage, day=event_day.isoformat()
                )
            )
    elif weeks < 1:
        raise UsageError(_("--weeks must be at least 1"))
    span = dt.timedelta(days=7 * weeks)
    after = DateRange(after_start, after_start + span - dt.timedelta(days=1))
    if last_year:
        return DateRange(after.start - year, after.end - year), after
    return DateRange(before_end - span + dt.timedelta(days=1), before_end), after
