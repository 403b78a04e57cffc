"""Before/after comparisons: the COO's table, checked on numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from kpis import (
    DateRange,
    Store,
    UsageError,
    compare,
    ingest_file,
    verdict_sentence,
    windows_around_event,
)
from kpis.compare import change
from kpis.render import as_json, compare_table
from tests.conftest import WriteCsv

BEFORE = DateRange(dt.date(2026, 1, 5), dt.date(2026, 1, 18))
AFTER = DateRange(dt.date(2026, 1, 19), dt.date(2026, 2, 1))


@pytest.fixture
def story(store: Store, write_csv: WriteCsv) -> Store:
    """Conversion 2 % -> 3.5 % (200 leads each side), CSAT 75 % -> 90 % (20 rated each side),
    resolution 10 h -> 6 h, cost per unit 2.00 -> 2.50 EUR."""
    leads = [[f"B{i}", "2026-01-07 10:00", "web", i < 4] for i in range(200)]
    leads += [
        [f"A{i}", "2026-01-21 10:00", "web" if i < 100 else "partner", i < 7] for i in range(200)
    ]
    ingest_file(
        store, write_csv("leads.csv", ["lead_id", "created_at", "channel", "converted"], leads)
    )
    tickets = [
        [f"B{i}", "2026-01-07 08:00", "2026-01-07 18:00", 5 if i < 15 else 2, "chat", "tech"]
        for i in range(20)
    ]
    tickets += [
        [f"A{i}", "2026-01-21 08:00", "2026-01-21 14:00", 4 if i < 18 else 1, "chat", "tech"]
        for i in range(20)
    ]
    ingest_file(
        store,
        write_csv(
            "tickets.csv",
            ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"],
            tickets,
        ),
    )
    shipments = [
        ["S1", "2026-01-07 10:00", 10, "20.00", "100.00", "Lyon", "DHL"],
        ["S2", "2026-01-21 10:00", 10, "25.00", "100.00", "Lyon", "DHL"],
    ]
    ingest_file(
        store,
        write_csv(
            "shipments.csv",
            ["shipment_id", "shipped_at", "units", "shipping_cost", "cogs", "warehouse", "carrier"],
            shipments,
        ),
    )
    return store


def test_the_coo_table(story: Store) -> None:
    table = compare(
        story,
        BEFORE,
        AFTER,
        ["conversion_rate", "csat", "resolution_time", "cost_per_unit_shipped"],
    )
    rows = {r["kpi"]: r for r in table.to_dict("records")}
    conversion = rows["conversion_rate"]
    assert (conversion["before"], conversion["after"]) == (
        pytest.approx(0.02),
        pytest.approx(0.035),
    )
    assert conversion["delta"] == pytest.approx(0.015)  # in the KPI's unit: 1.5 points
    assert conversion["delta_pct"] == pytest.approx(0.75)  # +75 %
    assert conversion["improved"] is True
    assert (conversion["n_before"], conversion["n_after"]) == (200, 200)
    csat = rows["csat"]
    assert (csat["before"], csat["after"], csat["delta_pct"]) == (
        pytest.approx(0.75),
        pytest.approx(0.9),
        pytest.approx(0.2),
    )
    # Lower is better: a shorter resolution time is an improvement, a dearer unit is not.
    assert rows["resolution_time"]["delta"] == pytest.approx(-4.0)
    assert rows["resolution_time"]["improved"] is True
    assert rows["cost_per_unit_shipped"]["delta"] == pytest.approx(0.5)
    assert rows["cost_per_unit_shipped"]["improved"] is False


def test_kpis_without_data_on_a_side_have_no_change(story: Store) -> None:
    table = compare(story, BEFORE, AFTER, ["service_rate"])
    row = table.to_dict("records")[0]
    assert pd.isna(row["before"]) and pd.isna(row["delta"]) and row["improved"] is None


def test_breakdown_shows_where_the_change_came_from(story: Store) -> None:
    table = compare(story, BEFORE, AFTER, ["conversion_rate"], by="channel")
    got = {r["dimension_value"]: (r["before"], r["after"]) for r in table.to_dict("records")}
    assert got["web"][0] == pytest.approx(0.02) and got["web"][1] == pytest.approx(0.07)
    assert pd.isna(got["partner"][0]) and got["partner"][1] == 0.0


@pytest.mark.parametrize(
    ("before", "after", "higher", "expected"),
    [
        (0.02, 0.035, True, {"delta": 0.015, "delta_pct": 0.75, "improved": True}),
        (0.75, 0.9, True, {"delta": 0.15, "delta_pct": 0.2, "improved": True}),
        (10.0, 6.0, False, {"delta": -4.0, "delta_pct": -0.4, "improved": True}),
        (2.0, 2.5, False, {"delta": 0.5, "delta_pct": 0.25, "improved": False}),
        (0.5, 0.4, True, {"delta": -0.1, "delta_pct": -0.2, "improved": False}),
        (0.0, 0.1, True, {"delta": 0.1, "delta_pct": None, "improved": True}),
        (0.3, 0.3, True, {"delta": 0.0, "delta_pct": 0.0, "improved": False}),
        (None, 0.3, True, {"delta": None, "delta_pct": None, "improved": None}),
    ],
)
def test_change(before, after, higher, expected) -> None:
    got = change(before, after, higher)
    assert got == {k: pytest.approx(v) if isinstance(v, float) else v for k, v in expected.items()}


def test_windows_around_an_unknown_event(story: Store) -> None:
    with pytest.raises(
        UsageError, match="unknown event 'ops-playbok' \\(did you mean 'ops-playbook'\\?\\)"
    ):
        windows_around_event(story, "ops-playbok")


def test_windows_around_an_event_with_no_data(store: Store) -> None:
    with pytest.raises(UsageError, match="no data to compare yet"):
        windows_around_event(store, "ops-playbook")


def test_a_kpi_already_trending_up_is_flagged_as_explained_by_the_trend(
    store: Store, write_csv: WriteCsv, tmp_path
) -> None:
    """Conversion climbs a little every week for 24 weeks; an 'event' at week 12 changes nothing."""
    monday = dt.date(2026, 1, 5)
    rows = []
    for week in range(24):
        rate = 0.02 + 0.001 * week + 0.002 * (-1) ** week
        for i in range(2000):
            created = monday + dt.timedelta(weeks=week, days=i % 7)
            rows.append([f"W{week}-{i}", f"{created} 10:00", "web", i < round(rate * 2000)])
    ingest_file(
        store, write_csv("climbing.csv", ["lead_id", "created_at", "channel", "converted"], rows)
    )
    before = DateRange(monday, monday + dt.timedelta(weeks=12, days=-1))
    after = DateRange(monday + dt.timedelta(weeks=12), monday + dt.timedelta(weeks=24, days=-1))
    row = compare(store, before, after, ["conversion_rate"]).to_dict("records")[0]
    assert (
        row["verdict"] == "improved" and row["p_value"] < 0.001
    )  # a naive before/after says it worked
    assert row["trend_per_week"] == pytest.approx(0.001, rel=0.2)
    assert row["explained_by_trend"] is True  # but the climb was there before
    assert row["effect_p_value"] > 0.05
    assert row["trend_verdict"] == "no significant change"
    assert verdict_sentence(row) == "improved, but the trend before explains it"


def test_a_real_jump_is_not_explained_by_the_trend(demo_store: Store) -> None:
    windows = windows_around_event(demo_store, "ops-playbook", weeks=12)
    table = compare(demo_store, windows.before, windows.after, ["conversion_rate", "csat"])
    assert not table["explained_by_trend"].any()
    csat = table[table["kpi"] == "csat"].iloc[0]
    assert csat["effect_p_value"] < 0.05 and csat["effect_beyond_trend"] > 0.1


def test_the_trend_check_and_the_plain_test_give_one_verdict(
    store: Store, write_csv: WriteCsv
) -> None:
    """Conversion climbs 0.2 points a week for 12 weeks, then stays where it got to: higher
    than before on average (the plain test), lower than the climb was heading for (the trend)."""
    monday = dt.date(2026, 1, 5)
    rows = []
    for week in range(24):
        rate = 0.02 + 0.002 * min(week, 11)
        for i in range(2000):
            created = monday + dt.timedelta(weeks=week, days=i % 7)
            rows.append([f"W{week}-{i}", f"{created} 10:00", "web", i < round(rate * 2000)])
    ingest_file(store, write_csv("leads.csv", ["lead_id", "created_at", "channel", "converted"], rows))  # fmt: skip
    before = DateRange(monday, monday + dt.timedelta(weeks=12, days=-1))
    after = DateRange(monday + dt.timedelta(weeks=12), monday + dt.timedelta(weeks=24, days=-1))
    row = compare(store, before, after, ["conversion_rate"]).to_dict("records")[0]
    # Before: 2.0 % to 4.2 %, 3.1 % on average; after: 4.2 % every week.
    assert row["before"] == pytest.approx(0.031) and row["after"] == pytest.approx(0.042)
    assert row["verdict"] == "improved" and row["trend_verdict"] == "worsened"
    assert row["trend_per_week"] == pytest.approx(0.002)
    assert row["counterfactual"] == pytest.approx(0.02 + 0.002 * 17.5)  # week 17.5: mid-after
    assert not row["explained_by_trend"]
    said = verdict_sentence(row)
    assert said == "improved, but less than the trend before was heading for"
    assert compare_table(store.definitions, pd.DataFrame([row])).endswith(f"  {said}")


def test_improvement_reads_the_kpis_direction_in_the_cli_table(story: Store) -> None:
    table = compare(story, BEFORE, AFTER, ["resolution_time", "cost_per_unit_shipped"])
    text = compare_table(story.definitions, table)
    lines = {line.split("  ")[0]: line for line in text.splitlines()[2:]}
    # Resolution 10 h -> 6 h: 40 % lower, which is better; a unit at 2.50 EUR instead of 2.00:
    # 25 % dearer, which is worse. The raw signed changes stay in JSON (delta_pct).
    assert "-4.0 hours" in lines["Resolution time (median)"]
    assert " 40.0% better " in lines["Resolution time (median)"]
    assert " 25.0% worse " in lines["Cost per unit shipped"]
    assert list(table["delta_pct"]) == [pytest.approx(-0.4), pytest.approx(0.25)]


def test_the_new_keys_are_in_the_json(story: Store) -> None:
    whole = json.loads(as_json(compare(story, BEFORE, AFTER, ["conversion_rate"])))[0]
    assert {"trend_verdict", "fading", "recent_start", "recent_delta", "recent_ci_low",
            "recent_share", "complete", "note"} <= set(whole)  # fmt: skip
    assert not {"volume_before", "share_after"} & set(whole)
    split = json.loads(as_json(compare(story, BEFORE, AFTER, ["conversion_rate"], by="channel")))
    web = next(r for r in split if r["dimension_value"] == "web")
    # 200 web leads before; 100 web and 100 partner leads after.
    assert (web["volume_before"], web["volume_after"]) == (200, 100)
    assert (web["share_before"], web["share_after"]) == (1.0, 0.5)
