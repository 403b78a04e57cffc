"""Numbers for people: values, changes and relative changes in each KPI's own unit.

The CLI and the dashboard show the same KPI the same way, so formatting lives here once.
Rates are stored as fractions and shown as percentages; their changes are shown in
percentage points ("+1.5 pp"), which is what a COO means by "conversion went up 1.5".
An improvement is read against the KPI's direction ("39.3% better" for a resolution time
that fell), so nobody has to remember which way each KPI should go.
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


def format_improvement(kpi: Kpi, delta_pct: float | None, delta: float | None = None) -> str:
    """A relative change read against the KPI's direction: 39.3% better, 12.0% worse.

    A resolution time that fell 39 % is good news; "-39.3%" asks the reader to know which way
    the KPI should go. Without a relative change (a before of 0), "better" or "worse" alone.
    """
    if _missing(delta_pct):
        if _missing(delta):
            return MISSING
        assert delta is not None
        return "no change" if delta == 0 else _better(kpi, delta)
    assert delta_pct is not None
    size = _number(abs(delta_pct) * 100, 1)
    return "no change" if size == "0.0" else f"{size}% {_better(kpi, delta_pct)}"


def _better(kpi: Kpi, change: float) -> str:
    return "better" if (change > 0) == kpi.higher_is_better else "worse"


def format_count(value: float | None) -> str:
    """A volume: 12,345 (an average of rows per snapshot day is rounded to a whole row)."""
    if _missing(value):
        return MISSING
    assert value is not None
    return _number(value, 0)


def format_share(share: float | None) -> str:
    """A share of a total: 30.2%."""
    if _missing(share):
        return MISSING
    assert share is not None
    return f"{_number(share * 100, 1)}%"


def format_holding(
    kpi: Kpi, recent_delta: float | None, recent_share: float | None, fading: bool | None
) -> str:
    """The change over the last weeks, its part of the whole window's, and whether it holds.

    "+2.4 turns/year (52% of the whole): holding". Without a significant change over the
    whole window there is nothing to hold, so only the change is shown.
    """
    if _missing(recent_delta):
        return MISSING
    text = format_delta(kpi, recent_delta)
    if not _missing(recent_share):
        assert recent_share is not None
        text += f" ({_number(recent_share * 100, 0)}% of the whole)"
    if fading is None:
        return text
    return f"{text}: {'fading' if fading else 'holding'}"


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


def verdict_text(
    verdict: str | None, explained_by_trend: bool | None, trend_verdict: str | None = None
) -> str:
    """The verdict in words: the plain test's, and where the trend check disagrees, why.

    `trend_verdict` is the trend check's own reading of the change beyond the trend before
    (improved, worsened or no significant change; None without enough weeks to fit it). One
    sentence says both, so a table and a caption can never tell different stories.
    """
    if not verdict:
        return MISSING
    if explained_by_trend:
        return f"{verdict}, but the trend before explains it"
    significant = ("improved", "worsened")
    if verdict in significant and trend_verdict in significant and trend_verdict != verdict:
        return f"{verdict}, but less than the trend before was heading for"
    if verdict in significant and trend_verdict == "no significant change":
        return f"{verdict}, but not clearly beyond the trend before"
    if verdict == "no significant change" and trend_verdict in significant:
        return f"{verdict}, but {trend_verdict} against the trend before"
    return verdict
