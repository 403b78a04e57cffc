"""Databases the report's renderers are tried on: a late source, a KPI without data, events.

Built as tests/report/test_content.py builds them (through the real upload path and the real
event store), so the HTML, PDF and plain text are tried on the cases the content model is.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from kpis import Definitions, Store, ingest_file
from kpis.access import LOCAL
from kpis.events import make_event, save_event
from kpis.report import build_report
from kpis.report.model import Report
from tests.conftest import WriteCsv
from tests.oracle import HEADERS


def demo_report(demo_db: Path, folder: Path, definitions: Definitions) -> Report:
    """The demo's default week (2026-W46), from a private copy of the demo database."""
    target = folder / "ops.duckdb"
    shutil.copyfile(demo_db, target)
    with Store(target, definitions) as store:
        return build_report(store)


def late_source(store: Store, write_csv: WriteCsv) -> Report:
    """Tickets reach 2026-11-22, the other sources stop on the 15th: W47 of the demo."""
    header = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
    rows = [[f"N{i}", f"2026-11-{16 + i % 7} 09:00", f"2026-11-{16 + i % 7} 15:00", 5, "chat",
             "tech"] for i in range(70)]  # fmt: skip
    ingest_file(store, write_csv("later.csv", header, rows))
    return build_report(store, "2026-W47")


def leads_only(store: Store, write_csv: WriteCsv) -> Report:
    """An empty database given leads only: five KPIs wait for data they never had."""
    rows = [[f"L{i}", f"2026-03-{2 + i % 14:02d} 10:00", "web", str(i % 4 == 0).lower()]
            for i in range(100)]  # fmt: skip
    ingest_file(store, write_csv("leads.csv", HEADERS["leads"], rows))
    return build_report(store)


def with_events(store: Store) -> Report:
    """The demo with an event four weeks before W46 (verdicts so far) and one during it."""
    save_event(store, make_event("new-carrier", dt.date(2026, 10, 14)), actor=LOCAL)
    save_event(store, make_event("<b>this</b> & week", dt.date(2026, 11, 11)), actor=LOCAL)
    return build_report(store, "2026-W46")
