"""The demo's operations columns and marketing spend, added to the generated truth.

Shipping times, incidents, agent replies, a busier order book and the marketing spend tell
the rest of the playbook's story: processing time and contacts per 100 orders fall after it
everywhere, incidents fall in Lyon only (its slotting was reorganised), first contact
resolution rises with the triage team, and the same spend buys more conversions. They are
drawn from their own seeded generator, after the rest, so the six original KPIs' numbers do
not move when this story grows.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Row = dict[str, Any]
Shown = Callable[[dt.datetime], dt.datetime]  # a local time as the clock shows it

# Median hours from order to shipping, before and after the playbook (every warehouse).
PROCESSING_HOURS = {False: 30.0, True: 18.0}
# Share of delivered orders with a reported incident, per warehouse, before and after.
INCIDENTS = {
    False: {"Lyon": 0.060, "Lille": 0.030, "Marseille": 0.035},
    True: {"Lyon": 0.015, "Lille": 0.030, "Marseille": 0.035},
}
# Chance that a resolved ticket took at most one agent reply, before and after triage.
ONE_TOUCH = {False: 0.55, True: 0.70}
# Extra orders per day after the playbook, as a share of the day's orders: the order book
# grows while tickets do not, so contacts per 100 orders fall.
GROWTH = 0.25
# Daily spend per lead channel (EUR): the same before and after, so CPA falls with conversion.
SPEND = {"web": 180.0, "paid_search": 320.0, "partner": 90.0, "events": 140.0}


def shipping(rng: random.Random, order: Row, after: bool, shown: Shown) -> dt.datetime:
    """When the order left its warehouse: before its delivery, at least half an hour in."""
    hours = math.exp(rng.gauss(math.log(PROCESSING_HOURS[after]), 0.5))
    ordered: dt.datetime = order["ordered_at"]
    delivered: dt.datetime = order["delivered_at"]
    latest = delivered - dt.timedelta(hours=2)
    moment = min(ordered + dt.timedelta(seconds=round(hours * 3600)), latest)
    result = shown(max(moment, ordered + dt.timedelta(minutes=30)))
    return min(result, delivered)


def add_order_columns(
    rng: random.Random, orders: list[Row], event: dt.date, shown: Shown
) -> list[Row]:
    """shipped_at and incident on every order (incident unknown for about 2 % of them)."""
    for order in orders:
        after = order["ordered_at"].date() >= event
        order["shipped_at"] = shipping(rng, order, after, shown)
        delivered_after = order["delivered_at"].date() >= event
        chance = INCIDENTS[delivered_after][order["warehouse"]]
        order["incident"] = None if rng.random() < 0.02 else rng.random() < chance
    return orders


def extra_orders(rng: random.Random, orders: list[Row], event: dt.date, end: dt.date) -> list[Row]:
    """Copies of after-event orders, under new ids, for the order book's growth.

    A copy keeps its original's day, promise and delivery (so OTIF's story holds) and gets
    its own shipping time and incident later.
    """
    after = [o for o in orders if o["ordered_at"].date() >= event and o["promised_date"] <= end]
    chosen = sorted(rng.sample(range(len(after)), round(GROWTH * len(after))))
    first = len(orders) + 1
    return [
        {**after[index], "order_id": f"O{first + offset:06d}"}
        for offset, index in enumerate(chosen)
    ]


def add_agent_replies(rng: random.Random, tickets: list[Row], event: dt.date) -> list[Row]:
    """agent_replies on every ticket (unknown for about 3 % of them)."""
    for ticket in tickets:
        after = ticket["created_at"].date() >= event
        if rng.random() < 0.03:
            ticket["agent_replies"] = None
        elif rng.random() < ONE_TOUCH[after]:
            ticket["agent_replies"] = rng.choice([0, 1, 1, 1])
        else:
            ticket["agent_replies"] = 2 + min(8, int(rng.expovariate(1 / 1.5)))
    return tickets


def marketing_spend(rng: random.Random, days: list[dt.date]) -> list[Row]:
    """One row per day and lead channel: its spend, lighter at weekends.

    Spend follows the leads' seasonal wave (it buys them), so CPA has no trend of its own.
    """
    rows = []
    for day in days:
        weekend = 0.5 if day.weekday() >= 5 else 1.0
        weekend *= 1 + 0.12 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
        for channel, daily in SPEND.items():
            spend = daily * weekend * rng.uniform(0.8, 1.2)
            rows.append(
                {
                    "spend_date": day,
                    "channel": channel,
                    "spend": Decimal(str(round(spend, 2))),
                }
            )
    return rows
