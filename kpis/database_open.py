"""Open a checked database file with DuckDB: nothing fetched, damage found at once, one sentence.

`database_file` decides whether a path may be opened; this module opens it. Extensions are
switched off in the connection's own configuration, so even the opening cannot fetch or load
one; the catalogue is read right away, because some damage shows only on the first query;
and whatever DuckDB refuses becomes a `StoreError` naming the file and what to do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from kpis.database_file import DAMAGED_ADVICE, DatabaseFile, damaged, encrypted
from kpis.errors import StoreError
from kpis.i18n import N_, _, translate

DEFAULT_MEMORY_LIMIT = "512MB"
# Given to duckdb.connect itself: a path or a file's contents can ask for an extension while
# the file is opened, before any SET statement could switch autoloading off.
CONNECT_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
_DAMAGE = {  # DuckDB's words for a file it cannot trust -> what to tell the user
    "not a valid duckdb database file": N_("its header is not valid"),
    "could not read enough bytes": N_("it is shorter than its own header says: it was cut off"),
    "corrupt database file": N_("a checksum does not match: part of it was overwritten"),
    "checksum": N_("a checksum does not match: part of it was overwritten"),
    "failed to deserialize": N_("DuckDB cannot read its catalogue"),
    "leb128": N_("DuckDB cannot read its catalogue"),
}


def connect(file: DatabaseFile) -> tuple[duckdb.DuckDBPyConnection, dict[str, dict[str, str]]]:
    """Open the checked file; returns the connection and each table's columns and types."""
    try:
        connection = duckdb.connect(file.target, read_only=file.read_only, config=CONNECT_CONFIG)
    except duckdb.Error as exc:
        raise explain(file.path, exc, file.read_only) from None
    try:
        return connection, tables(connection)
    except duckdb.Error as exc:
        connection.close()
        raise explain(file.path, exc, file.read_only) from None


def tables(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Each table of the database with its columns and their types (reads the catalogue)."""
    found: dict[str, dict[str, str]] = {}
    for table, column, data_type in connection.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall():
        found.setdefault(table, {})[column] = data_type
    return found


def lock_down(connection: duckdb.DuckDBPyConnection, path: Path, staging_dir: Path) -> None:
    """Limit file access to the staging folder, bound memory, then lock the configuration."""
    staging = str(staging_dir.resolve()) + "/"
    # Bounded memory: a 1 GB export must not need gigabytes; beyond this DuckDB spills to
    # the temporary folder beside the database.
    connection.execute(f"SET memory_limit = '{memory_limit()}'")
    temp = str(path.with_name(path.name + ".tmp").resolve())
    connection.execute(f"SET temp_directory = '{temp.replace(chr(39), chr(39) * 2)}'")
    connection.execute("SET enable_progress_bar = false")  # a cron job's log is not a terminal
    connection.execute("SET autoinstall_known_extensions = false")
    connection.execute("SET autoload_known_extensions = false")
    connection.execute(f"SET allowed_directories = ['{staging.replace(chr(39), chr(39) * 2)}']")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_BYTES = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30}
_BYTES["tib"] = 2**40


def memory_limit() -> str:
    """KPIS_MEMORY_LIMIT (default 512MB), checked: a size DuckDB can work in, at least 64 MB."""
    text = os.environ.get("KPIS_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    found = _SIZE.match(text)
    if found is None or float(found[1]) * _BYTES[found[2].lower()] < 64e6:
        raise StoreError(
            _(
                "KPIS_MEMORY_LIMIT {value} is not a memory size of at least 64MB; write it "
                "like 512MB or 2GB, or unset it"
            ).format(value=repr(text[:40]))
        )
    return f"{found[1]}{found[2]}"


def damage(path: str | Path, exc: duckdb.Error) -> StoreError | None:
    """The error to show when a query failed because the file is damaged; None otherwise."""
    text = str(exc).lower()
    for words, detail in _DAMAGE.items():
        if words in text:
            return damaged(path, translate(detail))
    return None


def explain(path: str | Path, exc: duckdb.Error, read_only: bool = False) -> StoreError:
    """One sentence for a file DuckDB refused to open; `read_only` for a command that reads."""
    text = str(exc)
    lower = text.lower()
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if "could not set lock" in lower or "conflicting lock" in lower:
        advice = (
            _("try again when it has finished, or stop it")
            if read_only
            else _(
                "load the file through the dashboard's Upload page, or stop the other "
                "process, then try again"
            )
        )
        return StoreError(
            _(
                "{file} is in use by another process (the dashboard, or another kpis command): "
                "{advice}"
            ).format(file=path, advice=advice)
        )
    version = re.search(r"storage version number (\d+).*?between (\d+) and (\d+)", text)
    if version or "storage version" in lower:
        found = (
            _("storage version {found}; DuckDB {duckdb} reads {low} to {high}").format(
                found=version[1], duckdb=duckdb.__version__, low=version[2], high=version[3]
            )
            if version
            else first
        )
        return StoreError(
            _(
                "{file} was written by a DuckDB version this one cannot read ({found}): open it "
                "with the DuckDB that wrote it to export the data, or start a new database with "
                "--db and load the exports again"
            ).format(file=path, found=found)
        )
    if "encrypted" in lower:
        return encrypted(path)
    if "replaying wal" in lower or "wal does not match" in lower:
        detail = (
            _("its log {name}.wal belongs to another database")
            if "does not match" in lower
            else _("its log {name}.wal cannot be read")
        )
        return damaged(path, detail.format(name=Path(path).name))
    problem = damage(path, exc)
    if problem is not None:
        return problem
    if "extension" in lower:
        return StoreError(
            _(
                "{file} needs a DuckDB extension to be opened ({reason}), and kpis loads none: "
                "give --db a .duckdb file written by kpis"
            ).format(file=path, reason=first)
        )
    if "permission denied" in lower:
        return StoreError(
            _("{file} cannot be opened: permission denied for this user").format(file=path)
        )
    return StoreError(
        _("cannot open {file} with DuckDB ({reason}); if it is damaged, {advice}").format(
            file=path, reason=first, advice=translate(DAMAGED_ADVICE)
        )
    )
