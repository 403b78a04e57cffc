"""Small display helpers shared by the pages: dates, weeks, target status, colours."""

from __future__ import annotations

import datetime as dt
import math
import re

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


def short_day(value: dt.date, year: int) -> str:
    """15 Nov, with the year only when it is not `year` (the week's): 28 Dec 2025."""
    return f"{value.day} {value:%b}" if value.year == year else day(value)


def week_short(label: str) -> str:
    """2025-W46 -> 'W46 2025'."""
    return f"W{label[-2:]} {label[:4]}"


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def why_missing(reason: object, year: int) -> tuple[str, str]:
    """Why a KPI has no value, as its card says it: ('no data yet', 'orders data through 15 Nov').

    The engine's reasons (kpis.compute's `reason`) are "orders data through 2026-11-15" when a
    source lags and "no orders data yet" when it holds nothing: the value is still to come.
    "no data" is a week complete without any: nothing to wait for. Dates are shown the way
    the page shows every date.
    """
    if not isinstance(reason, str) or not reason or reason == "no data":
        return "no data", ""
    return "no data yet", _ISO_DAY.sub(
        lambda m: short_day(dt.date.fromisoformat(m.group()), year), reason
    )
