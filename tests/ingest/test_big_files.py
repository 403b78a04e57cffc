"""A big export loads through the CLI in bounded memory (DuckDB spills instead of growing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

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
    # The CLI's own process reports its peak memory (DuckDB's threads included) as it exits:
    # VmHWM, which starts afresh at exec, unlike ru_maxrss, which would count the copy of
    # this (large) test process the child was forked from.
    script = (
        "import sys\n"
        "from kpis.cli import main\n"
        f"code = main(['--db', {str(tmp_path / 'ops.duckdb')!r}, 'ingest', {str(export)!r}])\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(status.split('VmHWM:')[1].split()[0]) // 1024)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    summary, peak_mb = result.stdout.strip().splitlines()
    assert f"{ROWS} rows loaded" in summary
    assert int(peak_mb) < 1000, f"peak memory {peak_mb} MB"
