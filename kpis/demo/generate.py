"""The demo's ground truth: a year of leads, tickets, orders, shipments and stock, seeded.

One story runs through it: on the event date (a Monday, mid-year) the operations playbook
changes, and afterwards conversion goes from exactly 2.0 % to 3.5 % and CSAT from exactly
75 % to 90 % (counts are placed, not drawn, so `kpis compare --event` shows those numbers),
while resolution time drops about 40 %, OTIF, stock rotation and cost per unit improve
(the operations KPIs' part of the story is in operations.py).
One gain does not hold: from mid-October Lyon stocks up again, so stock rotation's gain fades
over the after window's last 4 weeks (the before/after page's "last 4 weeks" flags it).
Dimensions differ on purpose, so a breakdown shows where each change came from.
Only the standard library's seeded generator is used: the same seed gives the same files.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from kpis.demo import operations

START = dt.date(2025, 11, 17)  # a Monday
EVENT = dt.date(2026, 5, 18)  # a Monday, 26 weeks later
END = dt.date(2026, 11, 15)  # a Sunday, 26 weeks after the event
SEED = 20260518
CREEP = 22 * 7  # days after the event when Lyon starts stocking up again (mid-October)
WAREHOUSES = {"Lyon": 0.40, "Lille": 0.35, "Marseille": 0.25}
Row = dict[str, Any]
ZONE = ZoneInfo("Europe/Paris")  # the demo kpis.yaml's calendar


@dataclass
class Truth:
    """Every row as it really is; exports show it as known on their date."""

    leads: list[Row] = field(default_factory=list)
    tickets: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    shipments: list[Row] = field(default_factory=list)
    inventory: list[Row] = field(default_factory=list)
    marketing_spend: list[Row] = field(default_factory=list)


def days(lead_in: int = 0) -> list[dt.date]:
    """The demo's days, starting `lead_in` days early for rows dated by a later event."""
    first = START - dt.timedelta(days=lead_in)
    return [first + dt.timedelta(days=i) for i in range((END - first).days + 1)]


def _volume(rng: random.Random, day: dt.date, weekday: float, weekend: float) -> int:
    """Rows on a day: a weekly rhythm, a mild seasonal wave, and noise."""
    base = weekend if day.weekday() >= 5 else weekday
    season = 1 + 0.12 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 80) / 365)
    return max(0, round(rng.gauss(base * season, base * 0.12)))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(rng: random.Random, day: dt.date, start_hour: int = 8, end_hour: int = 19) -> dt.datetime:
    seconds = rng.randrange(start_hour * 3600, end_hour * 3600)
    return _shown(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))


def _shown(moment: dt.datetime) -> dt.datetime:
    """A local time as a clock shows it: one in the hour skipped in March moves past it."""
    real = moment.replace(tzinfo=ZONE).astimezone(dt.UTC).astimezone(ZONE)
    return real.replace(tzinfo=None)


def _channel_weight(weights: dict[str, float], row: Row) -> float:
    return weights[row["channel"]]


def _choose_exact(
    rng: random.Random, rows: list[Row], share: float, weight: Callable[[Row], float]
) -> set[int]:
    """Exactly round(share * len(rows)) rows, favouring heavier ones (weighted, no repeats)."""
    count = round(share * len(rows))
    keyed = sorted(range(len(rows)), key=lambda i: rng.random() ** (1 / weight(rows[i])))
    return set(keyed[-count:]) if count else set()


