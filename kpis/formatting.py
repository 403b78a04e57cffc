"""Numbers and dates for people, in their language: values, changes and dates in each KPI's unit.

The CLI, the dashboard and reports show the same KPI the same way, so formatting lives here
once, on Babel's locale data (CLDR): French groups thousands with U+202F, writes a decimal
comma and puts U+00A0 before % and units ("3,5 %", "1 234,50 €", "+1,5 pt"); English keeps
"3.5%", "1.86 EUR" and "+1.5 pp".
Rates are stored as fractions and shown as percentages; their changes are shown in
percentage points ("+1.5 pp"), which is what a COO means by "conversion went up 1.5".
An improvement is read against the KPI's direction ("39.3% better" for a resolution time
that fell), so nobody has to remember which way each KPI should go.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol

from kpis.definitions import Kpi
from kpis.i18n import language

MISSING = "\u2013"  # an en dash: reads as "no value", unlike a minus sign
NBSP = "\u00a0"  # French puts a no-break space before %, units and currency symbols
LOCALES = {"en": "en_US", "fr": "fr_FR"}


def locale() -> str:
    """The Babel locale of the language in force: en_US or fr_FR."""
    return LOCALES[language()]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: float, decimals: int, sign: bool = False) -> str:
    # Rounded here, as Python rounds the float, so that both languages show the same digits
    # (Babel would round the decimal text half-even instead). No "-0.0": it reads as a change.
    rounded = round(value, decimals) or 0.0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if sign and rounded:
        pattern = f"+{pattern};-{pattern}"
    return str(format_decimal(rounded, pattern, locale=locale()))


def number(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """A plain number in the reader's language: 1,234.5 or 1 234,5 (U+202F); '–' when null."""
    if _missing(value):
        return MISSING
    assert value is not None
    return _number(value, decimals, sign)


def _unit(text: str, unit: str) -> str:
    """`text` followed by its unit, spaced as the language spaces it."""
    if not unit:
        return text
    if language() == "fr":
        return f"{text}{NBSP}{unit}"
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _unit_of(kpi: Kpi) -> str:
    if kpi.format == "currency" and language() == "fr" and kpi.unit_label.isupper():
        return str(get_currency_symbol(kpi.unit_label, locale=locale()))  # EUR -> €
    return kpi.unit_label


def format_value(kpi: Kpi, value: float | None) -> str:
    """`value` in the KPI's unit: 3.5% / 3,5 %, 12.0 hours, 1.86 EUR / 1,86 €; '–' when null."""
    if _missing(value):
        return MISSING
    assert value is not None
    if kpi.format == "percent":
        return _unit(_number(value * 100, kpi.decimals), "%")
    return _unit(_number(value, kpi.decimals), _unit_of(kpi))


def format_delta(kpi: Kpi, delta: float | None) -> str:
    """A change in the KPI's unit, signed: +1.5 pp / +1,5 pt for rates, -7.8 hours otherwise."""
    if _missing(delta):
        return MISSING
    assert delta is not None
    if kpi.format == "percent":
        points = "pt" if language() == "fr" else "pp"
        return _unit(_number(delta * 100, kpi.decimals, sign=True), points)
    return _unit(_number(delta, kpi.decimals, sign=True), _unit_of(kpi))


def format_relative(delta_pct: float | None) -> str:
    """A relative change: +75.0% / +75,0 %."""
    if _missing(delta_pct):
        return MISSING
    assert delta_pct is not None
    return _unit(_number(delta_pct * 100, 1, sign=True), "%")


def format_percent(share: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage: 30.2% / 30,2 %."""
    if _missing(share):
        return MISSING
    assert share is not None
    return _unit(_number(share * 100, decimals), "%")


def format_day(value: dt.date, year: bool = True) -> str:
    """15 Nov 2026 / 15 nov. 2026 (without the year when `year` is False)."""
    return str(format_date(value, "d MMM y" if year else "d MMM", locale=locale()))


def format_days(start: dt.date, end: dt.date) -> str:
    """A range of days: 9 Nov – 15 Nov 2026 / 9 nov. – 15 nov. 2026 (each year said once)."""
    same_year = start.year == end.year
    return f"{format_day(start, year=not same_year)} – {format_day(end)}"


def format_week(label: str) -> str:
    """An ISO week's short name: 2026-W46 -> W46 / S46 (French: semaine)."""
    return ("S" if language() == "fr" else "W") + label[-2:]


def format_input_date() -> str:
    """The date format for date inputs: YYYY/MM/DD in English, DD/MM/YYYY in French."""
    return "DD/MM/YYYY" if language() == "fr" else "YYYY/MM/DD"


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
