"""`kpis --engine spark validate`: what Spark would compute otherwise is refused at its line.

No Spark runs here: the rule renders each expression's tree for Spark (kpis/dialects.py),
so it works on any machine, before a cluster is ever asked for a number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONFIG, run_cli
from tests.definitions.edits import with_measure


@pytest.mark.parametrize(
    ("expr", "where", "says"),
    [
        ("count(*)", "strftime(created_at, '%G-W%V') = '2026-W01'", "STRFTIME(created_at"),
        ("count(*)", "lower(team) = 'billing'", "LOWER(team)"),
        ("sum(csat_score // 2)", None, "//"),
        ("avg(TRY_CAST(csat_score AS DECIMAL(18, 2)))", None, "DECIMAL"),
    ],
    ids=["an ISO-week format", "lower-casing", "integer division", "a cast to DECIMAL"],
)
def test_spark_refuses_at_the_line(tmp_path: Path, expr: str, where: str | None, says: str) -> None:
    text, line = with_measure(expr, where=where)
    config = tmp_path / "kpis.yaml"
    config.write_text(text, encoding="utf-8")
    assert run_cli("--config", str(config), "validate").returncode == 0  # DuckDB computes it
    refused = run_cli("--engine", "spark", "--config", str(config), "validate")
    assert refused.returncode == 1
    head, problem = refused.stderr.splitlines()[:2]
    assert head == f"Error: {config}: 1 problem"
    key = "filter" if where else "expr"
    assert problem.strip().startswith(f"{config}:{line}: kpis.probe.measure.{key}: "), problem
    assert says in problem
    # compute on Spark refuses the same file before any engine starts
    lake = run_cli("--engine", "spark", "--lake", str(tmp_path), "--config", str(config),
                   "compute")  # fmt: skip
    assert lake.returncode == 1 and f"{config}:{line}" in lake.stderr


def test_the_shipped_kpis_validate_on_spark() -> None:
    done = run_cli("--engine", "spark", "--config", str(CONFIG), "validate")
    assert done.returncode == 0, done.stderr
    assert "11 KPIs" in done.stdout


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    done = run_cli("validate", env={"KPIS_ENGINE": "oracle", "KPIS_LANG": "en"})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: unknown engine 'oracle' (KPIS_ENGINE); use one of duckdb, spark"
    )
