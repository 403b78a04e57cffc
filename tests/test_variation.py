"""A week against its history (kpis.variation), checked against values worked out by hand.

Slopes, t statistics, means and standard deviations are computed here in plain Python, and
the p-value by integrating Student's t density numerically, so none of it leans on the
library the module uses.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kpis import (
    Store,
    UsageError,
    compute,
    trend_tone,
    weekly_trend,
    weekly_variation,
    year_earlier,
)

CSAT_WEEKS = [0.87, 0.85, 0.89, 0.91, 0.94, 0.85, 0.92, 0.87, 0.95, 0.92, 0.91, 0.93]


def _by_hand(values: list[float]) -> tuple[float, float]:
    """Least-squares slope of values on 0..n-1, and its t statistic."""
    n = len(values)
    xs = list(range(n))
    mx, my = sum(xs) / n, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / sxx
    intercept = my - slope * mx
    residuals = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, values, strict=True))
    return slope, slope / math.sqrt(residuals / (n - 2) / sxx)


def _two_sided_p(t: float, df: int) -> float:
    """2 x the upper tail of Student's t density beyond |t|, by Simpson's rule."""
    scale = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))

    def density(u: float) -> float:
        return scale * (1 + u * u / df) ** (-(df + 1) / 2)

    low, high, steps = abs(t), 400.0, 40_000
    h = (high - low) / steps
    total = density(low) + density(high)
    total += sum((4 if i % 2 else 2) * density(low + i * h) for i in range(1, steps))
    return 2 * total * h / 3


def test_a_straight_line_is_its_slope() -> None:
    found = weekly_trend([10 + 0.5 * week for week in range(12)])
    assert found is not None
    assert found.slope == pytest.approx(0.5)
    assert found.change == pytest.approx(5.5)  # 11 weeks from the first to the last
    assert found.mean == pytest.approx(12.75) and found.weeks == 12
    assert found.p_value < 1e-9 and found.direction == "up"
    assert trend_tone(found, higher_is_better=True) == "better"
    assert trend_tone(found, higher_is_better=False) == "worse"


def test_a_noisy_series_against_slope_and_t_by_hand() -> None:
    slope, t = _by_hand(CSAT_WEEKS)
    found = weekly_trend(CSAT_WEEKS)
    assert found is not None
    assert found.slope == pytest.approx(slope, rel=1e-12)
    assert found.p_value == pytest.approx(_two_sided_p(t, 10), rel=1e-6)
    # t with 10 degrees of freedom must pass 2.228 (the tables' 5 % two-sided value).
    assert (abs(t) > 2.228) == (found.p_value < 0.05)
    assert found.direction == ("flat" if abs(t) < 2.228 else "up")


@pytest.mark.parametrize("weeks", range(6, 13))  # 4 to 10 degrees of freedom, odd and even
@pytest.mark.parametrize("trend", [0.0, 0.004, 0.01])
def test_every_p_value_is_students_t(weeks: int, trend: float) -> None:
    values = [v + trend * week for week, v in enumerate(CSAT_WEEKS[:weeks])]
    slope, t = _by_hand(values)
    found = weekly_trend(values)
    assert found is not None and found.slope == pytest.approx(slope, rel=1e-9)
    assert found.p_value == pytest.approx(_two_sided_p(t, weeks - 2), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize(
    ("per_week", "direction"),
    [
        (0.1, "flat"),  # 1.1 over 11 weeks: 1.1 % of a mean near 100, below 2 %
        (0.2, "up"),  # 2.2: 2.2 % of the mean
        (-0.2, "down"),
    ],
)
def test_a_significant_slope_must_also_matter(per_week: float, direction: str) -> None:
    wobble = [0.01, -0.01] * 6  # keeps the slope's p-value tiny but not zero
    values = [100 + per_week * week + w for week, w in enumerate(wobble)]
    found = weekly_trend(values)
    assert found is not None and found.p_value < 1e-6
    share = abs(found.change) / abs(sum(values) / len(values))
    assert (share >= 0.02) == (direction != "flat")
    assert found.direction == direction


def test_missing_weeks_leave_gaps_not_shifts() -> None:
    values: list[float | None] = [1.0, None, 3.0, 4.0, float("nan"), 6.0, 7.0, 8.0]
    found = weekly_trend(values)
    assert found is not None
    assert found.slope == pytest.approx(1.0) and found.weeks == 6
    assert found.change == pytest.approx(7.0)  # from week 0 to week 7


def test_too_few_weeks_or_a_constant_series() -> None:
    assert weekly_trend([1.0, 2.0, 3.0, 4.0, 5.0, None, None]) is None  # 5 values
    assert trend_tone(None, higher_is_better=True) == "neutral"
    flat = weekly_trend([0.9] * 12)
    assert flat is not None and flat.slope == 0 and flat.direction == "flat"
    assert trend_tone(flat, higher_is_better=False) == "neutral"


def _range_by_hand(changes: list[float]) -> tuple[float, float]:
    n = len(changes)
    mean = sum(changes) / n
    sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / (n - 1))
    return mean - 2 * sd, mean + 2 * sd


WEEKS = [10.0, 11.0, 10.5, 11.5, 11.0, 12.0, 11.0, 11.5, 12.5, 12.0, 12.5, 13.0, 12.0]


@pytest.mark.parametrize(("week", "usual"), [(13.0, True), (16.0, False), (9.0, False)])
def test_the_change_against_the_last_twelve_changes(week: float, usual: bool) -> None:
    changes = [WEEKS[i + 1] - WEEKS[i] for i in range(len(WEEKS) - 1)]
    assert len(changes) == 12
    low, high = _range_by_hand(changes)
    found = weekly_variation([*WEEKS, week])
    assert found is not None
    assert found.change == pytest.approx(week - 12.0)
    assert (found.low, found.high) == (pytest.approx(low), pytest.approx(high))
    assert found.changes == 12 and found.usual == usual
    assert usual == (low <= week - 12.0 <= high)


def test_only_the_twelve_weeks_before_count_and_the_edges_are_normal() -> None:
    older = [0.0, 100.0, -50.0]  # wild weeks long ago change nothing
    base = weekly_variation([*WEEKS, 13.0])
    found = weekly_variation([*older, *WEEKS, 13.0])
    assert base is not None and found is not None
    assert (found.low, found.high) == (base.low, base.high)
    edge = weekly_variation([*WEEKS, 12.0 + base.high])
    assert edge is not None and edge.usual


def test_variation_needs_both_weeks_and_six_earlier_changes() -> None:
    assert weekly_variation([*WEEKS, None]) is None
    assert weekly_variation([*WEEKS[:-1], None, 13.0]) is None
    # Every other week missing: no change between two weeks that both have a value.
    gappy = [v if i % 2 else None for i, v in enumerate(WEEKS)]
    assert weekly_variation([*gappy[:-1], 12.0, 13.0]) is None
    few = weekly_variation([10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 11.0])  # 6 earlier
    assert few is not None and few.changes == 6
    assert weekly_variation([10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 12.0]) is None  # 5 earlier


def test_a_steady_kpi_makes_any_move_unusual() -> None:
    found = weekly_variation([5.0] * 13 + [5.1])
    assert found is not None and (found.low, found.high) == (0.0, 0.0) and not found.usual
    still = weekly_variation([5.0] * 14)
    assert still is not None and still.usual


@pytest.mark.parametrize(
    ("week", "earlier"),
    [
        ("2026-W46", "2025-W46"),
        ("2021-W01", "2020-W01"),
        ("2021-W52", "2020-W52"),
        ("2026-W53", None),  # 2026 has 53 ISO weeks (28 Dec 2026 - 3 Jan 2027), 2025 has 52
        ("2020-W53", None),
    ],
)
def test_the_same_iso_week_a_year_earlier(week: str, earlier: str | None) -> None:
    assert year_earlier(week) == earlier


@pytest.mark.parametrize("week", ["2021-W53", "W46", "2026-46", ""])
def test_a_year_earlier_of_no_week_is_refused(week: str) -> None:
    with pytest.raises(UsageError):
        year_earlier(week)


def test_the_demo_reads_as_the_issue_says(demo_store: Store) -> None:
    """12 weeks to 2026-W46: stock rotation falls (bad), CSAT hovers above its target."""
    frame = compute(demo_store, ["csat", "stock_rotation"], "week", dt.date(2026, 8, 24), None)
    frame = frame[frame["period_end"] <= dt.date(2026, 11, 15)]
    series = {n: [float(v) for v in part["value"]] for n, part in frame.groupby("kpi")}
    assert all(len(v) == 12 for v in series.values())
    rotation, csat = weekly_trend(series["stock_rotation"]), weekly_trend(series["csat"])
    assert rotation is not None and csat is not None
    slope, t = _by_hand(series["stock_rotation"])
    assert rotation.slope == pytest.approx(slope) and slope < 0 and abs(t) > 2.228
    assert trend_tone(rotation, higher_is_better=True) == "worse"
    assert csat.direction == "flat" and trend_tone(csat, higher_is_better=True) == "neutral"
