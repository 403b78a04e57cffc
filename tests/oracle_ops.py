"""The five operations KPIs in plain Python, and the random columns and rows they read.

Part of the oracle (tests/oracle.py), kept apart to keep each module short: the same rules
(no SQL, no DuckDB, Decimal for money), straight from the definitions in issue 15. The
random operations columns come from their own generator, so the rows the six first KPIs
read are the same as before they existed.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Row = dict[str, Any]
Rows = Callable[[str, str], list[Row]]  # (source, time column) -> the period's rows

EXTRA_HEADERS = {"orders": ["shipped_at", "incident"], "tickets": ["agent_replies"]}
SPEND_HEADER = ["spend_date", "channel", "spend"]
KPIS = (
    "order_processing_time",
    "incident_rate",
    "first_contact_resolution",
    "contacts_per_100_orders",
    "cost_per_acquisition",
)


def add_operations(
    data: dict[str, list[Row]],
    seed: int,
    start: dt.date,
    days: int,
    on_the_clock: Callable[[dt.datetime], dt.datetime],
) -> None:
    """Random shipped_at, incident and agent_replies on the rows, and marketing spend rows."""
    rng = random.Random(seed * 7919 + 15)
    for order in data["orders"]:
        shipped = None
        if rng.random() < 0.85:
            shipped = on_the_clock(
                order["ordered_at"] + dt.timedelta(seconds=rng.randrange(60, 96 * 3600))
            )
        order["shipped_at"] = shipped
        order["incident"] = rng.choice([None, True, False, False, False])
    for ticket in data["tickets"]:
        ticket["agent_replies"] = rng.choice([None, 0, 1, 1, 2, 3, 7])
    data["marketing_spend"] = [
        {
            "spend_date": start + dt.timedelta(days=d),
            "channel": channel,
            "spend": Decimal(rng.randrange(0, 50000)) / 100,
        }
        for d in range(days)
        for channel in ("web", "partner", "events")
        if rng.random() < 0.8
    ]


def _ratio(num: Any, den: Any) -> float | None:
    return None if den == 0 else float(Decimal(num) / Decimal(den))


def ops_value(kpi: str, rows: Rows) -> float | None:
    """One of the five KPIs over the period whose rows `rows` gives."""
    if kpi == "order_processing_time":
        hours = [
            (r["shipped_at"] - r["ordered_at"]).total_seconds() / 3600
            for r in rows("orders", "shipped_at")
        ]
        return statistics.median(hours) if hours else None
    if kpi == "incident_rate":
        known = [r for r in rows("orders", "delivered_at") if r["incident"] is not None]
        return _ratio(sum(r["incident"] for r in known), len(known)) if known else None
    if kpi == "first_contact_resolution":
        counted = [r for r in rows("tickets", "resolved_at") if r["agent_replies"] is not None]
        return _ratio(sum(r["agent_replies"] <= 1 for r in counted), len(counted))
    if kpi == "contacts_per_100_orders":
        placed = len(rows("orders", "ordered_at"))
        return _ratio(len(rows("tickets", "created_at")) * 100, placed)
    assert kpi == "cost_per_acquisition"
    leads = rows("leads", "created_at")
    if not leads:
        return None
    spend = sum((r["spend"] for r in rows("marketing_spend", "spend_date")), Decimal(0))
    return _ratio(spend, sum(r["converted"] for r in leads))
