"""`kpis report` through the installed command: files, exit codes and one-line refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from kpis.report.xlsx import TABLE_ROW
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
    written = tmp_path / "reports" / "2026-W46.html"  # html by default
    assert f"Wrote the report of 2026-W46 to {Path('reports') / '2026-W46.html'}" in result.stdout
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["2026-W46.html"]
    assert "<html" in written.read_text(encoding="utf-8")


def test_json_keys(db: str, tmp_path: Path) -> None:
    result = run_cli("--db", db, "--config", str(CONFIG), "report", "--format", "json",
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "reports" / "2026-W46.json").read_text(encoding="utf-8"))
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
    assert (tmp_path / "2026-W46.html").is_file()


def test_several_formats_into_a_new_folder(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "week"
    result = run_cli(
        "--db", db, "--config", str(CONFIG), "report", "--week", "2026-W46", "--format", "html",
        "--format", "pdf", "--format", "xlsx", "--format", "json", "--output", str(folder),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    names = ["2026-W46.html", "2026-W46.pdf", "2026-W46.xlsx", "2026-W46.json"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    for name in names:
        assert f"Wrote the report of 2026-W46 to {folder / name}" in result.stdout
    record = json.loads((folder / "2026-W46.json").read_text(encoding="utf-8"))
    assert (folder / "2026-W46.pdf").read_bytes().startswith(b"%PDF-")
    sheet = openpyxl.load_workbook(folder / "2026-W46.xlsx").worksheets[0]
    first = record["kpis"][0]
    assert sheet.cell(TABLE_ROW + 2, 2).value == pytest.approx(first["value"], rel=1e-12)
    assert "<html" in (folder / "2026-W46.html").read_text(encoding="utf-8")


def test_several_formats_need_a_folder(db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(
        "--db", db, "--config", str(CONFIG), "report", "--format", "json", "--format", "xlsx",
        "--output", str(blocker),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"Error: --output {blocker} is a file; give a folder to write several formats\n"
    )


def test_the_dashboard_link_comes_from_the_environment(db: str, tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    args = ["--db", db, "--config", str(CONFIG), "report", "--output", str(page)]
    result = run_cli(*args, env={"KPIS_DASHBOARD_URL": "https://kpis.example.com/ops/"})
    assert result.returncode == 0, result.stderr
    assert "https://kpis.example.com/ops/?week=2026-W46" in page.read_text(encoding="utf-8")
    wrong = run_cli(*args, env={"KPIS_DASHBOARD_URL": "kpis.example.com"})
    assert wrong.returncode == 2
    assert wrong.stderr.startswith(
        "Error: KPIS_DASHBOARD_URL='kpis.example.com' is not a web address; "
    )


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
    args = ["--db", db, "--config", str(CONFIG), "--lang", "fr", "report", "--to", "a@example.com"]
    result = subprocess.run([KPIS, *args], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "Erreur\u00a0: --to s'utilise avec --send\n"
    assert not (tmp_path / "reports").exists()


def test_an_unwritable_output_is_refused(db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(
        "--db", db, "--config", str(CONFIG), "report", "--output", str(blocker / "r.json")
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write the report to ")
