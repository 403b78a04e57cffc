"""The report's numbers against the plain-Python oracle, and the report when data is missing.

The oracle (tests/oracle.py) recomputes every KPI from the rows themselves: random exports a
year apart are loaded through the real upload path into a real DuckDB file, and the report's
value, previous week, same week a year earlier and target status must match it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kpis import Definitions, Store, UsageError, compare, ingest_file, week_of
from kpis.access import LOCAL
from kpis.events import make_event, save_event
from kpis.i18n import use_language
from kpis.report import build_report, report_json
from kpis.report.event_verdicts import NO_WEEK_AFTER
from kpis.report.model import OFF_TARGET, UNUSUAL_CHANGE
from tests.conftest import WriteCsv
from tests.oracle import HEADERS, kpi_values, random_exports, write_export

KPIS = ["conversion_rate", "csat", "resolution_time", "service_rate", "stock_rotation",
        "cost_per_unit_shipped"]  # fmt: skip
WEEK = "2026-W18"  # 27 Apr - 3 May 2026; a year earlier 2025-W18 (28 Apr - 4 May 2025)
KEYS = {"leads": "lead_id", "tickets": "ticket_id", "orders": "order_id",
        "shipments": "shipment_id"}  # fmt: skip


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Iterator[tuple[Store, dict[str, list[dict[str, Any]]]]]:
    """Four weeks of random exports in spring 2025 and fifteen in 2026, in one DuckDB file."""
    folder = tmp_path_factory.mktemp("report_oracle")
    then = random_exports(7, dt.date(2025, 4, 21), 28)
    now = random_exports(8, dt.date(2026, 2, 2), 105)
    data: dict[str, list[dict[str, Any]]] = {}
    for source in HEADERS:
        earlier = [
            {**row, KEYS[source]: "Y" + row[KEYS[source]]} if source in KEYS else row
            for row in then[source]
        ]
        data[source] = earlier + now[source]
    store = Store(folder / "ops.duckdb", definitions)
    for source, rows in data.items():
        result = ingest_file(store, write_export(folder / f"{source}.csv", source, rows))
        assert result.rows_rejected == 0, result.problems[:3]
    yield store, data
    store.close()


def _oracle(kpi: str, data: dict[str, list[dict[str, Any]]], week: str) -> float | None:
    window = week_of(week)
    return kpi_values(kpi, data, "week", window.start, window.end)[window.start]


@pytest.mark.parametrize("kpi", KPIS)
def test_values_match_the_oracle(loaded: tuple[Store, dict], kpi: str) -> None:
    store, data = loaded
    report = build_report(store, WEEK)
    row = next(r for r in report.kpis if r.kpi == kpi)
    target = store.definitions.kpis[kpi].target
    value = _oracle(kpi, data, WEEK)
    assert value is not None
    assert row.value == pytest.approx(value, rel=1e-9)
    assert row.previous == pytest.approx(_oracle(kpi, data, "2026-W17"), rel=1e-9)
    assert row.year_ago_week == "2025-W18" and row.year_ago is not None
    assert row.year_ago == pytest.approx(_oracle(kpi, data, "2025-W18"), rel=1e-9)
    assert row.target == target
    higher = store.definitions.kpis[kpi].higher_is_better
    assert row.target_met is (value >= target if higher else value <= target)
    assert row.complete and row.reason is None
    assert row.change == pytest.approx(row.value - row.previous)  # type: ignore[operator]
    # The 12 weeks of the sparkline are the oracle's, the last one the report's week.
    assert [p.week for p in row.series][-1] == WEEK and len(row.series) == 12
    for point in row.series:
        expected = _oracle(kpi, data, point.week)
        assert point.value == pytest.approx(expected, rel=1e-9)


def test_headline_and_attention_follow_the_rows(loaded: tuple[Store, dict]) -> None:
    store, _data = loaded
    report = build_report(store, WEEK)
    met = {r.kpi for r in report.kpis if r.target_met}
    assert set(report.headline.met) == met
    assert set(report.headline.missed) == {r.kpi for r in report.kpis if r.target_met is False}
    assert report.headline.sentence.startswith(
        f"Target met by {len(met)} of {len(report.kpis)} KPIs"
    )
    flagged = {r.kpi for r in report.kpis if r.target_met is False or r.unusual}
    assert {a.kpi for a in report.attention} == flagged
    for item in report.attention:
        row = next(r for r in report.kpis if r.kpi == item.kpi)
        assert (OFF_TARGET in item.reasons) == (row.target_met is False)
        assert (UNUSUAL_CHANGE in item.reasons) == row.unusual
        assert all(d.dimension in store.definitions.dimensions_of(
            store.definitions.kpis[item.kpi]) for d in item.drivers)  # fmt: skip


def test_the_demo_week_is_the_latest_complete_one(demo_store: Store) -> None:
    report = build_report(demo_store)
    assert report.week == "2026-W46"
    assert all(r.complete and r.value is not None for r in report.kpis)
    assert report.events == ()  # the demo's only event is in May
    assert [f.source for f in report.freshness] == list(demo_store.definitions.sources)
    assert not any(f.late for f in report.freshness)
    assert all(r.year_ago is None for r in report.kpis)  # the demo starts on 2025-11-17


def test_json_is_the_same_in_english_and_french(demo_store: Store) -> None:
    with use_language("en"):
        english = report_json(build_report(demo_store), demo_store.definitions)
    with use_language("fr"):
        report = build_report(demo_store)
        french = report_json(report, demo_store.definitions)
    assert english == french
    assert "Objectif atteint" in report.headline.sentence  # the model speaks the reader's


def test_a_late_source_shows_no_value_and_says_why(demo_store: Store, write_csv: WriteCsv) -> None:
    """Tickets reach 2026-11-22, the other sources stop on the 15th: W47 is incomplete."""
    header = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
    rows = [[f"N{i}", f"2026-11-{16 + i % 7} 09:00", f"2026-11-{16 + i % 7} 15:00", 5, "chat",
             "tech"] for i in range(70)]  # fmt: skip
    ingest_file(demo_store, write_csv("later.csv", header, rows))
    assert build_report(demo_store).week == "2026-W46"  # the default stays complete
    report = build_report(demo_store, "2026-W47")
    rows_by = {r.kpi: r for r in report.kpis}
    assert rows_by["csat"].value == 1.0 and rows_by["csat"].complete
    otif = rows_by["service_rate"]
    assert otif.value is None and not otif.complete and otif.target_met is None
    assert otif.reason == "orders data through 2026-11-15"
    assert "service_rate" in report.headline.missing
    late = {f.source for f in report.freshness if f.late}
    assert late == {"leads", "orders", "shipments", "inventory", "marketing_spend"}
    assert "No value this week" in report.headline.sentence


def test_a_kpi_without_any_data(store: Store, write_csv: WriteCsv) -> None:
    """Only leads were ever loaded: one KPI has a value, five say which data they wait for."""
    rows = [[f"L{i}", f"2026-03-{2 + i % 14:02d} 10:00", "web", str(i % 4 == 0).lower()]
            for i in range(100)]  # fmt: skip
    ingest_file(store, write_csv("leads.csv", HEADERS["leads"], rows))
    report = build_report(store)
    assert report.week == "2026-W11"
    rows_by = {r.kpi: r for r in report.kpis}
    assert rows_by["conversion_rate"].value is not None
    assert rows_by["csat"].value is None and rows_by["csat"].reason == "no tickets data yet"
    assert len(report.headline.missing) == 10
    assert report_json(report, store.definitions)  # renders


def test_events_of_the_last_13_weeks_get_their_verdicts_so_far(demo_store: Store) -> None:
    save_event(demo_store, make_event("new-carrier", dt.date(2026, 10, 14)), actor=LOCAL)
    save_event(demo_store, make_event("this-week", dt.date(2026, 11, 11)), actor=LOCAL)
    save_event(demo_store, make_event("long-ago", dt.date(2026, 6, 1)), actor=LOCAL)
    report = build_report(demo_store, "2026-W46")
    assert [e.name for e in report.events] == ["new-carrier", "this-week"]
    carrier, this_week = report.events
    assert carrier.weeks == 4 and not carrier.in_week  # 19 Oct - 15 Nov after it
    assert carrier.after is not None and carrier.before is not None
    assert (carrier.after.start, carrier.after.end) == (dt.date(2026, 10, 19),
                                                       dt.date(2026, 11, 15))  # fmt: skip
    assert (carrier.before.start, carrier.before.end) == (dt.date(2026, 9, 14),
                                                         dt.date(2026, 10, 11))  # fmt: skip
    expected = compare(demo_store, carrier.before, carrier.after, holding=False)
    assert [v.verdict for v in carrier.verdicts] == list(expected["verdict"])
    assert [v.after for v in carrier.verdicts] == pytest.approx(list(expected["after"]))
    assert this_week.in_week and this_week.weeks == 0 and this_week.verdicts == ()
    assert this_week.reason == NO_WEEK_AFTER


@pytest.mark.parametrize("week", ["2030-W01", "1999-W10", "9999-W52", "2026-W99", "nope"])
def test_a_week_without_data_is_refused(demo_store: Store, week: str) -> None:
    with pytest.raises(UsageError):
        build_report(demo_store, week)


def test_an_empty_database_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no data to report on yet"):
        build_report(store)
