"""kpis.yaml validation: each kind of mistake is reported with its key path, line and hint.

Every case edits the shipped kpis.yaml in one place and checks the problem reported; the
line expected is the line of the edit, found in the edited text, not written by hand.
"""

from __future__ import annotations

import pytest

from kpis import DefinitionError, parse_definitions
from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8")


def _problems(old: str, new: str, at: str | None) -> tuple[list, int]:
    """Apply the edit; the expected line is where `at` (default: the new text) is."""
    assert TEXT.count(old) == 1, f"edit target not unique: {old!r}"
    edited = TEXT.replace(old, new)
    anchor = at or new
    line = edited[: edited.index(anchor)].count("\n") + 1 + (len(anchor) - len(anchor.lstrip("\n")))
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(edited, "kpis.yaml")
    return caught.value.problems, line


CASES = [
    # (title, text replaced, replacement, key path reported, message, hint or None[, where])
    (
        "unknown top-level key",
        "calendar:\n",
        "calender:\n  x: 1\ncalendar:\n",
        "calender",
        "unknown key 'calender'",
        "did you mean 'calendar'?",
    ),
    (
        "unknown KPI key",
        "    annualize: true",
        "    annualise: true",
        "kpis.stock_rotation.annualise",
        "unknown key 'annualise'",
        "did you mean 'annualize'?",
    ),
    (
        "unknown measure key",
        "denominator: {source: leads, time: created_at, expr: count(*)}",
        "denominator: {source: leads, tme: created_at, expr: count(*)}",
        "kpis.conversion_rate.denominator.tme",
        "unknown key 'tme'",
        "did you mean 'time'?",
    ),
    (
        "unknown column setting",
        "csat_score: {type: integer, nullable: true, min: 1, max: 5,",
        "csat_score: {type: integer, nulable: true, min: 1, max: 5,",
        "sources.tickets.columns.csat_score.nulable",
        "unknown key 'nulable'",
        "did you mean 'nullable'?",
    ),
    (
        "missing label",
        "    label: {en: Lead conversion rate, fr: Taux de conversion}\n",
        "",
        "kpis.conversion_rate.label",
        "missing required key 'label'",
        None,
        "  conversion_rate:",
    ),
    (
        "bad direction",
        "direction: lower_is_better\n    target: 12",
        "direction: down\n    target: 12",
        "kpis.resolution_time.direction",
        "'down' is not allowed",
        None,
    ),
    (
        "bad column type",
        "qty_on_hand: {type: integer, min: 0,",
        "qty_on_hand: {type: int, min: 0,",
        "sources.inventory.columns.qty_on_hand.type",
        "'int' is not allowed",
        None,
    ),
    (
        "unknown time zone",
        "timezone: Europe/Paris ",
        "timezone: Europe/Pariss ",
        "calendar.timezone",
        "unknown time zone 'Europe/Pariss'",
        None,
    ),
    (
        "unknown source",
        "numerator: {source: shipments, time: shipped_at, expr: sum(shipping_cost)}",
        "numerator: {source: shipment, time: shipped_at, expr: sum(shipping_cost)}",
        "kpis.cost_per_unit_shipped.numerator.source",
        "unknown source 'shipment'",
        "did you mean 'shipments'?",
    ),
    (
        "time column of another source",
        "numerator: {source: leads, time: created_at, expr: count_if(converted)}",
        "numerator: {source: leads, time: resolved_at, expr: count_if(converted)}",
        "kpis.conversion_rate.numerator.time",
        "'resolved_at' is not a time column of leads",
        None,
    ),
    (
        "unknown column in expression",
        "expr: count(csat_score)}",
        "expr: count(csat_scor)}",
        "kpis.csat.denominator.expr",
        "unknown column 'csat_scor'",
        "did you mean 'csat_score'?",
    ),
    (
        "not an aggregate",
        "expr: sum(shipping_cost)}",
        "expr: shipping_cost}",
        "kpis.cost_per_unit_shipped.numerator.expr",
        "is not an aggregate",
        None,
    ),
    (
        "column outside the aggregate",
        "expr: sum(units)}",
        "expr: sum(units) + units}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "uses column 'units' outside an aggregate",
        None,
    ),
    (
        "subquery",
        "expr: sum(units)}",
        "expr: (SELECT sum(units) FROM shipments)}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "only expressions over the source's own columns",
        None,
    ),
    (
        "file reader",
        "expr: sum(units)}",
        "expr: \"sum((SELECT count(*) FROM read_csv('/etc/passwd')))\"}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "only expressions over the source's own columns",
        None,
    ),
    (
        "window",
        "expr: sum(cogs)}",
        "expr: sum(cogs) OVER ()}",
        "kpis.stock_rotation.numerator.expr",
        "uses a window function",
        None,
    ),
    (
        "second statement",
        "expr: sum(units)}",
        "expr: 'sum(units); DROP TABLE shipments'}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "must be a single expression",
        None,
    ),
    (
        "unknown function",
        "expr: sum(units)}",
        "expr: sum(getenv('HOME'))}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "uses function getenv()",
        None,
    ),
    (
        "nested aggregate",
        "expr: sum(units)}",
        "expr: sum(count(units))}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "nests an aggregate",
        None,
    ),
    (
        "SQL syntax error",
        "expr: sum(units)}",
        "expr: sum(units))}",
        "kpis.cost_per_unit_shipped.denominator.expr",
        "is not valid SQL",
        None,
    ),
    (
        "aggregate in a check",
        "rule: delivered_at >= ordered_at",
        "rule: max(delivered_at) >= ordered_at",
        "sources.orders.checks.0.rule",
        "a row rule cannot",
        None,
    ),
    (
        "snapshot summed over time",
        "      over_time: average\n",
        "",
        "kpis.stock_rotation.denominator",
        "summing it across days double counts",
        "add over_time: average (or last)",
        "    denominator:\n      source: inventory",
    ),
    (
        "over_time on an event source",
        "expr: sum(cogs)}",
        "expr: sum(cogs), over_time: average}",
        "kpis.stock_rotation.numerator.over_time",
        "only applies to snapshot sources",
        None,
    ),
    (
        "percent target as a whole number",
        "target: 0.95",
        "target: 95",
        "kpis.service_rate.target",
        "percent target 95.0 is outside 0-1",
        "write 0.95 for 95%",
    ),
    (
        "key column not declared",
        "key: [order_id]",
        "key: [order_ref]",
        "sources.orders.key.0",
        "'order_ref' is not a declared column",
        None,
    ),
    (
        "time column of the wrong type",
        "time_columns: [shipped_at]",
        "time_columns: [carrier]",
        "sources.shipments.time_columns.0",
        "time column 'carrier' has type string",
        None,
    ),
    (
        "dimension not a string",
        "dimensions: [warehouse, carrier]",
        "dimensions: [warehouse, units]",
        "sources.shipments.dimensions.1",
        "dimension 'units' has type integer",
        None,
    ),
    (
        "bounds on a string",
        "sku: {type: string,",
        "sku: {type: string, min: 1,",
        "sources.inventory.columns.sku",
        "min/max set on a string column",
        None,
    ),
    (
        "optional but not nullable",
        "priority: {type: string, nullable: true, optional: true,",
        "priority: {type: string, optional: true,",
        "sources.tickets.columns.priority.optional",
        "an optional column must also be nullable",
        None,
    ),
    (
        "KPI name not an identifier",
        "  csat:\n",
        "  CSAT score:\n",
        "kpis.CSAT score",
        "is not a valid identifier",
        None,
    ),
    (
        "KPI with no numerator",
        "    numerator: {source: shipments, time: shipped_at, expr: sum(cogs)}\n",
        "",
        "kpis.stock_rotation",
        "has a ratio without its numerator",
        None,
        "  stock_rotation:",
    ),
    (
        "duplicate event name",
        "events:\n",
        "events:\n  - {name: ops-playbook, date: 2026-01-01}\n",
        "events.1.name",
        "is used 2 times",
        None,
    ),
    ("event date not a date", "    date: 2026-05-18", "    date: soon", "events.0.date", "", None),
]


