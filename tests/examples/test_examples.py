"""Real public exports, loaded unchanged with each example's kpis.yaml, against plain Python.

Every expected value here is computed from the raw CSV with the csv module: no DuckDB, no
code of the product.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from kpis import Store, compute, ingest_file, load_definitions
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
DATASETS = EXAMPLES / "datasets"
SHARED = ROOT.parent / "shared" / "datasets"


def _read(name: str) -> list[dict[str, str]]:
    with (DATASETS / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarter_end(start: dt.date) -> dt.date:
    following = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., Store]:
    """Load dataset files with an example's definitions into a fresh database."""
    opened: list[Store] = []

    def run(example: str, *files: str, mapping: str | None = None) -> Store:
        store = Store(
            tmp_path / f"{example}.duckdb", load_definitions(EXAMPLES / example / "kpis.yaml")
        )
        opened.append(store)
        for name in files:
            result = ingest_file(store, DATASETS / name, mapping=mapping)
            assert result.rows_rejected == 0, result.problems[:3]
        return store

    yield run
    for store in opened:
        store.close()


def _values(store: Store, kpi: str, grain: str = "quarter", by: str | None = None) -> dict:
    frame = compute(store, [kpi], grain, by=by)
    key = ["period_start"] + (["dimension_value"] if by else [])
    return {
        tuple(r[k] for k in key): r["value"]
        for r in frame.to_dict("records")
        if r["value"] == r["value"]
    }


def test_datasets_are_the_published_files_unchanged() -> None:
    sums = dict(line.split()[::-1] for line in (DATASETS / "SHA256SUMS").read_text().splitlines())
    for name, digest in sums.items():
        assert hashlib.sha256((DATASETS / name).read_bytes()).hexdigest() == digest, name
        if SHARED.is_dir():
            assert (SHARED / name).read_bytes() == (DATASETS / name).read_bytes(), name


def test_ab_test_conversion_by_group(load) -> None:
    store = load("ab_test", "ab_data.csv")
    rows = _read("ab_data.csv")
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        by_group[row["group"]][0] += int(row["converted"])
        by_group[row["group"]][1] += 1
    got = _values(store, "conversion_rate", by="group")
    assert {k[1]: v for k, v in got.items()} == {
        g: pytest.approx(c / n, rel=1e-12) for g, (c, n) in by_group.items()
    }
    assert store.cursor().execute("SELECT count(*) FROM visits").fetchone() == (len(rows),)


def test_olist_conversion_across_two_files(load) -> None:
    store = load(
        "olist_funnel",
        "olist_marketing_qualified_leads_dataset.csv",
        "olist_closed_deals_dataset.csv",
    )
    leads: dict[dt.date, int] = defaultdict(int)
    deals: dict[dt.date, int] = defaultdict(int)
    for row in _read("olist_marketing_qualified_leads_dataset.csv"):
        leads[_quarter(dt.date.fromisoformat(row["first_contact_date"]))] += 1
    last_lead = last_deal = dt.date.min
    for row in _read("olist_marketing_qualified_leads_dataset.csv"):
        last_lead = max(last_lead, dt.date.fromisoformat(row["first_contact_date"]))
    for row in _read("olist_closed_deals_dataset.csv"):
        won = dt.datetime.fromisoformat(row["won_date"]).date()
        deals[_quarter(won)] += 1
        last_deal = max(last_deal, won)
    # A quarter has a value only when both files reach its last day (README: freshness).
    through = min(last_lead, last_deal)
    expected = {(q,): deals.get(q, 0) / n for q, n in leads.items() if _quarter_end(q) <= through}
    assert _values(store, "lead_to_deal_rate") == {
        k: pytest.approx(v, rel=1e-12) for k, v in expected.items()
    }
    assert sum(_values(store, "deals_won").values()) == 842


