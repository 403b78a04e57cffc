"""Difference-in-differences: a scoped unit's change beyond its control group's, and a placebo.

An event scoped to one warehouse (channel, team) is compared with itself before and after,
which credits it with whatever moved every unit that week (a season, a company-wide change).
The other units are a natural control: the effect is the treated unit's change minus the
control group's, estimated by a weighted regression of the weekly values per unit on unit
and week effects and the treated-after indicator (statsmodels WLS; ratio KPIs weight each
unit-week by its denominator).

Inference. With three to five units, errors clustered by unit rest on two to four clusters,
and cluster-robust errors (and the wild cluster bootstrap, with one treated cluster) are
then known to be badly off. The weeks are many, so the uncertainty is taken from them: a
wild bootstrap over blocks of consecutive weeks (Webb's six-point weights per block, blocks
never straddling the event), studentized. A block
keeps the units of its weeks together (a common shock in a week is shared) and a few weeks
together (a slow drift is not mistaken for noise). The estimate is linear in the data, so
each resample is a matrix product: 1,999 resamples take milliseconds, and the same data
gives the same numbers (the weights are seeded).

Parallel trends. The method assumes the units would have moved alike without the event. The
placebo moves the event back to the before window's midpoint and estimates again over the
before window only: a significant placebo effect says the units already drifted apart, and
the result is flagged `parallel_trends_doubtful`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALPHA = 0.05
RESAMPLES = 1999
MIN_WEEKS = 4  # on each side, as a weekly before/after (kpis/definitions/methods.py)
MAX_UNITS = 31  # beyond it the controls are pooled into one, so the cost stays in weeks
# Webb's six-point weights (mean 0, variance 1): with six to ten blocks, Rademacher signs
# give only 2**6 to 2**10 distinct resamples, so the p-values come in coarse steps.
WEIGHTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class DidEstimate:
    """The effect of the event on the treated unit beyond the control group, in KPI units."""

    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    weeks_before: int
    weeks_after: int
    blocks: int


def block_length(weeks: int) -> int:
    """Weeks per resampled block: about twice the cube root of a side's weeks, and at least
    three blocks a side (5 for 16 weeks, 6 for 26, 7 for 52).

    Long enough to keep a few weeks' drift inside a block, short enough to leave blocks to
    resample. In validation/did.py, a median's intervals covered 91 % with blocks of the plain
    cube root (3 weeks for 16), 92.7 % with 1.5 times it (4) and 93.7 % with twice it (5).
    """
    length: int = round(2 * weeks ** (1 / 3))
    return max(1, min(length, weeks // 3))


def estimate(
    panel: pd.DataFrame,
    treated: str,
    event_week: object,
    seed: int = 0,
) -> DidEstimate | None:
    """The DiD of `treated` at `event_week` on `panel` (columns unit, week, value, weight).

    Rows without a value or with no weight are left out, and so are weeks where the treated
    unit or every control has no value. None when a side has fewer than MIN_WEEKS weeks or
    no control unit has data on both sides.
    """
    import statsmodels.api as sm

    data = panel[panel["value"].notna() & (panel["weight"] > 0)]
    data = data[np.isfinite(data["value"].to_numpy(float))]
    is_treated = data["unit"] == treated
    weeks_treated = set(data.loc[is_treated, "week"])
    weeks_control = set(data.loc[~is_treated, "week"])
    data = data[data["week"].isin(weeks_treated & weeks_control)]
    after = data["week"] >= event_week
    is_treated = data["unit"] == treated
    weeks = sorted(set(data["week"]))
    before_weeks = [w for w in weeks if w < event_week]
    after_weeks = [w for w in weeks if w >= event_week]
    if min(len(before_weeks), len(after_weeks)) < MIN_WEEKS:
        return None
    controls = data[~is_treated]
    both = set(controls.loc[controls["week"] < event_week, "unit"]) & set(
        controls.loc[controls["week"] >= event_week, "unit"]
    )
    if not both:
        return None
    if data["unit"].nunique() > MAX_UNITS:
        data = _pooled_controls(data, treated)
        is_treated, after = data["unit"] == treated, data["week"] >= event_week
    y = data["value"].to_numpy(float)
    weights = data["weight"].to_numpy(float)
    treated_after = (is_treated & after).to_numpy(float)
    units = pd.get_dummies(data["unit"], drop_first=True, dtype=float).to_numpy()
    week_dummies = pd.get_dummies(data["week"], dtype=float).to_numpy()
    design = np.column_stack([treated_after, units, week_dummies])
    fitted = sm.WLS(y, design, weights=weights).fit()
    effect = float(fitted.params[0])
    # The estimate is linear in y: coefficients = solver @ y. So a resample's effect is a
    # product, and its residuals are the resampled ones less their own fit.
    solver = fitted.model.pinv_wexog * np.sqrt(weights)
    row = solver[0]
    residuals = y - design @ fitted.params
    blocks = _blocks(data["week"].to_numpy(), before_weeks, after_weeks)
    count = int(blocks.max()) + 1
    if count <= 2:
        return None
    membership = np.zeros((len(y), count))
    membership[np.arange(len(y)), blocks] = 1.0

    def spread(draws: np.ndarray) -> np.ndarray:
        """The effect's standard error from each row of residuals (sums per block)."""
        scores = (draws * row) @ membership
        return np.asarray(np.sqrt((scores**2).sum(axis=1)))

    rng = np.random.default_rng(seed)
    signs = rng.choice(WEIGHTS, size=(RESAMPLES, count))
    flipped = (signs @ membership.T) * residuals
    deviations = flipped @ row
    errors = spread(flipped - (flipped @ solver.T) @ design.T)
    error = float(spread(residuals[np.newaxis, :])[0])
    if not error > 0:
        return None
    studentized = deviations / np.where(errors > 0, errors, np.inf)
    low, high = np.quantile(studentized, [ALPHA / 2, 1 - ALPHA / 2])
    observed = abs(effect / error)
    p_value = (1 + int((np.abs(studentized) >= observed).sum())) / (RESAMPLES + 1)
    return DidEstimate(
        effect=effect,
        ci_low=effect - float(high) * error,
        ci_high=effect - float(low) * error,
        p_value=p_value,
        weeks_before=len(before_weeks),
        weeks_after=len(after_weeks),
        blocks=count,
    )


