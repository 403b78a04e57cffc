"""The difference-in-differences estimator (kpis.did) on panels whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from kpis.did import block_length, estimate, placebo

UNITS = ["Lyon", "Lille", "Marseille"]


def _panel(effect: float, shock: float, seed: int = 0, noise: float = 0.01) -> pd.DataFrame:
    """26 + 26 weeks of three units: levels apart, a common shock, Lyon's own effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit, level in zip(UNITS, (0.80, 0.90, 0.88), strict=True):
        for week in range(52):
            after = week >= 26
            value = (
                level + 0.002 * week + shock * after + (effect if unit == "Lyon" and after else 0)
            )
            rows.append((unit, week, value + rng.normal(0, noise), float(rng.integers(50, 150))))
    return pd.DataFrame(rows, columns=["unit", "week", "value", "weight"])


def test_without_noise_the_effect_is_exact_and_the_common_shock_is_taken_out() -> None:
    found = estimate(_panel(0.06, 0.04, noise=0.0), "Lyon", 26)
    assert found is not None
    assert found.effect == pytest.approx(0.06, abs=1e-12)  # not 0.10: the shock is everyone's
    assert (found.weeks_before, found.weeks_after) == (26, 26)


def test_the_effect_is_statsmodels_weighted_regression_with_unit_and_week_effects() -> None:
    panel = _panel(0.03, 0.04, seed=3)
    found = estimate(panel, "Lyon", 26)
    panel["treated_after"] = ((panel["unit"] == "Lyon") & (panel["week"] >= 26)).astype(float)
    fitted = smf.wls(
        "value ~ treated_after + C(unit) + C(week)", data=panel, weights=panel["weight"]
    ).fit()
    assert found is not None and found.effect == pytest.approx(fitted.params["treated_after"])


def test_interval_and_p_value() -> None:
    found = estimate(_panel(0.03, 0.04, seed=1), "Lyon", 26, seed=7)
    assert found is not None
    assert found.ci_low < 0.03 < found.ci_high and found.p_value < 0.01
    none = estimate(_panel(0.0, 0.04, seed=1), "Lyon", 26, seed=7)
    assert none is not None and none.ci_low < 0 < none.ci_high and none.p_value > 0.05
    again = estimate(_panel(0.03, 0.04, seed=1), "Lyon", 26, seed=7)
    assert again == found  # seeded: the same data gives the same numbers


def test_placebo_flags_units_that_already_drifted_apart() -> None:
    panel = _panel(0.0, 0.0, seed=2)
    parallel = placebo(panel, "Lyon", 26)
    assert parallel is not None and parallel.p_value > 0.05
    drifting = panel.copy()
    lyon = drifting["unit"] == "Lyon"
    drifting.loc[lyon, "value"] += 0.008 * drifting.loc[lyon, "week"]  # Lyon pulls away
    flagged = placebo(drifting, "Lyon", 26)
    assert flagged is not None and flagged.p_value < 0.05 and flagged.effect > 0


def test_not_enough_data() -> None:
    panel = _panel(0.03, 0.0)
    assert estimate(panel[panel["week"] >= 23], "Lyon", 26) is None  # 3 weeks before
    assert estimate(panel[panel["unit"] == "Lyon"], "Lyon", 26) is None  # no control
    missing = panel.copy()
    missing.loc[missing["unit"] != "Lyon", "value"] = np.nan
    assert estimate(missing, "Lyon", 26) is None


def test_weeks_without_a_value_are_left_out() -> None:
    panel = _panel(0.05, 0.02, noise=0.0)
    panel.loc[(panel["unit"] == "Lille") & (panel["week"] == 30), "value"] = np.nan
    panel.loc[(panel["unit"] == "Lyon") & (panel["week"] == 5), "weight"] = 0
    found = estimate(panel, "Lyon", 26)
    assert found is not None and found.effect == pytest.approx(0.05, abs=1e-12)
    assert found.weeks_before == 25


def test_many_units_pool_their_controls() -> None:
    rows = [
        (
            f"u{u}",
            week,
            0.5 + 0.01 * u + 0.02 * (week >= 10) + (0.07 if u == 0 and week >= 10 else 0),
            10.0,
        )
        for u in range(40)
        for week in range(20)
    ]
    found = estimate(pd.DataFrame(rows, columns=["unit", "week", "value", "weight"]), "u0", 10)
    assert found is not None and found.effect == pytest.approx(0.07, abs=1e-12)


@pytest.mark.parametrize(
    ("weeks", "length"), [(1, 1), (4, 1), (8, 2), (16, 5), (26, 6), (52, 7), (500, 16)]
)
def test_block_length(weeks: int, length: int) -> None:
    assert block_length(weeks) == length
