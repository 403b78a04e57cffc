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

import duckdb

from kpis.definitions import Definitions, Source
from kpis.definitions.sql_check import check_predicate
from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import _, ngettext
from kpis.ingest import clock, rejects
from kpis.ingest.bias import bias_warnings
from kpis.ingest.parse import native_positions, typing_select
from kpis.ingest.profile_plan import LINES
from kpis.ingest.sniff import reader_sql, sql_literal
from kpis.ingest.upload import IngestResult, Progress, Upload
from kpis.ingest.value_checks import NATIVE_MISS
from kpis.store import UPLOADS, history_table, one, quote

SHOWN_PROBLEMS = 200  # rejected rows returned to the caller; all of them are stored


def _key_match(source: Source, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in source.key)


def _checks(source: Source) -> list[tuple[str, str, str]]:
    """The source's row rules as (SQL, message, columns); validated with kpis.yaml."""
    found = []
    for check in source.checks:
        rendered = check_predicate(check.rule, source.columns)
        assert rendered.sql is not None
        found.append(
            (rendered.sql, f"{check.message} ({check.rule.strip()})", ", ".join(rendered.columns))
        )
    return found


def _read(
    cur: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    upload: Upload,
    native: dict[int, str],
    tables: tuple[str, str, str],
    temporary: bool,
) -> None:
    """Read and type the file into the table `tables[0]`, temporary or in the database."""
    typed, errors, scans = tables
    source = definitions.sources[upload.source]
    reader = reader_sql(
        upload.staged.path, upload.text, errors, scans, native, upload.values.timestamp_format
    )
    if upload.plan.steps is not None:
        # Rows are rolled up or filtered: the file's lines are kept first, numbered, so that
        # a rejected row still names its line in the file.
        lines = f"{typed}_lines"
        cur.execute(f"DROP TABLE IF EXISTS {lines}")
        try:
            cur.execute(f"CREATE TEMP TABLE {lines} AS SELECT * FROM {reader}")
        except duckdb.Error as exc:
            raise _unreadable(upload, exc) from None
        reader = upload.plan.steps[0].replace(LINES, lines)
    timezone = definitions.calendar.timezone
    select = typing_select(
        source, upload.plan, reader, upload.values, timezone, _checks(source), native
    )
    try:
        kind = "TEMP TABLE" if temporary else "TABLE"
        cur.execute(f"CREATE {kind} {typed} AS SELECT *, NULL::BIGINT AS _dup_of FROM ({select})")
    except duckdb.BinderException as exc:
        if not (upload.plan.expressions or upload.plan.steps):
            raise _unreadable(upload, exc) from None
        reason = str(exc).strip().splitlines()[0]
        raise IngestError(
            _(
                "{file}: the mapping profile's SQL does not fit this file ({reason}); a file "
                'column is text: compare it with text, or write CAST("Quantity" AS INTEGER) '
                "to use it as a number"
            ).format(file=upload.shown, reason=reason)
        ) from None
    except duckdb.Error as exc:
        raise _unreadable(upload, exc) from None


def _unreadable(upload: Upload, exc: duckdb.Error) -> IngestError:
    message = str(exc).strip().splitlines()[0]
    return IngestError(
        _("{file} could not be read: {reason}").format(file=upload.shown, reason=message)
    )


def _step_notes(cur: duckdb.DuckDBPyConnection, upload: Upload, typed: str) -> list[str]:
    """What the profile's roll-up and filter did, in words: rows are never dropped silently."""
    if upload.plan.steps is None:
        return []
    lines = f"{typed}_lines"
    read = int(one(cur, f"SELECT count(*) FROM {lines}")[0])
    rolled_sql = upload.plan.steps[1].replace(LINES, lines)
    rolled = int(one(cur, f"SELECT count(*) FROM {rolled_sql}")[0])
    kept = int(one(cur, f"SELECT count(*) FROM {typed}")[0])
    notes = []
    if rolled != read:
        notes.append(
            ngettext(
                "{lines} lines rolled up into {rows} row (the mapping profile's roll_up)",
                "{lines} lines rolled up into {rows} rows (the mapping profile's roll_up)",
                rolled,
            ).format(lines=number(read, 0), rows=number(rolled, 0))
        )
    if kept != rolled:
        notes.append(
            ngettext(
                "{count} row left out by the mapping profile's where",
                "{count} rows left out by the mapping profile's where",
                rolled - kept,
            ).format(count=number(rolled - kept, 0))
        )
    return notes


