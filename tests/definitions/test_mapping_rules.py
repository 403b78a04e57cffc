"""Mapping profiles in kpis.yaml: refused with their line when they cannot run safely.

One table of profile snippets, each appended to the default kpis.yaml and given to the
installed `kpis validate`; the line a problem names is the line of the snippet's last key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONFIG, run_cli

PROFILES = {
    "a subquery": ('where: "(SELECT count(*) FROM leads) > 0"', "mappings.p.where: uses a query"),
    "a file reader": (
        "fields:\n      converted: {expression: \"read_csv('/etc/passwd') IS NULL\"}",
        "mappings.p.fields.converted.expression: uses function read_csv(), which is not allowed",
    ),
    "a second statement": (
        'where: "true; DROP TABLE leads"',
        "mappings.p.where: must be a single expression, not several statements",
    ),
    "an aggregate": (
        'fields:\n      converted: {expression: "count(*) > 1"}',
        "mappings.p.fields.converted.expression: uses the aggregate COUNT(*); a row rule cannot",
    ),
    "two origins": (
        "fields:\n      channel: {column: Source, value: web}",
        "mappings.p.fields.channel: give one of column, expression or value, not column and value",
    ),
    "a date format on a boolean": (
        "fields:\n      converted: {column: Won, format: '%Y'}",
        "mappings.p.fields.converted.format: a date format is for date and timestamp columns",
    ),
    "a mapped value of the wrong type": (
        "fields:\n      converted: {column: Stage, values: {customer: yes please}}",
        "mappings.p.fields.converted.values.customer: 'yes please' is not a value of converted",
    ),
    "an unknown column": (
        "fields:\n      convertd: {column: Stage}",
        "mappings.p.fields.convertd: 'convertd' is not a column of leads (did you mean "
        "'converted'?)",
    ),
    "a file name pattern": (
        "file_name: 'leads_{created_at:%Q}.csv'",
        "mappings.p.file_name: %Q is not a date directive a file name can hold",
    ),
    "said twice": (
        "columns: {Stage: converted}\n    fields:\n      converted: {column: Won}",
        "mappings.p.fields.converted: 'converted' is also given under columns, values or constants",
    ),
}


@pytest.mark.parametrize(("snippet", "expected"), PROFILES.values(), ids=list(PROFILES))
def test_a_broken_profile_is_refused_at_its_line(
    tmp_path: Path, snippet: str, expected: str
) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    assert "\nmappings:" not in text
    text += f"\nmappings:\n  p:\n    source: leads\n    {snippet}\n"
    config = tmp_path / "kpis.yaml"
    config.write_text(text, encoding="utf-8")
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 1
    line = text.count("\n")  # the snippet's last line
    found = [row for row in result.stderr.splitlines() if expected in row]
    assert found, result.stderr
    assert found[0].strip().startswith(f"{config}:{line}: ")


def test_a_full_profile_validates(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8") + (
        "\nmappings:\n  shopify:\n    source: orders\n"
        "    columns: {Name: order_id, Shipping City: warehouse}\n"
        "    fields:\n"
        "      ordered_at: {column: Created at, format: '%Y-%m-%d %H:%M:%S %z'}\n"
        "      promised_date: {expression: ordered_at + INTERVAL 2 DAY}\n"
        "      qty_ordered: {column: Lineitem quantity}\n"
        "      delivered_at: {column: Fulfilled at}\n"
        "      qty_delivered:\n"
        '        expression: CASE WHEN "Fulfilled at" IS NOT NULL THEN "Lineitem quantity" END\n'
        "    roll_up: {by: Name, sum: [Lineitem quantity]}\n"
        "    where: '\"Cancelled at\" IS NULL'\n"
    )
    config = tmp_path / "kpis.yaml"
    config.write_text(text, encoding="utf-8")
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 0, result.stderr


def test_the_readmes_profiles_validate(tmp_path: Path) -> None:
    """README's "Columns by any name" example is a working kpis.yaml section."""
    readme = (CONFIG.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\nmappings:\n  shopify-orders:") + len("```yaml\n")
    block = readme[start : readme.index("```", start)]
    config = tmp_path / "kpis.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 0, result.stderr
