"""Turn the benchmark's measurements into benchmarks/results.md: tables, ratios, targets.

The tables are generated; what was found while profiling and what changed because of it is
written by hand in benchmarks/findings.md and appended as it is, so a rerun keeps it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

FINDINGS = Path(__file__).with_name("findings.md")
COMMAND = "python -m benchmarks.run"


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.2f} s"


def _x(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2f}x"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} MB"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _ingest_rows(size: dict[str, Any]) -> list[str]:
    lines = []
    totals: dict[str, float] = {}
    for source, runs in size["ingest"].items():
        seconds = {how: run["seconds"] for how, run in runs.items()}
        for how, value in seconds.items():
            totals[how] = totals.get(how, 0.0) + value
        lines.append(_ingest_line(source, seconds, {h: r["peak_mb"] for h, r in runs.items()}))
    lines.append(_ingest_line("**all five**", totals, {}))
    return lines


def _ingest_line(name: str, seconds: dict[str, float], peaks: dict[str, float]) -> str:
    engine, floor, pandas = (seconds.get(k) for k in ("engine", "floor", "pandas"))
    return (
        f"| {name} | {_s(engine)} | {_s(floor)} | {_s(pandas)} | {_x(_ratio(engine, floor))} "
        f"| {_x(_ratio(pandas, engine))} | {_mb(peaks.get('engine'))} | {_mb(peaks.get('floor'))} "
        f"| {_mb(peaks.get('pandas'))} |"
    )


def _kpi_rows(size: dict[str, Any]) -> list[str]:
    runs = size["kpis"]
    engine, floor, pandas = runs["engine"], runs["floor"], runs.get("pandas", {})
    lines = []
    measured = [
        ("six KPIs, weekly, full year", "weekly_seconds"),
        ("one before/after (six KPIs, two windows)", "compare_seconds"),
    ]
    for label, key in measured:
        e, f, p = engine[key], floor[key], pandas.get(key)
        lines.append(
            f"| {label} | {_s(e)} | {_s(f)} | {_s(p)} | {_x(_ratio(e, f))} | {_x(_ratio(p, e))} |"
        )
    lines.append(
        f"| before/after with intervals, p-values, trend | {_s(engine['compare_stats_seconds'])} "
        "| – | – | – | – |"
    )
    peaks = f"{_mb(engine['peak_mb'])} / {_mb(floor['peak_mb'])} / {_mb(pandas.get('peak_mb'))}"
    lines.append(f"| peak memory (engine / floor / pandas) | {peaks} | | | | |")
    if "load_seconds" in pandas:
        lines.append(f"| pandas only: reading the five tables into DataFrames | – | – "
                     f"| {_s(pandas['load_seconds'])} | – | – |")  # fmt: skip
    return lines


def _targets(
    largest: dict[str, Any], big: dict[str, Any], dashboard: dict[str, Any] | None
) -> list[tuple[str, str, bool | None]]:
    """Each target, what was measured at the largest size, and whether it is met."""
    total = {how: sum(r[how]["seconds"] for r in largest["ingest"].values() if how in r)
             for how in ("engine", "floor", "pandas")}  # fmt: skip
    has_pandas = all("pandas" in r for r in largest["ingest"].values())
    kpis = largest["kpis"]
    ingest_ratio = total["engine"] / total["floor"]
    weekly = kpis["engine"]["weekly_seconds"] / kpis["floor"]["weekly_seconds"]
    compare = kpis["engine"]["compare_seconds"] / kpis["floor"]["compare_seconds"]
    rows: list[tuple[str, str, bool | None]] = [
        ("ingest within 1.5x of the floor", _x(ingest_ratio), ingest_ratio <= 1.5),
        ("weekly KPIs within 1.3x of the floor", _x(weekly), weekly <= 1.3),
        ("before/after within 1.3x of the floor", _x(compare), compare <= 1.3),
    ]
    # Each "faster than pandas" also gives DuckDB's own floor against pandas: no engine
    # built on DuckDB can beat pandas by more than the floor does.
    if has_pandas:
        faster = total["pandas"] / total["engine"]
        floor = total["pandas"] / total["floor"]
        rows.append(("ingest 10x faster than pandas",
                     f"{_x(faster)} (the floor: {_x(floor)})", faster >= 10))  # fmt: skip
    if "pandas" in kpis:
        for label, key in (("weekly", "weekly_seconds"), ("before/after", "compare_seconds")):
            faster = kpis["pandas"][key] / kpis["engine"][key]
            floor = kpis["pandas"][key] / kpis["floor"][key]
            rows.append((f"{label} KPIs 10x faster than pandas",
                         f"{_x(faster)} (the floor: {_x(floor)})", faster >= 10))  # fmt: skip
    rows.append(
        (f"peak memory ingesting a {big['file_mb']:,.0f} MB CSV under 1 GB",
         _mb(big["peak_mb"]), big["peak_mb"] < 1024)
    )  # fmt: skip
    if dashboard:
        ours, floor = dashboard["engine"], dashboard["floor"]
        for view, limit in (("warm", 1), ("cold", 3)):
            rows.append((f"weekly page {view} under {limit} s",
                         f"{_s(ours[view])} (an empty page: {_s(floor[view])})",
                         ours[view] < limit))  # fmt: skip
    else:
        rows.append(("weekly page cold and warm", "not measured (no Chromium)", None))
    return rows


def _growth(sizes: list[dict[str, Any]]) -> list[str]:
    """Seconds per million rows at each size: flat means linear."""
    lines = []
    for size in sizes:
        million = size["rows"] / 1e6
        ingest = sum(r["engine"]["seconds"] for r in size["ingest"].values()) / million
        floor = sum(r["floor"]["seconds"] for r in size["ingest"].values()) / million
        weekly = size["kpis"]["engine"]["weekly_seconds"] / million
        compare = size["kpis"]["engine"]["compare_seconds"] / million
        lines.append(
            f"| {size['rows']:,} | {ingest:.2f} s | {floor:.2f} s | {weekly * 1000:.1f} ms "
            f"| {compare * 1000:.1f} ms |"
        )
    return lines


def markdown(
    machine: dict[str, str],
    sizes: list[dict[str, Any]],
    big: dict[str, Any],
    dashboard: dict[str, Any] | None,
    took: float,
    repeat: int,
) -> str:
    """The whole results.md."""
    out = [
        "# Benchmark results",
        "",
        f"Generated by `{COMMAND}` on {dt.date.today().isoformat()} in {took / 60:.0f} minutes.",
        f"Every run is a fresh process. Engine and floor figures are the median of {repeat} "
        "runs (this shared machine sometimes makes one run take up to three times as long); "
        "pandas runs once. Compare ratios within one run, not seconds between runs.",
        "",
        "**Machine.** " + "; ".join(f"{k}: {v}" for k, v in machine.items()) + ".",
        "",
        "## Targets (at the largest size)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for label, measured, met in _targets(sizes[-1], big, dashboard):
        out.append(f"| {label} | {measured} | {'–' if met is None else 'yes' if met else 'no'} |")
    for size in sizes:
        out += [
            "",
            f"## {size['rows']:,} rows per source",
            "",
            "Ingest: `kpis ingest FILE` (typed, validated, de-duplicated, recorded) against the "
            "floor `CREATE TABLE t AS FROM read_csv('FILE')` and pandas `read_csv` then into "
            "DuckDB. Peak memory is each process's VmHWM.",
            "",
            "| source | engine | floor | pandas | engine / floor | pandas / engine "
            "| peak engine | peak floor | peak pandas |",
            "|---|---|---|---|---|---|---|---|---|",
            *_ingest_rows(size),
            "",
            "KPIs on the engine's database: `kpis.compute` and `kpis.compare` against one "
            "hand-written DuckDB query per KPI, and the same computations in pandas on "
            "DataFrames already in memory.",
            "",
            "| computation | engine | floor | pandas | engine / floor | pandas / engine |",
            "|---|---|---|---|---|---|",
            *_kpi_rows(size),
        ]
        if size["update"]:
            update = size["update"]
            out += ["", f"A weekly re-upload into the loaded tables ({size['rows'] // 10:,} "
                    f"tickets again, the update path): {_s(update['seconds'])}, peak "
                    f"{_mb(update['peak_mb'])}."]  # fmt: skip
    out += [
        "",
        "## How cost grows",
        "",
        "Seconds per million rows (ingest: all five sources; KPIs: the engine). A flat column "
        "means time grows linearly with rows.",
        "",
        "| rows per source | ingest / M rows | floor ingest / M rows | weekly KPIs / M rows "
        "| before/after / M rows |",
        "|---|---|---|---|---|",
        *_growth(sizes),
        "",
        "## Memory on a big file",
        "",
        f"`kpis ingest` of a {big['file_mb']:,.0f} MB tickets CSV: {_s(big['seconds'])}, "
        f"peak memory {_mb(big['peak_mb'])}.",
    ]
    if dashboard:
        out += [
            "",
            "## The dashboard",
            "",
            f"Weekly page in Chromium with {dashboard['rows']:,} rows per source loaded, against "
            "the floor: benchmarks/baseline_app.py, the same six cards with sparklines and six "
            "plotly charts with no data work at all. Cold: the first view after `streamlit run`, "
            f"in a fresh browser profile (median of {dashboard.get('views_cold', 1)} server "
            "starts). Warm: back to the page through the sidebar in the open app (median of "
            f"{dashboard['views']}). New tab: a second reader opening the link (median of "
            f"{dashboard['views']}).",
            "",
            "| view | weekly page | floor (empty page) | page / floor |",
            "|---|---|---|---|",
        ]
        for view in ("cold", "warm", "new_tab"):
            ours, floor = dashboard["engine"][view], dashboard["floor"][view]
            name = view.replace("_", " ")
            out.append(f"| {name} | {_s(ours)} | {_s(floor)} | {_x(_ratio(ours, floor))} |")
    if FINDINGS.exists():
        out += ["", FINDINGS.read_text().strip()]
    return "\n".join(out) + "\n"


def write(path: Path, text: str) -> None:
    path.write_text(text)
