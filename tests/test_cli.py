"""The installed `kpis` command, run as a user or a cron job would: exit codes, output, errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONFIG, run_cli


@pytest.fixture
def demo_db_copy(demo_db: Path, tmp_path: Path) -> str:
    """A private copy of the demo database, as a --db argument."""
    target = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, target)
    return str(target)


ALL_KPIS = ["conversion_rate", "csat", "resolution_time", "service_rate", "stock_rotation",
            "cost_per_unit_shipped", "order_processing_time", "incident_rate",
            "first_contact_resolution", "contacts_per_100_orders", "cost_per_acquisition"]  # fmt: skip


def test_validate_accepts_the_shipped_file() -> None:
    result = run_cli("validate")
    assert result.returncode == 0
    assert result.stdout.strip() == "kpis.yaml: valid (6 sources, 11 KPIs, 2 events)"


def test_validate_lists_every_problem_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "kpis.yaml"
    bad.write_text(
        CONFIG.read_text()
        .replace("target: 0.95", "target: 95")
        .replace("annualize: true", "annualise: true")
    )
    result = run_cli("--config", str(bad), "validate")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {bad}: 2 problems"
    target_line = CONFIG.read_text().split("target: 0.95")[0].count("\n") + 1
    assert any(
        f":{target_line}: kpis.service_rate.target: percent target 95.0" in line for line in lines
    )
    assert any(
        "kpis.stock_rotation.annualise: unknown key 'annualise' (did you mean 'annualize'?)" in line
        for line in lines
    )


def test_ingest_then_compute_json(tmp_path: Path, write_csv) -> None:
    db = str(tmp_path / "ops.duckdb")
    leads = write_csv(
        "leads.csv",
        ["lead_id", "created_at", "channel", "converted"],
        [["L1", "2026-01-05 09:00", "web", "true"], ["L2", "2026-01-06 09:00", "partner", "false"]],
    )
    result = run_cli("--db", db, "ingest", str(leads))
    assert result.returncode == 0
    assert (
        "leads.csv -> leads (batch 1): 2 rows loaded (2 new, 0 updated, 0 unchanged), 0 rejected"
        in result.stdout
    )
    out = json.loads(
        run_cli("--db", db, "compute", "--kpi", "conversion_rate", "--format", "json").stdout
    )
    assert out == [
        {
            "kpi": "conversion_rate",
            "period_start": "2026-01-05",
            "period_end": "2026-01-06",
            "days": 2,
            "value": 0.5,
            "numerator": 1.0,
            "denominator": 2.0,
            "complete": True,  # the leads data runs through 2026-01-06, the period's last day
            "reason": None,
        }
    ]
    by = json.loads(
        run_cli(
            "compute", "--kpi", "conversion_rate", "--by", "channel", "--format", "json", "--db", db
        ).stdout
    )
    assert [(r["dimension"], r["dimension_value"], r["value"]) for r in by] == [
        ("channel", "partner", 0.0),
        ("channel", "web", 1.0),
    ]


def test_ingest_reports_each_file_and_fails_if_one_is_refused(tmp_path: Path, write_csv) -> None:
    good = write_csv(
        "good.csv",
        ["lead_id", "created_at", "channel", "converted"],
        [["L1", "2026-01-05", "web", "1"]],
    )
    empty = write_csv("empty.csv", text="")
    result = run_cli("--db", str(tmp_path / "x.duckdb"), "ingest", str(empty), str(good))
    assert result.returncode == 1
    assert "empty.csv is empty" in result.stderr
    assert "good.csv -> leads (batch 1): 1 row loaded" in result.stdout


def test_ingest_lists_rejected_rows_with_lines(tmp_path: Path, write_csv) -> None:
    rows = [[f"L{i}", "2026-01-05", "web", "1"] for i in range(30)] + [
        ["L99", "someday", "web", "1"]
    ]
    result = run_cli(
        "--db",
        str(tmp_path / "x.duckdb"),
        "ingest",
        str(write_csv("l.csv", ["lead_id", "created_at", "channel", "converted"], rows)),
    )
    assert result.returncode == 0
    assert (
        "  rejected " in result.stdout
        and 'l.csv:32: created_at: "someday" is not a date and time' in result.stdout
    )


def test_compute_table_and_csv(demo_db_copy: str) -> None:
    table = run_cli(
        "--db",
        demo_db_copy,
        "compute",
        "--grain",
        "month",
        "--start",
        "2026-09-01",
        "--end",
        "2026-10-31",
    ).stdout
    lines = table.splitlines()
    assert lines[0].split() == ["period", *ALL_KPIS]
    assert lines[2].startswith("2026-09-01") and "%" in lines[2] and "EUR" in lines[2]
    text = run_cli(
        "--db", demo_db_copy, "compute", "--grain", "quarter", "--kpi", "csat", "--format", "csv"
    ).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "kpi",
        "period_start",
        "period_end",
        "days",
        "value",
        "numerator",
        "denominator",
        "complete",
        "reason",
    ]
    assert {r["kpi"] for r in rows} == {"csat"}


def test_compare_event_json(demo_db_copy: str) -> None:
    out = json.loads(
        run_cli(
            "--db", demo_db_copy, "compare", "--event", "ops-playbook", "--format", "json"
        ).stdout
    )
    assert [r["kpi"] for r in out] == ALL_KPIS
    for row in out:
        assert {"kpi", "before", "after", "delta", "delta_pct", "improved"} <= set(row)
    conversion = out[0]
    assert round(conversion["before"], 3) == 0.020 and round(conversion["after"], 3) == 0.035
    assert conversion["improved"] is True


def test_compare_table_in_the_coo_shape(demo_db_copy: str) -> None:
    out = run_cli("--db", demo_db_copy, "compare", "--event", "ops-playbook", "--weeks", "4").stdout
    assert out.startswith(
        "before 2026-04-20:2026-05-17 (28 days)  after 2026-05-18:2026-06-14 (28 days)"
    )
    # The answer first, as on the dashboard (4 weeks after: nothing to fade yet).
    assert out.splitlines()[2].startswith("All 11 KPIs improved significantly. Biggest: ")
    header = next(line for line in out.splitlines() if line.startswith("KPI "))
    assert header.split() == [
        "KPI",
        "before",
        "after",
        "change",
        "95%",
        "interval",
        "improvement",
        "p",
        "verdict",
    ]
    assert any(
        line.startswith("Lead conversion rate") and " pp " in line for line in out.splitlines()
    )


def test_compare_explicit_ranges(demo_db_copy: str) -> None:
    out = json.loads(
        run_cli(
            "--db",
            demo_db_copy,
            "compare",
            "--before",
            "2026-01-05:2026-01-11",
            "--after",
            "2026-01-05:2026-01-11",
            "--kpi",
            "csat",
            "--format",
            "json",
        ).stdout
    )
    assert out[0]["delta"] == 0 and out[0]["improved"] is False


def test_settings_from_the_environment(demo_db_copy: str, tmp_path: Path) -> None:
    shutil.copyfile(CONFIG, tmp_path / "my.yaml")
    env = {"KPIS_DB": demo_db_copy, "KPIS_CONFIG": str(tmp_path / "my.yaml")}
    result = run_cli(
        "compare",
        "--event",
        "ops-playbook",
        "--kpi",
        "csat",
        "--format",
        "json",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and json.loads(result.stdout)[0]["kpi"] == "csat"


def test_uploads_and_undo(demo_db_copy: str) -> None:
    listing = run_cli("--db", demo_db_copy, "uploads").stdout
    assert listing.splitlines()[0].split()[:3] == ["batch_id", "source", "file_name"]
    rejected = run_cli("--db", demo_db_copy, "uploads", "--rejected", "6").stdout
    assert "created_at" in rejected
    result = run_cli("--db", demo_db_copy, "undo", "65")
    assert result.returncode == 0 and result.stdout.startswith(
        "batch 65 (inventory_2026-11.csv) undone"
    )


def test_demo_builds_a_database(tmp_path: Path) -> None:
    result = run_cli(
        "--db", str(tmp_path / "demo.duckdb"), "demo", "--sample-dir", str(tmp_path / "sample")
    )
    assert result.returncode == 0
    assert "from 66 sample exports" in result.stdout and "7 messy rows rejected" in result.stdout
    assert len(list((tmp_path / "sample").glob("*.csv"))) == 66


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["compute", "--kpi", "conversion"],
            2,
            "Error: unknown KPI 'conversion' (did you mean 'conversion_rate'?)",
        ),
        (["compute", "--grain", "year"], 2, "Error: argument --grain: invalid choice"),
        (["compute", "--start", "01/02/2026"], 2, "Error: --start '01/02/2026' is not a date"),
        (["compare", "--event", "nope"], 2, "Error: unknown event 'nope'"),
        (["compare"], 2, "Error: say what to compare"),
        (
            ["compare", "--event", "ops-playbook", "--before", "2026-01-01:2026-01-02"],
            2,
            "Error: give either --event",
        ),
        (["compare", "--before", "2026-01-01"], 2, "Error: say what to compare"),
        (
            ["compare", "--before", "2026-01-01", "--after", "2026-01-01:2026-01-02"],
            2,
            "Error: --before '2026-01-01' must be START:END",
        ),
        (["ingest", "/no/such/file.csv"], 1, "Error: /no/such/file.csv: no such file"),
        (["ingest", "--source", "lead", "x.csv"], 2, "Error: unknown source 'lead'"),
        (["undo", "999"], 1, "Error: there is no upload with batch id 999"),
        (["frobnicate"], 2, "Error: argument COMMAND: invalid choice"),
        (["--config", "/no/kpis.yaml", "compute"], 1, "Error: /no/kpis.yaml: no such file"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    demo_db_copy: str, args: list[str], code: int, message: str
) -> None:
    result = run_cli("--db", demo_db_copy, *args)
    assert result.returncode == code
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_database_in_use_by_another_process(demo_db_copy: str) -> None:
    from kpis import Store, load_definitions

    with Store(demo_db_copy, load_definitions(CONFIG)):
        result = run_cli("--db", demo_db_copy, "compute")
    assert result.returncode == 1
    assert "is in use by another process" in result.stderr
