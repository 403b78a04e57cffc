"""The KPIs written again in plain Python, straight from their definitions in the issues.

This is the independent oracle the engine is checked against: it shares no code with
`kpis` (no SQL, no DuckDB), works on Python rows, and uses Decimal for money so sums are
exact. Also here: random exports to feed both. The five operations KPIs, and the columns
they read, are in tests/oracle_ops.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import statistics
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.oracle_ops import EXTRA_HEADERS, KPIS, SPEND_HEADER, add_operations, ops_value

Row = dict[str, Any]

HEADERS = {
    "leads": ["lead_id", "created_at", "channel", "converted"],
    "tickets": ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"],
    "orders": [
        "order_id",
        "ordered_at",
        "promised_date",
        "delivered_at",
        "qty_ordered",
        "qty_delivered",
        "warehouse",
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
    "marketing_spend": SPEND_HEADER,
}


PARIS = ZoneInfo("Europe/Paris")  # the shipped kpis.yaml's calendar


def on_the_clock(moment: dt.datetime) -> dt.datetime:
    """A local time as Paris clocks show it: one in the hour they skip moves past it.

    Uploads reject times that never happened; clean rows must not contain any.
    """
    real = moment.replace(tzinfo=PARIS).astimezone(dt.UTC).astimezone(PARIS)
    return real.replace(tzinfo=None)


def random_exports(seed: int, start: dt.date, days: int) -> dict[str, list[Row]]:
    """Clean random rows for every source over `days` days from `start`."""
    rng = random.Random(seed)

    def moment(offset_days: float = 0) -> dt.datetime:
        base = dt.datetime.combine(start, dt.time()) + dt.timedelta(days=rng.randrange(days))
        return on_the_clock(base + dt.timedelta(seconds=rng.randrange(86400) + offset_days * 86400))

    leads = [
        {
            "lead_id": f"L{i}",
            "created_at": moment(),
            "channel": rng.choice(["web", "partner"]),
            "converted": rng.random() < 0.3,
        }
        for i in range(rng.randrange(50, 250))
    ]
    tickets = []
    for i in range(rng.randrange(50, 250)):
        created = moment()
        hours = dt.timedelta(seconds=rng.randrange(120 * 3600))
        resolved = on_the_clock(created + hours) if rng.random() < 0.85 else None
        rated = resolved is not None and rng.random() < 0.7
        tickets.append(
            {
                "ticket_id": f"T{i}",
                "created_at": created,
                "resolved_at": resolved,
                "csat_score": rng.randint(1, 5) if rated else None,
                "channel": rng.choice(["email", "chat"]),
                "team": rng.choice(["a", "b"]),
            }
        )
    orders = []
    for i in range(rng.randrange(50, 250)):
        ordered = moment()
        promised = ordered.date() + dt.timedelta(days=rng.randint(1, 5))
        late = dt.timedelta(seconds=rng.randrange(3600, 200 * 3600))
        delivered = on_the_clock(ordered + late) if rng.random() < 0.9 else None
        qty = rng.randint(1, 9)
        orders.append(
            {
                "order_id": f"O{i}",
                "ordered_at": ordered,
                "promised_date": promised,
                "delivered_at": delivered,
                "qty_ordered": qty,
                "qty_delivered": (qty - rng.choice([0, 0, 0, 1])) if delivered else None,
                "warehouse": rng.choice(["Lyon", "Lille"]),
            }
        )
    shipments = [
        {
            "shipment_id": f"S{i}",
            "shipped_at": moment(),
            "units": rng.randint(0, 12),
            "shipping_cost": Decimal(rng.randrange(0, 5000)) / 100,
            "cogs": Decimal(rng.randrange(0, 90000)) / 100,
            "warehouse": rng.choice(["Lyon", "Lille"]),
            "carrier": rng.choice(["DHL", "UPS"]),
        }
        for i in range(rng.randrange(50, 250))
    ]
    inventory = [
        {
            "snapshot_date": start + dt.timedelta(days=d),
            "sku": sku,
            "warehouse": w,
            "qty_on_hand": rng.randint(0, 300),
            "unit_cost": Decimal(rng.randrange(100, 9000)) / 100,
        }
        for d in range(days)
        if rng.random() < 0.6
        for sku in ("A", "B", "C")
        for w in ("Lyon", "Lille")
    ]
    data = {
        "leads": leads,
        "tickets": tickets,
        "orders": orders,
        "shipments": shipments,
        "inventory": inventory,
    }
    add_operations(data, seed, start, days, on_the_clock)
    return data


def write_export(path: Path, source: str, rows: list[Row]) -> Path:
    """Write rows as the CSV an export tool would produce."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return str(value)

    # The operations columns are written when the rows have them (older exports do not).
    extra = [c for c in EXTRA_HEADERS.get(source, []) if rows and c in rows[0]]
    header = HEADERS[source] + extra
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([text(row[c]) for c in header] for row in rows)
    return path