def _pooled_controls(data: pd.DataFrame, treated: str) -> pd.DataFrame:
    """The control units as one: per week, their weighted mean value and summed weight."""
    controls = data[data["unit"] != treated].assign(weighted=lambda f: f["value"] * f["weight"])
    pooled = controls.groupby("week", as_index=False)[["weighted", "weight"]].sum()
    pooled["value"] = pooled["weighted"] / pooled["weight"]
    pooled["unit"] = "\x00controls"
    return pd.concat(
        [data[data["unit"] == treated], pooled[["unit", "week", "value", "weight"]]],
        ignore_index=True,
    )


def _blocks(week_of_row: np.ndarray, before: list[object], after: list[object]) -> np.ndarray:
    """Each row's block: consecutive weeks of one side, block_length of them at a time."""
    index: dict[object, int] = {}
    start = 0
    for side in (before, after):
        length = block_length(len(side))
        count = max(1, len(side) // length)
        for position, week in enumerate(side):
            index[week] = start + min(position // length, count - 1)
        start += count
    return np.array([index[w] for w in week_of_row])


def placebo(
    panel: pd.DataFrame, treated: str, event_week: object, seed: int = 0
) -> DidEstimate | None:
    """The same estimate over the before window only, the event moved to its midpoint."""
    before = panel[panel["week"] < event_week]
    weeks = sorted(set(before["week"]))
    if len(weeks) < 2 * MIN_WEEKS:
        return None
    return estimate(before, treated, weeks[len(weeks) // 2], seed)


def seed_for(name: str, treated: str) -> int:
    """A stable seed per KPI and unit: the same data gives the same interval."""
    return zlib.crc32(f"did:{name}:{treated}".encode())
