"""What a mapping profile costs an upload: `python -m benchmarks.profiles [ROWS]`.

The same orders are loaded three ways in one run, each in a fresh process and a fresh
database: as a plain export (the baseline), through a profile with expressions and a values
map (typed in one pass, like the baseline), and as a Shopify-shaped export of two line rows
per order rolled up and filtered by a profile (the file's lines are kept first, then
grouped). Ratios to the baseline are the result; it prints a Markdown table.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import generate

ROOT = Path(__file__).resolve().parent.parent
PROFILES = """
mappings:
  renamed:
    source: orders
    columns: {order_id: order_id, ordered_at: ordered_at, delivered_at: delivered_at}
    fields:
      promised_date: {expression: ordered_at + INTERVAL 3 DAY}
      qty_ordered: {column: qty_ordered}
      qty_delivered: {column: qty_delivered, empty: 0}
      warehouse: {column: warehouse, values: {Lille: Lille-Nord}}
  shopify:
    source: orders
    columns: {Name: order_id, Shipping City: warehouse, Lineitem quantity: qty_ordered}
    fields:
      ordered_at: {column: Created at}
      promised_date: {column: Promised}
      delivered_at: {column: Fulfilled at}
      qty_delivered:
        expression: CASE WHEN "Fulfilled at" IS NOT NULL THEN "Lineitem quantity" END
    roll_up: {by: Name, sum: [Lineitem quantity]}
    where: '"Cancelled at" IS NULL'
"""


def _shopify(orders: Path, target: Path) -> None:
    """The orders as Shopify writes them: two line rows each, order columns on the first."""
    first = "CASE WHEN line = 1 THEN {} END"
    duckdb.sql(
        f"""COPY (SELECT order_id AS "Name",
            {first.format("strftime(ordered_at, '%Y-%m-%d %H:%M:%S') || ' +0100'")}
                AS "Created at",
            {first.format("strftime(promised_date, '%Y-%m-%d')")} AS "Promised",
            {first.format("strftime(delivered_at, '%Y-%m-%d %H:%M:%S') || ' +0100'")}
                AS "Fulfilled at",
            CASE WHEN line = 1 THEN qty_ordered - qty_ordered // 2 ELSE qty_ordered // 2 END
                AS "Lineitem quantity",
            {first.format("warehouse")} AS "Shipping City",
            CASE WHEN line = 1 AND hash(order_id) % 50 = 0 THEN '2025-12-01 10:00:00 +0100' END
                AS "Cancelled at"
        FROM read_csv('{orders}'), (SELECT unnest([1, 2]) AS line) ORDER BY order_id, line
        ) TO '{target}' (HEADER)"""
    )


def _ingest(config: Path, folder: Path, path: Path, mapping: str | None) -> float:
    db = folder / f"run_{time.monotonic_ns()}.duckdb"
    command = [sys.executable, "-m", "kpis.cli", "--config", str(config), "--db", str(db)]
    command += ["ingest", *(["--mapping", mapping] if mapping else []), str(path)]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    for leftover in folder.glob(f"{db.name}*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        orders = generate.write(folder, rows, ("orders",))["orders"]
        shopify = folder / "shopify.csv"
        _shopify(orders, shopify)
        config = folder / "kpis.yaml"
        config.write_text((ROOT / "kpis.yaml").read_text(encoding="utf-8") + PROFILES)
        runs: dict[str, list[float]] = {"plain": [], "renamed": [], "shopify": []}
        for _round in range(3):  # interleaved, so a busy moment hits every kind alike
            runs["plain"].append(_ingest(config, folder, orders, None))
            runs["renamed"].append(_ingest(config, folder, orders, "renamed"))
            runs["shopify"].append(_ingest(config, folder, shopify, "shopify"))
    base = statistics.median(runs["plain"])
    print(f"| upload of {rows:,} orders (median of 3) | wall time | / plain |")
    print("|---|---|---|")
    labels = {
        "plain": "plain export, no profile (baseline)",
        "renamed": "profile: an expression, a values map, empty means",
        "shopify": f"Shopify-shaped, {2 * rows:,} line rows rolled up and filtered",
    }
    for kind, times in runs.items():
        median = statistics.median(times)
        print(f"| {labels[kind]} | {median:.2f} s | {median / base:.2f}x |")


if __name__ == "__main__":
    main()
