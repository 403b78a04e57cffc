"""Do the before/after intervals and p-values mean what they say? A simulation.

For each seed, exports with a known, planted change are generated (twelve weeks before an
event and twelve after), loaded through the real upload path into a fresh DuckDB file, and
compared with `kpis.compare`. Over many seeds, a 95 % interval should contain the planted
change about 95 % of the time (target 93-97 %), and on exports without a change a p-value
below 0.05 should come up about 5 % of the time (target 7 % at most).

    .venv/bin/python -m validation.before_after --seeds 500 --out validation/results.md

The true change of each KPI follows from the simulation's parameters (see EFFECT and NULL).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import platform
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from kpis import DateRange, Store, compare, ingest_file, load_definitions

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2026, 1, 5)
PARIS = ZoneInfo("Europe/Paris")  # the shipped calendar
EVENT = START + dt.timedelta(weeks=12)
END = EVENT + dt.timedelta(weeks=12, days=-1)
BEFORE, AFTER = DateRange(START, EVENT - dt.timedelta(days=1)), DateRange(EVENT, END)
# (before, after) of each planted parameter.
EFFECT = {"conversion": (0.020, 0.025), "csat": (0.75, 0.80), "otif": (0.85, 0.88),
          "resolution_median": (20.0, 16.0), "unit_cost": (2.00, 1.90), "stock_value": (200_000.0, 160_000.0)}  # fmt: skip  # noqa: E501
NULL = {key: (before, before) for key, (before, _) in EFFECT.items()}
SHIPMENTS_PER_DAY, UNITS_MEAN, COGS_PER_UNIT = 80, 5.0, 20.0


def truth(params: dict[str, tuple[float, float]]) -> dict[str, float]:
    """The change each KPI should show, from the simulation's parameters."""
    cogs_per_day = SHIPMENTS_PER_DAY * UNITS_MEAN * COGS_PER_UNIT
    rotation = [365 * cogs_per_day / v for v in params["stock_value"]]
    pairs = {
        "conversion_rate": params["conversion"],
        "csat": params["csat"],
        "service_rate": params["otif"],
        "resolution_time": params["resolution_median"],
        "cost_per_unit_shipped": params["unit_cost"],
        "stock_rotation": (rotation[0], rotation[1]),
    }
    return {kpi: after - before for kpi, (before, after) in pairs.items()}


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _on_the_clock(moment: dt.datetime) -> dt.datetime:
    real = moment.replace(tzinfo=PARIS).astimezone(dt.UTC).astimezone(PARIS)
    return real.replace(tzinfo=None)


def exports(seed: int, params: dict[str, tuple[float, float]], folder: Path) -> list[Path]:
    """One simulated export per source over the 24 weeks."""
    rng = np.random.default_rng(seed)
    leads, tickets, orders, shipments, stock = [], [], [], [], []
    for offset in range((END - START).days + 1):
        day = START + dt.timedelta(days=offset)
        side = int(day >= EVENT)
        for i in range(rng.poisson(150)):
            leads.append(
                [
                    f"L{offset}-{i}",
                    f"{day} 10:00:00",
                    "web",
                    bool(rng.random() < params["conversion"][side]),
                ]
            )
        median = params["resolution_median"][side]
        for i in range(rng.poisson(40)):  # dated by resolution: each side's median is planted
            hours = float(rng.lognormal(math.log(median), 0.8))
            resolved = dt.datetime.combine(day, dt.time(12)) + dt.timedelta(
                seconds=int(rng.integers(0, 36000))
            )
            # A creation in the hour the clocks skip reads as the clock shows it (past it).
            created = _on_the_clock(resolved - dt.timedelta(seconds=round(hours * 3600)))
            rated = rng.random() < 0.6
            score = (5 if rng.random() < params["csat"][side] else 2) if rated else ""
            tickets.append(
                [
                    f"T{offset}-{i}",
                    created.isoformat(" "),
                    resolved.isoformat(" "),
                    score,
                    "chat",
                    "tech",
                ]
            )
        for i in range(rng.poisson(60)):
            ok = rng.random() < params["otif"][side]
            delivered = day - dt.timedelta(days=1) if ok else day + dt.timedelta(days=2)
            orders.append(
                [
                    f"O{offset}-{i}",
                    f"{day - dt.timedelta(days=4)} 09:00:00",
                    day,
                    f"{delivered} 15:00:00",
                    3,
                    3,
                    "Lyon",
                ]
            )
        for i in range(rng.poisson(SHIPMENTS_PER_DAY)):
            units = 1 + int(rng.poisson(UNITS_MEAN - 1))
            cost = units * params["unit_cost"][side] * rng.uniform(0.8, 1.2)
            shipments.append(
                [
                    f"S{offset}-{i}",
                    f"{day} 11:00:00",
                    units,
                    f"{cost:.2f}",
                    f"{units * COGS_PER_UNIT:.2f}",
                    "Lyon",
                    "DHL",
                ]
            )
        value = params["stock_value"][side] * rng.normal(1.0, 0.05)
        for sku in range(10):
            stock.append([day, f"SKU{sku}", "Lyon", 100, f"{value / 1000:.4f}"])
    return [
        _write(folder / "leads.csv", ["lead_id", "created_at", "channel", "converted"], leads),
        _write(
            folder / "tickets.csv",
            ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"],
            tickets,
        ),
        _write(
            folder / "orders.csv",
            [
                "order_id",
                "ordered_at",
                "promised_date",
                "delivered_at",
                "qty_ordered",
                "qty_delivered",
                "warehouse",
            ],
            orders,
        ),
        _write(
            folder / "shipments.csv",
            ["shipment_id", "shipped_at", "units", "shipping_cost", "cogs", "warehouse", "carrier"],
            shipments,
        ),
        _write(
            folder / "inventory.csv",
            ["snapshot_date", "sku", "warehouse", "qty_on_hand", "unit_cost"],
            stock,
        ),
    ]


