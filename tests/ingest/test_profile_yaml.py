"""A profile written as kpis.yaml text reads like hand-written YAML and reads back the same."""

from __future__ import annotations

import pytest

from kpis.definitions import FieldMap, MappingProfile, RollUp, parse_definitions
from kpis.ingest.profile_yaml import profile_yaml, shortest
from tests.conftest import CONFIG

ZENDESK = MappingProfile(
    source="tickets",
    fields={
        "ticket_id": FieldMap(column="Id"),
        "csat_score": FieldMap(
            column="Satisfaction Score", values={"Good": "5", "Bad": "1", "Offered": None}
        ),
        "team": FieldMap(value="support"),
        "channel": FieldMap(column="Via", values={"web": "web form"}),
        "created_at": FieldMap(column="Created at", format="%Y-%m-%d %H:%M:%S %z"),
        "resolved_at": FieldMap(
            expression='CASE WHEN "Status" = \'solved\'\n  THEN "Updated at" END'
        ),
        "priority": FieldMap(column="Priority", values={"urgent": "high"}, otherwise=None),
    },
    where="\"Status\" <> 'deleted'",
)


def _read_back(text: str) -> dict[str, MappingProfile]:
    """kpis.yaml with the text appended, validated as `kpis validate` does."""
    return dict(parse_definitions(CONFIG.read_text(encoding="utf-8") + "\n" + text).mappings)


def test_a_profile_reads_like_hand_written_yaml() -> None:
    assert profile_yaml("zendesk", ZENDESK) == (
        "mappings:\n"
        "  zendesk:\n"
        "    source: tickets\n"
        "    columns:\n"
        "      Id: ticket_id\n"
        "      Via: channel\n"
        "    values:\n"
        "      channel:\n"
        "        web: web form\n"
        "    constants:\n"
        "      team: support\n"
        "    fields:\n"
        "      csat_score:\n"
        "        column: Satisfaction Score\n"
        "        values:\n"
        "          Good: 5\n"
        "          Bad: 1\n"
        "          Offered: null\n"
        "      created_at:\n"
        "        column: Created at\n"
        "        format: '%Y-%m-%d %H:%M:%S %z'\n"
        "      resolved_at:\n"
        "        expression: |-\n"
        "          CASE WHEN \"Status\" = 'solved'\n"
        '            THEN "Updated at" END\n'
        "      priority:\n"
        "        column: Priority\n"
        "        values:\n"
        "          urgent: high\n"
        "        otherwise: null\n"
        "    where: |-\n"
        "      \"Status\" <> 'deleted'\n"
    )


def test_it_reads_back_as_the_same_profile() -> None:
    read = _read_back(profile_yaml("zendesk", ZENDESK))["zendesk"]
    assert read == shortest(ZENDESK)
    assert read.field_maps() == ZENDESK.field_maps()
    assert read.fields["priority"].has_otherwise  # `otherwise: null` is not "no otherwise"
    assert not read.fields["csat_score"].has_otherwise


@pytest.mark.parametrize(
    "value",
    ["5", "4.5", "true", "2026-01-05", "yes", "null", "no", "007", "1e3", "a: b", "#1",
     "- x", "'quoted'", " padded ", "", "~", "Ünïcode", "0x1F", "1_000", ".5", "12:30"],
)  # fmt: skip
def test_values_that_yaml_would_misread_are_quoted(value: str) -> None:
    profile = MappingProfile(
        source="tickets",
        fields={
            "team": FieldMap(column=value or "x", values={value: value}, empty=value),
            "priority": FieldMap(value=value),
        },
    )
    text = profile_yaml(f"p {value}", profile)
    read = _read_back(text)[f"p {value}"]
    assert read.field_maps() == profile.field_maps(), text
    assert read == shortest(profile)


def test_plain_values_stay_plain() -> None:
    profile = MappingProfile(
        source="tickets",
        fields={"csat_score": FieldMap(column="Rating", values={"good": "5", "meh": "3"})},
        constants={},
    )
    text = profile_yaml("plain", profile)
    assert "Rating: csat_score" in text and "good: 5" in text and "'" not in text


def test_roll_up_format_and_file_name() -> None:
    profile = MappingProfile.model_validate(
        {
            "source": "orders",
            "file_name": "orders_{ordered_at:%Y%m%d}.csv",
            "fields": {"qty_ordered": {"column": "Lineitem quantity", "decimal": ","}},
            "roll_up": {"by": "Name", "sum": ["Lineitem quantity"], "min": ["Created at"]},
            "format": {"delimiter": ";", "encoding": "cp1252"},
        }
    )
    text = profile_yaml("shopify", profile)
    assert "    roll_up:\n      by: Name\n      sum: [Lineitem quantity]\n" in text
    assert "    format:\n      delimiter: ;\n      encoding: cp1252\n" in text
    read = _read_back(text)["shopify"]
    assert read == shortest(profile)
    assert read.roll_up == RollUp(by=["Name"], sum=["Lineitem quantity"], min=["Created at"])


def test_two_columns_from_one_header_stay_two_fields() -> None:
    """`columns` is keyed by header: a header feeding two columns cannot be said there twice."""
    profile = MappingProfile(
        source="orders",
        fields={
            "ordered_at": FieldMap(column="Created"),
            "promised_date": FieldMap(column="Created"),
        },
    )
    short = shortest(profile)
    assert short.columns == {"Created": "ordered_at"}
    assert short.fields == {"promised_date": FieldMap(column="Created")}
    assert _read_back(profile_yaml("two", profile))["two"].field_maps() == profile.field_maps()
