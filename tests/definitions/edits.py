"""Edits of the shipped kpis.yaml that put one SQL fragment where a test wants it.

A measure goes into a new KPI `probe` appended to kpis:, a check to the front of a source's
checks; each helper returns the edited text and the line of the fragment, so a test can
assert the line a problem names without writing it by hand. The fragments are written as
JSON strings, which YAML reads as double-quoted scalars whatever they contain.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from kpis import Definitions, Store, ingest_file
from kpis.compute import kpi_sql
from kpis.periods import DateRange
from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8")
GOLDEN = sorted((Path(__file__).parents[1] / "golden").glob("*.yaml"))
# Every source of kpis.yaml, with a column of each type it has.
COLUMNS = {
    "leads": {"string": "channel", "timestamp": "created_at", "boolean": "converted"},
    "tickets": {"string": "team", "timestamp": "created_at", "integer": "csat_score"},
    "orders": {"date": "promised_date", "timestamp": "delivered_at", "integer": "qty_ordered"},
    "shipments": {"decimal": "cogs", "integer": "units", "timestamp": "shipped_at"},
    "inventory": {"date": "snapshot_date", "integer": "qty_on_hand", "decimal": "unit_cost"},
}
_FIRST_CHECK = {
    "tickets": "      - rule: resolved_at >= created_at\n",
    "orders": "      - rule: delivered_at >= ordered_at\n",
}


def _line_of(text: str, fragment: str, after: str = "") -> int:
    return text[: text.index(fragment, text.index(after))].count("\n") + 1


def with_measure(
    expr: str, *, source: str = "tickets", where: str | None = None
) -> tuple[str, int]:
    """kpis.yaml with a KPI `probe` measuring `expr` (filtered by `where`) over `source`."""
    lines = [
        "  probe:",
        "    label: Probe",
        "    description: a measure written by a test",
        "    format: number",
        "    direction: higher_is_better",
        "    measure:",
        f"      source: {source}",
        f"      expr: {json.dumps(expr)}",
    ]
    if where is not None:
        lines.append(f"      filter: {json.dumps(where)}")
    if source == "inventory":
        lines.append("      over_time: average")
    end = TEXT.index("\nevents:")
    text = TEXT[:end] + "\n".join(lines) + "\n" + TEXT[end:]
    return text, _line_of(
        text, "      filter:" if where is not None else "      expr: ", "  probe:"
    )


def with_check(rule: str, *, source: str = "tickets") -> tuple[str, int]:
    """kpis.yaml with `rule` as the first check of `source` (path sources.<s>.checks.0)."""
    item = f"      - rule: {json.dumps(rule)}\n        message: a check written by a test\n"
    if source in _FIRST_CHECK:
        text = TEXT.replace(_FIRST_CHECK[source], item + _FIRST_CHECK[source])
    else:
        start = TEXT.index(f"\n  {source}:\n")
        key = TEXT.index("\n    key:", start) + 1
        line = f"    checks: [{{rule: {json.dumps(rule)}, message: a check written by a test}}]\n"
        text = TEXT[:key] + line + TEXT[key:]
    return text, _line_of(text, json.dumps(rule))


def load_golden(store: Store) -> None:
    """Every export of the golden cases (tests/golden), into `store`: a few rows per source."""
    import yaml

    for path in GOLDEN:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            for source, content in case["files"].items():
                folder = Path(store.path).parent / "golden"
                folder.mkdir(exist_ok=True)
                file = folder / f"{source}.csv"
                file.write_text(content, encoding="utf-8")
                ingest_file(store, file, source=source)


def compute_probe(store: Store, definitions: Definitions) -> None:
    """Run the queries computing KPI `probe` of `definitions` over `store`, as compute does."""
    window = DateRange(dt.date(2025, 12, 29), dt.date(2026, 2, 1))
    kpi = definitions.kpis["probe"]
    source = definitions.sources[kpi.measures[0].source]
    for grain, by in (("week", None), (None, source.dimensions[0])):
        store.cursor().execute(kpi_sql(definitions, kpi, window, grain, by)).fetchall()


def run_check(store: Store, definitions: Definitions, source: str) -> None:
    """Run the source's first check over its stored rows, as an upload runs it."""
    from kpis.definitions.sql_check import check_predicate

    rule = definitions.sources[source].checks[0].rule
    sql = check_predicate(rule, definitions.sources[source].columns).sql
    store.cursor().execute(
        f'SELECT count(*) FROM "{source}" WHERE NOT coalesce(({sql}), true)'
    ).fetchall()