@pytest.mark.parametrize(
    ("old", "new", "path", "message", "hint", "at"),
    [pytest.param(*case[1:], *([None] * (7 - len(case))), id=case[0]) for case in CASES],
)
def test_problem_is_reported_with_its_line(
    old: str, new: str, path: str, message: str, hint: str | None, at: str | None
) -> None:
    problems, line = _problems(old, new, at)
    found = [p for p in problems if p.path == path]
    assert found, f"nothing at {path}; got {[str(p) for p in problems]}"
    problem = found[0]
    assert message in problem.message
    assert problem.file == "kpis.yaml"
    if hint is not None:
        assert problem.hint is not None and hint in problem.hint
    assert problem.line is not None and abs(problem.line - line) <= 3


def test_every_problem_is_reported_at_once() -> None:
    edited = (
        TEXT.replace("target: 0.95", "target: 95")
        .replace("expr: count(csat_score)}", "expr: count(csat_scor)}")
        .replace("    annualize: true", "    annualise: true")
    )
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(edited)
    paths = {p.path for p in caught.value.problems}
    assert {
        "kpis.service_rate.target",
        "kpis.csat.denominator.expr",
        "kpis.stock_rotation.annualise",
    } <= paths
    assert str(caught.value).startswith("kpis.yaml: 3 problems")


def test_a_broken_source_still_lets_its_kpis_be_checked() -> None:
    edited = TEXT.replace(
        "csat_score: {type: integer, nullable: true, min: 1, max: 5,",
        "csat_score: {type: integer, nulable: true, min: 1, max: 5,",
    ).replace("expr: count(csat_score)}", "expr: count(csat_scor)}")
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(edited)
    paths = {p.path for p in caught.value.problems}
    assert "kpis.csat.denominator.expr" in paths


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kpis: [unclosed", "is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("sources:\n  a: 1\n  a: 2\n", "duplicate keys"),
        ("version: 2\n", "unsupported version"),
    ],
)
def test_files_that_are_not_definitions(text: str, message: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    assert message in str(caught.value)


def test_shipped_file_is_valid_and_fills_measure_times(definitions) -> None:
    assert list(definitions.kpis) == [
        "conversion_rate",
        "csat",
        "resolution_time",
        "service_rate",
        "stock_rotation",
        "cost_per_unit_shipped",
        "order_processing_time",
        "incident_rate",
        "first_contact_resolution",
        "contacts_per_100_orders",
        "cost_per_acquisition",
    ]
    assert all(m.time for k in definitions.kpis.values() for m in k.measures)
    assert definitions.event("ops-playbook") is not None


def test_definitions_are_frozen(definitions) -> None:
    with pytest.raises(ValueError, match="frozen"):
        definitions.kpis["csat"].target = 0.5