def load_text(
    cur: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    upload: Upload,
    digest: str,
    progress: Progress = lambda fraction, stage: None,
) -> IngestResult:
    """Load a prepared upload; the caller holds the transaction and rolls back on any error."""
    source = definitions.sources[upload.source]
    previous = cur.execute(
        f"SELECT batch_id, strftime(loaded_at, '%Y-%m-%d %H:%M') FROM {UPLOADS} "
        "WHERE source = ? AND sha256 = ? AND status = 'loaded' ORDER BY batch_id DESC LIMIT 1",
        [upload.source, digest],
    ).fetchone()
    if previous is not None:
        return IngestResult(
            upload.shown, upload.source, "unchanged", int(previous[0]),
            previous_upload=f"on {previous[1]} (batch {previous[0]})",
        )  # fmt: skip
    batch = int(one(cur, f"SELECT coalesce(max(batch_id), 0) + 1 FROM {UPLOADS}")[0])
    typed, errors, scans = f"_typed_{batch}", f"_csv_errors_{batch}", f"_csv_scans_{batch}"
    megabytes = upload.staged.path.stat().st_size / 1e6
    progress(0.2, _("reading and typing {size} MB").format(size=number(megabytes, 1)))
    native = native_positions(source, upload.plan, upload.values)
    # The first load of a source is the big one (a year of history): its rows are typed
    # straight into the database and the table becomes the source's (see _adopt), so they
    # are written once rather than twice.
    first_load = bool(one(cur, f"SELECT count(*) = 0 FROM {quote(upload.source)}")[0])
    if first_load:
        typed = f"_kpis_staged_{batch}"
    _read(cur, definitions, upload, native, (typed, errors, scans), not first_load)
    cast_failures = int(one(cur, f"SELECT count(*) FROM {errors} WHERE error_type = 'CAST'")[0])
    misses = f"SELECT count(*) FROM {typed} WHERE contains(_reason, {sql_literal(NATIVE_MISS)})"
    if native and (cast_failures or int(one(cur, misses)[0])):
        # A value the reader could not type where the sample said it would: read the file
        # again as text, so that every value gets the full reading and its own message.
        for temporary in (typed, errors, scans):
            cur.execute(f"DROP TABLE IF EXISTS {temporary}")
        _read(cur, definitions, upload, {}, (typed, errors, scans), not first_load)
    progress(0.7, _("checking keys and rejected rows"))
    timezone = definitions.calendar.timezone
    notes = (
        *upload.values.notes,
        *_step_notes(cur, upload, typed),
        *clock.check_loaded(cur, typed, source, timezone),
    )
    if upload.through is not None:
        _check_through(cur, source, typed, upload)
    _reject_duplicate_keys(cur, source, typed)
    rows_read, found = rejects.collect(cur, upload, typed, errors)
    problems = rejects.refuse_if_too_many(upload, source, rows_read, found)
    warnings = bias_warnings(cur, definitions, upload.source, typed, rows_read) if found else ()

    progress(0.8, _("saving into {source}").format(source=upload.source))
    if first_load and _adopt(cur, source, upload.source, typed, batch):
        inserted, updated, unchanged = rows_read - len(found), 0, 0
    else:
        inserted, updated, unchanged = _upsert(cur, source, upload.source, typed, batch)
    rejects.record(cur, batch, found)
    details = {
        "format": upload.describe(),
        "rows_unchanged": unchanged,
        "notes": list(notes),
    }
    loaded = rows_read - len(found)
    cur.execute(
        f"INSERT INTO {UPLOADS} (batch_id, source, file_name, sha256, rows_read, rows_loaded, "
        "rows_rejected, rows_inserted, rows_updated, dropped_columns, loaded_at, status, details, "
        "data_through, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?, ?)",
        [batch, upload.source, upload.shown, digest, rows_read, loaded, len(found), inserted,
         updated, list(upload.dropped), dt.datetime.now(), json.dumps(details), upload.through,
         upload.by],
    )  # fmt: skip
    for temporary in (typed, errors, scans, f"{typed}_lines"):
        cur.execute(f"DROP TABLE IF EXISTS {temporary}")
    return IngestResult(
        upload.shown, upload.source, "loaded", batch, rows_read, loaded, len(found), inserted,
        updated, unchanged, upload.dropped, problems[:SHOWN_PROBLEMS], upload.describe(),
        notes=notes, reasons=tuple(rejects.reason_counts(problems)), warnings=warnings,
    )  # fmt: skip


