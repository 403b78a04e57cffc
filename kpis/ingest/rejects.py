"""Rejected rows: collect them with physical lines and reasons, refuse or keep them.

DuckDB reports rows with a wrong number of fields itself (by byte position), and the typing
query marks rows it could not type (by record index); both become (line, column, value,
reason), sorted by line, which the analyst can open in an editor. A file over the source's
rejection threshold is refused whole; otherwise the rejects are stored with the batch.
"""

from __future__ import annotations

import re

import duckdb

from kpis.definitions import Source
from kpis.errors import IngestError, Problem
from kpis.ingest.lines import line_at_bytes, record_lines
from kpis.ingest.upload import Upload
from kpis.store import REJECTS, one

Reject = tuple[int | None, str | None, str | None, str]  # line, column, value, reason


_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_DELIMITERS = {";": "semicolons", ",": "commas", "\t": "tabs", "|": "pipes"}


def _structural_message(kind: str, message: str, text: str, delimiter: str) -> str:
    """DuckDB's reading errors, said for someone holding the file."""
    counts = _COUNTS.search(message)
    if counts is None:
        return f"cannot be read ({message.strip()})"
    expected, found = counts.groups()
    what = "too many" if int(found) > int(expected) else "too few"
    reason = f"{what} fields (expected {expected}, found {found})"
    others = [d for d in _DELIMITERS if d != delimiter and text.count(d) >= int(expected) - 1 > 0]
    if others:
        reason += f"; this line seems separated by {_DELIMITERS[others[0]]}"
    return reason


def collect(
    cur: duckdb.DuckDBPyConnection, upload: Upload, typed: str, errors: str
) -> tuple[int, list[Reject]]:
    """(rows read, every rejected row) of the typed table and DuckDB's own error table."""
    # DuckDB reports a row missing fields once per missing field: one reason per row.
    structural = cur.execute(
        "SELECT byte_position, arg_min(error_type, column_idx), "
        "arg_min(error_message, column_idx), arg_min(csv_line, column_idx) "
        f"FROM {errors} GROUP BY byte_position ORDER BY byte_position"
    ).fetchall()
    path = upload.staged.path
    structural_lines = line_at_bytes(path, [int(r[0]) for r in structural])
    kept = int(one(cur, f"SELECT count(*) FROM {typed}")[0])
    # Rowids of a table created in this transaction start at an offset, then follow the file.
    base = one(cur, f"SELECT coalesce(min(rowid), 0) FROM {typed}")[0]
    bad = cur.execute(
        f"SELECT rowid - {base}, _column, _value, _reason, _dup_of - {base} FROM {typed} "
        "WHERE _reason IS NOT NULL ORDER BY rowid"
    ).fetchall()
    wanted = [r[0] for r in bad] + [r[4] for r in bad if r[4] is not None]
    rows = upload.staged.sheet_rows
    if rows is not None:  # a workbook: messages give the sheet's own row numbers
        lines = {index: rows[index] for index in wanted if index < len(rows)}
    else:
        lines = record_lines(path, upload.text, wanted, set(structural_lines.values()))
    where = "row" if rows is not None else "line"
    for pos, kind, _msg, _text in structural:
        if kind == "UNQUOTED VALUE":
            # Everything after the quote became one value: rows were lost, not just this one.
            raise IngestError(
                f"{upload.shown}: line {structural_lines[int(pos)]}: a quote opened on this "
                "line is never closed, so every row after it would be lost; close or remove "
                "the quote and upload again"
            )
    delimiter = upload.text.delimiter
    found: list[Reject] = [
        (
            structural_lines[int(pos)],
            None,
            text[:200],
            f"{_structural_message(str(kind), msg, text, delimiter)}: {text[:80]!r}",
        )
        for pos, kind, msg, text in structural
    ]
    for index, column, value, reason, dup in bad:
        if dup is not None:
            reason = f"{reason} (kept the row on {where} {lines.get(dup)})"
        found.append((lines.get(index), column, value, reason))
    found.sort(key=lambda r: r[0] or 0)
    return kept + len(structural), found


def refuse_if_too_many(
    upload: Upload, source: Source, rows_read: int, found: list[Reject]
) -> list[Problem]:
    """The rejects as Problems; IngestError when they exceed the source's threshold."""
    problems = [Problem(upload.shown, line, "", reason) for line, _c, _v, reason in found]
    if rows_read == 0:
        raise IngestError(f"{upload.shown} has a header but no rows: there is nothing to load")
    share = len(found) / rows_read
    if share > source.max_rejected_share:
        listed = "\n".join(f"  {p}" for p in problems[:10])
        raise IngestError(
            f"{upload.shown}: {len(found)} of {rows_read} rows rejected ({share:.1%}), above the "
            f"{source.max_rejected_share:.0%} allowed for {upload.source}; nothing was loaded. "
            f"Fix these rows and upload again:\n{listed}",
            problems,
        )
    return problems


def record(cur: duckdb.DuckDBPyConnection, batch: int, found: list[Reject]) -> None:
    """Keep every rejected row's line, column, value and reason with the batch."""
    if not found:
        return
    import pandas as pd  # only a batch with rejected rows needs it

    frame = pd.DataFrame(found, columns=["line", "column_name", "value", "reason"])
    frame.insert(0, "batch_id", batch)
    cur.register("_rejects_frame", frame)
    try:
        cur.execute(f"INSERT INTO {REJECTS} SELECT * FROM _rejects_frame")
    finally:
        cur.unregister("_rejects_frame")
