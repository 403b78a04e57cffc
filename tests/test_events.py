"""Events saved from the dashboard: merged with kpis.yaml's, scoped, compared around."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from kpis import (
    Event,
    Store,
    UsageError,
    all_events,
    compare,
    delete_event,
    save_event,
    windows_around_event,
)
from tests.conftest import run_cli


def test_saved_events_are_listed_with_kpis_yaml_ones_by_date(demo_store: Store) -> None:
    save_event(demo_store, Event(name="new-wms", date=dt.date(2026, 2, 2), description="New WMS"))
    assert [(e.name, e.date) for e in all_events(demo_store)] == [
        ("new-wms", dt.date(2026, 2, 2)),
        ("lyon-slotting", dt.date(2026, 5, 18)),
        ("ops-playbook", dt.date(2026, 5, 18)),
    ]


def test_an_event_can_be_renamed_and_removed(demo_store: Store) -> None:
    save_event(demo_store, Event(name="draft", date=dt.date(2026, 2, 2)))
    save_event(demo_store, Event(name="carrier-switch", date=dt.date(2026, 2, 9)), replaces="draft")
    assert [e.name for e in all_events(demo_store)] == [
        "carrier-switch",
        "lyon-slotting",
        "ops-playbook",
    ]
    delete_event(demo_store, "carrier-switch")
    assert [e.name for e in all_events(demo_store)] == ["lyon-slotting", "ops-playbook"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (Event(name="ops-playbook", date=dt.date(2026, 1, 1)), "is an event of kpis.yaml"),
        (Event(name="  ", date=dt.date(2026, 1, 1)), "needs a name"),
        (
            Event(name="x", date=dt.date(2026, 1, 1), scope={"colour": "red"}),
            "'colour' is not a dimension",
        ),
    ],
)
def test_events_that_cannot_be_saved(demo_store: Store, event: Event, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        save_event(demo_store, event)


def test_names_are_unique_and_kpis_yaml_events_stay(demo_store: Store) -> None:
    save_event(demo_store, Event(name="once", date=dt.date(2026, 1, 1)))
    with pytest.raises(UsageError, match="already an event called 'once'"):
        save_event(demo_store, Event(name="once", date=dt.date(2026, 2, 1)))
    with pytest.raises(UsageError, match="defined in kpis.yaml"):
        delete_event(demo_store, "ops-playbook")


SCOPED = ["service_rate", "stock_rotation", "cost_per_unit_shipped", "order_processing_time",
          "incident_rate"]  # fmt: skip  # the KPIs with a warehouse


def test_a_scoped_event_compares_its_scope_only(demo_store: Store) -> None:
    save_event(
        demo_store,
        Event(name="lyon-docks", date=dt.date(2026, 5, 18), scope={"warehouse": "Lyon"}),
    )
    windows = windows_around_event(demo_store, "lyon-docks", weeks=8)
    scoped = compare(demo_store, windows.before, windows.after, scope=("warehouse", "Lyon"))
    split = compare(demo_store, windows.before, windows.after, by="warehouse")
    lyon = split[split["dimension_value"] == "Lyon"]
    assert list(scoped["kpi"]) == SCOPED
    assert scoped["after"].tolist() == pytest.approx(lyon["after"].tolist())
    assert scoped["ci_low"].tolist() == pytest.approx(lyon["ci_low"].tolist())


def test_the_cli_compares_around_a_saved_scoped_event(
    demo_db: Path, tmp_path: Path, definitions
) -> None:
    db = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    with Store(db, definitions) as store:
        save_event(
            store,
            Event(name="lyon-docks", date=dt.date(2026, 5, 18), scope={"warehouse": "Lyon"}),
        )
    table = run_cli("--db", str(db), "compare", "--event", "lyon-docks", "--weeks", "4")
    assert table.returncode == 0
    assert table.stdout.startswith(
        "before 2026-04-20:2026-05-17 (28 days)  after 2026-05-18:2026-06-14 (28 days) in warehouse Lyon"
    )
    listed = run_cli("--db", str(db), "compare", "--event", "lyon-docks", "--format", "json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    assert [r["kpi"] for r in rows] == SCOPED


@pytest.mark.parametrize(
    ("name", "day", "description", "message"),
    [
        ("y1", dt.date(1, 1, 1), "", "not a plausible date for an event"),
        ("y9999", dt.date(9999, 12, 31), "", "not a plausible date for an event"),
        ("old", dt.date(1899, 12, 31), "", "not a plausible date for an event"),
        ("   ", dt.date(2026, 1, 5), "", "name: String should have at least 1 character"),
        ("n" * 101, dt.date(2026, 1, 5), "", "name: String should have at most 100"),
        ("long", dt.date(2026, 1, 5), "d" * 2001, "description: String should have at most"),
    ],
)
def test_an_event_from_a_form_is_checked_and_refused_in_one_sentence(
    demo_store: Store, name: str, day: dt.date, description: str, message: str
) -> None:
    from kpis import make_event

    with pytest.raises(UsageError, match=message):
        make_event(name, day, description)
    assert [e.name for e in all_events(demo_store)] == [
        "lyon-slotting",
        "ops-playbook",
    ]  # nothing saved