def period_start(day: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def kpi_values(
    kpi: str,
    data: dict[str, list[Row]],
    grain: str,
    start: dt.date,
    end: dt.date,
    dim: tuple[str, Any] | None = None,
) -> dict[dt.date, float | None]:
    """The KPI per period start, for the days [start, end]; `dim` filters rows (name, value)."""
    keep: Callable[[Row], bool] = (lambda r: r[dim[0]] == dim[1]) if dim else (lambda r: True)
    result: dict[dt.date, float | None] = {}
    day = start
    while day <= end:
        first = period_start(day, grain)
        days = [
            d
            for d in (first + dt.timedelta(days=i) for i in range(92))
            if start <= d <= end and period_start(d, grain) == first
        ]
        result[first] = _one(kpi, data, set(days), keep)
        day = days[-1] + dt.timedelta(days=1)
    return result


def window_value(
    kpi: str, data: dict[str, list[Row]], start: dt.date, end: dt.date
) -> float | None:
    """The KPI over the whole range [start, end] as one period (a before/after side)."""
    days = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    return _one(kpi, data, days, lambda row: True)


def _ratio(num: Any, den: Any) -> float | None:
    return None if den == 0 else float(Decimal(num) / Decimal(den))


def _one(
    kpi: str, data: dict[str, list[Row]], days: set[dt.date], keep: Callable[[Row], bool]
) -> float | None:
    def rows(source: str, column: str) -> list[Row]:
        return [
            r for r in data[source] if r[column] is not None and _day(r[column]) in days and keep(r)
        ]

    if kpi in KPIS:
        return ops_value(kpi, rows)
    if kpi == "conversion_rate":
        leads = rows("leads", "created_at")
        return _ratio(sum(r["converted"] for r in leads), len(leads)) if leads else None
    if kpi == "csat":
        resolved = rows("tickets", "resolved_at")
        if not resolved:
            return None
        rated = [r for r in resolved if r["csat_score"] is not None]
        return _ratio(sum(r["csat_score"] >= 4 for r in rated), len(rated))
    if kpi == "resolution_time":
        hours = [
            (r["resolved_at"] - r["created_at"]).total_seconds() / 3600
            for r in rows("tickets", "resolved_at")
        ]
        return statistics.median(hours) if hours else None
    if kpi == "service_rate":
        promised = rows("orders", "promised_date")
        ok = [
            r
            for r in promised
            if r["delivered_at"] is not None
            and r["delivered_at"].date() <= r["promised_date"]
            and r["qty_delivered"] >= r["qty_ordered"]
        ]
        return _ratio(len(ok), len(promised)) if promised else None
    if kpi == "cost_per_unit_shipped":
        shipped = rows("shipments", "shipped_at")
        if not shipped:
            return None
        return _ratio(sum(r["shipping_cost"] for r in shipped), sum(r["units"] for r in shipped))
    assert kpi == "stock_rotation"
    values: dict[dt.date, Decimal] = {}
    for r in rows("inventory", "snapshot_date"):
        values[r["snapshot_date"]] = (
            values.get(r["snapshot_date"], Decimal(0)) + r["qty_on_hand"] * r["unit_cost"]
        )
    if not values:
        return None
    average = sum(values.values()) / len(values)
    cogs = sum((r["cogs"] for r in rows("shipments", "shipped_at")), Decimal(0))
    turns = _ratio(cogs, average)
    return None if turns is None else turns * 365 / len(days)