def _check_through(
    cur: duckdb.DuckDBPyConnection, source: Source, typed: str, upload: Upload
) -> None:
    """The day an export is said to cover cannot come before what happened in it."""
    assert upload.through is not None
    latest = ", ".join(f"CAST(max({quote(c)}) AS DATE)" for c in source.event_columns)
    found = [d for d in one(cur, f"SELECT {latest} FROM {typed} WHERE _reason IS NULL") if d]
    if found and max(found) > upload.through:
        raise IngestError(
            _(
                "{file} holds {source} up to {day}, after the day it is said to cover "
                "({through}); give the export's own date, or leave it out"
            ).format(
                file=upload.shown, source=upload.source, day=max(found), through=upload.through
            )
        )


def _reject_duplicate_keys(cur: duckdb.DuckDBPyConnection, source: Source, typed: str) -> None:
    """Reject later rows repeating a key earlier in the same file; keep the first."""
    keys = ", ".join(quote(k) for k in source.key)
    # Distinct hashes prove distinct keys, and counting 64-bit hashes is several times
    # cheaper than counting text keys; only a file with a repeat (or, rarely, a collision)
    # goes on to the exact search below.
    distinct, total = one(
        cur, f"SELECT count(DISTINCT hash({keys})), count(*) FROM {typed} WHERE _reason IS NULL"
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


def _adopt(
    cur: duckdb.DuckDBPyConnection, source: Source, name: str, typed: str, batch: int
) -> bool:
    """Make the staged rows, less the rejected ones, the source's (empty) table.

    Dropping and adding columns only changes the catalogue in DuckDB; the rows stay where
    the read wrote them. Returns False, changing nothing, when the staged columns are not
    exactly the table's (the rows are then inserted as usual).
    """
    table = quote(name)
    described = "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index"  # noqa: E501
    wanted = cur.execute(described, [name]).fetchall()
    staged = cur.execute(described, [typed]).fetchall()
    if [*staged[: len(source.columns)], ("_batch_id", "BIGINT")] != wanted:
        return False
    cur.execute(f"DELETE FROM {typed} WHERE _reason IS NOT NULL")
    cur.execute(f"DROP TABLE {table}")
    extra: tuple[str, ...] = ("_reason", "_column", "_value", "_dup_of")
    if staged[len(source.columns)][0] == "_rec":  # rolled up or filtered: see _read
        extra += ("_rec",)
    for column in extra:
        cur.execute(f"ALTER TABLE {typed} DROP COLUMN {column}")
    cur.execute(f"ALTER TABLE {typed} ADD COLUMN _batch_id BIGINT DEFAULT {batch}")
    cur.execute(f"ALTER TABLE {typed} ALTER COLUMN _batch_id DROP DEFAULT")
    cur.execute(f"ALTER TABLE {typed} RENAME TO {table}")
    return True


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
