"""Numbers for people: values, changes and relative changes in each KPI's own unit.

The CLI and the dashboard show the same KPI the same way, so formatting lives here once.
Rates are stored as fractions and shown as percentages; their changes are shown in
percentage points ("+1.5 pp"), which is what a COO means by "conversion went up 1.5".
"""

from __future__ import annotations

import math

from kpis.definitions import Kpi

MISSING = "\u2013"  # an en dash: reads as "no value", unlike a minus sign


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: float, decimals: int, sign: bool = False) -> str:
    rounded = round(value, decimals) or 0.0  # no "-0.0": it reads as a change where none is
    plus = "+" if sign and rounded else ""
    return f"{rounded:{plus},.{decimals}f}"


def format_value(kpi: Kpi, value: float | None) -> str:
    """`value` in the KPI's unit: 3.5%, 12.0 h, 1.86 EUR, 14.6 turns/year; '-' when null."""
    if _missing(value):
        return MISSING
    assert value is not None
    if kpi.format == "percent":
        return f"{_number(value * 100, kpi.decimals)}%"
    unit = kpi.unit_label
    return f"{_number(value, kpi.decimals)} {unit}".rstrip()


def format_delta(kpi: Kpi, delta: float | None) -> str:
    """A change in the KPI's unit, signed: +1.5 pp for rates, -7.8 hours otherwise."""
    if _missing(delta):
        return MISSING
    assert delta is not None
    if kpi.format == "percent":
        return f"{_number(delta * 100, kpi.decimals, sign=True)} pp"
    return f"{_number(delta, kpi.decimals, sign=True)} {kpi.unit_label}".rstrip()


def format_relative(delta_pct: float | None) -> str:
    """A relative change: +75.0%."""
    if _missing(delta_pct):
        return MISSING
    assert delta_pct is not None
    return f"{_number(delta_pct * 100, 1, sign=True)}%"


def format_interval(kpi: Kpi, low: float | None, high: float | None) -> str:
    """A 95 % interval of a change: +1.2 to +1.8 pp."""
    if _missing(low) or _missing(high):
        return MISSING
    assert low is not None and high is not None
    first = format_delta(kpi, low).split(" ")[0]  # the unit is said once, after the second
    return f"{first} to {format_delta(kpi, high)}"


def format_p(p_value: float | None) -> str:
    """p < 0.001, p = 0.042."""
    if _missing(p_value):
        return MISSING
    assert p_value is not None
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"


def verdict_text(verdict: str | None, explained_by_trend: bool | None) -> str:
    """The verdict in words, with the pre-trend flag when it applies."""
    if not verdict:
        return MISSING
    return f"{verdict} (the trend before explains it)" if explained_by_trend else verdict
