"""Run the whole benchmark and write benchmarks/results.md: `python -m benchmarks.run`.

Every measurement runs in a fresh process (benchmarks/tasks.py) on the same generated files,
so the engine, DuckDB's floor and pandas are compared side by side in one run on one machine,
and peak memory (VmHWM) is each process's own. Ratios, not absolute times, are the result:
they hold from one machine to the next far better than seconds do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import generate, report
from benchmarks.dashboard import render_times

ROOT = Path(__file__).resolve().parent.parent
SOURCES = tuple(generate.SQL)


def task(name: str, *args: object) -> dict[str, float]:
    """Run one task of benchmarks/tasks.py in a fresh Python and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.tasks", name, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark task {name} {args} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("ok") is False:
        raise SystemExit(f"benchmark task {name} {args} reported a failed ingest")
    return result


def fresh(path: Path) -> Path:
    """`path` with no database there (nor its WAL or staging leftovers)."""
    for leftover in path.parent.glob(path.name + "*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    return path


def median(runs: list[dict[str, float]]) -> dict[str, Any]:
    """Each figure's median over repeated runs (a busy neighbour on a shared machine can make
    one run of several seconds take three times as long), with every run's seconds kept."""
    merged: dict[str, Any] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    merged["runs_seconds"] = [run["seconds"] for run in runs]
    return merged


def measure_size(
    rows: int, data: Path, work: Path, with_pandas: bool, reupload: bool, repeat: int
) -> dict[str, object]:
    """Ingest every source three ways, then the KPIs three ways, at `rows` rows per source.

    The engine and the floor run `repeat` times each and give their medians; pandas runs
    once. Every engine ingest is a first load into an empty table; the last goes
    into the database the KPIs are measured on. With `reupload`, also a weekly re-upload into
    the loaded tables: a tenth of the tickets again (same keys, other values), which takes the
    update path rather than the first load's.
    """
    files = generate.write(data, rows)
    engine_db = fresh(work / f"engine_{rows}.duckdb")
    ingest: dict[str, dict[str, dict[str, float]]] = {}
    for source, path in files.items():
        print(f"  ingest {source} ({rows:,} rows)", flush=True)
        engine = [task("ingest_engine", path, fresh(work / "scratch.duckdb"))
                  for _ in range(repeat - 1)]  # fmt: skip
        engine.append(task("ingest_engine", path, engine_db))
        floor = [task("ingest_floor", path, fresh(work / "floor.duckdb")) for _ in range(repeat)]
        ingest[source] = {"engine": median(engine), "floor": median(floor)}
        if with_pandas:
            ingest[source]["pandas"] = task("ingest_pandas", path, fresh(work / "pandas.duckdb"))
    fresh(work / "scratch.duckdb")
    print(f"  KPIs ({rows:,} rows)", flush=True)
    kpis = {
        how: median([task(f"kpis_{how}", engine_db) for _ in range(repeat)])
        for how in ("engine", "floor")
    }
    if with_pandas:
        kpis["pandas"] = task("kpis_pandas", engine_db)
    update = {}
    if reupload:
        print("  re-upload of 10% of the tickets into the loaded table", flush=True)
        part = generate.write(data / "part", rows // 10, ("tickets",))["tickets"]
        update = task("ingest_engine", part, engine_db)
    return {"rows": rows, "ingest": ingest, "kpis": kpis, "update": update, "db": str(engine_db)}


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kb / 1024 / 1024:.0f} GB",
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": ", ".join(
            f"{name} {version(name)}" for name in ("duckdb", "pandas", "streamlit", "plotly")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[1_000_000, 3_000_000, 10_000_000],
        help="rows per source, one run per size (default: 1M 3M 10M)",
    )
    parser.add_argument(
        "--pandas-rows",
        type=int,
        default=10_000_000,
        help="largest size at which pandas is measured too (it is the slow one)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each engine and floor figure (median)"
    )
    parser.add_argument("--big-file-mb", type=int, default=1024, help="size of the memory test")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the Chromium timing")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite results.md from the last run"
    )
    args = parser.parse_args()
    if args.report_only:
        _report(args.out, json.loads((args.data / "work" / "measurements.json").read_text()))
        return
    run_rows = sorted(args.rows)
    work = args.data / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    sizes = []
    for rows in run_rows:
        print(f"{rows:,} rows per source", flush=True)
        with_pandas = rows <= args.pandas_rows
        last = rows == run_rows[-1]
        sizes.append(measure_size(rows, args.data, work, with_pandas, last, args.repeat))

    dashboard = None
    if not args.no_dashboard:
        print("dashboard: weekly page in Chromium", flush=True)
        # Before the 1 GB file, and after a sync: cold views measured right after writing
        # gigabytes took 6-10 s, against ~4.5 s on a settled machine.
        os.sync()
        dashboard = render_times(Path(sizes[-1]["db"]), run_rows[-1])  # type: ignore[arg-type]

    # Memory on a big file: tickets, whose rows are ~66 bytes, sized to the wanted megabytes.
    big_rows = args.big_file_mb * 1024 * 1024 // 66
    print(f"memory: ingest of a {args.big_file_mb} MB file ({big_rows:,} rows)", flush=True)
    big = generate.write(args.data / "big", big_rows, ("tickets",))["tickets"]
    big_result = task("ingest_engine", big, fresh(work / "big.duckdb"))
    big_result["file_mb"] = big.stat().st_size / 1024 / 1024

    took = time.perf_counter() - started
    # Kept so the report can be rewritten (--report-only) without measuring again.
    saved = {"sizes": sizes, "big": big_result, "dashboard": dashboard, "took": took,
             "repeat": args.repeat}  # fmt: skip
    (work / "measurements.json").write_text(json.dumps(saved))
    _report(args.out, saved)


def _report(out: Path, saved: dict[str, Any]) -> None:
    took = saved["took"]
    text = report.markdown(
        machine(), saved["sizes"], saved["big"], saved["dashboard"], took, saved["repeat"]
    )
    print(text)
    report.write(out, text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