def leads(rng: random.Random) -> list[Row]:
    channels = {"web": 0.45, "paid_search": 0.25, "partner": 0.15, "events": 0.15}
    rows: list[Row] = []
    for day in days():
        for _ in range(_volume(rng, day, 220, 70)):
            rows.append(
                {
                    "lead_id": f"L{len(rows) + 1:06d}",
                    "created_at": _at(rng, day, 0, 24),
                    "channel": _pick(rng, channels),
                    "converted": False,
                    "campaign": rng.choice(["", "spring", "autumn", "webinar"]),
                }
            )
    # Leads are routed within the hour after the change: web and paid search gain most.
    weights = {
        False: {"web": 1.0, "paid_search": 0.8, "partner": 1.8, "events": 1.2},
        True: {"web": 2.0, "paid_search": 1.8, "partner": 1.6, "events": 1.2},
    }
    for after, share in ((False, 0.020), (True, 0.035)):
        side = [r for r in rows if (r["created_at"].date() >= EVENT) == after]
        for index in _choose_exact(rng, side, share, partial(_channel_weight, weights[after])):
            side[index]["converted"] = True
    return rows


def tickets(rng: random.Random) -> list[Row]:
    channels = {"email": 0.45, "chat": 0.35, "phone": 0.20}
    teams = {"billing": (0.30, 15.0), "tech": (0.45, 26.0), "logistics": (0.25, 18.0)}
    rows: list[Row] = []
    for day in days():
        for _ in range(_volume(rng, day, 45, 14)):
            created = _at(rng, day, 7, 21)
            team = _pick(rng, {t: share for t, (share, _) in teams.items()})
            median = teams[team][1] * (0.6 if created.date() >= EVENT else 1.0)
            seconds = round(3600 * math.exp(rng.gauss(math.log(median), 0.8)))
            rows.append(
                {
                    "ticket_id": f"T{len(rows) + 1:06d}",
                    "created_at": created,
                    "resolved_at": _shown(created + dt.timedelta(seconds=seconds)),
                    "csat_score": None,
                    "channel": _pick(rng, channels),
                    "team": team,
                    "priority": rng.choice(["low", "normal", "normal", "high"]),
                    "requester_email": f"customer{rng.randrange(9000)}@example.com",
                }
            )
    resolved = [r for r in rows if r["resolved_at"].date() <= END]
    rated = [r for r in resolved if rng.random() < 0.6]
    # The triage team helps chat most; the shares of 4-5 ratings are placed exactly.
    weights = {
        False: {"email": 1.0, "chat": 0.8, "phone": 1.1},
        True: {"email": 1.0, "chat": 1.4, "phone": 1.0},
    }
    for after, share in ((False, 0.75), (True, 0.90)):
        side = [r for r in rated if (r["resolved_at"].date() >= EVENT) == after]
        good = _choose_exact(rng, side, share, partial(_channel_weight, weights[after]))
        for index, row in enumerate(side):
            row["csat_score"] = rng.choice([4, 5, 5]) if index in good else rng.choice([1, 2, 3, 3])
    return rows


def orders(rng: random.Random) -> list[Row]:
    on_time = {
        False: {"Lyon": 0.80, "Lille": 0.90, "Marseille": 0.88},
        True: {"Lyon": 0.96, "Lille": 0.94, "Marseille": 0.92},
    }
    rows: list[Row] = []
    # Orders start a few days early so that promised dates cover the whole year.
    for day in days(lead_in=5):
        for _ in range(_volume(rng, day, 70, 20)):
            ordered = _at(rng, day)
            warehouse = _pick(rng, WAREHOUSES)
            promised = day + dt.timedelta(days=rng.choice([2, 3, 3, 4, 5]))
            after = promised >= EVENT
            late = rng.random() > on_time[after][warehouse]
            delivered_day = promised + dt.timedelta(
                days=rng.choice([1, 1, 2, 4]) if late else -rng.choice([0, 0, 1])
            )
            delivered_day = max(delivered_day, day)
            qty = rng.choice([1, 1, 2, 3, 5, 8, 12])
            short = rng.random() < (0.015 if after else 0.03) and qty > 1
            rows.append(
                {
                    "order_id": f"O{len(rows) + 1:06d}",
                    "ordered_at": ordered,
                    "promised_date": promised,
                    "delivered_at": _at(rng, delivered_day, 9, 18),
                    "qty_ordered": qty,
                    "qty_delivered": qty - 1 if short else qty,
                    "warehouse": warehouse,
                }
            )
            if rows[-1]["delivered_at"] < ordered:
                rows[-1]["delivered_at"] = ordered + dt.timedelta(hours=6)
    return rows


