"""Write the demo's truth as the monthly exports an analyst would download.

Each export covers a month plus the last week of the previous one, as tools are often asked
for "the last five weeks": overlapping rows must update, not double count. Tickets and
orders show their state on the export date (a ticket resolved later appears unresolved,
then resolved in the next export). A few messy rows are mixed in, as in real exports:
unreadable dates, a repeated line, a rule broken, yes/no and 1/0 booleans, padded values.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kpis.demo.generate import END, START, Row, Truth

COLUMNS = {
    "leads": ["lead_id", "created_at", "channel", "converted", "campaign"],
    "tickets": [
        "ticket_id",
        "created_at",
        "resolved_at",
        "csat_score",
        "channel",
        "team",
        "priority",
        "requester_email",
        "agent_replies",
    ],
    "orders": [
        "order_id",
        "ordered_at",
        "promised_date",
        "delivered_at",
        "qty_ordered",
        "qty_delivered",
        "warehouse",
        "shipped_at",
        "incident",
    ],
    "shipments": [
        "shipment_id",
        "shipped_at",
        "units",
        "shipping_cost",
        "cogs",
        "warehouse",
        "carrier",
    ],
    "inventory": ["snapshot_date", "sku", "warehouse", "qty_on_hand", "unit_cost"],
    "marketing_spend": ["spend_date", "channel", "spend"],
}
BOOLEANS = {3: ("yes", "no"), 7: ("1", "0")}  # export index -> how that month's tool wrote it


def months() -> list[tuple[int, dt.date, dt.date]]:
    """(index, first day, last day) of each monthly export window, overlap included."""
    found = []
    first = START.replace(day=1)
    index = 0
    while first <= END:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        window_start = max(START, first - dt.timedelta(days=7))
        found.append((index, window_start, min(END, following - dt.timedelta(days=1))))
        first, index = following, index + 1
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _in(day: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= day <= end


def _as_of(row: Row, moment: dt.datetime, field: str, clears: Iterable[str]) -> Row:
    """The row as known at `moment`: a later `field` event (and what it brings) is unknown."""
    if row[field] is None or row[field] < moment:
        return row
    return {**row, field: None, **{name: None for name in clears}}


def _export(truth: Truth, source: str, index: int, start: dt.date, end: dt.date) -> list[Row]:
    moment = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    if source == "leads":
        return [r for r in truth.leads if _in(r["created_at"].date(), start, end)]
    if source == "tickets":
        return [
            _as_of(r, moment, "resolved_at", ["csat_score", "agent_replies"])
            for r in truth.tickets
            if _in(r["created_at"].date(), start, end)
            or (r["resolved_at"] < moment and _in(r["resolved_at"].date(), start, end))
        ]
    if source == "orders":
        return [
            _as_of(
                _as_of(r, moment, "delivered_at", ["qty_delivered", "incident"]),
                moment,
                "shipped_at",
                [],
            )
            for r in truth.orders
            if r["promised_date"] >= START  # orders due before the demo year are not in it
            and (
                _in(r["ordered_at"].date(), start, end)
                or _in(r["promised_date"], start, end)
                or (r["delivered_at"] < moment and _in(r["delivered_at"].date(), start, end))
            )
        ]
    if source == "shipments":
        return [r for r in truth.shipments if _in(r["shipped_at"].date(), start, end)]
    if source == "marketing_spend":
        return [r for r in truth.marketing_spend if _in(r["spend_date"], start, end)]
    snap_start = start if index == 0 else start + dt.timedelta(days=6)  # a one-day overlap
    return [r for r in truth.inventory if _in(r["snapshot_date"], snap_start, end)]


def _messy(source: str, index: int, rows: list[Row]) -> list[Row]:
    """Rows that a real export would carry; the extra ones are rejected on upload."""
    extra: dict[tuple[str, int], Callable[[], list[Row]]] = {
        ("leads", 1): lambda: [{**rows[5], "lead_id": "L900001", "created_at": "N/A"}, rows[10]],
        ("leads", 6): lambda: [{**rows[7], "lead_id": "L900002", "created_at": "31/02/2026"}],
        ("tickets", 2): lambda: [
            {
                **rows[3],
                "ticket_id": "T900001",
                "resolved_at": rows[3]["created_at"] - dt.timedelta(hours=2),
            }
        ],
        ("orders", 4): lambda: [{**rows[2], "order_id": "O900001", "qty_ordered": 0}],
        ("shipments", 5): lambda: [{**rows[4], "shipment_id": "S900001", "shipping_cost": "n/a"}],
        ("inventory", 8): lambda: [{**rows[1], "sku": "SKU-999", "qty_on_hand": -5}],
    }
    if (source, index) in extra:
        rows = rows + extra[(source, index)]()
    if source == "leads" and index == 2:
        rows = [
            {**r, "channel": f" {r['channel']} "} if i % 50 == 0 else r for i, r in enumerate(rows)
        ]
    return rows


def write_exports(truth: Truth, folder: Path) -> list[Path]:
    """Write every monthly export of every source into `folder`; returns the paths in the
    order an analyst would load them (month by month, then the year's marketing spend)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    # The ad platforms give the marketing spend as one export of the year, loaded last.
    monthly = [(index, start, end, source) for index, start, end in months()
               for source in COLUMNS if source != "marketing_spend"]  # fmt: skip
    return [_write(folder, truth, *job) for job in [*monthly, (0, START, END, "marketing_spend")]]


def _write(
    folder: Path, truth: Truth, index: int, start: dt.date, end: dt.date, source: str
) -> Path:
    """One export file: the rows of `source` as known at the end of its window."""
    columns = COLUMNS[source]
    rows = _messy(source, index, _export(truth, source, index, start, end))
    path = folder / f"{source}_{end:%Y-%m}.csv"
    yes, no = BOOLEANS.get(index, ("true", "false"))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            values = [_text(row.get(c)) for c in columns]
            if source == "leads":
                values[3] = yes if row["converted"] else no
            writer.writerow(values)
    return path
