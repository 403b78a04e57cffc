"""A scoped event's control group in a comparison: its change, the DiD and the placebo check.

compare.py asks this module for the extra keys of each KPI's row when an event is scoped to
one value of a dimension (`scope: {warehouse: Lyon}`): the other values (or those the event
names in `control:`) are its control group, read from the weekly values per value that the
trend check already computed, so the control group costs no query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpis.definitions import Kpi
from kpis.did import DidEstimate, estimate, placebo, seed_for
from kpis.periods import DateRange

DID_COLUMNS = [
    "control", "control_note", "control_before", "control_after", "control_delta",
    "did_effect", "did_ci_low", "did_ci_high", "did_p_value", "did_verdict", "did_method",
    "placebo_effect", "placebo_p_value", "parallel_trends_doubtful",
]  # fmt: skip


def panel(kpi: Kpi, weekly: pd.DataFrame, windows: tuple[DateRange, DateRange]) -> pd.DataFrame:
    """Weekly values per unit inside the two windows (unit, week, value, weight).

    A ratio KPI weighs each unit-week by its denominator (its orders, tickets, stock value),
    as a ratio of sums would; a median or a total weighs each unit-week alike.
    """
    before, after = windows
    dates = weekly["period_start"]
    inside = weekly[(dates <= before.end) | (dates >= after.start)]
    ratio = kpi.measure is None
    return pd.DataFrame(
        {
            "unit": inside["dimension_value"].astype(object),
            "week": inside["period_start"],
            "value": pd.to_numeric(inside["value"], errors="coerce").astype(float),
            "weight": (
                pd.to_numeric(inside["denominator"], errors="coerce").astype(float)
                if ratio
                else 1.0
            ),
        }
    ).dropna(subset=["unit"])


def control_values(
    frame: pd.DataFrame, treated: str, control: Sequence[str] | None
) -> tuple[list[str], str]:
    """The control units found in the data, and how they were chosen (English: data)."""
    found = sorted({str(u) for u in frame["unit"]} - {treated})
    if control:
        chosen = [u for u in control if u in found]
        return chosen, "named on the event"
    return found, "every other value"


def _mean(frame: pd.DataFrame) -> float | None:
    kept = frame[frame["value"].notna() & (frame["weight"] > 0)]
    if kept.empty:
        return None
    return float((kept["value"] * kept["weight"]).sum() / kept["weight"].sum())


def _verdict(found: DidEstimate | None, higher_is_better: bool) -> str:
    if found is None:
        return "not enough data"
    if found.p_value >= 0.05 or found.effect == 0:
        return "no significant change"
    return "improved" if (found.effect > 0) == higher_is_better else "worsened"


def did_row(
    name: str,
    kpi: Kpi,
    weekly: pd.DataFrame | None,
    windows: tuple[DateRange, DateRange],
    scope: tuple[str, str],
    control: Sequence[str] | None,
) -> dict[str, object]:
    """The control group's keys of one KPI's row (see DID_COLUMNS)."""
    row: dict[str, object] = dict.fromkeys(DID_COLUMNS)
    row["did_verdict"] = "not enough data"
    if weekly is None:
        row["control_note"] = "no control group: the windows are not whole ISO weeks"
        return row
    dimension, treated = scope
    frame = panel(kpi, weekly[weekly["kpi"] == name], windows)
    units, how = control_values(frame, treated, control)
    frame = frame[frame["unit"].isin([treated, *units])]
    before, after = windows
    row["control"] = ", ".join(units)
    if not units:
        row["control_note"] = f"no control group: no other {dimension} has data"
        return row
    row["control_note"] = (
        f"control group: {dimension} {', '.join(units)} ({how}); the difference-in-differences "
        f"assumes they would have moved as {treated} did without the event (parallel trends)"
    )
    controls = frame[frame["unit"] != treated]
    control_before = _mean(controls[controls["week"] <= before.end])
    control_after = _mean(controls[controls["week"] >= after.start])
    row.update(control_before=control_before, control_after=control_after)
    if control_before is not None and control_after is not None:
        row["control_delta"] = control_after - control_before
    seed = seed_for(name, treated)
    found = estimate(frame, treated, after.start, seed)
    row["did_verdict"] = _verdict(found, kpi.higher_is_better)
    if found is not None:
        weights = ", weights: denominators" if kpi.measure is None else ""
        row.update(
            did_effect=found.effect, did_ci_low=found.ci_low, did_ci_high=found.ci_high,
            did_p_value=found.p_value,
            did_method=(
                f"weighted regression on weekly values per {dimension} with {dimension} and "
                f"week effects (statsmodels WLS{weights}); wild bootstrap over {found.blocks} "
                "blocks of weeks, studentized, 1999 resamples"
            ),
        )  # fmt: skip
    check = placebo(frame[frame["week"] <= before.end], treated, after.start, seed)
    if check is not None:
        row.update(
            placebo_effect=check.effect,
            placebo_p_value=check.p_value,
            parallel_trends_doubtful=check.p_value < 0.05,
        )
    return row


def control_weekly(
    kpi: Kpi, weekly: pd.DataFrame, treated: str, control: Sequence[str] | None = None
) -> pd.DataFrame:
    """The control group's weekly series of one KPI, from its values per dimension value.

    `weekly` is `compute(..., grain="week", by=dimension)` for this KPI. Each week's value is
    the control units' mean weighted as in the DiD (a ratio KPI's pooled value); columns
    period_start, period_end, value, complete, reason, as the treated unit's series.
    """
    units = {str(u) for u in weekly["dimension_value"].dropna()} - {treated}
    chosen = [u for u in control if u in units] if control else sorted(units)
    rows = weekly[weekly["dimension_value"].astype(str).isin(chosen)]
    ratio = kpi.measure is None
    found = []
    for (start, end), week in rows.groupby(["period_start", "period_end"], sort=True):
        kept = week[pd.to_numeric(week["value"], errors="coerce").notna()]
        weights = (
            pd.to_numeric(kept["denominator"], errors="coerce").fillna(0.0)
            if ratio
            else pd.Series(1.0, index=kept.index)
        )
        values = pd.to_numeric(kept["value"], errors="coerce")
        total = float(weights.sum())
        value = float((values * weights).sum() / total) if total > 0 else None
        complete = bool(week["complete"].all()) if "complete" in week else True
        reason = next((r for r in week.get("reason", []) if isinstance(r, str) and r), None)
        found.append(
            {"period_start": start, "period_end": end, "value": value, "complete": complete,
             "reason": reason}
        )  # fmt: skip
    return pd.DataFrame(
        found, columns=["period_start", "period_end", "value", "complete", "reason"]
    )
