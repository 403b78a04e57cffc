"""`kpis report` through the installed command: files, exit codes and one-line refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONFIG, KPIS, run_cli


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    """A private copy of the demo database (not opened here: the command opens it)."""
    target = tmp_path / "db" / "ops.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db, target)
    return str(target)


def test_default_week_and_output(db: str, tmp_path: Path) -> None:
    result = run_cli("--db", db, "--config", str(CONFIG), "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "reports" / "2026-W46.json"
    assert f"Wrote the report of 2026-W46 to {Path('reports') / '2026-W46.json'}" in result.stdout
    record = json.loads(written.read_text(encoding="utf-8"))
    assert list(record)[:1] == ["week"] and record["week"] == "2026-W46"
    assert {"kpis", "headline", "attention", "events", "freshness"} <= set(record)
    first = record["kpis"][0]
    for key in ("kpi", "week", "value", "previous", "year_ago", "target", "target_met",
                "complete"):  # fmt: skip
        assert key in first
    assert 0 < first["value"] < 1  # a rate is a fraction


def test_json_is_byte_identical_in_english_and_french(db: str, tmp_path: Path) -> None:
    paths = {}
    for lang in ("en", "fr"):
        paths[lang] = tmp_path / lang / "deep" / "report.json"
        result = run_cli(
            "--db", db, "--config", str(CONFIG), "report", "--week", "2026-W40",
            "--format", "json", "--format", "json", "--output", str(paths[lang]), "--lang", lang,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert paths["en"].read_bytes() == paths["fr"].read_bytes()
    assert "Objectif atteint" in result.stdout  # what is printed is in the reader's language


def test_an_existing_folder_gets_the_week_file(db: str, tmp_path: Path) -> None:
    result = run_cli("--db", db, "--config", str(CONFIG), "report", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "2026-W46.json").is_file()


@pytest.mark.parametrize("fmt", ["html", "pdf", "xlsx"])
def test_formats_not_written_yet_are_refused(db: str, tmp_path: Path, fmt: str) -> None:
    args = ["--db", db, "--config", str(CONFIG), "report", "--format", "json", "--format", fmt]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: the {fmt} report is not available yet; only --format json is for now\n"
    )
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("week", "said"),
    [
        ("2030-W01", "there is no data for week 2030-W01: the data covers 2025-W46 to 2026-W46"),
        ("1990-W10", "there is no data for week 1990-W10"),
        ("9999-W52", "week '9999-W52' is not an ISO week such as 2026-W46"),  # past year 9999
        ("2026-W99", "week '2026-W99' is not an ISO week such as 2026-W46"),
    ],
)
def test_a_week_without_data_is_one_sentence(db: str, tmp_path: Path, week: str, said: str) -> None:
    result = run_cli("--db", db, "--config", str(CONFIG), "report", "--week", week, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {said}") and result.stderr.count("\n") == 1


def test_refusals_in_french(db: str, tmp_path: Path) -> None:
    args = ["--db", db, "--config", str(CONFIG), "--lang", "fr", "report", "--format", "pdf"]
    result = subprocess.run([KPIS, *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "Erreur\u00a0: le rapport au format pdf n'est pas encore disponible\u00a0; seul --format "
        "json l'est pour l'instant\n"
    )


def test_an_unwritable_output_is_refused(db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(
        "--db", db, "--config", str(CONFIG), "report", "--output", str(blocker / "r.json")
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write the report to ")
