"""The demo tells its story, and its numbers equal the oracle's on the generator's truth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kpis import Store, StoreError, compare, ingest_file, windows_around_event
from kpis.demo import END, EVENT, START, build_demo
from kpis.demo.generate import generate
from tests.oracle import window_value


@pytest.fixture(scope="module")
def truth() -> dict[str, list[dict]]:
    """The generator's rows as the final exports show them (events after END not known)."""
    data = generate()
    cutoff = dt.datetime.combine(END + dt.timedelta(days=1), dt.time())

    def as_known(row: dict, field: str, clears: list[str]) -> dict:
        return (
            row
            if row[field] is None or row[field] < cutoff
            else {**row, field: None, **dict.fromkeys(clears)}
        )

    def money(row: dict, *fields: str) -> dict:
        return {**row, **{f: Decimal(str(row[f])) for f in fields}}  # as exported: exact cents

    return {
        "leads": data.leads,
        "tickets": [
            as_known(r, "resolved_at", ["csat_score", "agent_replies"]) for r in data.tickets
        ],
        "orders": [
            as_known(as_known(r, "delivered_at", ["qty_delivered", "incident"]), "shipped_at", [])
            for r in data.orders
            if r["promised_date"] >= START  # the exports leave out orders due before the year
        ],
        "marketing_spend": data.marketing_spend,
        "shipments": [money(r, "shipping_cost", "cogs") for r in data.shipments],
        "inventory": [money(r, "unit_cost") for r in data.inventory],
    }


@pytest.fixture
def event_table(demo_store: Store):
    windows = windows_around_event(demo_store, "ops-playbook")
    table = compare(demo_store, windows.before, windows.after)
    return windows, {row["kpi"]: row for row in table.to_dict("records")}


def test_event_windows_cover_the_whole_year(event_table) -> None:
    windows, _ = event_table
    assert (windows.before.start, windows.after.start, windows.after.end) == (START, EVENT, END)
    assert windows.before.days == windows.after.days == 26 * 7


def test_the_story(event_table) -> None:
    _, rows = event_table
    assert rows["conversion_rate"]["before"] == pytest.approx(0.020, abs=0.0005)  # 0.1 pp
    assert rows["conversion_rate"]["after"] == pytest.approx(0.035, abs=0.0005)
    assert rows["csat"]["before"] == pytest.approx(0.75, abs=0.0005)
    assert rows["csat"]["after"] == pytest.approx(0.90, abs=0.0005)
    assert -0.45 < rows["resolution_time"]["delta_pct"] < -0.35
    assert rows["service_rate"]["delta"] > 0.05  # more than 5 points
    assert rows["stock_rotation"]["delta_pct"] > 0.2
    assert rows["cost_per_unit_shipped"]["delta_pct"] < -0.05
    assert -0.45 < rows["order_processing_time"]["delta_pct"] < -0.3  # 30 h -> 18 h
    assert rows["contacts_per_100_orders"]["delta_pct"] < -0.15  # 25 % more orders
    assert rows["first_contact_resolution"]["delta"] > 0.1  # 55 % -> 70 %
    assert rows["cost_per_acquisition"]["delta_pct"] < -0.35  # same spend, more conversions
    assert all(row["improved"] for row in rows.values())
    assert all(row["verdict"] == "improved" for row in rows.values())


def test_incidents_fall_in_lyon_only(demo_store: Store) -> None:
    windows = windows_around_event(demo_store, "ops-playbook")
    table = compare(demo_store, windows.before, windows.after, ["incident_rate"], by="warehouse")
    deltas = dict(zip(table["dimension_value"], table["delta"], strict=True))
    assert deltas["Lyon"] < -0.03  # 6 % -> 1.5 %
    assert abs(deltas["Lille"]) < 0.01 and abs(deltas["Marseille"]) < 0.01


@pytest.mark.parametrize(
    "kpi",
    [
        "conversion_rate",
        "csat",
        "resolution_time",
        "service_rate",
        "stock_rotation",
        "cost_per_unit_shipped",
        "order_processing_time",
        "incident_rate",
        "first_contact_resolution",
        "contacts_per_100_orders",
        "cost_per_acquisition",
    ],
)
def test_demo_numbers_equal_the_oracle_on_the_truth(event_table, truth, kpi: str) -> None:
    windows, rows = event_table
    for side, window in (("before", windows.before), ("after", windows.after)):
        expected = window_value(kpi, truth, window.start, window.end)
        assert rows[kpi][side] == pytest.approx(expected, rel=1e-9), side


def test_demo_has_messy_rows_that_are_rejected_with_reasons(demo_store: Store) -> None:
    reasons = [
        r[0] for r in demo_store.cursor().execute("SELECT reason FROM _kpis_rejects").fetchall()
    ]
    assert len(reasons) == 7
    assert any("appears twice in this file" in r for r in reasons)
    assert any("resolved before it was created" in r for r in reasons)


def test_demo_is_reproducible(tmp_path: Path) -> None:
    first = generate()
    second = generate()
    assert first.leads == second.leads and first.inventory == second.inventory


def test_demo_refuses_to_replace_real_data(tmp_path: Path, definitions, write_csv) -> None:
    db = tmp_path / "ops.duckdb"
    with Store(db, definitions) as store:
        ingest_file(
            store,
            write_csv(
                "my_leads.csv",
                ["lead_id", "created_at", "channel", "converted"],
                [["L1", "2026-01-05", "web", "true"]],
            ),
        )
    with pytest.raises(StoreError, match="holds uploads that are not demo data \\(my_leads.csv\\)"):
        build_demo(db, definitions, tmp_path / "sample")
