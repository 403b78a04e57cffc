"""Does the difference-in-differences of a scoped event mean what it says? A simulation.

For each seed, orders of three warehouses are simulated over 16 weeks before and 16 after an
event scoped to Lyon, loaded through the real upload path into a fresh DuckDB file, and
compared with `kpis.compare(scope=("warehouse", "Lyon"))`. Two scenarios:

- *common shock + Lyon effect*: at the event every warehouse improves (a company-wide
  change) and Lyon improves by a further planted amount;
- *common shock only*: every warehouse improves alike; Lyon's own effect is zero.

Weekly values also carry a shock shared by all warehouses each week and a drift of each
warehouse's own (AR(1), rho 0.3), so neither weeks nor warehouses are independent draws.
Reported per KPI: the coverage of `did_effect`'s 95 % interval (target 93-97 %), the false
positives of `did_p_value` < 0.05 without a Lyon effect (target 3-7 %), the power, how often
the placebo flags `parallel_trends_doubtful`, and how far the plain before/after of Lyon is
off its own effect under the common shock (its mean error, and how often its interval
covers Lyon's effect).

    .venv/bin/python -m validation.did --seeds 300

It runs in one process by default (the machine may be shared; --processes N runs seeds side
by side, with the same results) and writes its table into validation/results.md, between the
markers of its section.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import platform
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from kpis import DateRange, Store, compare, ingest_file, load_definitions

ROOT = Path(__file__).resolve().parents[1]
PARIS = ZoneInfo("Europe/Paris")
START = dt.date(2026, 1, 5)
WEEKS = 16
EVENT = START + dt.timedelta(weeks=WEEKS)
END = EVENT + dt.timedelta(weeks=WEEKS, days=-1)
BEFORE, AFTER = DateRange(START, EVENT - dt.timedelta(days=1)), DateRange(EVENT, END)
UNITS = {"Lyon": 0, "Lille": 1, "Marseille": 2}
ORDERS_PER_DAY = 25
# Per KPI: base level per warehouse, common shock at the event, Lyon's own effect, the sd
# of the weekly shock shared by all and of each warehouse's own AR(1) drift.
PLAN = {
    "service_rate": ((0.85, 0.90, 0.88), 0.04, 0.03, 0.010, 0.008),
    "incident_rate": ((0.05, 0.03, 0.035), -0.01, -0.015, 0.004, 0.003),
    "order_processing_time": ((30.0, 26.0, 28.0), -6.0, -3.0, 1.0, 0.8),
}
RHO = 0.3
MARKER = "<!-- did-validation -->"


def _on_the_clock(moment: dt.datetime) -> dt.datetime:
    real = moment.replace(tzinfo=PARIS).astimezone(dt.UTC).astimezone(PARIS)
    return real.replace(tzinfo=None)


def levels(rng: np.random.Generator, kpi: str, lyon_effect: bool) -> np.ndarray:
    """The planted level of `kpi` per warehouse (rows) and week (columns)."""
    base, shock, effect, common_sd, own_sd = PLAN[kpi]
    weeks = 2 * WEEKS
    after = np.arange(weeks) >= WEEKS
    common = rng.normal(0, common_sd, weeks)
    found = np.empty((len(UNITS), weeks))
    for unit, level in enumerate(base):
        drift = np.zeros(weeks)
        noise = rng.normal(0, own_sd, weeks)
        for week in range(weeks):
            drift[week] = (RHO * drift[week - 1] if week else 0.0) + noise[week]
        own = effect * after if (unit == 0 and lyon_effect) else 0.0
        found[unit] = level + common + drift + shock * after + own
    return found


def exports(seed: int, lyon_effect: bool, folder: Path) -> Path:
    """One orders export: each order's promise, delivery and shipping dated to plant each KPI."""
    rng = np.random.default_rng(seed)
    otif = np.clip(levels(rng, "service_rate", lyon_effect), 0.01, 0.99)
    incident = np.clip(levels(rng, "incident_rate", lyon_effect), 0.0, 0.99)
    hours = levels(rng, "order_processing_time", lyon_effect)
    rows = []
    for offset in range((END - START).days + 1):
        day = START + dt.timedelta(days=offset)
        week = offset // 7
        for name, unit in UNITS.items():
            for i in range(rng.poisson(ORDERS_PER_DAY)):
                # Shipped on `day`, promised on `day`, delivered on `day` (on time) or two
                # days late: each KPI's dating column falls in the planted week.
                shipped = dt.datetime.combine(day, dt.time(10)) + dt.timedelta(
                    seconds=int(rng.integers(0, 6 * 3600))
                )
                took = max(0.5, float(rng.normal(hours[unit, week], 8.0)))
                ordered = _on_the_clock(shipped - dt.timedelta(seconds=round(took * 3600)))
                late = rng.random() >= otif[unit, week]
                delivered = day + dt.timedelta(days=2) if late else day
                # Incidents are dated by delivery: planted in the week of delivery.
                deliver_week = min(2 * WEEKS - 1, (delivered - START).days // 7)
                flag = rng.random() < incident[unit, deliver_week]
                rows.append([f"O{offset}-{unit}-{i}", ordered.isoformat(" "), day,
                             f"{delivered} 18:00:00", 2, 2, name, shipped.isoformat(" "),
                             str(flag).lower()])  # fmt: skip
    path = folder / "orders.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "ordered_at", "promised_date", "delivered_at", "qty_ordered",
                         "qty_delivered", "warehouse", "shipped_at", "incident"])  # fmt: skip
        writer.writerows(rows)
    return path


