"""--db: only a local DuckDB file is opened, or a new one at a .duckdb name; nothing else.

Every case runs the installed `kpis` command on a real file (a CSV export, a SQLite file, a
folder, a MotherDuck or S3 path) and checks the one-line error and that the folder holding
it is exactly as before: the same bytes, and nothing created beside it (no database, .wal,
.staging or .tmp), no extension fetched.
"""

from __future__ import annotations

import gzip
import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CONFIG, run_cli
from tests.database_files import LEADS, commands, killed_writer, refused, state, write_leads


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    return write_leads(tmp_path)


# -- a file that is not a DuckDB database ---------------------------------------------------------


def _sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE leads (lead_id TEXT)")
    con.commit()
    con.close()


def _parquet(path: Path) -> None:
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 1 AS x) TO '{path}' (FORMAT parquet)")


def _workbook(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["lead_id", "created_at"])
    book.save(path)


def _write(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


NOT_DUCKDB = [
    pytest.param("export.csv", _write(LEADS.encode()), "it looks like a CSV file", id="csv"),
    pytest.param("export.txt", _write(b"a;b\n1;2\n"), "it looks like a CSV file", id="csv-semicolons"),
    pytest.param("export.tsv", _write(b"a\tb\n1\t2\n"), "it looks like a CSV file", id="tsv"),
    pytest.param("export.csv", _write(LEADS.encode("utf-16")), "it looks like a CSV file", id="csv-utf16"),
    pytest.param("export.json", _write(b'[{"lead_id": "L1"}]'), "it looks like a JSON file", id="json"),
    pytest.param("notes.txt", _write(b"weekly export\n"), "it looks like a text file", id="text"),
    pytest.param("page.html", _write(b"<!doctype html><html></html>"), "it looks like an XML or HTML file", id="html"),
    pytest.param("ops.duckdb", _write(b""), "it is empty, 0 bytes", id="empty-file"),
    pytest.param("ops.duckdb", _write(random.Random(7).randbytes(6000)), "it holds binary data of an unknown kind", id="random-binary"),
    pytest.param("ops.db", _sqlite, "it looks like a SQLite database", id="sqlite"),
    pytest.param("ops.parquet", _parquet, "it looks like a Parquet file", id="parquet"),
    pytest.param("export.xlsx", _workbook, "it looks like an Excel workbook or another ZIP archive", id="xlsx"),
    pytest.param("export.csv.gz", _write(gzip.compress(LEADS.encode())), "it looks like a gzip-compressed file", id="gzip"),
    pytest.param("report.pdf", _write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "it looks like a PDF document", id="pdf"),
    pytest.param("DUCK.duckdb", _write(b"DUCK" + b"x" * 100), "it looks like a text file", id="magic-at-the-wrong-offset"),
]  # fmt: skip


@pytest.mark.parametrize("command", ["ingest", "compute"])
@pytest.mark.parametrize(("name", "make", "looks"), NOT_DUCKDB)
def test_a_file_that_is_not_a_duckdb_database_is_refused_and_left_alone(
    tmp_path: Path, leads: Path, name: str, make: Callable[[Path], None], looks: str, command: str
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / name
    make(db)
    before = state(folder)
    error = refused("--db", str(db), *commands(leads, tmp_path)[command])
    assert error.startswith(f"Error: {db} is not a DuckDB database ({looks}); "), error
    assert "give --db the .duckdb file" in error
    assert state(folder) == before


def test_the_csv_of_the_security_review(tmp_path: Path) -> None:
    """`kpis --db export.csv ingest other.csv` used to say "1 rows loaded" and keep nothing."""
    (tmp_path / "export.csv").write_text(LEADS)
    (tmp_path / "other.csv").write_text(LEADS)
    before = state(tmp_path)
    error = refused("--db", "export.csv", "ingest", "other.csv", cwd=tmp_path)
    assert error == (
        "Error: export.csv is not a DuckDB database (it looks like a CSV file); give --db the "
        ".duckdb file, or a new path ending in .duckdb"
    )
    assert state(tmp_path) == before


def test_a_write_ahead_log_given_as_the_database(tmp_path: Path, leads: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    killed_writer(folder / "ops.duckdb")
    before = state(folder)
    for command in ("ingest", "compute"):
        error = refused("--db", str(folder / "ops.duckdb.wal"), *commands(leads, tmp_path)[command])
        assert error.startswith(
            f"Error: {folder}/ops.duckdb.wal is not a DuckDB database (it looks like a DuckDB "
            "write-ahead log); give --db the database file it belongs to"
        )
    assert state(folder) == before


NOT_A_FILE = [
    pytest.param(lambda p: p.mkdir(), "{db} is a folder, not a DuckDB database", id="folder"),
    pytest.param(os.mkfifo, "{db} is not a DuckDB database (it is a device, pipe or socket", id="fifo"),
    pytest.param(lambda p: p.symlink_to(p.with_name("gone.duckdb")), "{db} is a link to", id="dangling-link"),
]  # fmt: skip


@pytest.mark.parametrize("command", ["ingest", "compute"])
@pytest.mark.parametrize(("make", "message"), NOT_A_FILE)
def test_what_is_not_a_file_is_refused(
    tmp_path: Path, leads: Path, make: Callable[[Path], None], message: str, command: str
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "ops.duckdb"
    make(db)
    before = state(folder)
    error = refused("--db", str(db), *commands(leads, tmp_path)[command])
    assert error.startswith("Error: " + message.format(db=db)), error
    assert state(folder) == before


def test_a_device_is_refused(leads: Path) -> None:
    error = refused("--db", "/dev/null", "ingest", str(leads))
    assert error.startswith("Error: /dev/null is not a DuckDB database (it is a device")


NEW_PATHS = [  # (--db under the folder, command, the file created, or the error)
    pytest.param("tickets.csv", "ingest", None, "{db} does not exist, and kpis creates a new database only at a path ending in .duckdb or .db: give --db the existing database, or a new path such as {folder}/tickets.duckdb", id="csv-name"),
    pytest.param("ops", "ingest", None, "{db} does not exist, and kpis creates a new database only", id="no-suffix"),
    pytest.param("ops.duckdb.bak", "ingest", None, "{db} does not exist, and kpis creates a new database only", id="backup-name"),
    pytest.param("tickets.csv", "demo", None, "{db} does not exist, and kpis creates a new database only", id="demo-csv-name"),
    pytest.param("ops.duckdb", "compute", None, "no database at {db} (create it with kpis ingest or kpis demo", id="read-missing"),
    pytest.param("ops.duckdb", "uploads", None, "no database at {db} (create it with kpis ingest or kpis demo", id="uploads-missing"),
    pytest.param("leads.csv/ops.duckdb", "ingest", None, "cannot create {db}: {folder}/leads.csv is a file, not a folder", id="parent-is-a-file"),
    pytest.param("ops.duckdb", "ingest", "ops.duckdb", None, id="duckdb"),
    pytest.param("ops.db", "ingest", "ops.db", None, id="db"),
    pytest.param("OPS.DuckDB", "ingest", "OPS.DuckDB", None, id="upper-case-suffix"),
    pytest.param("data/2026/ops.duckdb", "ingest", "data/2026/ops.duckdb", None, id="new-folders"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "command", "created", "message"), NEW_PATHS)
def test_a_new_database_only_at_a_duckdb_name(
    tmp_path: Path, leads: Path, name: str, command: str, created: str | None, message: str | None
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "leads.csv").write_text(LEADS)
    db = folder / name
    before = state(folder)
    if message is not None:
        error = refused("--db", str(db), *commands(leads, tmp_path)[command])
        assert error.startswith("Error: " + message.format(db=db, folder=folder)), error
        assert state(folder) == before
        return
    result = run_cli("--db", str(db), *commands(leads, tmp_path)[command])
    assert result.returncode == 0, result.stderr
    assert (folder / created).is_file()


def test_a_log_without_its_database_is_not_replaced_by_a_new_one(
    tmp_path: Path, leads: Path
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    killed_writer(folder / "ops.duckdb")
    (folder / "ops.duckdb").unlink()
    before = state(folder)
    error = refused("--db", str(folder / "ops.duckdb"), "ingest", str(leads))
    assert error.startswith(
        f"Error: {folder}/ops.duckdb is damaged (the file is missing but its log ops.duckdb.wal "
        "is there): restore it from a backup"
    )
    assert state(folder) == before


# -- a path that would make DuckDB fetch or load an extension ------------------------------------


NON_LOCAL = [
    pytest.param("md:ops", "a MotherDuck database", id="motherduck-md"),
    pytest.param("md:", "a MotherDuck database", id="motherduck-default"),
    pytest.param("motherduck:ops", "a MotherDuck database", id="motherduck"),
    pytest.param("s3://bucket/ops.duckdb", "cloud storage", id="s3"),
    pytest.param("gs://bucket/ops.duckdb", "cloud storage", id="gcs"),
    pytest.param("az://container/ops.duckdb", "cloud storage", id="azure"),
    pytest.param("hf://datasets/x/ops.duckdb", "cloud storage", id="hugging-face"),
    pytest.param("https://example.com/ops.duckdb", "a web address", id="https"),
    pytest.param("http://example.com/ops.duckdb", "a web address", id="http"),
    pytest.param("sqlite:ops.db", "a SQLite database, read through a DuckDB extension", id="sqlite"),
    pytest.param("postgres:dbname=ops", "a PostgreSQL server", id="postgres"),
    pytest.param("mysql:host=localhost", "a MySQL server", id="mysql"),
    pytest.param("ducklake:ops.ducklake", "DuckDB reads 'ducklake:' as a request for its ducklake extension", id="ducklake"),
    pytest.param("httpfs:ops.duckdb", "DuckDB reads 'httpfs:' as a request for its httpfs extension", id="unknown-prefix"),
    pytest.param(":memory:", "DuckDB's in-memory database, which forgets everything", id="memory"),
    pytest.param(":memory:named", "DuckDB's in-memory database, which forgets everything", id="memory-named"),
]  # fmt: skip


@pytest.mark.parametrize("command", ["ingest", "compute"])
@pytest.mark.parametrize(("path", "what"), NON_LOCAL)
def test_a_path_that_is_not_a_local_file_is_refused_before_duckdb_sees_it(
    tmp_path: Path, leads: Path, path: str, what: str, command: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    error = refused(
        "--db", path, *commands(leads, tmp_path)[command], cwd=work, env={"HOME": str(home)}
    )
    assert error.startswith(f"Error: {path} is not a local file ({what}"), error
    assert "give --db a path such as data/ops.duckdb" in error
    assert state(work) == {} and state(home) == {}  # nothing created, no extension fetched


def test_an_empty_path_is_refused(tmp_path: Path, leads: Path) -> None:
    error = refused("--db", "", "ingest", str(leads), cwd=tmp_path)
    assert error == "Error: the database path is empty: give --db a file such as data/ops.duckdb"


def test_a_local_name_with_a_colon_works_written_as_advised(tmp_path: Path, leads: Path) -> None:
    error = refused("--db", "week:40.duckdb", "ingest", str(leads), cwd=tmp_path)
    assert "or ./week:40.duckdb for a local file with a colon in its name" in error
    result = run_cli(
        "--config", str(CONFIG), "--db", "./week:40.duckdb", "ingest", str(leads), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "week:40.duckdb").is_file()


def test_an_encrypted_database_is_refused_without_loading_an_extension(
    tmp_path: Path, leads: Path
) -> None:
    """Opening an encrypted file needs a key, and writing it the httpfs extension."""
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "ops.duckdb"
    with duckdb.connect() as con:
        con.execute("SET force_mbedtls_unsafe = true")  # write one without httpfs
        con.execute(f"ATTACH '{db}' AS locked (ENCRYPTION_KEY 'secret')")
        con.execute("CREATE TABLE locked.leads AS SELECT 1 AS x")
        con.execute("DETACH locked")
    home = tmp_path / "home"
    home.mkdir()
    before = state(folder)
    for command in ("ingest", "compute"):
        error = refused(
            "--db", str(db), *commands(leads, tmp_path)[command], env={"HOME": str(home)}
        )
        assert error.startswith(
            f"Error: {db} is an encrypted DuckDB database, which kpis does not open"
        )
    assert state(folder) == before and state(home) == {}


DEMO = [  # kpis demo --force deletes the file it rebuilds: only ever a DuckDB database
    pytest.param("export.csv", LEADS.encode(), "{db} is not a DuckDB database (it looks like a CSV file)", id="csv"),
    pytest.param("ops.duckdb", b"", "{db} is not a DuckDB database (it is empty, 0 bytes)", id="empty-file"),
    pytest.param("ops.db", None, "{db} is not a DuckDB database (it looks like a SQLite database)", id="sqlite"),
    pytest.param("ops.backup", "duckdb", "{db} would be replaced by a new database, which kpis creates only at a path ending in .duckdb or .db", id="duckdb-at-another-name"),
    pytest.param("md:ops", None, "md:ops is not a local file (a MotherDuck database)", id="motherduck"),
    pytest.param("s3://bucket/ops.duckdb", None, "s3://bucket/ops.duckdb is not a local file (cloud storage)", id="s3"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), DEMO)
def test_demo_never_deletes_what_is_not_a_duckdb_database(
    tmp_path: Path, leads: Path, name: str, content: bytes | str | None, message: str
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / name if ":" not in name else name
    if content == "duckdb":
        duckdb.connect(str(db)).close()
    elif isinstance(content, bytes):
        Path(db).write_bytes(content)
    elif name.endswith(".db"):
        _sqlite(Path(db))
    before = state(folder)
    error = refused("--db", str(db), *commands(leads, tmp_path)["demo"], cwd=folder)
    assert error.startswith("Error: " + message.format(db=db)), error
    assert state(folder) == before
    assert not (tmp_path / "sample").exists()
