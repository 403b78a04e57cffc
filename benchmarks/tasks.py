"""The measured operations, each run in a fresh process by benchmarks/run.py.

`python -m benchmarks.tasks TASK ARG...` runs one and prints one JSON line: seconds taken
(wall clock, including closing the database: its checkpoint is part of the work) and the
process's peak memory (VmHWM, which counts DuckDB's threads and starts afresh at exec).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

TIME_COLUMNS = {
    "leads": ["created_at"],
    "tickets": ["created_at", "resolved_at"],
    "orders": ["ordered_at", "promised_date", "delivered_at"],
    "shipments": ["shipped_at"],
    "inventory": ["snapshot_date"],
}
EVENT = "2026-05-18"  # the demo's event, mid-way through the generated year
BEFORE = ("2025-11-17", "2026-05-17")
AFTER = ("2026-05-18", "2026-11-15")


def peak_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def ingest_engine(path: str, db: str) -> dict[str, object]:
    from kpis.cli import main

    code = main(["--db", db, "ingest", path])
    return {"ok": code == 0}


def ingest_floor(path: str, db: str) -> dict[str, object]:
    con = duckdb.connect(db)
    con.execute(f"CREATE TABLE t AS FROM read_csv('{path}')")
    con.close()
    return {}


def ingest_pandas(path: str, db: str) -> dict[str, object]:
    source = Path(path).name.split("_")[0]
    frame = pd.read_csv(path, parse_dates=TIME_COLUMNS[source])
    con = duckdb.connect(db)
    con.register("frame", frame)
    con.execute("CREATE TABLE t AS SELECT * FROM frame")
    con.close()
    return {}


def kpis_engine(db: str) -> dict[str, object]:
    from kpis import Store, compare, compute, load_definitions, windows_around_event

    timings: dict[str, object] = {}
    # The six KPIs the hand-written queries and pandas compute too (the benchmark's exports
    # have no operations columns or marketing spend).
    six = list(WEEKLY_SQL)
    with Store(db, load_definitions("kpis.yaml")) as store:
        started = time.perf_counter()
        weekly = compute(store, six, grain="week")
        timings["weekly_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        windows = windows_around_event(store, "ops-playbook", kpis=six)
        compare(store, windows.before, windows.after, six, statistics=False)
        timings["compare_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        compare(store, windows.before, windows.after, six)
        timings["compare_stats_seconds"] = time.perf_counter() - started
        timings["rows"] = len(weekly)
    return timings


WEEKLY_SQL = {
    "conversion_rate": "SELECT date_trunc('week', created_at)::DATE w, count_if(converted) / count(*) FROM leads {where} GROUP BY ALL",  # noqa: E501
    "csat": "SELECT date_trunc('week', resolved_at)::DATE w, count_if(csat_score >= 4) / nullif(count(csat_score), 0) FROM tickets WHERE resolved_at IS NOT NULL {and_where} GROUP BY ALL",  # noqa: E501
    "resolution_time": "SELECT date_trunc('week', resolved_at)::DATE w, median(epoch(resolved_at - created_at)) / 3600 FROM tickets WHERE resolved_at IS NOT NULL {and_where} GROUP BY ALL",  # noqa: E501
    "service_rate": "SELECT date_trunc('week', promised_date)::DATE w, count_if(delivered_at::DATE <= promised_date AND qty_delivered >= qty_ordered) / count(*) FROM orders {where} GROUP BY ALL",  # noqa: E501
    "stock_rotation": """WITH c AS (SELECT date_trunc('week', shipped_at)::DATE w, sum(cogs) v FROM shipments {where} GROUP BY ALL),
        s AS (SELECT snapshot_date d, sum(qty_on_hand * unit_cost) v FROM inventory {where_snap} GROUP BY ALL),
        i AS (SELECT date_trunc('week', d)::DATE w, avg(v) v FROM s GROUP BY ALL)
        SELECT i.w, coalesce(c.v, 0) / i.v * 365 / 7 FROM i LEFT JOIN c USING (w)""",  # noqa: E501
    "cost_per_unit_shipped": "SELECT date_trunc('week', shipped_at)::DATE w, sum(shipping_cost) / sum(units) FROM shipments {where} GROUP BY ALL",  # noqa: E501
}
TIME_OF = {"conversion_rate": "created_at", "csat": "resolved_at", "resolution_time": "resolved_at",
           "service_rate": "promised_date", "stock_rotation": "shipped_at",
           "cost_per_unit_shipped": "shipped_at"}  # fmt: skip


def _floor_sql(kpi: str, window: tuple[str, str] | None) -> str:
    sql = WEEKLY_SQL[kpi]
    if window is None:
        return sql.format(where="", and_where="", where_snap="")
    day = f"CAST({TIME_OF[kpi]} AS DATE)"
    between = f"{day} BETWEEN DATE '{window[0]}' AND DATE '{window[1]}'"
    snap = f"WHERE snapshot_date BETWEEN DATE '{window[0]}' AND DATE '{window[1]}'"
    # One value for the whole window: the same query without the weekly grouping.
    sql = sql.replace("date_trunc('week', created_at)::DATE", f"DATE '{window[0]}'")
    sql = sql.replace("date_trunc('week', resolved_at)::DATE", f"DATE '{window[0]}'")
    sql = sql.replace("date_trunc('week', promised_date)::DATE", f"DATE '{window[0]}'")
    sql = sql.replace("date_trunc('week', shipped_at)::DATE", f"DATE '{window[0]}'")
    sql = sql.replace("date_trunc('week', d)::DATE", f"DATE '{window[0]}'")
    sql = sql.replace("* 365 / 7", f"* 365 / (DATE '{window[1]}' - DATE '{window[0]}' + 1)")
    return sql.format(where=f"WHERE {between}", and_where=f"AND {between}", where_snap=snap)


def kpis_floor(db: str) -> dict[str, object]:
    con = duckdb.connect(db, read_only=True)
    started = time.perf_counter()
    for kpi in WEEKLY_SQL:
        con.execute(_floor_sql(kpi, None)).fetchall()
    weekly = time.perf_counter() - started
    started = time.perf_counter()
    for kpi in WEEKLY_SQL:
        for window in (BEFORE, AFTER):
            con.execute(_floor_sql(kpi, window)).fetchall()
    compare = time.perf_counter() - started
    con.close()
    return {"weekly_seconds": weekly, "compare_seconds": compare}


def _pandas_kpis(t: dict[str, pd.DataFrame], window: tuple[str, str] | None) -> list[object]:
    """The six KPIs in pandas: weekly, or over one window."""

    def cut(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        if window is None:
            return frame
        days = frame[column].dt.normalize()
        return frame[(days >= window[0]) & (days <= window[1])]

    def key(frame: pd.DataFrame, column: str) -> object:
        if window is None:
            return frame[column].dt.to_period("W-SUN")
        return np.zeros(len(frame), dtype=int)  # the whole window as one group

    out: list[object] = []
    leads = cut(t["leads"], "created_at")
    out.append(leads.groupby(key(leads, "created_at"))["converted"].mean())
    tickets = cut(t["tickets"].dropna(subset=["resolved_at"]), "resolved_at")
    rated = tickets.dropna(subset=["csat_score"])
    out.append((rated["csat_score"] >= 4).groupby(key(rated, "resolved_at")).mean())
    hours = (tickets["resolved_at"] - tickets["created_at"]).dt.total_seconds() / 3600
    out.append(hours.groupby(key(tickets, "resolved_at")).median())
    orders = cut(t["orders"], "promised_date")
    ok = (orders["delivered_at"].dt.normalize() <= orders["promised_date"]) & (
        orders["qty_delivered"] >= orders["qty_ordered"]
    )
    out.append(ok.groupby(key(orders, "promised_date")).mean())
    ships = cut(t["shipments"], "shipped_at")
    grouped = ships.groupby(key(ships, "shipped_at"))
    out.append(grouped["shipping_cost"].sum() / grouped["units"].sum())
    stock = cut(t["inventory"], "snapshot_date")
    daily = (stock["qty_on_hand"] * stock["unit_cost"]).groupby(stock["snapshot_date"]).sum()
    periods = daily.index.to_period("W-SUN") if window is None else np.zeros(len(daily), dtype=int)
    average = daily.groupby(periods).mean()
    out.append(grouped["cogs"].sum() / average * 365 / 7)
    return out


def kpis_pandas(db: str) -> dict[str, object]:
    con = duckdb.connect(db, read_only=True)
    started = time.perf_counter()
    tables = {
        name: con.execute(f"SELECT * EXCLUDE (_batch_id) FROM {name}").df() for name in TIME_COLUMNS
    }
    for name, columns in TIME_COLUMNS.items():
        for column in columns:
            tables[name][column] = pd.to_datetime(tables[name][column])
    load = time.perf_counter() - started
    con.close()
    started = time.perf_counter()
    _pandas_kpis(tables, None)
    weekly = time.perf_counter() - started
    started = time.perf_counter()
    for window in (BEFORE, AFTER):
        _pandas_kpis(tables, window)
    compare = time.perf_counter() - started
    return {"load_seconds": load, "weekly_seconds": weekly, "compare_seconds": compare}


TASKS: dict[str, Callable[..., dict[str, object]]] = {
    "ingest_engine": ingest_engine,
    "ingest_floor": ingest_floor,
    "ingest_pandas": ingest_pandas,
    "kpis_engine": kpis_engine,
    "kpis_floor": kpis_floor,
    "kpis_pandas": kpis_pandas,
}


def main() -> None:
    task, *args = sys.argv[1:]
    started = time.perf_counter()
    result = TASKS[task](*args)
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
