"""Small display helpers shared by the pages: dates, weeks, target status, missing values.

Every date and number goes through kpis.formatting (Babel), and every word through `_()`,
so the pages read the same in the reader's language as the CLI does.
"""

from __future__ import annotations

import datetime as dt
import math

import kpis
from kpis import formatting
from kpis.i18n import _


def day(value: dt.date) -> str:
    """15 Nov 2026 / 15 nov. 2026."""
    return formatting.format_day(value)


def week_label(label: str) -> str:
    """2026-W46 -> 'Week 46 · 9 Nov – 15 Nov 2026' / 'Semaine 46 · 9 nov. – 15 nov. 2026'."""
    window = kpis.week_of(label)
    days = formatting.format_days(window.start, window.end)
    return _("Week {number} · {days}").format(number=label[-2:], days=days)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def target_status(kpi: kpis.Kpi, value: float | None) -> str | None:
    """'Target ≥ 3.0% · met' (or 'not met'), or None without a target or a value."""
    if kpi.target is None or is_missing(value):
        return None
    assert value is not None
    met = value >= kpi.target if kpi.higher_is_better else value <= kpi.target
    sign = "≥" if kpi.higher_is_better else "≤"
    target = kpis.format_value(kpi, kpi.target)
    if met:
        return _("Target {sign} {target} · :green[met]").format(sign=sign, target=target)
    return _("Target {sign} {target} · :red[not met]").format(sign=sign, target=target)


def week_short(label: str) -> str:
    """2025-W46 -> 'W46 2025' / 'S46 2025'."""
    return f"{formatting.format_week(label)} {label[:4]}"


def why_missing(reason: object, year: int) -> tuple[str, str]:
    """Why a KPI has no value, as its card says it: ('no data yet', 'orders data through 15 Nov').

    The engine's reasons (kpis.compute's `reason`) are "orders data through 2026-11-15" when a
    source lags and "no orders data yet" when it holds nothing: the value is still to come.
    "no data" is a week complete without any: nothing to wait for. The reason is English data,
    said in the reader's language by kpis.formatting.reason_text (the year only when it is not
    the week's).
    """
    if not isinstance(reason, str) or not reason or reason == "no data":
        return _("no data"), ""
    return _("no data yet"), formatting.reason_text(reason, year)