def test_support_tickets_csat_and_personal_data_not_stored(load) -> None:
    store = load("support_tickets", "customer_support_tickets.csv")
    good: dict[dt.date, int] = defaultdict(int)
    rated: dict[dt.date, int] = defaultdict(int)
    for row in _read("customer_support_tickets.csv"):
        if row["Time to Resolution"] and row["Customer Satisfaction Rating"]:
            day = dt.datetime.fromisoformat(row["Time to Resolution"]).date()
            rated[day] += 1
            good[day] += float(row["Customer Satisfaction Rating"]) >= 4
    assert _values(store, "csat", "day") == {
        (d,): pytest.approx(good[d] / n, rel=1e-12) for d, n in rated.items()
    }
    columns = {r[0] for r in store.cursor().execute("DESCRIBE tickets").fetchall()}
    assert not {"Customer Name", "Customer Email", "customer_name", "customer_email"} & columns


def test_superstore_units_and_ship_time_with_us_dates(load) -> None:
    store = load("superstore", "superstore_sample.csv")
    units: dict[dt.date, int] = defaultdict(int)
    days: dict[dt.date, list[int]] = defaultdict(list)
    for row in _read("superstore_sample.csv"):
        ordered = dt.datetime.strptime(row["Order Date"], "%m/%d/%Y").date()
        shipped = dt.datetime.strptime(row["Ship Date"], "%m/%d/%Y").date()
        units[_quarter(shipped)] += int(row["Quantity"])
        days[_quarter(shipped)].append((shipped - ordered).days)
    assert _values(store, "units_shipped") == {(q,): n for q, n in units.items()}
    assert _values(store, "ship_time") == {
        (q,): pytest.approx(sum(v) / len(v), rel=1e-12) for q, v in days.items()
    }


def test_supplier_otif_is_zero_because_nothing_arrived_in_full(load) -> None:
    store = load("supplier_otif", "supplier_otif_lubnastar.csv")
    totals: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in _read("supplier_otif_lubnastar.csv"):
        quarter = _quarter(dt.date.fromisoformat(row["Promised_Delivery_Date"]))
        on_time = row["Actual_Delivery_Date"] <= row["Promised_Delivery_Date"]
        in_full = int(row["Received_Quantity"]) >= int(row["Ordered_Quantity"])
        for index, flag in enumerate((on_time and in_full, on_time, in_full, True)):
            totals[quarter][index] += flag
    for index, kpi in enumerate(("otif", "on_time_rate", "in_full_rate")):
        expected = {(q,): pytest.approx(t[index] / t[3], rel=1e-12) for q, t in totals.items()}
        assert _values(store, kpi) == expected, kpi
    assert set(_values(store, "otif").values()) == {0.0}


def test_supply_chain_snapshot_dated_by_its_mapping(load) -> None:
    store = load("supply_chain", "supply_chain_data.csv", mapping="supply-chain-2026-11")
    rows = _read("supply_chain_data.csv")
    stock = sum(int(r["Stock levels"]) * Decimal(r["Price"]) for r in rows)
    defects = sum(Decimal(r["Defect rates"]) * int(r["Production volumes"]) for r in rows) / 100
    volume = sum(int(r["Production volumes"]) for r in rows)
    shipping = sum(Decimal(r["Shipping costs"]) for r in rows) / len(rows)
    month = dt.date(2026, 11, 1)
    # Prices and costs have up to 8 decimals, stored with 6: agreement to a millionth.
    assert _values(store, "stock_value", "month")[(month,)] == pytest.approx(float(stock), rel=1e-6)
    assert _values(store, "defect_rate", "month")[(month,)] == pytest.approx(
        float(defects / volume), rel=1e-6
    )
    assert _values(store, "shipping_cost_per_sku", "month")[(month,)] == pytest.approx(
        float(shipping), rel=1e-6
    )


def _example_configs() -> Iterator[Path]:
    yield from sorted(EXAMPLES.glob("*/kpis.yaml"))


@pytest.mark.parametrize("config", list(_example_configs()), ids=lambda p: p.parent.name)
def test_every_example_is_valid_and_documented(config: Path) -> None:
    load_definitions(config)
    readme = (EXAMPLES / "README.md").read_text()
    assert f"examples/{config.parent.name}/" in readme
