"""Suggested mappings: from header names close to the declared ones, and from the values seen."""

from __future__ import annotations

from kpis.definitions import Definitions, FieldMap
from kpis.ingest.suggest import suggest_field, suggest_mapping

ZENDESK_HEADER = (
    "Id",
    "Requester",
    "Created at",
    "Solved at",
    "Satisfaction Score",
    "Via",
    "Group",
)
ZENDESK = {
    "Id": ["101", "102", "103", "104"],
    "Requester": ["Ann", "Bob", "Cy", "Di"],
    "Created at": ["2025-10-04 10:22:31 +0100"] * 4,
    "Solved at": ["2025-10-04 12:00:00 +0100", "", "", ""],
    "Satisfaction Score": ["Good", "Bad", "Offered", "Unoffered"],
    "Via": ["Web", "Mail", "Chat", "Web"],
    "Group": ["Support", "Billing", "", "Support"],
}


def test_a_zendesk_export_is_mapped_from_its_header_and_its_rating_words(
    definitions: Definitions,
) -> None:
    found = suggest_mapping(ZENDESK_HEADER, ZENDESK, "tickets", definitions.sources["tickets"])
    assert found.profile.source == "tickets"
    assert found.profile.fields == {
        "ticket_id": FieldMap(column="Id"),
        "created_at": FieldMap(column="Created at"),
        "resolved_at": FieldMap(column="Solved at"),
        "csat_score": FieldMap(
            column="Satisfaction Score",
            values={"Bad": "1", "Good": "5", "Offered": None, "Unoffered": None},
        ),
        "channel": FieldMap(column="Via"),
        "team": FieldMap(column="Group"),
    }
    assert "some words mean no rating" in found.why["csat_score"]
    assert not any(f.has_otherwise for f in found.profile.fields.values())  # never guessed


def test_rating_words_are_found_under_any_header_and_ranked_onto_the_scale(
    definitions: Definitions,
) -> None:
    """A column of rating words is a rating whatever its name; five ranks fill 1..5."""
    header = ("Case", "Opened", "Feedback")
    samples = {
        "Case": ["C1", "C2"],
        "Opened": ["2026-11-10 09:00", "2026-11-10 10:00"],
        "Feedback": ["Very good", "good", "Neutral", "bad", "very bad", ""],
    }
    found = suggest_mapping(header, samples, "tickets", definitions.sources["tickets"])
    csat = found.profile.fields["csat_score"]
    assert csat.column == "Feedback"
    assert csat.values == {
        "bad": "2",
        "good": "4",
        "Neutral": "3",
        "very bad": "1",
        "Very good": "5",
    }
    assert found.why["csat_score"] == "its values look like a rating"
    assert found.profile.fields["created_at"] == FieldMap(column="Opened")


def test_unknown_words_are_left_to_the_analyst(definitions: Definitions) -> None:
    """One word the lists do not know and the column is not guessed to be a rating."""
    samples = {"Feedback": ["good", "bad", "so-so"]}
    found = suggest_mapping(("Feedback",), samples, "tickets", definitions.sources["tickets"])
    assert "csat_score" not in found.profile.fields


def test_values_that_do_not_fit_the_type_stop_a_close_name(definitions: Definitions) -> None:
    """'Created' is close to created_at, but a column of names is not a time."""
    samples = {"Created": ["Ann", "Bob"], "Created on": ["2026-01-05", "2026-01-06"]}
    found = suggest_mapping(
        ("Created", "Created on"), samples, "tickets", definitions.sources["tickets"]
    )
    assert found.profile.fields["created_at"] == FieldMap(column="Created on")


def test_each_file_column_feeds_one_declared_column(definitions: Definitions) -> None:
    samples = {"Site": ["Lyon", "Lille"]}
    found = suggest_mapping(("Site",), samples, "orders", definitions.sources["orders"])
    assert found.profile.fields == {"warehouse": FieldMap(column="Site")}


def test_a_header_holding_an_alias_and_a_key_named_record_id(definitions: Definitions) -> None:
    header = ("Record ID", "Create Date", "Original Source", "Lifecycle Stage")
    samples = {"Record ID": ["1", "2"], "Create Date": ["2025-01-01 10:00", "2025-01-02 11:00"]}
    found = suggest_mapping(header, samples, "leads", definitions.sources["leads"])
    assert {k: f.column for k, f in found.profile.fields.items()} == {
        "lead_id": "Record ID",
        "created_at": "Create Date",
        "channel": "Original Source",
    }


def test_yes_only_and_often_empty_is_a_checkbox(definitions: Definitions) -> None:
    converted = definitions.sources["leads"].columns["converted"]
    field, why = suggest_field("Is customer", ["Yes", "", "", "Yes", ""], converted)
    assert field == FieldMap(column="Is customer", empty="false")
    assert field.model_fields_set == {"column", "empty"}
    assert why == ["it only says yes and is often empty: empty means no"]


def test_yes_no_words_the_loader_does_not_know_are_mapped(definitions: Definitions) -> None:
    converted = definitions.sources["leads"].columns["converted"]
    field, why = suggest_field("Outcome", ["Won", "Lost", "won", "yes"], converted)
    assert field.values == {"Lost": "false", "Won": "true", "won": "true"}
    assert field.empty is None  # no empty cell: nothing to say about them
    assert why == ["its words read as yes or no"]


def test_a_nullable_boolean_keeps_its_empty_cells_empty(definitions: Definitions) -> None:
    source = definitions.sources["leads"]
    nullable = source.columns["converted"].model_copy(update={"nullable": True})
    field, _why = suggest_field("Won", ["yes", "", "", ""], nullable)
    assert field == FieldMap(column="Won")


def test_numbers_need_no_map(definitions: Definitions) -> None:
    csat = definitions.sources["tickets"].columns["csat_score"]
    field, why = suggest_field("Rating", ["4", "5", "", "3"], csat)
    assert (field, why) == (FieldMap(column="Rating"), [])