SKUS = [(f"SKU-{i:03d}", round(8 + 52 * ((i * 37) % 30) / 29, 2)) for i in range(1, 31)]


def shipments(rng: random.Random) -> list[Row]:
    carriers = {
        False: {"DHL": 0.40, "UPS": 0.35, "Colissimo": 0.25},
        True: {"DHL": 0.28, "UPS": 0.25, "Colissimo": 0.17, "Regional Express": 0.30},
    }
    tariff = {
        "DHL": (4.5, 1.20),
        "UPS": (4.8, 1.10),
        "Colissimo": (3.9, 1.30),
        "Regional Express": (3.0, 0.95),
    }
    rows: list[Row] = []
    for day in days():
        after = day >= EVENT
        for _ in range(_volume(rng, day, 90 if not after else 96, 25)):
            carrier = _pick(rng, carriers[after])
            units = min(20, 1 + int(rng.expovariate(1 / 5)))
            fixed, per_unit = tariff[carrier]
            cost = (fixed + per_unit * units) * rng.uniform(0.9, 1.1)
            unit_cost = rng.choice(SKUS)[1]
            rows.append(
                {
                    "shipment_id": f"S{len(rows) + 1:06d}",
                    "shipped_at": _at(rng, day, 6, 20),
                    "units": units,
                    "shipping_cost": round(cost, 2),
                    "cogs": round(units * unit_cost, 2),
                    "warehouse": _pick(rng, WAREHOUSES),
                    "carrier": carrier,
                }
            )
    return rows


def _lyon_level(day: dt.date) -> float:
    """Lyon's reorganised slotting lets it carry less stock after the change, for a while."""
    if day < EVENT:
        return 1.0
    # It holds until mid-October, when Lyon stocks up for the Christmas peak, back to its old
    # level by mid-November: the whole window still shows the gain, the last 4 weeks do not.
    eroding = max(0, (day - EVENT).days - CREEP) / ((END - EVENT).days - CREEP)
    return 0.62 + 0.38 * eroding


def inventory(rng: random.Random) -> list[Row]:
    level = {
        False: {"Lille": 0.95, "Marseille": 0.9},
        True: {"Lille": 0.85, "Marseille": 0.82},
    }
    phases = {(sku, w): rng.random() for sku, _ in SKUS for w in WAREHOUSES}
    rows: list[Row] = []
    for index, day in enumerate(days()):
        for sku, unit_cost in SKUS:
            for warehouse, share in WAREHOUSES.items():
                kept = _lyon_level(day) if warehouse == "Lyon" else level[day >= EVENT][warehouse]
                base = 16000 * share / unit_cost * kept
                cycle = (index / 14 + phases[(sku, warehouse)]) % 1.0  # 2-week replenishment
                qty = round(base * (1.5 - cycle) * rng.uniform(0.95, 1.05))
                rows.append(
                    {
                        "snapshot_date": day,
                        "sku": sku,
                        "warehouse": warehouse,
                        "qty_on_hand": qty,
                        "unit_cost": unit_cost,
                    }
                )
    return rows


def generate(seed: int = SEED) -> Truth:
    """The whole year, deterministically from `seed`."""
    rng = random.Random(seed)
    truth = Truth(leads(rng), tickets(rng), orders(rng), shipments(rng), inventory(rng))
    # The operations columns come from a generator of their own (see operations.py).
    more = random.Random(seed + 1)
    truth.orders += operations.extra_orders(more, truth.orders, EVENT, END)
    operations.add_order_columns(more, truth.orders, EVENT, _shown)
    operations.add_agent_replies(more, truth.tickets, EVENT)
    truth.marketing_spend = operations.marketing_spend(more, days())
    return truth
