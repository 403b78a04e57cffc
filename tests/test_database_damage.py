"""A damaged database (cut off, overwritten, another DuckDB's, a garbage log) is refused untouched.

The damaged files are copies of the demo database with real damage done to them; each
command that reads the damaged part must say so in one line, and the file, its log and its
folder must be byte for byte as before: DuckDB must not repair or rewrite anything.
"""

from __future__ import annotations

import random
import shutil
import struct
from pathlib import Path

import duckdb
import pytest

from tests.database_files import LEADS, commands, killed_writer, refused, state, write_leads

HEADERS, BLOCK = 3 * 4096, 262144  # DuckDB's file: three 4 KB headers, then 256 KB blocks


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    return write_leads(tmp_path)


def checksum(block: bytes) -> int:
    """DuckDB's block checksum (storage/checksum.cpp), to rewrite a header consistently."""
    total = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        total ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return total


def with_version(data: bytes, version: int) -> bytes:
    """The same file, its header claiming another storage version (as another DuckDB writes)."""
    patched = bytearray(data)
    struct.pack_into("<Q", patched, 12, version)
    struct.pack_into("<Q", patched, 0, checksum(bytes(patched[8:4096])))
    return bytes(patched)


def overwritten(data: bytes, at: int, size: int = 4096) -> bytes:
    patched = bytearray(data)
    patched[at : at + size] = random.Random(at).randbytes(size)
    return bytes(patched)


def block_of(db: Path, table: str | None) -> int:
    """Where a table's first data block starts in the file (no table: the catalogue's)."""
    with duckdb.connect(str(db), read_only=True) as con:
        sql = (
            "SELECT min(block_id) FROM pragma_metadata_info()"
            if table is None
            else f"SELECT min(block_id) FROM pragma_storage_info('{table}') WHERE block_id >= 0"
        )
        row = con.execute(sql).fetchone()
    assert row is not None and row[0] is not None
    return HEADERS + int(row[0]) * BLOCK + 100  # inside the block, past its own checksum


def _other_log(db: Path) -> bytes:
    other = db.with_name("other.duckdb")
    killed_writer(other)
    log = other.with_name("other.duckdb.wal").read_bytes()
    for path in (other, other.with_name("other.duckdb.wal")):
        path.unlink()
    return log


ALL = ("compute", "uploads", "ingest", "undo")
DAMAGED = "{db} is damaged ("
OLD = "{db} was written by a DuckDB version this one cannot read (storage version 51; DuckDB "
NEW = "{db} was written by a DuckDB version this one cannot read (storage version 1000; "
# (id, the database's new bytes, its log's bytes or None, commands that must see it, message)
DAMAGE = [
    pytest.param(lambda d, db: d[:4096], None, ALL, DAMAGED + "it is shorter than its own header says: it was cut off)", id="first-4KB"),
    pytest.param(lambda d, db: d[: len(d) // 2], None, ALL, DAMAGED + "it is shorter than its own header says", id="first-half"),
    pytest.param(lambda d, db: overwritten(d, 100, 100), None, ALL, DAMAGED + "a checksum does not match", id="main-header-overwritten"),
    pytest.param(lambda d, db: overwritten(d, 4096, 8192), None, ALL, DAMAGED + "a checksum does not match", id="both-database-headers-overwritten"),
    pytest.param(lambda d, db: overwritten(d, 4096 + 100, 100), None, ALL, DAMAGED + "a checksum does not match", id="one-database-header-overwritten"),
    pytest.param(lambda d, db: overwritten(d, block_of(db, None)), None, ALL, DAMAGED + "a checksum does not match", id="catalogue-overwritten"),
    pytest.param(lambda d, db: overwritten(d, block_of(db, "_kpis_uploads")), None, ("uploads", "ingest", "undo"), DAMAGED + "a checksum does not match", id="uploads-table-overwritten"),
    pytest.param(lambda d, db: overwritten(d, block_of(db, "tickets")), None, ("compute", "compare"), DAMAGED + "a checksum does not match", id="tickets-table-overwritten"),
    pytest.param(lambda d, db: with_version(d, 51), None, ALL, OLD, id="storage-version-of-duckdb-0.8"),
    pytest.param(lambda d, db: with_version(d, 1000), None, ALL, NEW, id="storage-version-from-the-future"),
    pytest.param(lambda d, db: d, lambda db: random.Random(3).randbytes(5000), ALL, DAMAGED + "its log ops.duckdb.wal is not a DuckDB write-ahead log)", id="log-of-random-bytes"),
    pytest.param(lambda d, db: d, lambda db: bytes(8192), ALL, DAMAGED + "its log ops.duckdb.wal is not a DuckDB write-ahead log)", id="log-of-zeros"),
    pytest.param(lambda d, db: d, lambda db: LEADS.encode(), ALL, DAMAGED + "its log ops.duckdb.wal is not a DuckDB write-ahead log)", id="log-that-is-a-csv"),
    pytest.param(lambda d, db: d, _other_log, ALL, DAMAGED + "its log ops.duckdb.wal belongs to another database)", id="log-of-another-database"),
]  # fmt: skip


@pytest.mark.parametrize(("damage", "log", "found_by", "message"), DAMAGE)
def test_a_damaged_database_is_refused_and_left_exactly_as_it_was(
    demo_db: Path, tmp_path: Path, leads: Path, damage, log, found_by: tuple[str, ...], message: str
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    db.write_bytes(damage(db.read_bytes(), db))
    if log is not None:
        db.with_name("ops.duckdb.wal").write_bytes(log(db))
    if found_by != ALL:
        # Damage found by a query rather than on opening: the open went through, as it does
        # for any database kpis has written, which always has its staging folder.
        db.with_name("ops.duckdb.staging").mkdir()
    before = state(folder)
    for command in found_by:
        error = refused("--db", str(db), *commands(leads, tmp_path)[command])
        assert error.startswith("Error: " + message.format(db=db)), error
        if message.startswith(DAMAGED):
            assert error.endswith(
                "restore it from a backup, or start a new database with --db and load the "
                "exports again"
            )
        assert state(folder) == before, command
