"""Intervals and p-values: on fixed inputs they equal scipy's and statsmodels' own answers.

Each test calls the library directly, the way its documentation says, and compares; the
methods are chosen from KPI definitions, which the last tests check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from kpis import parse_definitions
from kpis.definitions.methods import Method, method_for
from kpis.inference import BATCH, RESAMPLES, Inference, expanded_levels, infer, seed_for, verdict
from kpis.samples import Sample
from kpis.trend import explained_by_trend, segmented
from tests.conftest import CONFIG

PROPORTIONS = Method("two_proportions", "observation", 30)


def expanded(boot, center: float, delta: float, smallest: int, pooled: int) -> tuple[float, float]:
    """Hesterberg's expanded percentile interval from scipy's bootstrap distribution."""
    z = math.sqrt(smallest / (smallest - 1)) * stats.t.ppf(0.975, pooled - 2)
    tail = stats.norm.sf(z)
    spread = boot.bootstrap_distribution - center
    return delta + np.quantile(spread, tail), delta + np.quantile(spread, 1 - tail)


MEDIAN = Method("bootstrap_rows", "row", 30, "median")
UNITS = Method("bootstrap_units", "day", 14, combine=("sum", "sum"))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((617, 30836), (1175, 33576)),
        ((20, 1000), (35, 1000)),
        ((3, 40), (9, 41)),
        ((0, 50), (4, 60)),
    ],
)
def test_two_proportions_are_statsmodels_newcombe_and_z_test(before, after) -> None:
    got = infer(
        PROPORTIONS,
        Sample(PROPORTIONS, *before),
        Sample(PROPORTIONS, *after),
        after[0] / after[1] - before[0] / before[1],
        1,
    )
    low, high = confint_proportions_2indep(
        after[0], after[1], before[0], before[1], method="newcomb", compare="diff"
    )
    z_p = proportions_ztest([after[0], before[0]], [after[1], before[1]])[1]
    assert (got.ci_low, got.ci_high, got.p_value) == (
        pytest.approx(low),
        pytest.approx(high),
        pytest.approx(z_p),
    )
    assert (got.n_before, got.n_after) == (before[1], after[1])


def test_identical_proportions_at_zero_have_no_difference() -> None:
    got = infer(PROPORTIONS, Sample(PROPORTIONS, 0, 100), Sample(PROPORTIONS, 0, 120), 0.0, 1)
    assert got.p_value == 1.0 and got.ci_low < 0 < got.ci_high


def test_median_bootstrap_and_permutation_are_scipys(seed: int = 7) -> None:
    rng = np.random.default_rng(3)
    before, after = rng.lognormal(3.0, 0.8, 400), rng.lognormal(2.6, 0.8, 450)
    delta = float(np.median(after) - np.median(before))
    got = infer(MEDIAN, Sample(MEDIAN, values=before), Sample(MEDIAN, values=after), delta, seed)

    def difference(b, a, axis=-1):
        return np.median(a, axis=axis) - np.median(b, axis=axis)

    direct = np.random.default_rng(seed)
    boot = stats.bootstrap((before, after), difference, n_resamples=RESAMPLES, method="percentile", vectorized=True, batch=BATCH, rng=direct)  # fmt: skip
    test = stats.permutation_test((before, after), difference, permutation_type="independent", n_resamples=RESAMPLES, vectorized=True, batch=BATCH, rng=direct)  # fmt: skip
    low, high = expanded(boot, delta, delta, 400, 850)
    assert (got.ci_low, got.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert got.p_value == pytest.approx(test.pvalue)
    # On hundreds of rows the expansion is slight: close to scipy's own percentile interval.
    assert got.ci_low == pytest.approx(boot.confidence_interval.low, rel=0.05)


def test_ratio_of_sums_bootstrap_over_days_is_scipys(seed: int = 11) -> None:
    rng = np.random.default_rng(5)
    units_b, units_a = (
        rng.integers(50, 120, 60).astype(float),
        rng.integers(50, 120, 60).astype(float),
    )
    cost_b, cost_a = units_b * rng.normal(2.0, 0.2, 60), units_a * rng.normal(1.8, 0.2, 60)
    before = Sample(UNITS, numerators=cost_b, denominators=units_b)
    after = Sample(UNITS, numerators=cost_a, denominators=units_a)
    delta = cost_a.sum() / units_a.sum() - cost_b.sum() / units_b.sum()
    got = infer(UNITS, before, after, delta, seed)

    num, den = np.concatenate([cost_b, cost_a]), np.concatenate([units_b, units_a])

    def difference(b, a, axis=-1):
        return num[a].sum(axis=-1) / den[a].sum(axis=-1) - num[b].sum(axis=-1) / den[b].sum(axis=-1)

    sides = (np.arange(60), 60 + np.arange(60))
    direct = np.random.default_rng(seed)
    boot = stats.bootstrap(sides, difference, n_resamples=RESAMPLES, method="percentile", vectorized=True, rng=direct)  # fmt: skip
    test = stats.permutation_test(sides, difference, permutation_type="independent", n_resamples=RESAMPLES, vectorized=True, rng=direct)  # fmt: skip
    low, high = expanded(boot, delta, delta, 60, 120)
    assert (got.ci_low, got.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert got.p_value == pytest.approx(test.pvalue)
    assert (got.n_before, got.n_after) == (60, 60)


def test_the_expansion_matters_on_twelve_weeks_and_fades_on_thousands_of_rows() -> None:
    assert expanded_levels(12, 24)[0] == pytest.approx(0.0152, abs=0.0005)
    assert expanded_levels(5000, 10000)[0] == pytest.approx(0.025, abs=0.0002)


def test_big_samples_get_a_normal_interval_from_rank_spreads() -> None:
    """Above 20,000 rows a side: the interval has the width theory gives the median."""
    rng = np.random.default_rng(1)
    n = 200_000
    before, after = rng.normal(10.0, 2.0, n), rng.normal(10.05, 2.0, n)
    delta = float(np.median(after) - np.median(before))
    got = infer(MEDIAN, Sample(MEDIAN, values=before), Sample(MEDIAN, values=after), delta, 3)
    # The median of n normal values has a standard error of sqrt(pi / 2) * sigma / sqrt(n).
    expected = 1.96 * math.sqrt(2) * math.sqrt(math.pi / 2) * 2.0 / math.sqrt(n)
    assert (got.ci_high - got.ci_low) / 2 == pytest.approx(expected, rel=0.05)
    assert got.ci_low < delta < got.ci_high


def test_the_same_data_gives_the_same_numbers() -> None:
    rng = np.random.default_rng(2)
    before, after = (
        Sample(MEDIAN, values=rng.normal(0, 1, 300)),
        Sample(MEDIAN, values=rng.normal(0.2, 1, 300)),
    )
    first = infer(MEDIAN, before, after, 0.2, seed_for("resolution_time"))
    again = infer(MEDIAN, before, after, 0.2, seed_for("resolution_time"))
    assert first == again


@pytest.mark.parametrize(
    ("inference", "delta", "higher", "expected"),
    [
        (Inference(0.01, 0.02, 0.001, 500, 500, "m", True), 0.015, True, "improved"),
        (Inference(0.01, 0.02, 0.001, 500, 500, "m", True), 0.015, False, "worsened"),
        (Inference(-0.02, -0.01, 0.001, 500, 500, "m", True), -0.015, False, "improved"),
        (Inference(-0.01, 0.02, 0.2, 500, 500, "m", True), 0.005, True, "no significant change"),
        (Inference(0.01, 0.02, 0.001, 10, 500, "m", False), 0.015, True, "not enough data"),
        (Inference(None, None, None, 500, 500, "m", True), 0.015, True, "not tested"),
        (Inference(None, None, None, 0, 0, "m", False), None, True, "not enough data"),
    ],
)
def test_verdicts(inference, delta, higher, expected) -> None:
    assert verdict(inference, delta, higher) == expected


def test_segmented_regression_is_statsmodels_ols() -> None:
    rng = np.random.default_rng(4)
    before = list(0.02 + 0.0005 * np.arange(12) + rng.normal(0, 0.001, 12))
    after = list(0.03 + 0.0005 * np.arange(12, 20) + rng.normal(0, 0.001, 8))
    got = segmented(before, after)
    weeks = np.arange(20.0)
    post = (weeks >= 12).astype(float)
    design = np.column_stack([np.ones(20), weeks, post, (weeks - 12) * post])
    fit = sm.OLS(np.array(before + after), design).fit(use_t=True)
    test = fit.t_test(np.array([0, 0, 1, np.mean(weeks[12:] - 12)]))
    low, high = np.asarray(test.conf_int(alpha=0.05)).ravel()
    assert got is not None
    assert (got.per_week, got.effect, got.effect_ci_low, got.effect_ci_high) == (
        pytest.approx(fit.params[1]), pytest.approx(float(np.asarray(test.effect).ravel()[0])),
        pytest.approx(low), pytest.approx(high),
    )  # fmt: skip
    assert got.counterfactual == pytest.approx(fit.params[0] + fit.params[1] * np.mean(weeks[12:]))


def test_a_change_the_trend_already_explains_is_flagged() -> None:
    weeks = np.arange(24)
    # A steady climb with week-to-week wobble, and no jump at week 12.
    values = list(0.02 + 0.001 * weeks + 0.002 * (-1.0) ** weeks)
    trend = segmented(values[:12], values[12:])
    assert trend is not None and trend.per_week_p_value < 0.05
    assert explained_by_trend(trend, delta=0.012, p_value=1e-6)
    jumped = list(values[:12]) + [v + 0.02 for v in values[12:]]
    assert not explained_by_trend(segmented(jumped[:12], jumped[12:]), delta=0.03, p_value=1e-9)


def test_too_few_weeks_for_a_trend() -> None:
    assert segmented([0.1] * 5, [0.2] * 5) is None


@pytest.mark.parametrize(
    ("kpi", "kind", "unit"),
    [("conversion_rate", "two_proportions", "observation"), ("csat", "two_proportions", "observation"),
     ("service_rate", "two_proportions", "observation"), ("resolution_time", "bootstrap_rows", "row"),
     ("stock_rotation", "bootstrap_units", "week"), ("cost_per_unit_shipped", "bootstrap_units", "day")],
)  # fmt: skip
def test_methods_follow_the_form_of_each_kpi(definitions, kpi: str, kind: str, unit: str) -> None:
    method = method_for(definitions.kpis[kpi])
    assert (method.kind, method.unit) == (kind, unit)


def test_resolution_time_is_bootstrapped_on_hours_per_ticket(definitions) -> None:
    method = method_for(definitions.kpis["resolution_time"])
    assert (method.statistic, method.row_sql) == (
        "median",
        "EPOCH(resolved_at - created_at) / 3600.0",
    )


def test_stats_settings_can_force_a_unit_and_a_minimum(definitions) -> None:
    text = CONFIG.read_text().replace(
        "    target: 1.6\n", "    target: 1.6\n    stats: {unit: week, min_sample: 8}\n"
    )
    method = method_for(parse_definitions(text).kpis["cost_per_unit_shipped"])
    assert (method.unit, method.min_sample) == ("week", 8)


def test_units_all_alike_give_the_change_itself() -> None:
    """A channel with conversions and no spend: its CPA is 0 every day, on both sides."""
    from kpis.samples import Sample

    method = Method("bootstrap_units", "day", 14)
    side = Sample(method, numerators=np.zeros(20), denominators=np.arange(1.0, 21.0))
    found = infer(method, side, side, 0.0, 7)  # warnings are errors here: none is raised
    assert (found.ci_low, found.ci_high) == (0.0, 0.0) and found.p_value == 1.0
