"""The DuckDB database file: one connection per process, the schema, and the lock-down.

Everything the product knows lives in one embedded DuckDB file. The `Store` is the only
owner of its connection in a process; callers get cursors (one per thread) and run uploads
inside `transaction()`. Right after opening, file access is limited to the store's staging
folder and the configuration is locked, so no KPI expression can read or write other files.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from kpis.definitions import Definitions, Source
from kpis.errors import StoreError

SCHEMA_VERSION = 1
DEFAULT_MEMORY_LIMIT = "512MB"
UPLOADS = "_kpis_uploads"
REJECTS = "_kpis_rejects"
MAPPINGS = "_kpis_mappings"
EVENTS = "_kpis_events"
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "decimal": "DECIMAL(18,6)",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


def one(
    cur: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> tuple[Any, ...]:
    """The single row of a query that always returns one (an aggregate, a DELETE count)."""
    row = cur.execute(sql, params or []).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from: {sql[:80]}")
    return row


def quote(identifier: str) -> str:
    """Quote a SQL identifier (names come from validated kpis.yaml, quoting is belt and braces)."""
    return '"' + identifier.replace('"', '""') + '"'


def history_table(source: str) -> str:
    """Where rows replaced by a later upload are kept, so that upload can be undone."""
    return f"_kpis_history_{source}"


_OPEN: set[Path] = set()  # database files a Store of this process holds open
_OPEN_LOCK = threading.Lock()


class Store:
    """Owns the DuckDB connection of this process and the tables behind each source.

    A file can have one Store per process: DuckDB shares one database instance per file
    within a process, and its locked configuration cannot be set twice. Reuse the open
    Store (the dashboard caches it), and call `reload` when kpis.yaml changes.
    """

    def __init__(self, path: str | Path, definitions: Definitions) -> None:
        self.path = Path(path)
        self.definitions = definitions
        self._key = self.path.resolve()
        with _OPEN_LOCK:
            if self._key in _OPEN:
                raise StoreError(f"{self.path} is already open in this process; reuse its Store")
            _OPEN.add(self._key)
        try:
            self._open()
        except BaseException:
            with _OPEN_LOCK:
                _OPEN.discard(self._key)
            raise

    def _open(self) -> None:
        # Uploads are staged beside the database: the only folder DuckDB may read files from.
        self.staging_dir = self.path.with_name(self.path.name + ".staging")
        self._local = threading.local()
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._connection = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"{self.path} is in use by another process (the dashboard, or another kpis "
                    "command); stop it or use its Upload page, then try again"
                ) from None
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        except duckdb.Error as exc:
            raise StoreError(f"{self.path} is not a usable DuckDB database: {exc}") from None
        # The file lock is ours now: whatever is left in staging was left by a process that
        # died mid-upload (its transaction was never committed), so it can go.
        for leftover in self.staging_dir.iterdir():
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        try:
            self._create_schema()
            self._lock_down()
        except BaseException:
            self._connection.close()
            raise

    def _lock_down(self) -> None:
        staging = str(self.staging_dir.resolve()) + "/"
        con = self._connection
        # Bounded memory: a 1 GB export must not need gigabytes; beyond this DuckDB spills to
        # the temporary folder beside the database.
        limit = os.environ.get("KPIS_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        con.execute(f"SET memory_limit = '{limit.replace(chr(39), '')}'")
        temp = str(self.path.with_name(self.path.name + ".tmp").resolve())
        con.execute(f"SET temp_directory = '{temp.replace(chr(39), chr(39) * 2)}'")
        con.execute("SET enable_progress_bar = false")  # a cron job's log is not a terminal
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute(f"SET allowed_directories = ['{staging.replace(chr(39), chr(39) * 2)}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")

    def reload(self, definitions: Definitions) -> None:
        """Switch to new definitions (kpis.yaml was edited): add the tables they need."""
        if definitions is not self.definitions:
            self.definitions = definitions
            self._create_schema()

    def data_version(self) -> tuple[int, int]:
        """Changes whenever an upload is loaded or undone: a cache key for computed results."""
        row = one(
            self.cursor(),
            f"SELECT coalesce(max(batch_id), 0), coalesce(count_if(status <> 'loaded'), 0) "
            f"FROM {UPLOADS}",
        )
        return int(row[0]), int(row[1])

    def _create_schema(self) -> None:
        con = self._connection
        con.execute("BEGIN")
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS _kpis_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
            )
            con.execute(
                "INSERT INTO _kpis_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION)],
            )
            con.execute(
                f"""CREATE TABLE IF NOT EXISTS {UPLOADS} (
                    batch_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL,
                    file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
                    rows_read BIGINT, rows_loaded BIGINT,
                    rows_rejected BIGINT, rows_inserted BIGINT, rows_updated BIGINT,
                    dropped_columns VARCHAR[], loaded_at TIMESTAMP NOT NULL,
                    status VARCHAR NOT NULL, details VARCHAR)"""
            )
            con.execute(
                f"""CREATE TABLE IF NOT EXISTS {REJECTS} (
                    batch_id BIGINT NOT NULL, line BIGINT, column_name VARCHAR,
                    value VARCHAR, reason VARCHAR NOT NULL)"""
            )
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {MAPPINGS} "
                "(name VARCHAR PRIMARY KEY, spec VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL)"
            )
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {EVENTS} (name VARCHAR PRIMARY KEY, "
                "day DATE NOT NULL, description VARCHAR, scope VARCHAR, "
                "saved_at TIMESTAMP NOT NULL)"
            )
            for name, source in self.definitions.sources.items():
                self._create_source_tables(con, name, source)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    @staticmethod
    def _create_source_tables(con: duckdb.DuckDBPyConnection, name: str, source: Source) -> None:
        columns = ", ".join(
            f"{quote(c)} {SQL_TYPES[spec.type]}" for c, spec in source.columns.items()
        )
        con.execute(f"CREATE TABLE IF NOT EXISTS {quote(name)} ({columns}, _batch_id BIGINT)")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {quote(history_table(name))} "
            f"AS SELECT *, CAST(NULL AS BIGINT) AS _superseded_by FROM {quote(name)} LIMIT 0"
        )
        existing = {
            row[0]: row[1]
            for row in con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE table_name = ? AND schema_name = 'main'",
                [name],
            ).fetchall()
        }
        for column, spec in source.columns.items():
            wanted = SQL_TYPES[spec.type]
            if column not in existing:
                # A column added to kpis.yaml later: earlier uploads simply did not have it.
                for table in (name, history_table(name)):
                    con.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {wanted}")
            elif existing[column] != wanted:
                raise StoreError(
                    f"column {name}.{column} is stored as {existing[column]} but kpis.yaml now "
                    f"declares {spec.type} ({wanted}); restore the old type, or start a new "
                    "database (--db) and load the exports again"
                )

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the shared connection (DuckDB cursors are not thread-safe)."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                cursor = self._connection.cursor()
            self._local.cursor = cursor
        return cursor

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction: all of it is committed, or none of it."""
        cursor = self.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def stage(self, path: Path, name: str) -> Path:
        """Put `path` where DuckDB may read it: a hard link when possible, else a copy."""
        target = self.staging_dir / name
        target.unlink(missing_ok=True)
        try:
            target.hardlink_to(path)
        except OSError:
            shutil.copyfile(path, target)
        return target

    def close(self) -> None:
        self._connection.close()
        with _OPEN_LOCK:
            _OPEN.discard(self._key)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
