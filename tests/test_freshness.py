"""No value from data that has not arrived: a period is complete when every source reaches it.

The reproduction of the issue: the demo, then a tickets export dated after the orders export.
The weekly page jumped to that week and showed "Service rate (OTIF) 14.8 %", because orders
promised after the orders export's last day counted as failures.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kpis import (
    DateRange,
    DefinitionError,
    IngestError,
    Store,
    UsageError,
    compare,
    compute,
    data_through,
    ingest_file,
    latest_complete_week,
    parse_definitions,
    undo_upload,
)
from kpis.errors import IncompleteDataError
from tests.conftest import CONFIG, WriteCsv, run_cli

ORDERS_THROUGH = dt.date(2026, 11, 15)  # the demo's last day, for every source
TICKETS = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]


def _later_tickets(write_csv: WriteCsv) -> Path:
    """A tickets export covering the week after the demo's data (to 2026-11-22)."""
    rows = [
        [f"N{i}", f"2026-11-{16 + i % 7} 09:00", f"2026-11-{16 + i % 7} 15:00", 5, "chat", "tech"]
        for i in range(70)
    ]
    return write_csv("tickets_late.csv", TICKETS, rows)


def test_data_through_is_the_last_event_never_a_promise(demo_store: Store) -> None:
    through = data_through(demo_store)
    assert through["orders"] == ORDERS_THROUGH  # promised dates run on to 2026-11-20
    promised = demo_store.cursor().execute("SELECT max(promised_date) FROM orders").fetchone()
    assert promised is not None and promised[0] > ORDERS_THROUGH
    assert set(through.values()) == {ORDERS_THROUGH}


def test_the_reproduction_shows_no_otif_past_the_orders_data(
    demo_store: Store, write_csv: WriteCsv
) -> None:
    weeks = dict(grain="week", start=dt.date(2026, 9, 7), end=dt.date(2026, 11, 22))
    before = compute(demo_store, **weeks)
    ingest_file(demo_store, _later_tickets(write_csv))
    after = compute(demo_store, **weeks)
    last = after[after["period_start"] == dt.date(2026, 11, 16)].set_index("kpi")
    assert last.loc["service_rate", "value"] != last.loc["service_rate", "value"]  # NaN: none
    assert not last.loc["service_rate", "complete"]
    assert last.loc["service_rate", "reason"] == "orders data through 2026-11-15"
    assert last.loc["csat", "complete"] and last.loc["csat", "value"] == 1.0  # tickets reach it
    # Every value before that week is what it was.
    keep = before["period_end"] <= ORDERS_THROUGH
    assert before[keep].equals(after[after["period_end"] <= ORDERS_THROUGH])
    assert latest_complete_week(demo_store) == DateRange(dt.date(2026, 11, 9), ORDERS_THROUGH)


def test_the_cli_says_complete_false_and_footnotes_the_reason(
    demo_db: Path, tmp_path: Path, write_csv: WriteCsv
) -> None:
    db = tmp_path / "ops.duckdb"
    db.write_bytes(demo_db.read_bytes())
    assert run_cli("--db", str(db), "ingest", str(_later_tickets(write_csv))).returncode == 0
    args = ["--db", str(db), "compute", "--kpi", "service_rate", "--start", "2026-11-09"]
    rows = json.loads(run_cli(*args, "--format", "json").stdout)
    assert [(r["period_start"], r["complete"], r["value"] is None) for r in rows] == [
        ("2026-11-09", True, False),
        ("2026-11-16", False, True),
    ]
    table = run_cli(*args).stdout
    assert "2026-11-16" in table and "– service_rate: orders data through 2026-11-15" in table


def test_a_stated_export_date_reaches_days_without_rows(store: Store, write_csv: WriteCsv) -> None:
    leads = write_csv(
        "leads.csv",
        ["lead_id", "created_at", "channel", "converted"],
        [["L1", "2026-01-05 09:00", "web", "true"], ["L2", "2026-01-07 09:00", "web", "false"]],
    )
    window = dict(grain="week", start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 11))
    first = ingest_file(store, leads)
    assert not compute(store, ["conversion_rate"], **window)["complete"].any()
    # The same rows, said to cover the whole week (no lead came on its last four days).
    undo_upload(store, int(first.batch_id or 0))
    ingest_file(store, leads, through=dt.date(2026, 1, 11))
    frame = compute(store, ["conversion_rate"], **window)
    assert frame["complete"].all() and frame["value"].tolist() == [0.5]
    assert data_through(store)["leads"] == dt.date(2026, 1, 11)


