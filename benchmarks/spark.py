"""DuckDB against local Spark on the same data: `python -m benchmarks.spark [--rows N]`.

The benchmark's exports (benchmarks/generate.py, N rows per source) are loaded into a DuckDB
file once, exported as a lake (`kpis export --lake`), then the six weekly KPIs and one
before/after with its statistics (the ops-playbook event) are computed on each engine, each
run in a fresh process, interleaved, median of `--runs`. Spark runs in that process
(`local[*]`), as `kpis --engine spark` does without a cluster; its session's start is timed
apart. The ratios to DuckDB are the result: it prints a Markdown table and writes it into
benchmarks/results.md, between the markers of its section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import generate

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- spark-benchmark -->"
SIX = [
    "conversion_rate", "csat", "resolution_time", "service_rate", "stock_rotation",
    "cost_per_unit_shipped",
]  # fmt: skip


def task(engine: str, db: str, lake: str) -> dict[str, float]:
    """One run in this (fresh) process: the six KPIs weekly, then one before/after."""
    from kpis import compare, compute, load_definitions, windows_around_event
    from kpis.sharing import reading
    from kpis.spark_engine import LakeStore

    definitions = load_definitions(ROOT / "kpis.yaml")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if engine == "spark":
        store = LakeStore(lake, definitions)
        timings["session"] = time.perf_counter() - started
        opened = None
    else:
        opened = reading(db, definitions)
        store = opened.__enter__()
        timings["session"] = time.perf_counter() - started
    try:
        started = time.perf_counter()
        compute(store, SIX, grain="week")
        timings["weekly"] = time.perf_counter() - started
        started = time.perf_counter()
        windows = windows_around_event(store, "ops-playbook", kpis=SIX)
        compare(store, windows.before, windows.after, SIX)
        timings["compare"] = time.perf_counter() - started
    finally:
        if opened is not None:
            opened.__exit__(None, None, None)
    return timings


def _run(engine: str, db: Path, lake: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.spark", "--task", engine, str(db), str(lake)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _prepare(rows: int) -> tuple[Path, Path]:
    """The DuckDB file and the lake of `rows` rows per source (kept in benchmarks/data)."""
    folder = ROOT / "benchmarks" / "data"
    db, lake = folder / f"spark_{rows}.duckdb", folder / f"lake_{rows}"
    kpis = [sys.executable, "-m", "kpis.cli", "--config", str(ROOT / "kpis.yaml"), "--db", str(db)]
    if not db.exists():
        files = generate.write(folder, rows)
        for source, path in files.items():
            subprocess.run([*kpis, "ingest", "--source", source, str(path)], check=True)
    if not lake.exists():
        subprocess.run([*kpis, "export", "--lake", str(lake)], check=True)
    return db, lake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--task", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    if args.task:
        print(json.dumps(task(*args.task)))
        return
    db, lake = _prepare(args.rows)
    runs: dict[str, list[dict[str, float]]] = {"duckdb": [], "spark": []}
    for _round in range(args.runs):  # interleaved: a busy moment hits both engines alike
        for engine in runs:
            runs[engine].append(_run(engine, db, lake))
    medians = {
        engine: {k: statistics.median(r[k] for r in found) for k in found[0]}
        for engine, found in runs.items()
    }
    lines = _table(args.rows, args.runs, medians)
    print("\n".join(lines))
    text = args.out.read_text(encoding="utf-8")
    if MARKER in text:
        head, _, rest = text.partition(MARKER)
        text = head + rest.partition(MARKER)[2].lstrip("\n")
    args.out.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n", encoding="utf-8")


def _table(rows: int, runs: int, medians: dict[str, dict[str, float]]) -> list[str]:
    duck, spark = medians["duckdb"], medians["spark"]
    cores = os.cpu_count()
    lines = [
        MARKER,
        "## DuckDB against local Spark",
        "",
        f"`python -m benchmarks.spark --rows {rows} --runs {runs}` on {platform.machine()}, "
        f"{cores} cores, Python {platform.python_version()}: {rows:,} rows per source, the "
        "database's sources exported as a lake (Parquet by month); each run in a fresh "
        f"process, the two engines interleaved, median of {runs}. Spark runs in the process "
        "(`local[*]`), as `kpis --engine spark` does without a cluster.",
        "",
        "| step | DuckDB (baseline) | Spark | Spark / DuckDB |",
        "|---|---|---|---|",
    ]
    names = {
        "session": "open the database / start the Spark session and read the lake",
        "weekly": "six KPIs, weekly, over the year",
        "compare": "one before/after of the six, with intervals and p-values",
    }
    for key, label in names.items():
        ratio = spark[key] / duck[key] if duck[key] > 0 else float("inf")
        lines.append(f"| {label} | {duck[key]:.2f} s | {spark[key]:.2f} s | {ratio:.1f}x |")
    lines.append(MARKER)
    return lines


if __name__ == "__main__":
    main()
