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
import re

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol

from kpis import i18n
from kpis.definitions import Kpi
from kpis.i18n import N_, _, language

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


def format_amount(kpi: Kpi, amount: float) -> str:
    """A size of change without its sign: 6.1 pp / 6,1 pt, 11.1 hours."""
    return format_delta(kpi, amount).lstrip("+")


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
        return _("no change") if delta == 0 else _better(kpi, delta)
    assert delta_pct is not None
    if round(abs(delta_pct) * 100, 1) == 0:
        return _("no change")
    size = _unit(_number(abs(delta_pct) * 100, 1), "%")
    if (delta_pct > 0) == kpi.higher_is_better:
        return _("{size} better").format(size=size)
    return _("{size} worse").format(size=size)


def _better(kpi: Kpi, change: float) -> str:
    return _("better") if (change > 0) == kpi.higher_is_better else _("worse")


def format_count(value: float | None) -> str:
    """A volume: 12,345 (an average of rows per snapshot day is rounded to a whole row)."""
    if _missing(value):
        return MISSING
    assert value is not None
    return _number(value, 0)


def format_share(share: float | None) -> str:
    """A share of a total: 30.2% / 30,2 %."""
    return format_percent(share, 1)


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
        share = _unit(_number(recent_share * 100, 0), "%")
        text = _("{change} ({share} of the whole)").format(change=text, share=share)
    if fading is None:
        return text
    if fading:
        return _("{change}: fading").format(change=text)
    return _("{change}: holding").format(change=text)


def format_interval(kpi: Kpi, low: float | None, high: float | None) -> str:
    """A 95 % interval of a change: +1.2 to +1.8 pp."""
    if _missing(low) or _missing(high):
        return MISSING
    assert low is not None and high is not None
    # The unit is said once, after the second bound (French puts a no-break space before it).
    first = re.split("[ \u00a0]", format_delta(kpi, low))[0]
    return _("{low} to {high}").format(low=first, high=format_delta(kpi, high))


def format_p(p_value: float | None) -> str:
    """A p-value: < 0.001, 0.042 (French: <\u00a00,001, 0,042)."""
    if _missing(p_value):
        return MISSING
    assert p_value is not None
    # French keeps "<" with its number on one line (a no-break space, as before units).
    below = "<\u00a0" if language() == "fr" else "< "
    return below + _number(0.001, 3) if p_value < 0.001 else _number(p_value, 3)


# The engine's verdict codes (compare's `verdict` and `trend_verdict`), in words where shown.
VERDICTS = {
    "improved": N_("improved"),
    "worsened": N_("worsened"),
    "no significant change": N_("no significant change"),
    "not enough data": N_("not enough data"),
    "not tested": N_("not tested"),
}


def verdict_word(verdict: str) -> str:
    """A verdict code in the language in force: improved -> amélioré (unknown codes as they are)."""
    return i18n.translate(VERDICTS[verdict]) if verdict in VERDICTS else verdict


_THROUGH = re.compile(r"^(?P<source>.+) data through (?P<day>\d{4}-\d{2}-\d{2})$")
_NOTHING_YET = re.compile(r"^no (?P<source>.+) data yet$")


def reason_text(reason: str | None, year: int | None = None) -> str:
    """Why a value is missing, from compute's `reason` code, in the language in force.

    The engine writes "orders data through 2026-11-15" (a source lags), "no orders data yet"
    (it holds nothing) and "no data" (a complete period without any), and these stay as they
    are in data; shown, they read "orders data through 15 Nov 2026" or "données orders
    jusqu'au 15 nov. 2026". The year is left out when it is `year`. Any other text is returned
    unchanged, and no reason is an empty text.
    """
    if not reason:
        return ""
    through = _THROUGH.match(reason)
    if through:
        day = dt.date.fromisoformat(through["day"])
        return _("{source} data through {day}").format(
            source=through["source"], day=format_day(day, year=day.year != year)
        )
    nothing = _NOTHING_YET.match(reason)
    if nothing:
        return _("no {source} data yet").format(source=nothing["source"])
    if reason == "no data":
        return _("no data")
    return reason


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
    said = verdict_word(verdict)
    if explained_by_trend:
        return _("{verdict}, but the trend before explains it").format(verdict=said)
    significant = ("improved", "worsened")
    if verdict in significant and trend_verdict in significant and trend_verdict != verdict:
        return _("{verdict}, but less than the trend before was heading for").format(verdict=said)
    if verdict in significant and trend_verdict == "no significant change":
        return _("{verdict}, but not clearly beyond the trend before").format(verdict=said)
    if verdict == "no significant change" and trend_verdict in significant:
        assert trend_verdict is not None
        return _("{verdict}, but {trend_verdict} against the trend before").format(
            verdict=said, trend_verdict=verdict_word(trend_verdict)
        )
    return said
