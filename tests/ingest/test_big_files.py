"""A big export loads through the CLI in bounded memory (DuckDB spills instead of growing)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.conftest import run_cli_peak

ROWS = 10_000_000  # about 450 MB of CSV


def test_a_450_mb_export_loads_in_less_than_a_gigabyte(tmp_path: Path) -> None:
    export = tmp_path / "leads_big.csv"
    duckdb.connect().execute(
        "COPY (SELECT 'L' || lpad(i::VARCHAR, 9, '0') AS lead_id, "
        # April to September: no local time the clocks skip (those would be rejected).
        "TIMESTAMP '2026-04-01' + to_minutes(i % 250000) AS created_at, "
        "['web', 'partner', 'events', 'paid_search'][i % 4 + 1] AS channel, "
        f"(i % 37 = 0) AS converted FROM range({ROWS}) t(i)) TO '{export}' (HEADER)"
    )
    assert export.stat().st_size > 400e6
    result, peak_mb = run_cli_peak("--db", str(tmp_path / "ops.duckdb"), "ingest", str(export))
    assert result.returncode == 0, result.stderr
    assert f"{ROWS} rows loaded" in result.stdout
    assert peak_mb < 1000, f"peak memory {peak_mb} MB"
