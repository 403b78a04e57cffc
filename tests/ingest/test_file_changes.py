"""A file that changes while it is read is refused, and the database is as it was.

An export still being written (a sync client, a slow download, a tool appending) used to
load its first part with exit 0 and a SHA-256 of neither version. The file's size,
modification time and inode are taken before staging, after staging and after DuckDB has
read it, inside the load's transaction; any difference refuses the upload.

The changes here are real writes to the file: made from the progress callback (between the
stages of one upload), by a thread appending while an upload runs, and by another process
while the CLI loads.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from kpis import IngestError, Store, ingest_file
from tests.conftest import run_cli, snapshot
from tests.ingest.bounded import limited_store

HEADER = "lead_id,created_at,channel,converted\n"
CHANGED = "changed while it was being read (is it still being written?); wait until the export is complete and upload it again"


def _rows(count: int, start: int = 1) -> str:
    return "".join(f"L{i},2026-01-05 09:00,web,true\n" for i in range(start, start + count))


def _append(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(
            b"L999999,2026-01-05 09:00,web,true\n" if path.suffix == ".csv" else b"\0" * 10
        )


def _rewrite_same_size(path: Path) -> None:
    time.sleep(0.02)  # a later write: the clock has moved on, as it would for any writer
    data = path.read_bytes()
    path.write_bytes(data.replace(b"web", b"wab") if path.suffix == ".csv" else data[::-1])


def _replace(path: Path) -> None:
    """Written beside and renamed over, as most tools save: a new inode of the same name."""
    fresh = path.with_name("fresh" + path.suffix)
    fresh.write_bytes(path.read_bytes())
    os.replace(fresh, path)


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


CHANGES = [("append", _append), ("rewrite-same-size", _rewrite_same_size), ("replace", _replace), ("truncate", _truncate)]  # fmt: skip
# The stages ingest_file reports; the first three after staging, the last after DuckDB read.
STAGES = ["reading the header", "reading and typing", "checking keys and rejected rows", "saving into"]  # fmt: skip


def _export(folder: Path, kind: str) -> Path:
    text = HEADER + _rows(2_000)
    if kind == "csv":
        path = folder / "leads.csv"
        path.write_text(text, encoding="utf-8")
    elif kind == "csv.gz":
        path = folder / "leads.csv.gz"
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Export")
        for line in text.splitlines():
            sheet.append(line.split(","))
        buffer = io.BytesIO()
        book.save(buffer)
        path = folder / "leads.xlsx"
        path.write_bytes(buffer.getvalue())
    return path


def _when(stage: str, change: Callable[[Path], None], path: Path) -> Callable[[float, str], None]:
    """A progress callback that changes the file once, at the first report of `stage`."""
    done = []

    def report(fraction: float, now: str) -> None:
        if now.startswith(stage) and not done:
            done.append(now)
            change(path)

    return report


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("change", [c[1] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_a_csv_changed_during_the_upload_is_refused(
    tmp_path: Path, stage: str, change: Callable[[Path], None]
) -> None:
    path = _export(tmp_path, "csv")
    with limited_store(tmp_path / "store") as store:
        _refused(store, path, _when(stage, change, path))


@pytest.mark.parametrize("kind", ["csv.gz", "xlsx"])
@pytest.mark.parametrize("change", [c[1] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_a_gzip_or_workbook_changed_during_the_upload_is_refused(
    tmp_path: Path, kind: str, change: Callable[[Path], None]
) -> None:
    path = _export(tmp_path, kind)
    with limited_store(tmp_path / "store") as store:
        _refused(store, path, _when("reading the header", change, path))


def _refused(store: Store, path: Path, progress: Callable[[float, str], None]) -> None:
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        ingest_file(store, path, progress=progress)
    assert str(caught.value) == f"{path.name} {CHANGED}"
    assert snapshot(store) == before, "the changed file's rows were committed"
    assert list(store.staging_dir.iterdir()) == []


def test_a_file_completed_before_it_is_read_loads_whole(tmp_path: Path) -> None:
    """Appended to before the reading starts: one consistent file, loaded with its new row."""
    path = _export(tmp_path, "csv")
    with limited_store(tmp_path / "store") as store:
        result = ingest_file(store, path, progress=_when("reading the file", _append, path))
    assert result.rows_loaded == 2_001


def test_a_file_appended_to_by_a_writer_thread_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(HEADER + _rows(500_000), encoding="utf-8")
    stop = threading.Event()

    def write() -> None:
        number = 10_000_000
        with path.open("a", encoding="utf-8") as handle:
            while not stop.is_set():
                handle.write(f"L{number},2026-01-05 09:00,web,true\n")
                handle.flush()
                number += 1
                time.sleep(0.001)

    with limited_store(tmp_path / "store") as store:
        before = snapshot(store)
        writer = threading.Thread(target=write)
        writer.start()
        try:
            with pytest.raises(IngestError, match=CHANGED.split(" (")[0]):
                ingest_file(store, path)
        finally:
            stop.set()
            writer.join()
        assert snapshot(store) == before
        assert list(store.staging_dir.iterdir()) == []


def test_the_cli_refuses_a_file_another_process_is_writing(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(HEADER + _rows(500_000), encoding="utf-8")
    script = (
        "import sys, time\n"
        "with open(sys.argv[1], 'a') as out:\n"
        "    for n in range(10**9):\n"
        "        out.write(f'W{n},2026-01-05 09:00,web,true\\n'); out.flush(); time.sleep(0.001)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(path)])
    try:
        time.sleep(0.2)  # writing has begun
        result = run_cli("--db", str(tmp_path / "x.duckdb"), "ingest", str(path))
    finally:
        writer.kill()
        writer.wait()
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"leads.csv {CHANGED}")
    assert list((tmp_path / "x.duckdb.staging").iterdir()) == []
    check = run_cli("--db", str(tmp_path / "x.duckdb"), "uploads")
    assert "leads.csv" not in check.stdout
