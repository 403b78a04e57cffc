"""Upload rules: all or nothing, identical files are no-ops, overlaps update, undo restores."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import kpis.ingest.load
import kpis.ingest.rejects
from kpis import IngestError, Store, StoreError, compute, ingest_file, undo_upload, uploads
from tests.conftest import KPIS, WriteCsv, snapshot, table_rows

HEADER = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
WEEK1 = [
    ["T1", "2026-01-05 09:00", "2026-01-05 17:00", "5", "email", "billing"],
    ["T2", "2026-01-05 10:00", "", "", "chat", "tech"],
    ["T3", "2026-01-06 10:00", "2026-01-07 10:00", "3", "phone", "tech"],
]
# The next weekly export overlaps: T2 got resolved and rated, T3 is unchanged, T4 is new.
WEEK2 = [
    ["T2", "2026-01-05 10:00", "2026-01-08 10:00", "4", "chat", "tech"],
    ["T3", "2026-01-06 10:00", "2026-01-07 10:00", "3", "phone", "tech"],
    ["T4", "2026-01-08 11:00", "", "", "chat", "tech"],
]


@pytest.fixture
def loaded(store: Store, write_csv: WriteCsv) -> Store:
    """The store after the first weekly tickets export."""
    ingest_file(store, write_csv("week1.csv", HEADER, WEEK1))
    return store


def test_overlapping_export_updates_and_never_double_counts(
    loaded: Store, write_csv: WriteCsv
) -> None:
    result = ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2))
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (1, 1, 1)
    rows = {r[0]: r for r in table_rows(loaded, "tickets")}
    assert sorted(rows) == ["T1", "T2", "T3", "T4"]
    assert rows["T2"][3] == 4  # the newer state won
    csat = compute(loaded, ["csat"], "week")
    assert csat["numerator"].tolist() == [2.0] and csat["denominator"].tolist() == [3.0]


def test_identical_file_again_is_reported_and_changes_nothing(
    loaded: Store, write_csv: WriteCsv
) -> None:
    before = snapshot(loaded)
    again = ingest_file(loaded, write_csv("copy_of_week1.csv", HEADER, WEEK1))
    assert again.status == "unchanged"
    assert "identical to the file loaded on" in again.summary() and "(batch 1)" in again.summary()
    assert snapshot(loaded) == before


def test_refused_file_leaves_every_table_as_it_was(loaded: Store, write_csv: WriteCsv) -> None:
    before = snapshot(loaded)
    bad = [*WEEK2, ["T5", "not a date", "", "", "chat", "tech"]]  # 1 in 4 rejected: over 5 %
    with pytest.raises(IngestError, match=r"1 of 4 rows rejected \(25.0%\), above the 5% allowed"):
        ingest_file(loaded, write_csv("week2.csv", HEADER, bad))
    assert snapshot(loaded) == before


def test_a_failure_after_the_rows_were_written_rolls_everything_back(
    loaded: Store, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(loaded)

    def disk_full(*args: object) -> None:
        raise OSError("No space left on device")

    # The rows are already upserted when rejects are recorded: a failure there must undo them.
    monkeypatch.setattr(kpis.ingest.rejects, "record", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2))
    assert snapshot(loaded) == before


def _columns(store: Store) -> list[tuple[object, ...]]:
    return (
        store.cursor()
        .execute(
            "SELECT table_name, column_index, column_name, data_type, column_default, "
            "is_nullable FROM duckdb_columns() WHERE database_name <> 'temp' ORDER BY 1, 2"
        )
        .fetchall()
    )


def test_a_first_load_leaves_every_table_declared_as_before(
    store: Store, write_csv: WriteCsv
) -> None:
    """The first load adopts the staged rows as the table: its columns must be the same."""
    declared = _columns(store)
    rows = [*WEEK1, ["T9", "not a date", "", "", "chat", "tech"]]
    rows += [[f"X{i}", "2026-01-05 09:00", "", "", "chat", "tech"] for i in range(30)]
    result = ingest_file(store, write_csv("week1.csv", HEADER, rows))
    assert (result.rows_loaded, result.rows_rejected) == (33, 1)
    assert _columns(store) == declared
    assert "T9" not in {r[0] for r in table_rows(store, "tickets")}


def test_a_failure_after_a_first_load_leaves_the_empty_tables(
    store: Store, write_csv: WriteCsv, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, declared = snapshot(store), _columns(store)

    def disk_full(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(kpis.ingest.rejects, "record", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ingest_file(store, write_csv("week1.csv", HEADER, WEEK1))
    assert snapshot(store) == before
    assert _columns(store) == declared


def test_rejected_rows_under_the_threshold_are_kept_with_the_batch(
    store: Store, write_csv: WriteCsv
) -> None:
    rows = [[f"T{i}", "2026-01-05 09:00", "", "", "chat", "tech"] for i in range(40)]
    rows.append(["T99", "2026-01-05 09:00", "2026-01-05 08:00", "", "chat", "tech"])
    result = ingest_file(store, write_csv("t.csv", HEADER, rows))
    assert (result.rows_loaded, result.rows_rejected) == (40, 1)
    stored = (
        store.cursor()
        .execute("SELECT batch_id, line, column_name, reason FROM _kpis_rejects")
        .fetchall()
    )
    assert stored == [
        (
            1,
            42,
            "resolved_at, created_at",
            "resolved before it was created (resolved_at >= created_at)",
        ),
    ]


def test_upload_history_records_each_batch(loaded: Store, write_csv: WriteCsv) -> None:
    ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2))
    history = uploads(loaded)
    assert history[
        ["batch_id", "source", "file_name", "rows_loaded", "rows_inserted", "rows_updated"]
    ].values.tolist() == [
        [2, "tickets", "week2.csv", 3, 1, 1],
        [1, "tickets", "week1.csv", 3, 3, 0],
    ]
    assert all(len(h) == 64 for h in history["sha256"])


def test_undo_removes_a_batch_and_restores_what_it_replaced(
    loaded: Store, write_csv: WriteCsv
) -> None:
    after_week1 = table_rows(loaded, "tickets")
    ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2))
    message = undo_upload(loaded, 2)
    assert (
        message
        == "batch 2 (week2.csv) undone: 2 rows removed from tickets, 1 earlier rows restored"
    )
    assert table_rows(loaded, "tickets") == after_week1
    assert uploads(loaded)["status"].tolist() == ["undone", "loaded"]
    # The same file can be loaded again once its batch was undone.
    assert ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2)).status == "loaded"


def test_undo_only_the_latest_batch_of_a_source(loaded: Store, write_csv: WriteCsv) -> None:
    ingest_file(loaded, write_csv("week2.csv", HEADER, WEEK2))
    with pytest.raises(StoreError, match="not the latest upload of tickets: undo batch 2 first"):
        undo_upload(loaded, 1)
    undo_upload(loaded, 2)
    with pytest.raises(StoreError, match="already undone"):
        undo_upload(loaded, 2)
    with pytest.raises(StoreError, match="no upload with batch id 9"):
        undo_upload(loaded, 9)
    undo_upload(loaded, 1)
    assert table_rows(loaded, "tickets") == []


def test_duplicate_keys_inside_one_file_keep_the_first(store: Store, write_csv: WriteCsv) -> None:
    rows = [[f"T{i}", "2026-01-05 09:00", "", "", "chat", "tech"] for i in range(30)]
    rows.append(["T3", "2026-01-05 09:00", "2026-01-06 09:00", "5", "chat", "tech"])
    result = ingest_file(store, write_csv("t.csv", HEADER, rows))
    assert [str(p) for p in result.problems] == [
        "t.csv:32: ticket_id: T3 appears twice in this file (kept the row on line 5)"
    ]
    assert store.cursor().execute(
        "SELECT resolved_at FROM tickets WHERE ticket_id = 'T3'"
    ).fetchall() == [(None,)]


def test_an_ingest_killed_mid_load_leaves_the_previous_data(
    tmp_path: Path, definitions, write_csv: WriteCsv
) -> None:
    """SIGKILL a `kpis ingest` of a large file at several points of its load.

    Each time the database opens again with exactly the data it had before, or, when the
    kill lands after the commit, with all of the file: never with a part of it.
    """
    db = tmp_path / "ops.duckdb"
    with Store(db, definitions) as store:
        ingest_file(store, write_csv("week1.csv", HEADER, WEEK1))
        before = snapshot(store)
    big = tmp_path / "big_leads.csv"
    with big.open("w") as handle:
        handle.write("lead_id,created_at,channel,converted\n")
        for i in range(3_000_000):
            handle.write(f"L{i},2026-01-{i % 28 + 1:02d} 10:00:00,web,{i % 2}\n")

    def start(target: Path) -> subprocess.Popen[bytes]:
        """Start an ingest of the big file and return once its upload is staged."""
        staging = target.with_name(target.name + ".staging")
        process = subprocess.Popen(
            [KPIS, "--db", str(target), "ingest", str(big)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not any(staging.glob("*.csv")) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        return process

    # How long the load takes on this machine, on a copy: the kills land at fractions of it
    # (reading and typing, rejects and keys, saving), however fast the machine is.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copyfile(db, copy / db.name)
    started = time.monotonic()
    assert start(copy / db.name).wait() == 0
    took = time.monotonic() - started
    kills = 0
    for fraction in (0.15, 0.45, 0.8):
        process = start(db)
        time.sleep(fraction * took)
        if process.poll() is not None:
            continue  # finished first: the load has nothing left to interrupt at this point
        process.send_signal(signal.SIGKILL)
        process.wait()
        with Store(db, definitions) as store:
            after = snapshot(store)
            assert not any(db.with_name(db.name + ".staging").iterdir())
        if after != before:
            # Killed after its commit, while exiting: then all of the file is in, never a part.
            assert len(after["leads"]) == 3_000_000
            assert [upload[1] for upload in after["_kpis_uploads"]] == ["tickets", "leads"]
            break
        kills += 1
    assert kills >= 2


def test_staged_rows_unlike_the_table_are_not_adopted(store: Store) -> None:
    """The safety net of the first-load shortcut: other columns, and nothing is touched."""
    cur = store.cursor()
    cur.execute(
        "CREATE TABLE _kpis_staged_9 AS SELECT 1 AS ticket_id, NULL::VARCHAR AS _reason, "
        "NULL::VARCHAR AS _column, NULL::VARCHAR AS _value, NULL::BIGINT AS _dup_of"
    )
    declared = _columns(store)
    source = store.definitions.sources["tickets"]
    assert not kpis.ingest.load._adopt(cur, source, "tickets", "_kpis_staged_9", 9)
    assert _columns(store) == declared
