"""Where a change came from: each dimension value's volume and share beside its own change.

A hand-made store where the cost per unit falls only because shipments moved to the cheaper
carrier (each carrier's own cost is unchanged), counted by hand; and the demo's carriers,
counted in plain Python from the generator's rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kpis import DateRange, Store, compare, ingest_file, volume_noun, windows_around_event
from kpis.demo.generate import generate
from kpis.mix import VOLUME_COLUMNS
from tests.conftest import WriteCsv

BEFORE = DateRange(dt.date(2026, 1, 5), dt.date(2026, 1, 18))
AFTER = DateRange(dt.date(2026, 1, 19), dt.date(2026, 2, 1))
SHIPMENTS = ["shipment_id", "shipped_at", "units", "shipping_cost", "cogs", "warehouse", "carrier"]
TICKETS = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]


@pytest.fixture
def moved(store: Store, write_csv: WriteCsv) -> Store:
    """Carrier A costs 2.00 EUR a unit and B 1.00, before and after; three of four shipments
    go with A before and with B after. Chat has 4 tickets before (3 rated), email 2 (1 rated)."""
    shipments = [
        ["S1", "2026-01-06 10:00", 10, "20.00", "50.00", "Lyon", "A"],
        ["S2", "2026-01-07 10:00", 10, "20.00", "50.00", "Lyon", "A"],
        ["S3", "2026-01-08 10:00", 10, "20.00", "50.00", "Lille", "A"],
        ["S4", "2026-01-09 10:00", 10, "10.00", "50.00", "Lille", "B"],
        ["S5", "2026-01-20 10:00", 10, "20.00", "50.00", "Lyon", "A"],
        ["S6", "2026-01-21 10:00", 10, "10.00", "50.00", "Lyon", "B"],
        ["S7", "2026-01-22 10:00", 10, "10.00", "50.00", "Lille", "B"],
        ["S8", "2026-02-01 10:00", 10, "10.00", "50.00", "Lille", "B"],
    ]
    ingest_file(store, write_csv("shipments.csv", SHIPMENTS, shipments))
    tickets = [
        ["T1", "2026-01-06 08:00", "2026-01-06 10:00", 5, "chat", "tech"],
        ["T2", "2026-01-06 08:00", "2026-01-06 10:00", 4, "chat", "tech"],
        ["T3", "2026-01-06 08:00", "2026-01-06 10:00", 1, "chat", "tech"],
        ["T4", "2026-01-06 08:00", "2026-01-06 10:00", None, "chat", "tech"],
        ["T5", "2026-01-07 08:00", "2026-01-07 10:00", 5, "email", "tech"],
        ["T6", "2026-01-07 08:00", "2026-01-07 10:00", None, "email", "tech"],
        ["T7", "2026-01-21 08:00", "2026-01-21 10:00", 5, "chat", "tech"],
        ["T8", "2026-02-01 08:00", "2026-02-01 10:00", 5, "email", "tech"],
    ]
    ingest_file(store, write_csv("tickets.csv", TICKETS, tickets))
    return store


def test_a_cost_that_fell_by_mix_alone(moved: Store) -> None:
    table = compare(moved, BEFORE, AFTER, ["cost_per_unit_shipped"], by="carrier")
    rows = {r["dimension_value"]: r for r in table.to_dict("records")}
    assert (rows["A"]["before"], rows["A"]["after"]) == (2.0, 2.0)  # the rate did not move
    assert (rows["B"]["before"], rows["B"]["after"]) == (1.0, 1.0)
    assert (rows["A"]["volume_before"], rows["A"]["volume_after"]) == (3, 1)  # shipments
    assert (rows["B"]["volume_before"], rows["B"]["volume_after"]) == (1, 3)
    assert (rows["A"]["share_before"], rows["A"]["share_after"]) == (0.75, 0.25)
    assert (rows["B"]["share_before"], rows["B"]["share_after"]) == (0.25, 0.75)
    # The whole KPI is the shares times the rates: (60 + 10) / 40 before, (20 + 30) / 40 after.
    whole = compare(moved, BEFORE, AFTER, ["cost_per_unit_shipped"]).to_dict("records")[0]
    assert (whole["before"], whole["after"]) == (1.75, 1.25)
    assert whole["before"] == 0.75 * 2.0 + 0.25 * 1.0
    assert whole["after"] == 0.25 * 2.0 + 0.75 * 1.0


def test_a_rate_kpis_volume_is_what_its_denominator_counts(moved: Store) -> None:
    """CSAT is counted over rated tickets: chat's 4 tickets before are 3 rated ones."""
    table = compare(moved, BEFORE, AFTER, ["csat"], by="channel")
    rows = {r["dimension_value"]: r for r in table.to_dict("records")}
    assert (rows["chat"]["volume_before"], rows["chat"]["volume_after"]) == (3, 1)
    assert (rows["email"]["volume_before"], rows["email"]["volume_after"]) == (1, 1)
    assert (rows["chat"]["share_before"], rows["email"]["share_before"]) == (0.75, 0.25)
    assert (rows["chat"]["share_after"], rows["email"]["share_after"]) == (0.5, 0.5)
    assert rows["chat"]["before"] == pytest.approx(2 / 3)


