"""Load one export into its source table in one transaction: all of it, or nothing.

The file is read and typed by DuckDB into a temporary table; rows that cannot be typed or
break a rule are set aside with a reason and their line; the rest replace the stored rows
with the same key (an overlapping weekly export updates, never double counts). Replaced rows
go to a history table so the upload can be undone. If too many rows are rejected, or
anything fails, the transaction rolls back and the database is exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kpis.definitions import Definitions, Source
from kpis.definitions.sql_check import check_predicate
from kpis.errors import IngestError, Problem
from kpis.ingest.lines import line_at_bytes, record_lines
from kpis.ingest.mapping import ColumnMap
from kpis.ingest.parse import typing_select
from kpis.ingest.sniff import TextFormat, sql_literal
from kpis.store import REJECTS, UPLOADS, history_table, one, quote

SHOWN_PROBLEMS = 200  # rejected rows returned to the caller; all of them are stored
Progress = Callable[[float, str], None]  # (fraction done, what is happening now)


@dataclass(frozen=True)
class IngestResult:
    """What an upload did. `status` is "loaded", or "unchanged" for a file loaded before."""

    file: str
    source: str
    status: str
    batch_id: int | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    dropped_columns: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    format: str = ""
    previous_upload: str | None = None

    def summary(self) -> str:
        """One line for people: what happened to the file."""
        if self.status == "unchanged":
            return (
                f"{self.file}: identical to the file loaded {self.previous_upload}; nothing changed"
            )
        text = (
            f"{self.file} -> {self.source} (batch {self.batch_id}): {self.rows_loaded} rows loaded "
            f"({self.rows_inserted} new, {self.rows_updated} updated, {self.rows_unchanged} "
            f"unchanged), {self.rows_rejected} rejected"
        )
        if self.dropped_columns:
            text += f"; not stored: {', '.join(self.dropped_columns)}"
        return text


def _key_match(source: Source, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in source.key)


def load_text(
    cur: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    staged: Path,
    fmt: TextFormat,
    cmap: ColumnMap,
    shown: str,
    digest: str,
    progress: Progress = lambda fraction, stage: None,
) -> IngestResult:
    """Load the staged file; the caller holds the transaction and rolls back on any error."""
    source = definitions.sources[cmap.source]
    previous = cur.execute(
        f"SELECT batch_id, strftime(loaded_at, '%Y-%m-%d %H:%M') FROM {UPLOADS} "
        "WHERE source = ? AND sha256 = ? AND status = 'loaded' ORDER BY batch_id DESC LIMIT 1",
        [cmap.source, digest],
    ).fetchone()
    if previous is not None:
        return IngestResult(
            shown,
            cmap.source,
            "unchanged",
            int(previous[0]),
            previous_upload=f"on {previous[1]} (batch {previous[0]})",
        )
    batch = int(one(cur, f"SELECT coalesce(max(batch_id), 0) + 1 FROM {UPLOADS}")[0])
    typed, errors, scans = f"_typed_{batch}", f"_csv_errors_{batch}", f"_csv_scans_{batch}"
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(fmt.header)))
    reader = (
        f"read_csv({sql_literal(str(staged))}, header = true, columns = {{{columns}}}, "
        f"delim = {sql_literal(fmt.delimiter)}, quote = {sql_literal(fmt.quote)}, "
        f"escape = {sql_literal(fmt.escape)}, auto_detect = false, store_rejects = true, "
        f"rejects_table = {sql_literal(errors)}, rejects_scan = {sql_literal(scans)}, "
        "max_line_size = 20000000)"
    )
    checks = []
    for check in source.checks:
        rendered = check_predicate(check.rule, source.columns)
        assert rendered.sql is not None  # validated when kpis.yaml was loaded
        message = f"{check.message} ({check.rule.strip()})"
        checks.append((rendered.sql, message, ", ".join(rendered.columns)))
    select = typing_select(source, cmap.positions, reader, definitions.calendar.timezone, checks)
    megabytes = staged.stat().st_size / 1e6
    progress(0.2, f"reading and typing {megabytes:,.1f} MB")
    try:
        cur.execute(f"CREATE TEMP TABLE {typed} AS {select}")
    except duckdb.Error as exc:
        raise IngestError(
            f"{shown} could not be read: {str(exc).strip().splitlines()[0]}"
        ) from None
    progress(0.7, "checking keys and rejected rows")
    _reject_duplicate_keys(cur, source, typed)

    structural = cur.execute(
        f"SELECT byte_position, error_message, csv_line FROM {errors}"
    ).fetchall()
    structural_lines = line_at_bytes(staged, [int(r[0]) for r in structural])
    kept, rejected = (int(v) for v in one(cur, f"SELECT count(*), count(_reason) FROM {typed}"))
    rows_read = kept + len(structural)
    rows_rejected = rejected + len(structural)
    if rows_read == 0:
        raise IngestError(f"{shown} has a header but no rows: there is nothing to load")

    # rowids of a table created in this transaction start at an offset; in insertion (file)
    # order from there, which is what the record index needs.
    base = one(cur, f"SELECT coalesce(min(rowid), 0) FROM {typed}")[0]
    bad = cur.execute(
        f"SELECT rowid - {base}, _column, _value, _reason, _dup_of - {base} FROM {typed} "
        "WHERE _reason IS NOT NULL ORDER BY rowid"
    ).fetchall()
    lines = record_lines(
        staged,
        fmt,
        [r[0] for r in bad] + [r[4] for r in bad if r[4] is not None],
        set(structural_lines.values()),
    )
    rejects = [
        (structural_lines[int(pos)], None, text[:200], f"{_fields_message(msg)}: {text[:80]!r}")
        for pos, msg, text in structural
    ] + [
        (
            lines.get(rowid),
            column,
            value,
            reason if dup is None else f"{reason} (kept the row on line {lines.get(dup)})",
        )
        for rowid, column, value, reason, dup in bad
    ]
    rejects.sort(key=lambda r: r[0] or 0)
    problems = [Problem(shown, line, "", reason) for line, _column, _value, reason in rejects]
    share = rows_rejected / rows_read
    if share > source.max_rejected_share:
        shown_problems = "\n".join(f"  {p}" for p in problems[:10])
        raise IngestError(
            f"{shown}: {rows_rejected} of {rows_read} rows rejected ({share:.1%}), above the "
            f"{source.max_rejected_share:.0%} allowed for {cmap.source}; nothing was loaded. "
            f"Fix these rows and upload again:\n{shown_problems}",
            problems,
        )

    progress(0.8, f"saving into {cmap.source}")
    inserted, updated, unchanged = _upsert(cur, source, cmap.source, typed, batch)
    _record_rejects(cur, batch, rejects)
    details = {"format": fmt.describe(), "rows_unchanged": unchanged}
    cur.execute(
        f"INSERT INTO {UPLOADS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?)",
        [
            batch,
            cmap.source,
            shown,
            digest,
            rows_read,
            rows_read - rows_rejected,
            rows_rejected,
            inserted,
            updated,
            list(cmap.dropped),
            dt.datetime.now(),
            json.dumps(details),
        ],
    )
    for temporary in (typed, errors, scans):
        cur.execute(f"DROP TABLE IF EXISTS {temporary}")
    return IngestResult(
        shown,
        cmap.source,
        "loaded",
        batch,
        rows_read,
        rows_read - rows_rejected,
        rows_rejected,
        inserted,
        updated,
        unchanged,
        cmap.dropped,
        problems[:SHOWN_PROBLEMS],
        fmt.describe(),
    )


def _fields_message(message: str) -> str:
    text = message.replace("Expected Number of Columns:", "expected").replace(
        "Found:", "fields, found"
    )
    return f"wrong number of fields ({text.strip()})"


def _reject_duplicate_keys(cur: duckdb.DuckDBPyConnection, source: Source, typed: str) -> None:
    """Reject later rows repeating a key earlier in the same file; keep the first."""
    keys = ", ".join(quote(k) for k in source.key)
    cur.execute(f"ALTER TABLE {typed} ADD COLUMN _dup_of BIGINT")
    distinct, total = one(
        cur, f"SELECT count(DISTINCT ({keys})), count(*) FROM {typed} WHERE _reason IS NULL"
    )
    if distinct == total:
        return
    shown_key = " || '/' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in source.key)
    key_names = ", ".join(source.key)
    cur.execute(
        f"""UPDATE {typed} SET _dup_of = d.first_row, _column = {sql_literal(key_names)},
            _value = d.key_text,
            _reason = {sql_literal(key_names + ": ")} || d.key_text || ' appears twice in this file'
        FROM (SELECT rowid AS row_id, min(rowid) OVER (PARTITION BY {keys}) AS first_row,
                     {shown_key} AS key_text
              FROM {typed} WHERE _reason IS NULL) AS d
        WHERE {typed}.rowid = d.row_id AND d.row_id <> d.first_row"""
    )


def _upsert(
    cur: duckdb.DuckDBPyConnection, source: Source, name: str, typed: str, batch: int
) -> tuple[int, int, int]:
    """Insert new keys, replace changed rows (keeping the old ones in history), skip same."""
    table, history = quote(name), quote(history_table(name))
    columns = ", ".join(quote(c) for c in source.columns)
    same = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM g.{quote(c)}" for c in source.columns)
    match = f"_match_{batch}"
    cur.execute(
        f"CREATE TEMP TABLE {match} AS SELECT g.rowid AS row_id, ({same}) AS same "
        f"FROM {typed} g JOIN {table} t ON {_key_match(source, 't', 'g')} WHERE g._reason IS NULL"
    )
    updated, unchanged = (
        int(v or 0) for v in one(cur, f"SELECT count_if(NOT same), count_if(same) FROM {match}")
    )
    if updated:
        changed = f"(SELECT g.* FROM {typed} g JOIN {match} m ON g.rowid = m.row_id AND NOT m.same)"
        cur.execute(
            f"INSERT INTO {history} ({columns}, _batch_id, _superseded_by) "
            f"SELECT {', '.join('t.' + quote(c) for c in source.columns)}, t._batch_id, {batch} "
            f"FROM {table} t "
            f"SEMI JOIN {changed} c ON {_key_match(source, 't', 'c')}"
        )
        cur.execute(f"DELETE FROM {table} t USING {changed} c WHERE {_key_match(source, 't', 'c')}")
    cur.execute(
        f"INSERT INTO {table} ({columns}, _batch_id) SELECT {columns}, {batch} FROM {typed} "
        f"WHERE _reason IS NULL AND rowid NOT IN (SELECT row_id FROM {match} WHERE same)"
    )
    loaded = int(one(cur, f"SELECT count(*) - count(_reason) FROM {typed}")[0])
    cur.execute(f"DROP TABLE {match}")
    return loaded - updated - unchanged, updated, unchanged


def _record_rejects(
    cur: duckdb.DuckDBPyConnection,
    batch: int,
    rejects: list[tuple[int | None, str | None, str | None, str]],
) -> None:
    """Keep every rejected row's line, column, value and reason with the batch."""
    if not rejects:
        return
    frame = pd.DataFrame(rejects, columns=["line", "column_name", "value", "reason"])
    frame.insert(0, "batch_id", batch)
    cur.register("_rejects_frame", frame)
    try:
        cur.execute(f"INSERT INTO {REJECTS} SELECT * FROM _rejects_frame")
    finally:
        cur.unregister("_rejects_frame")
