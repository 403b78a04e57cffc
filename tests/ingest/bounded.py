"""Helpers for the bounded-reader tests: stores with small `limits:`, refusals checked whole.

A refusal is checked the same way everywhere: an IngestError holding the fragments, the
database exactly as it was (tests.conftest.snapshot), nothing left in the staging folder,
the same sentence from a preview (the dashboard's Upload page), and through the installed
CLI: exit 1, one `Error:` line per file, no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from kpis import IngestError, Store, ingest_file, load_definitions, preview_file
from tests.conftest import CONFIG, run_cli, snapshot

BASE = "lead_id,created_at,channel,converted\nB1,2026-01-02,web,1\n"


def config_with(folder: Path, **limits: int) -> Path:
    """A copy of the project's kpis.yaml with these `limits:`, in `folder`."""
    document = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    document["limits"] = {**(document.get("limits") or {}), **limits}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kpis.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def limited_store(folder: Path, **limits: int) -> Iterator[Store]:
    """A store on kpis.yaml with these limits, already holding one upload to disturb."""
    config = config_with(folder, **limits)
    with Store(folder / "db" / "ops.duckdb", load_definitions(config)) as store:
        base = folder / "base_leads.csv"
        base.write_text(BASE, encoding="utf-8")
        ingest_file(store, base)
        yield store


def assert_refused(store: Store, path: Path, *fragments: str, preview: bool = True) -> str:
    """The file is refused whole with every fragment; nothing changed or left behind.

    With `preview`, a preview says the same (refusals decided before the load: a preview
    does not run the load, where rejected rows are counted).
    """
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        ingest_file(store, path)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert snapshot(store) == before, "a refused file changed the database"
    assert list(store.staging_dir.iterdir()) == [], "a refused file left files in staging"
    if preview:
        previewed = preview_file(store, path)
        assert previewed.problem is not None and str(previewed.problem) == message
        assert list(store.staging_dir.iterdir()) == []
    return message


def assert_cli_refuses(
    folder: Path, config: Path, cases: Sequence[tuple[Path, Sequence[str]]]
) -> None:
    """`kpis ingest` on these files: exit 1 and, for each, an Error line with its fragments."""
    result = run_cli(
        "--db", str(folder / "cli.duckdb"), "--config", str(config), "ingest",
        *(str(path) for path, _ in cases),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == len(cases), result.stderr
    for path, fragments in cases:
        assert any(
            path.name in line and all(fragment in line for fragment in fragments) for line in errors
        ), (path.name, fragments, errors)
    assert "unexpected" not in result.stderr
    staging = folder / "cli.duckdb.staging"
    assert not staging.exists() or list(staging.iterdir()) == []
