"""Was the KPI already moving before the change? A segmented regression on weekly values.

An interrupted time series: y_w = b0 + b1 w + b2 after_w + b3 (w - w0) after_w over the weeks
before and after an event at week w0. The weekly trend before the event (b1) projects what
the after weeks would have been had nothing changed; the effect beyond that trend is the
average gap between the after weeks and the projection (b2 + b3 * mean(w - w0), tested as a
linear combination) with ordinary least squares and t-distributed tests. Newey-West (HAC)
errors were tried and rejected: with 12 weeks a side they call a pure trend a change one
time in five (the simulation in validation/ shows it), where classical errors keep 5 %.
A change that is significant before/after, while the effect beyond a significant
pre-existing trend in the same direction is not, is flagged: the trend alone explains it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

MIN_WEEKS_BEFORE = 6
MIN_WEEKS_AFTER = 2
ALPHA = 0.05


@dataclass(frozen=True)
class Trend:
    """The pre-event trend and the change beyond it, in the KPI's unit."""

    start: float  # the trend's value in the first week of the before window
    per_week: float  # the slope before the event
    per_week_p_value: float
    counterfactual: float  # mean of the after weeks, had the trend simply continued
    effect: float  # mean of the after weeks minus that projection
    effect_ci_low: float
    effect_ci_high: float
    effect_p_value: float


def segmented(before: Sequence[float | None], after: Sequence[float | None]) -> Trend | None:
    """The trend analysis of weekly values; None with too few weeks to fit one."""
    points = [
        (w, v) for w, v in enumerate([*before, *after]) if v is not None and not math.isnan(v)
    ]
    start = len(before)
    if (
        sum(w < start for w, _ in points) < MIN_WEEKS_BEFORE
        or sum(w >= start for w, _ in points) < MIN_WEEKS_AFTER
    ):
        return None
    weeks = np.array([w for w, _ in points], dtype=float)
    values = np.array([v for _, v in points], dtype=float)
    post = (weeks >= start).astype(float)
    design = np.column_stack([np.ones_like(weeks), weeks, post, (weeks - start) * post])
    fit = sm.OLS(values, design).fit(use_t=True)
    after_weeks = weeks[post == 1]
    gap = np.array([0.0, 0.0, 1.0, float(np.mean(after_weeks - start))])
    effect = fit.t_test(gap)
    low, high = (float(x) for x in np.asarray(effect.conf_int(alpha=ALPHA)).ravel())
    projection = fit.params[0] + fit.params[1] * float(np.mean(after_weeks))
    return Trend(
        start=float(fit.params[0]),
        per_week=float(fit.params[1]),
        per_week_p_value=float(fit.pvalues[1]),
        counterfactual=float(projection),
        effect=float(np.asarray(effect.effect).ravel()[0]),
        effect_ci_low=low,
        effect_ci_high=high,
        effect_p_value=float(np.asarray(effect.pvalue).ravel()[0]),
    )


def explained_by_trend(trend: Trend | None, delta: float | None, p_value: float | None) -> bool:
    """A significant change that a significant pre-existing trend, the same way, accounts for."""
    if trend is None or delta is None or p_value is None or p_value >= ALPHA:
        return False
    trending = trend.per_week_p_value < ALPHA and (trend.per_week > 0) == (delta > 0)
    return trending and trend.effect_p_value >= ALPHA
