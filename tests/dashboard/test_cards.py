"""The weekly review's cards, built from plain values: what each part says, and in what colour.

The page's own test (test_weekly.py) checks the cards against the demo's numbers; these
check the cases the demo does not have: no value, a change that rounds to zero, a year
earlier without a value, a sparkline with gaps.
"""

from __future__ import annotations

import re

import pytest

import kpis
from dashboard import cards, charts
from kpis.i18n import use_language
from tests.conftest import CONFIG

DEFINITIONS = kpis.load_definitions(CONFIG)
OTIF = DEFINITIONS.kpis["service_rate"]
COST = DEFINITIONS.kpis["cost_per_unit_shipped"]


def _card(history: list[float | None], reason: object = None, **kwargs: object) -> cards.Card:
    return cards.build(OTIF, "2026-W46", history, reason, **kwargs)  # type: ignore[arg-type]


def test_a_card_without_a_value_says_why() -> None:
    late = _card([0.9, None], "orders data through 2026-11-15")
    assert (late.value, late.delta, late.delta_color) == ("–", "no data yet", "orange")
    assert late.variation == ":orange[orders data through 15 Nov]"
    empty = _card([0.9, None], "no data")
    assert (empty.delta, empty.delta_color, empty.variation) == ("no data", "gray", " ")
    never = _card([None, None], "no orders data yet")
    assert never.variation == ":orange[no orders data yet]" and never.trend == " "


def test_a_change_that_rounds_to_nothing_is_grey() -> None:
    card = _card([0.9, 0.90004])
    assert (card.delta, card.delta_color) == ("0.0 pp", "off")
    rising = _card([0.9, 0.91])
    assert (rising.delta, rising.delta_color) == ("+1.0 pp", "normal")
    cheaper = cards.build(COST, "2026-W46", [1.9, 1.8], None)
    assert (cheaper.delta, cheaper.delta_color) == ("-0.10 EUR", "inverse")


def test_a_year_earlier_is_said_only_with_both_values() -> None:
    card = _card([0.9, 0.92], earlier=("2025-W46", 0.95))
    assert card.year_earlier == ":red[-3.0 pp] vs a year earlier (W46 2025: 95.0%)"
    assert _card([0.9, 0.92], earlier=("2025-W46", None)).year_earlier == " "
    assert _card([0.9, None], "no data", earlier=("2025-W46", 0.9)).year_earlier == " "


def test_the_sparkline_breaks_where_a_week_is_missing() -> None:
    svg = cards.sparkline_svg([1.0, 2.0, None, 3.0, None, 2.0, 1.0], cards.TONE_COLOURS["worse"])
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert [len(points.split()) for points in lines] == [2, 2]
    assert svg.count("<circle") == 2  # week 3 alone between gaps, and the last week
    assert set(re.findall(r'(?:stroke|fill)="(#[^"]+)"', svg)) == {charts.WORSE}
    # Scaled to the values' range: the highest value at the top, the lowest at the bottom.
    ys = [float(p.split(",")[1]) for points in lines for p in points.split()]
    assert ys == pytest.approx([40.0, 22.0, 22.0, 40.0])  # 1 at the bottom, 2 half way up
    assert re.findall(r'<circle cx="[^"]+" cy="([^"]+)"', svg)[0] == "4.0"  # 3: the top
    assert "<polyline" not in cards.sparkline_svg([None, None], cards.NEUTRAL)


def test_a_card_in_french() -> None:
    with use_language("fr"):
        late = _card([0.9, None], "orders data through 2026-11-15")
        card = _card([0.9, 0.92], earlier=("2025-W46", 0.95))
        cheaper = cards.build(COST, "2026-W46", [1.9, 1.8], None)
    assert (late.delta, late.variation) == (
        "pas encore de données",
        ":orange[données orders jusqu'au 15 nov.]",
    )
    assert card.year_earlier == (
        ":red[-3,0\u00a0pt] par rapport à un an plus tôt (S46 2025\u00a0: 95,0\u00a0%)"
    )
    assert (card.value, card.delta, card.delta_description) == (
        "92,0\u00a0%",
        "+2,0\u00a0pt",
        "vs semaine précédente",
    )
    assert card.target == "Objectif ≥\u00a095,0\u00a0% · :red[non atteint]"
    assert (cheaper.delta, cheaper.delta_color) == ("-0,10\u00a0€", "inverse")
