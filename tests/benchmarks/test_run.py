"""The benchmark runs end to end on tiny files, so `make bench` cannot rot between runs.

Nothing here is timed: the benchmark's numbers mean something only at millions of rows, on a
quiet machine (benchmarks/results.md). This checks that every task runs, that each ingest
loads every row, and that the report has its tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.conftest import ROOT


def test_a_tiny_benchmark_writes_every_section(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--rows", "3000", "--big-file-mb", "1",
         "--no-dashboard", "--data", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    for heading in ("## Targets", "## 3,000 rows per source", "## How cost grows",
                    "## Memory on a big file", "## What profiling found"):  # fmt: skip
        assert heading in text
    assert "| ingest within 1.5x of the floor |" in text
    saved = json.loads((tmp_path / "data" / "work" / "measurements.json").read_text())
    (size,) = saved["sizes"]
    assert set(size["ingest"]) == {"leads", "tickets", "orders", "shipments", "inventory"}
    with duckdb.connect(size["db"], read_only=True) as con:
        for source in size["ingest"]:
            assert con.execute(f"SELECT count(*) FROM {source}").fetchall() == [(3000,)]
