"""Calendar arithmetic: periods, ranges and the whole-ISO-week windows around an event."""

from __future__ import annotations

import datetime as dt

import pytest

from kpis import DateRange, UsageError
from kpis.periods import event_windows, parse_range, periods

D = dt.date


@pytest.mark.parametrize(
    ("grain", "start", "end", "expected"),
    [
        ("day", D(2026, 1, 5), D(2026, 1, 6), [(D(2026, 1, 5), 1), (D(2026, 1, 6), 1)]),
        (
            "week",
            D(2026, 1, 7),
            D(2026, 1, 19),
            [(D(2026, 1, 5), 5), (D(2026, 1, 12), 7), (D(2026, 1, 19), 1)],
        ),
        (
            "month",
            D(2026, 1, 30),
            D(2026, 3, 1),
            [(D(2026, 1, 1), 2), (D(2026, 2, 1), 28), (D(2026, 3, 1), 1)],
        ),
        (
            "quarter",
            D(2025, 12, 31),
            D(2026, 4, 1),
            [(D(2025, 10, 1), 1), (D(2026, 1, 1), 90), (D(2026, 4, 1), 1)],
        ),
        (
            "week",
            D(2026, 12, 28),
            D(2027, 1, 4),
            [(D(2026, 12, 28), 7), (D(2027, 1, 4), 1)],
        ),  # ISO week 53
        (None, D(2026, 1, 7), D(2026, 1, 19), [(D(2026, 1, 7), 13)]),
    ],
)
def test_periods_cover_the_range_and_are_clipped_to_it(grain, start, end, expected) -> None:
    got = periods(DateRange(start, end), grain)
    assert [(p.start, p.days) for p in got] == expected
    assert sum(p.days for p in got) == (end - start).days + 1


@pytest.mark.parametrize(
    ("event", "coverage", "weeks", "before", "after"),
    [
        # Event on a Monday: the after window starts that day.
        (
            D(2026, 5, 18),
            (D(2026, 1, 1), D(2026, 12, 31)),
            2,
            "2026-05-04:2026-05-17",
            "2026-05-18:2026-05-31",
        ),
        # Event mid-week: its week mixes before and after, so it is left out.
        (
            D(2026, 5, 20),
            (D(2026, 1, 1), D(2026, 12, 31)),
            1,
            "2026-05-11:2026-05-17",
            "2026-05-25:2026-05-31",
        ),
        # Without --weeks: as many whole weeks as the data covers on the shorter side.
        (
            D(2026, 5, 18),
            (D(2026, 4, 30), D(2026, 7, 1)),
            None,
            "2026-05-04:2026-05-17",
            "2026-05-18:2026-05-31",
        ),
        (
            D(2026, 5, 18),
            (D(2026, 5, 4), D(2026, 8, 1)),
            None,
            "2026-05-04:2026-05-17",
            "2026-05-18:2026-05-31",
        ),
    ],
)
def test_event_windows_are_equal_whole_iso_weeks(event, coverage, weeks, before, after) -> None:
    got = event_windows(event, DateRange(*coverage), weeks)
    assert (str(got[0]), str(got[1])) == (before, after)
    assert got[0].days == got[1].days and got[0].days % 7 == 0
    assert got[0].start.weekday() == 0 and got[1].start.weekday() == 0


def test_no_whole_week_on_one_side() -> None:
    with pytest.raises(UsageError, match="does not cover a whole week on both sides"):
        event_windows(D(2026, 5, 18), DateRange(D(2026, 5, 13), D(2026, 8, 1)), None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-01-01", "must be START:END"),
        ("2026-01-01:soon", "--after end 'soon' is not a date"),
        ("2026-02-01:2026-01-01", "ends before it starts"),
    ],
)
def test_malformed_ranges(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_range(text, "--after")
