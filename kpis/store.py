"""The DuckDB database file: one connection per process, the schema, and the lock-down.

Everything the product knows lives in one embedded DuckDB file. The `Store` is the only
owner of its connection in a process; callers get cursors (one per thread) and run uploads
inside `transaction()`. Right after opening, file access is limited to the store's staging
folder and the configuration is locked, so no KPI expression can read or write other files.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd
    from sqlglot import exp

from kpis import database_file, database_open
from kpis import store_messages as said
from kpis.definitions import Definitions, Source
from kpis.errors import StoreError

SCHEMA_VERSION = 1
HELD_PREFIX = "upload-"  # a dashboard session's upload between calls (dashboard.staging)
META = "_kpis_meta"
UPLOADS = "_kpis_uploads"
REJECTS = "_kpis_rejects"
MAPPINGS = "_kpis_mappings"
EVENTS = "_kpis_events"
EVENT_LOG = "_kpis_event_log"  # who saved, renamed or removed which event, and when
AUTHORS = [(UPLOADS, "uploaded_by"), (UPLOADS, "undone_by"), (EVENTS, "changed_by"),
           (MAPPINGS, "changed_by")]  # fmt: skip
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
        raise RuntimeError(f"expected one row from: {sql[:80]}")  # i18n: ok (a bug)
    return row


def quote(identifier: str) -> str:
    """Quote a SQL identifier (names come from validated kpis.yaml, quoting is belt and braces)."""
    return '"' + identifier.replace('"', '""') + '"'


def history_table(source: str) -> str:
    """Where rows replaced by a later upload are kept, so that upload can be undone."""
    return f"_kpis_history_{source}"


def _type_changed(source: str, column: str, stored: str, declared: str) -> StoreError:
    return said.type_changed(f"{source}.{column}", stored, declared, SQL_TYPES[declared])


_OPEN: set[Path] = set()  # database files a Store of this process holds open
_OPEN_LOCK = threading.Lock()


class Store:
    """Owns the DuckDB connection of this process and the tables behind each source.

    A file can have one Store per process: DuckDB shares one database instance per file
    within a process, and its locked configuration cannot be set twice. Reuse the open
    Store (the dashboard caches it), and call `reload` when kpis.yaml changes.
    """

    engine = "duckdb"  # the SQL dialect of its queries (kpis/spark_engine.py: "spark")
    engine_errors: tuple[type[Exception], ...] = (duckdb.Error,)

    def __init__(
        self, path: str | Path, definitions: Definitions, *, read_only: bool = False
    ) -> None:
        # Checked before anything else: a refused path is neither registered nor created.
        file = database_file.check(path, read_only=read_only)
        database_open.memory_limit()  # a bad KPIS_MEMORY_LIMIT is said before anything opens
        self.path = Path(path)
        self.definitions = definitions
        self.read_only = read_only
        self._key = self.path.resolve()
        with _OPEN_LOCK:
            if self._key in _OPEN:
                raise said.already_open(self.path)
            _OPEN.add(self._key)
        try:
            self._open(file)
        except BaseException:
            with _OPEN_LOCK:
                _OPEN.discard(self._key)
            raise

    def _open(self, file: database_file.DatabaseFile) -> None:
        # Uploads are staged beside the database: the only folder DuckDB may read files from.
        self.staging_dir = self.path.with_name(self.path.name + ".staging")
        self._local = threading.local()
        self._lock = threading.Lock()
        made = [] if file.exists else database_file.make_parents(file.target)
        try:
            self._connection, tables = database_open.connect(file)
        except BaseException:
            database_file.discard(file, made)
            raise
        try:
            if self.read_only:
                self._check_tables(tables)  # a read-only file cannot be given what it lacks
            else:
                self._create_schema()
                if not self.staging_dir.exists():
                    self.staging_dir.mkdir()
                    made.insert(0, self.staging_dir)
                # The file is ours alone now (kpis.sharing): what a load staged and left was
                # left by a process that died mid-upload, so it can go. A dashboard session's
                # upload waiting for its preview or load is not a load's, and stays.
                for leftover in self.staging_dir.iterdir():
                    if leftover.is_file() and not leftover.name.startswith(HELD_PREFIX):
                        leftover.unlink(missing_ok=True)
            database_open.lock_down(self._connection, self.path, self.staging_dir)
        except duckdb.Error as exc:
            self._connection.close()
            database_file.discard(file, made)
            raise database_open.explain(self.path, exc, self.read_only) from None
        except BaseException:
            self._connection.close()
            database_file.discard(file, made)
            raise

    def reload(self, definitions: Definitions) -> None:
        """Switch to new definitions (kpis.yaml was edited): add the tables they need."""
        if definitions is not self.definitions:
            self.definitions = definitions
            if self.read_only:
                self._check_tables(database_open.tables(self.cursor()))
            else:
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
                f"CREATE TABLE IF NOT EXISTS {META} (key VARCHAR PRIMARY KEY, value VARCHAR)"
            )
            con.execute(
                f"INSERT INTO {META} VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
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
            # The day an analyst says an export covers (kpis ingest --through): added later,
            # so older databases get the column here.
            con.execute(f"ALTER TABLE {UPLOADS} ADD COLUMN IF NOT EXISTS data_through DATE")
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
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {EVENT_LOG} (happened_at TIMESTAMP NOT NULL, "
                "action VARCHAR NOT NULL, name VARCHAR NOT NULL, changed_by VARCHAR)"
            )
            # Who loaded or undid an upload, who last saved an event or a mapping profile: an
            # e-mail only (kpis.access). Added later: older databases get the columns here.
            for table, column in AUTHORS:
                con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} VARCHAR")
            for name, source in self.definitions.sources.items():
                self._create_source_tables(con, name, source)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _check_tables(self, tables: dict[str, dict[str, str]]) -> None:
        """Read-only: every table and column kpis.yaml needs must already be in the file."""
        missing = [
            said.no_table(t) for t in (META, UPLOADS, REJECTS, MAPPINGS, EVENTS) if t not in tables
        ]
        for name, source in self.definitions.sources.items():
            for table in (name, history_table(name)):
                stored = tables.get(table)
                if stored is None:
                    missing.append(said.no_source_table(table, name))
                    continue
                for column, spec in source.columns.items():
                    if column not in stored:
                        missing.append(said.no_column(f"{table}.{column}"))
                    elif stored[column] != SQL_TYPES[spec.type]:
                        raise _type_changed(name, column, stored[column], spec.type)
        if missing:
            raise said.lacking(self.path, missing)

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
                raise _type_changed(name, column, existing[column], spec.type)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the shared connection (DuckDB cursors are not thread-safe)."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._lock:
                cursor = self._connection.cursor()
            self._local.cursor = cursor
        return cursor

    def query(self, tree: exp.Expr) -> pd.DataFrame:
        """The rows of a query built as a sqlglot tree (kpis/kpi_query.py), as a DataFrame."""
        from kpis.kpi_query import render

        return self.cursor().execute(render(tree, self.engine)).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction: all of it is committed, or none of it."""
        if self.read_only:
            raise said.read_only(self.path)
        cursor = self.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    @contextmanager
    def dry_run(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in a transaction that is always rolled back: a preview of a load."""
        if self.read_only:
            raise said.read_only_trial(self.path)
        cursor = self.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        finally:
            cursor.execute("ROLLBACK")

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