def run(seed: int, lyon_effect: bool) -> list[dict[str, object]]:
    """One seed of one scenario: simulate, load, compare around the scoped event."""
    with tempfile.TemporaryDirectory() as folder:
        path = exports(seed, lyon_effect, Path(folder))
        with Store(Path(folder) / "ops.duckdb", load_definitions(ROOT / "kpis.yaml")) as store:
            ingest_file(store, path, through=END + dt.timedelta(days=2))
            table = compare(store, BEFORE, AFTER, list(PLAN), scope=("warehouse", "Lyon"),
                            holding=False)  # fmt: skip
    return [{"kpi": r["kpi"], "effect": lyon_effect, **{k: r[k] for k in (
        "did_effect", "did_ci_low", "did_ci_high", "did_p_value", "delta", "ci_low", "ci_high",
        "parallel_trends_doubtful")}} for r in table.to_dict("records")]  # fmt: skip


def table(rows: list[dict[str, object]]) -> list[str]:
    """The results, one line per KPI, in Markdown."""
    lines = [
        "| KPI | common shock | Lyon effect | DiD coverage | DiD false positives | DiD power | "
        "placebo flags | plain before/after of Lyon: mean error | its coverage of Lyon's "
        "effect |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kpi, (_, shock, effect, _, _) in PLAN.items():
        mine = [r for r in rows if r["kpi"] == kpi]
        planted = [r for r in mine if r["effect"]]
        null = [r for r in mine if not r["effect"]]

        def share(found: list[bool]) -> str:
            return f"{np.mean(found):.1%}"

        covered = [r["did_ci_low"] <= effect <= r["did_ci_high"] for r in planted]  # type: ignore[operator]
        covered += [r["did_ci_low"] <= 0 <= r["did_ci_high"] for r in null]  # type: ignore[operator]
        error = np.mean([float(r["delta"]) - effect for r in planted])  # type: ignore[arg-type]
        plain = [r["ci_low"] <= effect <= r["ci_high"] for r in planted]  # type: ignore[operator]
        lines.append(
            f"| {kpi} | {shock:+g} | {effect:+g} | {share(covered)} | "
            f"{share([r['did_p_value'] < 0.05 for r in null])} | "  # type: ignore[operator]
            f"{share([r['did_p_value'] < 0.05 for r in planted])} | "  # type: ignore[operator]
            f"{share([r['parallel_trends_doubtful'] is True for r in mine])} | "
            f"{error:+.4g} | {share(plain)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "validation" / "results.md")
    parser.add_argument(
        "--processes", type=int, default=1, help="seeds run side by side (default 1: the "
        "machine may be shared); the results do not depend on it"
    )  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    jobs = [(s, effect) for effect in (True, False) for s in range(args.seeds)]
    if args.processes > 1:
        with multiprocessing.Pool(args.processes) as pool:
            found = pool.starmap(run, jobs, chunksize=4)
    else:
        found = [run(*job) for job in jobs]
    rows = [row for rows_of_seed in found for row in rows_of_seed]
    processes = "one process" if args.processes == 1 else f"{args.processes} processes"
    minutes = (time.perf_counter() - started) / 60
    lines = [
        MARKER,
        "## Difference-in-differences of a scoped event: validation by simulation",
        "",
        f"`.venv/bin/python -m validation.did --seeds {args.seeds} --processes "
        f"{args.processes}` on {platform.machine()}, "
        f"Python {platform.python_version()}, {processes}, {minutes:.1f} minutes.",
        "",
        f"Each seed simulates the orders of three warehouses over {WEEKS} weeks before and "
        f"{WEEKS} after an event scoped to Lyon ({START} to {END}), with a shock shared by "
        f"all warehouses each week and each warehouse's own AR(1) drift (rho {RHO}), through "
        "the real upload path. At the event every warehouse moves by the common shock; with "
        "*Lyon effect*, Lyon moves by the planted effect on top. DiD coverage: share of "
        "`did_effect` 95 % intervals containing Lyon's own effect (the planted one, or 0 "
        "without it; target 93-97 %). False positives: share of `did_p_value` < 0.05 "
        "without a Lyon effect (target 3-7 %). Power: the same with it. Placebo flags: "
        "share of `parallel_trends_doubtful` (the trends are parallel here: about 5 % "
        "expected). Plain before/after: Lyon's own `delta` minus its effect (the common "
        "shock it wrongly credits to the event), and how often its interval covers the effect.",
        "",
        *table(rows),
        "",
        f"{args.seeds} seeds per scenario, {2 * args.seeds} comparisons per KPI.",
        MARKER,
    ]
    text = args.out.read_text() if args.out.exists() else ""
    if MARKER in text:
        head, _, rest = text.partition(MARKER)
        text = head + rest.partition(MARKER)[2].lstrip("\n")
    args.out.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
