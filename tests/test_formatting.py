"""Numbers, dates and words for people (kpis.formatting) in French and English, code point by
code point: French groups thousands with U+202F and puts U+00A0 before % and units, and the
English forms are the ones the product has always shown.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kpis.definitions import Definitions, Kpi
from kpis.formatting import (
    format_day,
    format_days,
    format_delta,
    format_holding,
    format_improvement,
    format_interval,
    format_p,
    format_percent,
    format_relative,
    format_share,
    format_value,
    format_week,
    number,
    reason_text,
    verdict_text,
    verdict_word,
)
from kpis.i18n import use_language

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.fixture
def rate(definitions: Definitions) -> Kpi:
    return definitions.kpis["conversion_rate"]


@pytest.fixture
def hours(definitions: Definitions) -> Kpi:
    return definitions.kpis["resolution_time"]


@pytest.fixture
def euros(definitions: Definitions) -> Kpi:
    return definitions.kpis["cost_per_unit_shipped"]


def test_french_numbers_use_a_narrow_no_break_space_and_a_decimal_comma() -> None:
    with use_language("fr"):
        assert number(1234567.891, 2) == f"1{NNBSP}234{NNBSP}567,89"
        assert number(-0.04, 1) == "0,0"  # never "-0,0": it would read as a change
        assert number(1.5, 1, sign=True) == "+1,5"
    assert number(1234567.891, 2) == "1,234,567.89"


def test_french_values_put_a_no_break_space_before_percent_and_units(
    rate: Kpi, hours: Kpi, euros: Kpi
) -> None:
    with use_language("fr"):
        assert format_value(rate, 0.035) == f"3,5{NBSP}%"
        assert format_value(hours, 12.0) == f"12,0{NBSP}{hours.unit_label}"
        assert format_value(euros, 1234.5) == f"1{NNBSP}234,50{NBSP}€"
        assert format_delta(rate, 0.015) == f"+1,5{NBSP}pt"
        assert format_delta(euros, -0.15) == f"-0,15{NBSP}€"
        assert format_relative(0.749) == f"+74,9{NBSP}%"
        assert format_percent(0.302) == format_share(0.302) == f"30,2{NBSP}%"
    assert format_value(rate, 0.035) == "3.5%"
    assert format_delta(rate, 0.015) == "+1.5 pp"
    assert format_value(euros, 1.86) == "1.86 EUR"
    assert format_relative(0.749) == "+74.9%"
    assert format_share(0.302) == "30.2%"


def test_improvement_interval_and_holding_in_words(rate: Kpi, hours: Kpi) -> None:
    with use_language("fr"):
        assert format_improvement(hours, -0.393, -7.8) == f"39,3{NBSP}% mieux"
        assert format_improvement(rate, -0.12, -0.01) == f"12,0{NBSP}% moins bien"
        assert format_improvement(rate, 0.0, 0.0) == "inchangé"
        assert format_improvement(rate, None, 0.01) == "mieux"
        assert format_interval(rate, 0.012, 0.018) == f"+1,2 à +1,8{NBSP}pt"
        assert format_holding(rate, 0.012, 0.52, False) == (
            f"+1,2{NBSP}pt (52{NBSP}% du total){NBSP}: se maintient"
        )
        assert format_holding(rate, 0.003, 0.2, True).endswith(f"{NBSP}: s'estompe")
    assert format_improvement(hours, -0.393, -7.8) == "39.3% better"
    assert format_improvement(rate, 0.0, 0.0) == "no change"
    assert format_interval(rate, 0.012, 0.018) == "+1.2 to +1.8 pp"
    assert format_holding(rate, 0.012, 0.52, False) == "+1.2 pp (52% of the whole): holding"
    assert format_holding(rate, 0.003, 0.2, True) == "+0.3 pp (20% of the whole): fading"


def test_p_values_take_the_decimal_comma() -> None:
    with use_language("fr"):
        assert format_p(0.0001) == "<\u00a00,001"
        assert format_p(0.0423) == "0,042"
    assert format_p(0.0001) == "< 0.001"
    assert format_p(0.0423) == "0.042"
    assert format_p(None) == "–"


def test_dates_and_weeks() -> None:
    start, end = dt.date(2026, 11, 9), dt.date(2026, 11, 15)
    with use_language("fr"):
        assert format_days(start, end) == "9 nov. – 15 nov. 2026"
        assert format_days(dt.date(2025, 11, 17), end) == "17 nov. 2025 – 15 nov. 2026"
        assert format_day(end, year=False) == "15 nov."
        assert format_week("2026-W46") == "S46"
    assert format_days(start, end) == "9 Nov – 15 Nov 2026"
    assert format_week("2026-W46") == "W46"


def test_verdicts_in_words() -> None:
    with use_language("fr"):
        assert verdict_word("improved") == "amélioré"
        assert verdict_word("worsened") == "dégradé"
        assert verdict_word("no significant change") == "pas de changement significatif"
        assert verdict_word("something new") == "something new"  # a code we do not know
        assert verdict_text("improved", True) == "amélioré, mais la tendance antérieure l'explique"
        assert verdict_text("no significant change", False, "improved") == (
            "pas de changement significatif, mais amélioré par rapport à la tendance antérieure"
        )
    assert verdict_text("improved", False, "improved") == "improved"
    assert verdict_text("improved", True) == "improved, but the trend before explains it"
    assert verdict_text("improved", False, "no significant change") == (
        "improved, but not clearly beyond the trend before"
    )


def test_reasons_are_the_engine_codes_in_words() -> None:
    late, empty, never = "orders data through 2026-11-15", "no data", "no orders data yet"
    with use_language("fr"):
        assert reason_text(late) == "données orders jusqu'au 15 nov. 2026"
        assert reason_text(late, year=2026) == "données orders jusqu'au 15 nov."
        assert reason_text(empty) == "aucune donnée"
        assert reason_text(never) == "pas encore de données orders"
        assert reason_text("a reason we do not know") == "a reason we do not know"
    assert reason_text(late) == "orders data through 15 Nov 2026"
    assert reason_text(late, year=2026) == "orders data through 15 Nov"
    assert reason_text(empty) == "no data"
    assert reason_text(never) == "no orders data yet"
    assert reason_text(None) == ""
