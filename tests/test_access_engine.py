"""The engine refuses what a role may not do, changes nothing then, and records who did what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from kpis import (
    LOCAL,
    Actor,
    Definitions,
    Event,
    MappingProfile,
    PermissionDenied,
    Store,
    all_events,
    delete_event,
    ingest_file,
    save_event,
    save_mapping,
    undo_upload,
    uploads,
)
from kpis.events import event_log
from kpis.store import EVENTS, MAPPINGS, UPLOADS
from tests.conftest import WriteCsv, snapshot
from tests.ingest.test_transactions import HEADER, WEEK1, WEEK2

VIEWER = Actor("coo@example.com", "viewer")
ANALYST = Actor("ana@example.com", "analyst")
OTHER = Actor("bob@example.com", "analyst")


@pytest.fixture
def loaded(store: Store, write_csv: WriteCsv) -> Store:
    """A store with one upload by Ana and one saved event."""
    ingest_file(store, write_csv("week1.csv", HEADER, WEEK1), actor=ANALYST)
    save_event(store, Event(name="kept", date=dt.date(2026, 1, 5)), actor=ANALYST)
    return store


CHANGES: dict[str, Callable[[Store, Path, Actor], object]] = {
    "upload": lambda s, f, a: ingest_file(s, f, actor=a),
    "undo": lambda s, f, a: undo_upload(s, 1, actor=a),
    "add an event": lambda s, f, a: save_event(
        s, Event(name="new", date=dt.date(2026, 1, 6)), actor=a
    ),
    "change an event": lambda s, f, a: save_event(
        s, Event(name="kept", date=dt.date(2026, 1, 7)), replaces="kept", actor=a
    ),
    "remove an event": lambda s, f, a: delete_event(s, "kept", actor=a),
    "save a mapping": lambda s, f, a: save_mapping(
        s, "acme", MappingProfile(source="tickets"), actor=a
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_viewer_is_refused_and_nothing_changes(
    loaded: Store, write_csv: WriteCsv, change: str
) -> None:
    file = write_csv("week2.csv", HEADER, WEEK2)
    before = snapshot(loaded)
    with pytest.raises(PermissionDenied, match="coo@example.com is a viewer and may not"):
        CHANGES[change](loaded, file, VIEWER)
    assert snapshot(loaded) == before
    assert list(loaded.staging_dir.iterdir()) == []


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("actor", [ANALYST, OTHER, Actor("root@example.com", "admin"), LOCAL])
def test_analysts_and_admins_may(
    loaded: Store, write_csv: WriteCsv, change: str, actor: Actor
) -> None:
    before = snapshot(loaded)
    CHANGES[change](loaded, write_csv("week2.csv", HEADER, WEEK2), actor)
    assert snapshot(loaded) != before


def test_the_history_names_who_loaded_and_who_undid(loaded: Store, write_csv: WriteCsv) -> None:
    ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2), actor=OTHER)
    undo_upload(loaded, 2, actor=ANALYST)  # anyone's upload, by any analyst
    ingest_file(loaded, write_csv("week2b.csv", HEADER, WEEK2[:1]), actor=LOCAL)
    history = uploads(loaded)
    assert history[["batch_id", "uploaded_by", "undone_by"]].values.tolist() == [
        [3, None, None],  # the command line: no e-mail
        [2, "bob@example.com", "ana@example.com"],
        [1, "ana@example.com", None],
    ]


def test_events_and_mappings_keep_who_saved_them_last(loaded: Store) -> None:
    save_event(loaded, Event(name="kept", date=dt.date(2026, 1, 8)), replaces="kept", actor=OTHER)
    save_mapping(loaded, "acme", MappingProfile(source="tickets"), actor=ANALYST)
    cur = loaded.cursor()
    assert cur.execute(f"SELECT name, changed_by FROM {EVENTS}").fetchall() == [
        ("kept", "bob@example.com")
    ]
    assert cur.execute(f"SELECT name, changed_by FROM {MAPPINGS}").fetchall() == [
        ("acme", "ana@example.com")
    ]


def test_who_removed_an_event_is_kept_although_the_event_goes(loaded: Store) -> None:
    """Removing deletes the event's row, and its changed_by with it: the log keeps who did it."""
    save_event(
        loaded, Event(name="renamed", date=dt.date(2026, 1, 6)), replaces="kept", actor=OTHER
    )
    delete_event(loaded, "renamed", actor=ANALYST)
    assert all_events(loaded) == [e for e in all_events(loaded) if e.name != "renamed"]
    log = [(action, name, by) for _, action, name, by in event_log(loaded)]
    assert log == [
        ("removed", "renamed", "ana@example.com"),
        ("changed", "renamed", "bob@example.com"),
        ("renamed", "kept", "bob@example.com"),
        ("added", "kept", "ana@example.com"),
    ]
    before = snapshot(loaded)
    with pytest.raises(PermissionDenied):
        delete_event(loaded, "kept", actor=VIEWER)
    assert snapshot(loaded) == before  # a refused removal logs nothing either


def test_an_older_database_without_the_columns_keeps_working(
    tmp_path: Path, definitions: Definitions, write_csv: WriteCsv
) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db, definitions) as store:
        ingest_file(store, write_csv("week1.csv", HEADER, WEEK1))
        for table, column in [(UPLOADS, "uploaded_by"), (UPLOADS, "undone_by"),
                              (EVENTS, "changed_by"), (MAPPINGS, "changed_by")]:  # fmt: skip
            store.cursor().execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    with Store(db, definitions, read_only=True) as store:  # read as it is: no column added
        history = uploads(store)
        assert history[["uploaded_by", "undone_by"]].values.tolist() == [[None, None]]
    with Store(db, definitions) as store:  # opened for writing: the columns are added
        ingest_file(store, write_csv("week2.csv", HEADER, WEEK2), actor=ANALYST)
        save_event(store, Event(name="e", date=dt.date(2026, 1, 5)), actor=ANALYST)
        undo_upload(store, 2, actor=OTHER)
        assert uploads(store)[["uploaded_by", "undone_by"]].values.tolist() == [
            ["ana@example.com", "bob@example.com"],
            [None, None],
        ]
