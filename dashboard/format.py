"""Small display helpers shared by the pages: dates, weeks, target status, colours."""

from __future__ import annotations

import datetime as dt
import math

import kpis


def day(value: dt.date) -> str:
    """15 Nov 2026."""
    return f"{value.day} {value:%b %Y}"


def week_label(label: str) -> str:
    """2026-W46 -> 'Week 46 · 9 Nov – 15 Nov 2026'."""
    window = kpis.week_of(label)
    return f"Week {label[-2:]} · {window.start.day} {window.start:%b} – {day(window.end)}"


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def target_status(kpi: kpis.Kpi, value: float | None) -> str | None:
    """'Target 3.0% · met' (or 'not met'), or None without a target or a value."""
    if kpi.target is None or is_missing(value):
        return None
    assert value is not None
    met = value >= kpi.target if kpi.higher_is_better else value <= kpi.target
    sign = "≥" if kpi.higher_is_better else "≤"
    verdict = ":green[met]" if met else ":red[not met]"
    return f"Target {sign} {kpis.format_value(kpi, kpi.target)} · {verdict}"


def verdict(improved: object, delta: object) -> str:
    """better / worse / same / – from a comparison row."""
    if improved is None or is_missing(delta):
        return "–"
    if delta == 0:
        return "same"
    return "better" if improved else "worse"
