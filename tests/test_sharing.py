"""One database file for everyone at once (kpis.sharing): commands queue, never fail or mix.

Each test holds the file from another process (a real `python` holding `kpis.reading` or
`kpis.writing`, or the installed `kpis` command) and checks what a second one does.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import kpis
from kpis import UsageError
from kpis.demo import write_sample_exports
from kpis.sharing import lock_timeout
from tests.conftest import CONFIG, KPIS, ROOT, run_cli

HOLD = """
import sys, time
import kpis
definitions = kpis.load_definitions(sys.argv[3])
opened = kpis.reading if sys.argv[1] == "read" else kpis.writing
with opened(sys.argv[2], definitions):
    print("held", flush=True)
    time.sleep(float(sys.argv[4]))
"""


@contextmanager
def held(db: Path, mode: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the file (read or write) for `seconds`, once it says so."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, mode, str(db), str(CONFIG), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held", process.stderr
        yield process
    finally:
        process.kill()
        process.communicate()  # waits, and closes the pipes


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo database, opened for writing once, as any kpis database has been."""
    target = tmp_path / "db" / "ops.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db, target)
    with kpis.writing(target, kpis.load_definitions(CONFIG)):
        pass
    return target


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo's monthly sample exports: real files for loads that run side by side."""
    return sorted(write_sample_exports(tmp_path_factory.mktemp("exports")))


def _elapsed(*args: str, env: dict[str, str] | None = None) -> tuple[float, str, int]:
    started = time.monotonic()
    result = run_cli(*args, env=env)
    return time.monotonic() - started, result.stderr, result.returncode


@pytest.mark.parametrize(
    ("holder", "command"),
    [
        ("write", ["compute", "--kpi", "csat"]),
        ("write", ["uploads"]),
        ("read", ["ingest", "EXPORT"]),
        ("write", ["ingest", "EXPORT"]),
    ],
    ids=["read-waits-for-write", "list-waits-for-write", "write-waits-for-read", "write-waits"],
)
def test_a_command_waits_for_the_file_instead_of_failing(
    db: Path, exports: list[Path], holder: str, command: list[str]
) -> None:
    """The review's cron job failed whenever someone had the dashboard open."""
    command = [str(exports[-1]) if part == "EXPORT" else part for part in command]
    with held(db, holder, 1.5):
        seconds, stderr, code = _elapsed("--db", str(db), *command)
    assert code == 0, stderr
    assert seconds >= 1.0  # it waited for the other process, and then went through


def test_readers_read_side_by_side(db: Path) -> None:
    """A reader goes through while another process holds its read: no wait, however slow.

    Checked by order, not by a clock: the other reader holds for ten minutes (its lock is
    only let go when it is killed), so a compute that finishes at all finished beside it.
    """
    with held(db, "read", 600.0) as holder:
        result = run_cli("--db", str(db), "compute", "--kpi", "csat")
        assert holder.poll() is None  # still holding its read when the compute ended
    assert result.returncode == 0, result.stderr


def test_a_bounded_wait_ends_in_a_sentence_and_changes_nothing(
    db: Path, exports: list[Path]
) -> None:
    before = db.read_bytes()
    # The holder keeps the file for ten minutes: an ingest that ends while it still holds it
    # gave up after its bounded wait (no clock to flake on a busy machine).
    with held(db, "write", 600.0) as holder:
        _seconds, stderr, code = _elapsed(
            "--db", str(db), "ingest", str(exports[0]), env={"KPIS_LOCK_TIMEOUT": "0.5"}
        )
        assert holder.poll() is None
    assert code == 1
    assert stderr.startswith(f"Error: {db} stayed busy for 0.5 s"), stderr
    assert "KPIS_LOCK_TIMEOUT" in stderr
    assert db.read_bytes() == before


@pytest.mark.parametrize("text", ["soon", "-1", "1e9", "nan", "inf"])
def test_a_bad_lock_timeout_is_named(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("KPIS_LOCK_TIMEOUT", text)
    with pytest.raises(UsageError, match="KPIS_LOCK_TIMEOUT="):
        lock_timeout()


def test_threads_share_one_read_and_a_writer_waits_for_them(db: Path) -> None:
    """In one process (the dashboard's sessions), readers share a Store; a writer goes next."""
    definitions = kpis.load_definitions(CONFIG)
    seen: list[int] = []
    order: list[str] = []
    inside = threading.Barrier(4)

    def read() -> None:
        with kpis.reading(db, definitions) as store:
            seen.append(id(store))
            inside.wait(timeout=30)
            time.sleep(0.3)
        order.append("read")

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    time.sleep(0.1)
    with kpis.writing(db, definitions):
        order.append("write")
    for thread in readers:
        thread.join()
    assert len(set(seen)) == 1  # one read-only Store for every reader of the process
    assert order == ["read"] * 4 + ["write"]


def test_a_thread_that_reads_cannot_write_without_ending_its_read(db: Path) -> None:
    definitions = kpis.load_definitions(CONFIG)
    with (
        kpis.reading(db, definitions),
        pytest.raises(RuntimeError, match="end the read"),
        kpis.writing(db, definitions),
    ):
        pass
    with kpis.reading(db, definitions) as outer, kpis.reading(db, definitions) as inner:
        assert inner is outer  # reads nest without waiting


def test_read_commands_leave_no_lock_beside_a_database_never_written(tmp_path: Path) -> None:
    missing = tmp_path / "typo.duckdb"
    assert run_cli("--db", str(missing), "compute").returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _counts(db: Path) -> int:
    with kpis.reading(db, kpis.load_definitions(CONFIG)) as store:
        return int(store.cursor().execute("SELECT count(*) FROM shipments").fetchone()[0])


def test_a_killed_writer_leaves_the_file_to_the_readers_and_the_next_writer(
    db: Path, tmp_path: Path
) -> None:
    """kill -9 of a load while other processes read: they read on, and nothing is half there."""
    big = tmp_path / "shipments_big.csv"
    lines = ["shipment_id,shipped_at,units,shipping_cost,cogs,warehouse,carrier"]
    lines += [f"B{i},2026-11-1{i % 5} 10:00,3,5.5,30.0,Lyon,DHL" for i in range(400_000)]
    big.write_text("\n".join(lines) + "\n")
    before = _counts(db)
    readers = [
        subprocess.Popen(
            [str(KPIS), "--db", str(db), "compute", "--kpi", "cost_per_unit_shipped"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    writer = subprocess.Popen(
        [str(KPIS), "--db", str(db), "ingest", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.2)  # the readers are done or waiting, the load under way
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    for reader in readers:
        _, stderr = reader.communicate(timeout=120)
        assert reader.returncode == 0, stderr
    assert _counts(db) in (before, before + 400_000)  # all of the load or none of it
    result = json.loads(run_cli("--db", str(db), "uploads", "--format", "json").stdout)
    assert all(upload["status"] in ("loaded", "undone") for upload in result)
    # The kernel let go of the dead writer's lock: the next load goes through at once.
    seconds, stderr, code = _elapsed("--db", str(db), "ingest", str(big))
    assert code == 0, stderr
    assert seconds < 60  # it did not wait for a lock held by no one
    assert _counts(db) == before + 400_000
