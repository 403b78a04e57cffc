"""Texts of kpis.yaml in English and French: plain or per language, read in the language in force.

Each case edits the shipped kpis.yaml in one place, as test_validation does; the line a
problem must name is found in the edited text, not written by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from kpis import DefinitionError, Definitions, Store, parse_definitions
from kpis.definitions import Event, Kpi
from kpis.events import save_event, saved_events
from kpis.i18n import use_language
from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8")
CONVERSION = "    label: {en: Lead conversion rate, fr: Taux de conversion}\n"
CSAT = "    label: {en: Customer satisfaction (CSAT), fr: Satisfaction client (CSAT)}\n"
FRENCH_LABELS = {
    "conversion_rate": "Taux de conversion",
    "csat": "Satisfaction client (CSAT)",
    "resolution_time": "Délai de résolution (médiane)",
    "service_rate": "Taux de service (OTIF)",
    "stock_rotation": "Rotation des stocks",
    "cost_per_unit_shipped": "Coût logistique par unité expédiée",
    "order_processing_time": "Délai moyen de traitement des commandes",  # the COO's own words
    "incident_rate": "Taux d'incidents",
    "first_contact_resolution": "Résolution au premier contact",
    "contacts_per_100_orders": "Demandes de contact pour 100 commandes",
    "cost_per_acquisition": "Coût par acquisition (CPA)",
}
ENGLISH_LABELS = {
    "conversion_rate": "Lead conversion rate",
    "csat": "Customer satisfaction (CSAT)",
    "resolution_time": "Resolution time (median)",
    "service_rate": "Service rate (OTIF)",
    "stock_rotation": "Stock rotation",
    "cost_per_unit_shipped": "Cost per unit shipped",
    "order_processing_time": "Order processing time (median)",
    "incident_rate": "Incident rate",
    "first_contact_resolution": "First contact resolution",
    "contacts_per_100_orders": "Contacts per 100 orders",
    "cost_per_acquisition": "Cost per acquisition (CPA)",
}


def _edited(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, f"edit target not unique: {old!r}"
    return TEXT.replace(old, new)


def _line(text: str, anchor: str) -> int:
    return text[: text.index(anchor)].count("\n") + 1


def _problems(text: str) -> list:
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text, "kpis.yaml")
    return caught.value.problems


def test_the_shipped_file_has_english_and_french_for_every_kpi_and_source(
    definitions: Definitions,
) -> None:
    for name, kpi in definitions.kpis.items():
        for texts in (kpi.label_texts, kpi.description_texts):
            assert isinstance(texts, dict) and set(texts) == {"en", "fr"}, name
    for name, source in definitions.sources.items():
        for texts in (source.label_texts, source.description_texts):
            assert isinstance(texts, dict) and set(texts) == {"en", "fr"}, name
    assert all(isinstance(e.description_texts, dict) for e in definitions.events)
    with use_language("fr"):
        assert {n: k.label for n, k in definitions.kpis.items()} == FRENCH_LABELS
        units = {n: k.unit_label for n, k in definitions.kpis.items()}
        assert definitions.events[0].description.startswith("Nouveau guide des opérations")
    assert units["resolution_time"] == "h"
    assert units["stock_rotation"] == "rotations/an"
    assert units["cost_per_unit_shipped"] == "EUR"  # a currency code: formatting shows €
    with use_language("en"):
        assert {n: k.label for n, k in definitions.kpis.items()} == ENGLISH_LABELS
        assert definitions.kpis["stock_rotation"].unit_label == "turns/year"
        assert definitions.kpis["resolution_time"].unit == "hours"
        assert definitions.sources["leads"].label == "CRM leads"


def test_a_plain_label_is_the_same_in_both_languages() -> None:
    loaded = parse_definitions(_edited(CSAT, "    label: CSAT\n"))
    for language in ("en", "fr"):
        with use_language(language):
            assert loaded.kpis["csat"].label == "CSAT"


def test_a_label_per_language_follows_the_language_in_force(definitions: Definitions) -> None:
    kpi = definitions.kpis["conversion_rate"]
    assert kpi.label == "Lead conversion rate"  # English is the default
    with use_language("fr"):
        assert kpi.label == "Taux de conversion"
        assert kpi.description.startswith("Part des prospects")
        with use_language("en"):
            assert kpi.label == "Lead conversion rate"
        assert kpi.label == "Taux de conversion"
    assert kpi.label == "Lead conversion rate"


def test_a_missing_french_text_falls_back_to_english() -> None:
    # A file where no text has French: nothing is reported, and French readers read English.
    kpi = Kpi.model_validate(
        {
            "label": {"en": "Returns rate"},
            "description": {"en": "Share of orders returned."},
            "unit": {"en": "orders"},
            "format": "number",
            "direction": "lower_is_better",
            "measure": {"source": "orders", "expr": "count(*)"},
        }
    )
    with use_language("fr"):
        assert (kpi.label, kpi.description, kpi.unit_label) == (
            "Returns rate",
            "Share of orders returned.",
            "orders",
        )
    # Only French given: English readers get the French rather than nothing.
    event = Event(name="x", date=dt.date(2026, 1, 5), description={"fr": "Nouveau WMS"})
    assert event.description == "Nouveau WMS"


@pytest.mark.parametrize(
    ("new", "anchor"),
    [
        ("    label: {en: Lead conversion rate, de: Konversionsrate}\n", "    label: {en: Lead"),
        ("    label:\n      en: Lead conversion rate\n      de: Konversionsrate\n", "      de:"),
    ],
    ids=["flow", "block"],
)
def test_an_unknown_language_is_refused_at_its_line(new: str, anchor: str) -> None:
    text = _edited(CONVERSION, new)
    problems = _problems(text)
    assert [(p.path, p.line) for p in problems] == [
        ("kpis.conversion_rate.label.de", _line(text, anchor))
    ]
    assert "unknown language; use one of: en, fr" in problems[0].message


def test_a_text_that_is_neither_a_string_nor_a_mapping_is_refused() -> None:
    text = _edited(CONVERSION, "    label: [Lead conversion rate]\n")
    (problem,) = _problems(text)
    assert (problem.path, problem.line) == (
        "kpis.conversion_rate.label",
        _line(text, "    label: ["),
    )
    assert problem.message.startswith("must be a text, or one text per language")


def test_the_field_names_behind_the_texts_are_not_keys_of_kpis_yaml() -> None:
    text = _edited(CONVERSION, "    label_texts: Lead conversion rate\n")
    assert {p.path for p in _problems(text)} == {
        "kpis.conversion_rate.label",
        "kpis.conversion_rate.label_texts",
    }


def test_a_language_given_for_other_kpis_but_not_one_is_reported_at_its_line() -> None:
    text = _edited(CSAT, "    label: {en: Customer satisfaction (CSAT)}\n")
    (problem,) = _problems(text)
    assert (problem.path, problem.line) == (
        "kpis.csat.label",
        _line(text, "{en: Customer satisfaction (CSAT)}"),
    )
    assert problem.message == "has no French (fr) text, while other KPIs have one"
    assert problem.hint == "add `fr: …` or use one plain text"
    with use_language("fr"):
        (french,) = _problems(text)
    assert french.message == "n'a pas de texte en français (fr), alors que d'autres KPI en ont un"


def test_a_column_description_without_french_is_reported_with_the_sources() -> None:
    old = "description: {en: cost of the goods shipped, fr: coût des marchandises expédiées}"
    text = _edited(old, "description: {en: cost of the goods shipped}")
    (problem,) = _problems(text)
    assert problem.path == "sources.shipments.columns.cogs.description"
    assert problem.line == _line(text, "description: {en: cost of the goods")
    assert problem.message == "has no French (fr) text, while other sources have one"


def test_plain_texts_beside_texts_per_language_are_not_reported() -> None:
    text = _edited(CSAT, "    label: CSAT\n").replace(
        "    unit: {en: hours, fr: h}\n", "    unit: h\n"
    )
    assert parse_definitions(text).kpis["resolution_time"].unit == "h"


def test_definitions_stay_frozen(definitions: Definitions) -> None:
    with pytest.raises(ValidationError):
        definitions.kpis["csat"].label_texts = "changed"  # type: ignore[misc]


def test_an_event_saved_from_the_dashboard_keeps_one_text_for_every_language(
    store: Store,
) -> None:
    save_event(store, Event(name="new-wms", date=dt.date(2026, 2, 2), description="New WMS"))
    (saved,) = saved_events(store)
    for language in ("en", "fr"):
        with use_language(language):
            assert saved.description == "New WMS"