def run(job: tuple[int, bool]) -> list[dict[str, object]]:
    """One seed: simulate, load, compare; one row per KPI."""
    seed, planted = job
    params = EFFECT if planted else NULL
    expected = truth(params)
    with tempfile.TemporaryDirectory() as folder:
        files = exports(seed, params, Path(folder))
        with Store(Path(folder) / "ops.duckdb", load_definitions(ROOT / "kpis.yaml")) as store:
            for path in files:
                ingest_file(store, path)
            table = compare(store, BEFORE, AFTER)
    return [
        {"kpi": r["kpi"], "planted": planted, "true": expected[r["kpi"]], "low": r["ci_low"],
         "high": r["ci_high"], "p": r["p_value"], "method": r["method"]}
        for r in table.to_dict("records")
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "validation" / "results.md")
    args = parser.parse_args()
    started = time.perf_counter()
    jobs = [(seed, planted) for planted in (True, False) for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        rows = [row for result in pool.map(run, jobs, chunksize=4) for row in result]
    elapsed = time.perf_counter() - started
    lines = [
        "# Before/after statistics: validation by simulation",
        "",
        f"`.venv/bin/python -m validation.before_after --seeds {args.seeds}` on "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"{args.workers} processes, {elapsed / 60:.1f} minutes.",
        "",
        f"Each seed simulates 12 weeks before and 12 after an event ({START} to {END}) through "
        "the real upload path; *with a change* plants the changes below, *without* plants none. "
        "Coverage: share of 95 % intervals containing the planted change (target 93-97 %). "
        "False positives: share of p < 0.05 without a change (target 7 % at most). Power: "
        "share of p < 0.05 with the change.",
        "",
        "| KPI | method | planted change | coverage | false positives | power | median width |",
        "|---|---|---|---|---|---|---|",
    ]
    for kpi in truth(EFFECT):
        mine = [r for r in rows if r["kpi"] == kpi]
        planted = [r for r in mine if r["planted"]]
        null = [r for r in mine if not r["planted"]]
        covered = np.mean([r["low"] <= r["true"] <= r["high"] for r in planted])
        false = np.mean([r["p"] < 0.05 for r in null])
        power = np.mean([r["p"] < 0.05 for r in planted])
        width = np.median([r["high"] - r["low"] for r in planted])
        lines.append(
            f"| {kpi} | {planted[0]['method']} | {planted[0]['true']:+.4g} | {covered:.1%} | "
            f"{false:.1%} | {power:.0%} | {width:.4g} |"
        )
    lines += ["", f"{args.seeds} seeds with the change and {args.seeds} without, per KPI."]
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
