"""The battery of malformed exports: a clear answer for each, and nothing lost or changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kpis import IngestError, Store, UsageError, ingest_file
from tests.conftest import WriteCsv, run_cli, snapshot

FOLDER = Path(__file__).parent / "bad_files"
MANIFEST = yaml.safe_load((FOLDER / "manifest.yaml").read_text(encoding="utf-8"))


def test_the_battery_has_every_file_and_more_than_thirty() -> None:
    listed = {case["file"] for case in MANIFEST}
    present = {
        p.name
        for p in FOLDER.iterdir()
        if p.suffix not in (".py", ".yaml") and not p.name.startswith("__")
    }
    assert listed == present
    assert len(listed) >= 30


@pytest.fixture
def loaded(store: Store, write_csv: WriteCsv) -> Store:
    """A store already holding data, so a refused file has something it must not disturb."""
    ingest_file(
        store,
        write_csv(
            "base_leads.csv",
            ["lead_id", "created_at", "channel", "converted"],
            [["B1", "2026-01-02", "web", "1"]],
        ),
    )
    ingest_file(
        store,
        write_csv(
            "base_tickets.csv",
            ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"],
            [["B1", "2026-01-02 09:00", "2026-01-02 10:00", "5", "chat", "tech"]],
        ),
    )
    return store


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_each_bad_file_gets_a_clear_answer(loaded: Store, case: dict[str, Any]) -> None:
    path = FOLDER / case["file"]
    before = snapshot(loaded)
    if "refused" in case:
        with pytest.raises((IngestError, UsageError)) as caught:
            ingest_file(loaded, path, source=case.get("source"))
        for fragment in case["refused"]:
            assert fragment in str(caught.value)
        assert snapshot(loaded) == before, "a refused file changed the database"
        return
    result = ingest_file(loaded, path, source=case.get("source"))
    for fragment in case.get("noted", []):  # how the file was read, said in a note
        assert any(fragment in note for note in result.notes), result.notes
    if "loaded" in case:
        assert result.rows_rejected == 0
        for fragment in case["loaded"]:
            assert fragment in result.summary()
        return
    problems = [(p.line, p.message) for p in result.problems]
    assert len(problems) == len(case["rejected"]), problems
    for (line, message), (expected_line, *fragments) in zip(
        problems, case["rejected"], strict=True
    ):
        assert line == expected_line
        for fragment in fragments:
            assert fragment in message
    stored = (
        loaded.cursor()
        .execute("SELECT count(*) FROM _kpis_rejects WHERE batch_id = ?", [result.batch_id])
        .fetchone()
    )
    assert stored == (len(case["rejected"]),)


def test_the_cli_answers_every_bad_file_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    files = [str(FOLDER / c["file"]) for c in MANIFEST if "source" not in c]
    result = run_cli("--db", str(tmp_path / "x.duckdb"), "ingest", *files)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    refused = [c for c in MANIFEST if "refused" in c and "source" not in c]
    assert len(errors) == len(refused)
    for case in refused:
        assert any(case["file"] in line for line in errors), case["file"]
