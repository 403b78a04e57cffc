"""A KPI's week read against its own history: trend, normal weekly variation, a year earlier.

A number alone does not say whether it moved, or whether the move matters. Each week is read
against its KPI's last 12 weeks: the direction they trend in (significant and large enough to
matter, or flat), how far the KPI usually moves from one week to the next (a change beyond
that is unusual), and the same ISO week a year earlier (seasonality). The weekly review and
the weekly report share these rules, so they live here once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kpis.periods import iso_week, week_of

WEEKS = 12  # the history a week is read against
ALPHA = 0.05  # a trend is a slope significantly different from 0 at this level
MIN_SHARE = 0.02  # ...that moves the KPI by at least this share of its mean over the weeks
MIN_TREND_WEEKS = 6  # fewer weeks with a value: no trend is said
SPREAD = 2.0  # a weekly change within mean +/- SPREAD standard deviations is normal
MIN_CHANGES = 6  # fewer earlier weekly changes: nothing is said about variation

Direction = Literal["up", "down", "flat"]
Tone = Literal["better", "worse", "neutral"]


@dataclass(frozen=True)
class WeeklyTrend:
    """The least-squares line through weekly values, and what it says."""

    slope: float  # per week, in the KPI's unit
    p_value: float  # two-sided t-test of slope = 0
    change: float  # what the line moves across the weeks: slope x (last - first week)
    mean: float  # of the values fitted
    weeks: int  # values fitted
    direction: Direction


@dataclass(frozen=True)
class WeeklyVariation:
    """A week-over-week change and the range the KPI's earlier weekly changes make normal."""

    change: float  # this week's value minus the previous week's
    low: float  # mean - SPREAD x standard deviation of the earlier changes
    high: float  # mean + SPREAD x standard deviation
    changes: int  # earlier changes the range was learnt from

    @property
    def usual(self) -> bool:
        """Within the normal range (a hair of float error tolerated at its edges)."""
        slack = 1e-12 * max(1.0, abs(self.low), abs(self.high))
        return self.low - slack <= self.change <= self.high + slack


def _points(values: Sequence[float | None]) -> list[tuple[int, float]]:
    """(position, value) of the weeks with a value: a missing week leaves a gap, not a shift."""
    return [(i, float(v)) for i, v in enumerate(values) if v is not None and not math.isnan(v)]


def weekly_trend(
    values: Sequence[float | None],
    *,
    alpha: float = ALPHA,
    min_share: float = MIN_SHARE,
    min_weeks: int = MIN_TREND_WEEKS,
) -> WeeklyTrend | None:
    """The trend of consecutive weekly values (oldest first; None for a week without one).

    Ordinary least squares of the value on the week's position. The direction is "flat"
    unless the slope is significantly different from 0 (two-sided t-test, p < `alpha`) and
    the line moves by at least `min_share` of the mean's size across the weeks: twelve noisy
    weeks, or a drift of 0.5 % of a KPI over a quarter, are no trend to act on. None with
    fewer than `min_weeks` values.
    """
    points = _points(values)
    if len(points) < max(min_weeks, 3):
        return None
    n = len(points)
    mean_x = statistics.fmean(x for x, _ in points)
    mean = statistics.fmean(y for _, y in points)
    sxx = math.fsum((x - mean_x) ** 2 for x, _ in points)
    slope = math.fsum((x - mean_x) * (y - mean) for x, y in points) / sxx
    residual = math.fsum((y - mean - slope * (x - mean_x)) ** 2 for x, y in points)
    if residual == 0:  # every value on the line: certain, whatever its slope
        p_value = 1.0 if slope == 0 else 0.0
    else:
        p_value = _two_sided_p(slope / math.sqrt(residual / (n - 2) / sxx), n - 2)
    change = slope * (points[-1][0] - points[0][0])
    moving = p_value < alpha and abs(change) >= min_share * abs(mean)
    direction: Direction = "flat" if not moving else ("up" if slope > 0 else "down")
    return WeeklyTrend(slope, p_value, change, mean, n, direction)


def _two_sided_p(t: float, df: int) -> float:
    """P(|T| >= |t|) for Student's t with `df` (a whole number) degrees of freedom.

    The finite series of Abramowitz and Stegun 26.7.3 and 26.7.4, in theta = atan(|t| /
    sqrt(df)): exact for whole degrees of freedom, and without scipy, whose import would
    cost the weekly page a second on a server's first view.
    """
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:  # sin(theta) (1 + 1/2 cos^2 + 1.3/2.4 cos^4 + ... + cos^(df-2))
        term = total = 1.0
        for k in range(df // 2 - 1):
            term *= (2 * k + 1) / (2 * k + 2) * cos2
            total += term
        inside = sin * total
    else:  # 2/pi (theta + sin(theta) (cos + 2/3 cos^3 + ... + cos^(df-2)))
        term = total = math.cos(theta) if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):
            term *= 2 * k / (2 * k + 1) * cos2
            total += term
        inside = 2 / math.pi * (theta + sin * total)
    return max(0.0, 1.0 - inside)


def trend_tone(trend: WeeklyTrend | None, higher_is_better: bool) -> Tone:
    """The trend read against the KPI's direction: better, worse, or neutral (flat, unknown)."""
    if trend is None or trend.direction == "flat":
        return "neutral"
    return "better" if (trend.direction == "up") == higher_is_better else "worse"


def weekly_variation(
    values: Sequence[float | None],
    *,
    weeks: int = WEEKS,
    spread: float = SPREAD,
    min_changes: int = MIN_CHANGES,
) -> WeeklyVariation | None:
    """The last week-over-week change of `values`, with the KPI's normal range of one.

    `values` are consecutive weekly values, oldest first, the last one the week read. The
    normal range comes from the changes between consecutive weeks over the `weeks` weeks
    before it (so from up to `weeks` + 1 earlier values; a change needs both its weeks):
    their mean +/- `spread` sample standard deviations. The week's own change is left out of
    its yardstick. None when the week or the one before has no value, or with fewer than
    `min_changes` earlier changes.
    """
    if len(values) < 2:
        return None
    current, previous = values[-1], values[-2]
    if current is None or previous is None or math.isnan(current) or math.isnan(previous):
        return None
    earlier = list(values[-2 - weeks : -1])
    changes = [
        float(b) - float(a)
        for a, b in itertools.pairwise(earlier)
        if a is not None and b is not None and not math.isnan(a) and not math.isnan(b)
    ]
    if len(changes) < max(min_changes, 2):
        return None
    mean, sd = statistics.fmean(changes), statistics.stdev(changes)
    return WeeklyVariation(
        float(current) - float(previous), mean - spread * sd, mean + spread * sd, len(changes)
    )


def year_earlier(week: str) -> str | None:
    """The same ISO week a year earlier: 2026-W46 -> 2025-W46.

    None when that year has no such week (a week 53); a UsageError when `week` is not an ISO
    week. The week number is kept, not the date: ISO weeks line up Monday to Sunday.
    """
    monday = week_of(week).start
    year, number, _ = monday.isocalendar()
    try:
        return iso_week(dt.date.fromisocalendar(year - 1, number, 1))
    except ValueError:
        return None
