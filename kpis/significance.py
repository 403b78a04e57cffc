"""The statistics of one before/after row: interval, p-value, verdict and the trend check.

Kept apart from compare.py, which assembles the rows: this is where scipy and statsmodels
are used (imported on first use: they take a second or two), on samples drawn once per side.
The trend check fits the weekly values of both windows (trend.py) and gives its own verdict
on the change beyond the trend before, so that a page can say where the two disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpis.bounds import period_count
from kpis.compute import compute_window
from kpis.definitions.methods import method_for
from kpis.freshness import Through, mark_complete
from kpis.periods import DateRange
from kpis.samples import Sample, draw
from kpis.store import Store


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number


def row_statistics(
    store: Store,
    name: str,
    sample: Sample,
    windows: tuple[DateRange, DateRange],
    row: Mapping[str, object],
    part: tuple[str, str] | None,
    weekly: pd.DataFrame | None,
) -> dict[str, object]:
    """The interval, p-value, verdict and trend check of one row.

    `sample` is the before window's, drawn by the caller, which uses it again for the last
    weeks of the after window (holding.py); `windows` are the row's covered windows.
    """
    # scipy and statsmodels take a second or two to import: only statistics pay for them.
    from kpis.inference import infer, seed_for, verdict
    from kpis.trend import ALPHA, explained_by_trend, segmented

    kpi = store.definitions.kpis[name]
    delta = row["delta"] if isinstance(row["delta"], float) else None
    method = method_for(kpi)
    before, after = windows
    found = infer(method, sample, draw(store, name, after, part), delta, seed_for(name))
    result: dict[str, object] = {
        "ci_low": found.ci_low, "ci_high": found.ci_high, "p_value": found.p_value,
        "n_before": found.n_before, "n_after": found.n_after, "method": found.method,
        "verdict": verdict(found, delta, kpi.higher_is_better),
    }  # fmt: skip
    fitted = None
    if weekly is not None:
        series = weekly[weekly["kpi"] == name]
        if part is not None:
            series = series[series["dimension_value"] == part[1]]
        dates = series["period_start"]
        fitted = segmented(
            [_number(v) for v in series[dates <= before.end]["value"]],
            [_number(v) for v in series[dates >= after.start]["value"]],
        )
    result.update(
        trend_start=fitted.start if fitted else None,
        trend_per_week=fitted.per_week if fitted else None,
        counterfactual=fitted.counterfactual if fitted else None,
        effect_beyond_trend=fitted.effect if fitted else None,
        effect_ci_low=fitted.effect_ci_low if fitted else None,
        effect_ci_high=fitted.effect_ci_high if fitted else None,
        effect_p_value=fitted.effect_p_value if fitted else None,
        explained_by_trend=explained_by_trend(fitted, delta, found.p_value),
        trend_verdict=(
            _trend_verdict(fitted.effect, fitted.effect_p_value, kpi.higher_is_better, ALPHA)
            if fitted
            else None
        ),
    )
    return result


def _trend_verdict(effect: float, p_value: float, higher_is_better: bool, alpha: float) -> str:
    """The trend check's own verdict on the change beyond the trend before."""
    if p_value >= alpha or effect == 0:
        return "no significant change"
    return "improved" if (effect > 0) == higher_is_better else "worsened"


def weekly_values(
    store: Store,
    names: list[str],
    before: DateRange,
    after: DateRange,
    by: str | None,
    through: Through,
) -> pd.DataFrame | None:
    """Weekly values over both windows, when they are whole ISO weeks in order; a week past
    a KPI's data has no value."""
    aligned = all(w.start.weekday() == 0 and w.days % 7 == 0 for w in (before, after))
    if not aligned or after.start <= before.end:
        return None
    span = DateRange(before.start, after.end)
    if period_count(span, "week") > store.definitions.limits.max_periods:
        return None  # windows years apart: no trend line can join them
    return mark_complete(compute_window(store, names, span, "week", by), store.definitions, through)