def test_a_stated_export_date_must_fit_the_file(store: Store, write_csv: WriteCsv) -> None:
    leads = write_csv(
        "leads.csv",
        ["lead_id", "created_at", "channel", "converted"],
        [["L1", "2026-01-09 09:00", "web", "true"]],
    )
    with pytest.raises(IngestError, match="holds leads up to 2026-01-09, after the day"):
        ingest_file(store, leads, through=dt.date(2026, 1, 8))
    with pytest.raises(UsageError, match="cannot cover days still to come"):
        ingest_file(store, leads, through=dt.date.today() + dt.timedelta(days=1))
    assert data_through(store)["leads"] is None  # refused: nothing stored


def test_an_undone_export_date_no_longer_counts(store: Store, write_csv: WriteCsv) -> None:
    header = ["lead_id", "created_at", "channel", "converted"]
    ingest_file(store, write_csv("a.csv", header, [["L1", "2026-01-05 09:00", "web", "true"]]))
    later = ingest_file(
        store,
        write_csv("b.csv", header, [["L2", "2026-01-06 09:00", "web", "true"]]),
        through=dt.date(2026, 1, 20),
    )
    assert data_through(store)["leads"] == dt.date(2026, 1, 20)
    undo_upload(store, int(later.batch_id or 0))
    assert data_through(store)["leads"] == dt.date(2026, 1, 5)


def test_compare_cuts_a_window_at_the_data_and_says_so(demo_store: Store) -> None:
    before = DateRange(dt.date(2026, 10, 5), dt.date(2026, 10, 25))
    after = DateRange(dt.date(2026, 11, 2), dt.date(2026, 11, 22))
    table = compare(demo_store, before, after, ["service_rate"]).iloc[0]
    assert table["after_end"] == ORDERS_THROUGH and not table["complete"]
    assert table["note"] == (
        "the after window ends 2026-11-22; orders data through 2026-11-15: "
        "1 week of service_rate missing"
    )
    covered = compare(demo_store, before, DateRange(after.start, ORDERS_THROUGH), ["service_rate"])
    assert table["after"] == covered.iloc[0]["after"]  # the covered days only
    with pytest.raises(IncompleteDataError, match="--strict"):
        compare(demo_store, before, after, ["service_rate"], strict=True)


def test_a_window_wholly_past_the_data_has_no_value(demo_store: Store) -> None:
    before = DateRange(dt.date(2026, 10, 5), dt.date(2026, 10, 25))
    after = DateRange(dt.date(2026, 11, 16), dt.date(2026, 11, 29))
    row = compare(demo_store, before, after, ["csat"], by="team").iloc[0]
    assert row["before"] == row["before"] and row["after"] is None
    assert row["after_end"] is None and "2 weeks of csat missing" in row["note"]


def test_promise_columns_must_be_some_of_the_time_columns() -> None:
    text = CONFIG.read_text()
    for promises, message in (
        ("[promised_day]", "is not one of the time columns"),
        ("[ordered_at, promised_date, delivered_at, shipped_at]", "every time column is a promise"),
    ):
        broken = text.replace("promise_columns: [promised_date]", f"promise_columns: {promises}")
        with pytest.raises(DefinitionError, match=message):
            parse_definitions(broken)


def test_a_kpi_without_any_data_does_not_stop_the_others_windows(demo_store) -> None:
    """A team that never loads marketing spend (or whose exports lack an optional column)
    still compares every other KPI around its events."""
    from kpis import compare, undo_upload, windows_around_event

    undo_upload(demo_store, 66)  # the demo's marketing spend, its last upload
    windows = windows_around_event(demo_store, "ops-playbook")
    assert (windows.before.days, windows.after.days) == (182, 182)
    table = compare(demo_store, windows.before, windows.after,
                    ["conversion_rate", "cost_per_acquisition"], statistics=False)  # fmt: skip
    rows = {r["kpi"]: r for r in table.to_dict("records")}
    assert rows["conversion_rate"]["after"] > 0.03
    assert rows["cost_per_acquisition"]["after"] != rows["cost_per_acquisition"]["after"]  # NaN
    assert "no marketing_spend data yet" in rows["cost_per_acquisition"]["note"]