def test_a_value_without_rows_on_a_side_has_a_volume_of_zero(
    moved: Store, write_csv: WriteCsv
) -> None:
    extra = [["S9", "2026-01-23 10:00", 10, "5.00", "50.00", "Lyon", "C"]]
    ingest_file(moved, write_csv("more.csv", SHIPMENTS, extra))
    table = compare(moved, BEFORE, AFTER, ["cost_per_unit_shipped"], by="carrier")
    new = table[table["dimension_value"] == "C"].to_dict("records")[0]
    assert (new["volume_before"], new["volume_after"]) == (0, 1)
    assert (new["share_before"], new["share_after"]) == (0, 1 / 5)  # 1 of 5 shipments after


def test_volumes_only_with_a_breakdown(moved: Store) -> None:
    whole = compare(moved, BEFORE, AFTER, ["cost_per_unit_shipped"])
    assert not set(VOLUME_COLUMNS) & set(whole.columns)


def test_volume_nouns(definitions) -> None:
    nouns = {name: volume_noun(kpi) for name, kpi in definitions.kpis.items()}
    assert nouns == {
        "conversion_rate": "leads",
        "csat": "tickets with csat_score known",
        "resolution_time": "tickets",
        "service_rate": "orders",
        "stock_rotation": "inventory rows a day (average)",
        "cost_per_unit_shipped": "shipments",
        "order_processing_time": "orders",
        "incident_rate": "orders with incident known",
        "first_contact_resolution": "tickets with agent_replies known",
        "contacts_per_100_orders": "orders",
        "cost_per_acquisition": "leads counted by count_if(converted)",
    }


def test_the_demos_carriers(demo_store: Store) -> None:
    """The regional carrier takes 30 % of the shipments after the playbook, at a lower cost
    per unit: the shares are the generator's shipments per carrier, counted in Python."""
    windows = windows_around_event(demo_store, "ops-playbook")
    table = compare(demo_store, windows.before, windows.after, ["cost_per_unit_shipped"], by="carrier")  # fmt: skip
    truth = generate().shipments
    for side, window in (("before", windows.before), ("after", windows.after)):
        counts: dict[str, int] = {}
        for row in truth:
            if window.start <= row["shipped_at"].date() <= window.end:
                counts[row["carrier"]] = counts.get(row["carrier"], 0) + 1
        got = {r["dimension_value"]: r for r in table.to_dict("records")}
        assert {c: got[c][f"volume_{side}"] for c in got} == {c: counts.get(c, 0) for c in got}
        total = sum(counts.values())
        for carrier, count in counts.items():
            assert got[carrier][f"share_{side}"] == pytest.approx(count / total, rel=1e-12)
    regional = table[table["dimension_value"] == "Regional Express"].to_dict("records")[0]
    assert regional["volume_before"] == 0 and 0.29 < regional["share_after"] < 0.31
