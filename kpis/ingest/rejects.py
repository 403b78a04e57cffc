"""Rejected rows: collect them with physical lines and reasons, refuse or keep them.

DuckDB reports rows with a wrong number of fields itself (by byte position), and the typing
query marks rows it could not type (by record index); both become (line, column, value,
reason), sorted by line, which the analyst can open in an editor. A file over the source's
rejection threshold is refused whole; otherwise the rejects are stored with the batch.

What is kept of a rejected row is only what a source declares: the value of the declared
column that broke a rule. A row that cannot be split into the file's columns keeps its line
and reason alone, never its text, which holds every column, personal data included.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import overload

import duckdb

from kpis.definitions import Source
from kpis.errors import IngestError, Problem
from kpis.formatting import format_percent, number
from kpis.i18n import _, language, ngettext
from kpis.ingest.lines import line_at_bytes, record_lines
from kpis.ingest.reason_text import say_reason
from kpis.ingest.upload import Upload
from kpis.store import REJECTS, one

Reject = tuple[int | None, str | None, str | None, str]  # line, column, value, reason


_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_DELIMITERS = {";": "semicolons", ",": "commas", "\t": "tabs", "|": "pipes"}


def _structural_message(kind: str, message: str, text: str, delimiter: str) -> str:
    """DuckDB's reading errors, said for someone holding the file."""
    counts = _COUNTS.search(message)
    if counts is None:  # DuckDB's own words may quote the line: name the kind of problem only
        return f"cannot be read ({kind.lower().replace('_', ' ')})"
    expected, found = counts.groups()
    what = "too many" if int(found) > int(expected) else "too few"
    reason = f"{what} fields (expected {expected}, found {found})"
    others = [d for d in _DELIMITERS if d != delimiter and text.count(d) >= int(expected) - 1 > 0]
    if others:
        reason += f"; this line seems separated by {_DELIMITERS[others[0]]}"
    return reason


class Rejects(Sequence[Reject]):
    """The rejected rows of one read, counted in SQL and fetched only when wanted.

    A file of twenty million bad rows must not become twenty million tuples just to be
    refused: `len` is a count, `first(n)` fetches the n rows a refusal shows, and the whole
    list is fetched (once) only when the rows are kept, within the source's threshold.
    """

    def __init__(self, cur: duckdb.DuckDBPyConnection, upload: Upload, typed: str, errors: str):
        self._cur, self._upload, self._typed, self._errors = cur, upload, typed, errors
        self.structural = int(one(cur, f"SELECT count(DISTINCT byte_position) FROM {errors}")[0])
        self.typed = int(one(cur, f"SELECT count(*) FROM {typed} WHERE _reason IS NOT NULL")[0])
        self._all: list[Reject] | None = None

    def __len__(self) -> int:
        return self.structural + self.typed

    @overload
    def __getitem__(self, index: int) -> Reject: ...
    @overload
    def __getitem__(self, index: slice) -> list[Reject]: ...
    def __getitem__(self, index: int | slice) -> Reject | list[Reject]:
        if self._all is None:
            self._all = self._fetch(None)
        return self._all[index]

    def first(self, count: int) -> list[Reject]:
        """The first `count` rejected rows by line, fetching no more than that of each kind."""
        return self._all[:count] if self._all is not None else self._fetch(count)

    def _fetch(self, limit: int | None) -> list[Reject]:
        cur, upload, typed, errors = self._cur, self._upload, self._typed, self._errors
        cap = f" LIMIT {limit}" if limit is not None else ""
        # DuckDB reports a row missing fields once per missing field: one reason per row.
        structural = cur.execute(
            # A line over the size limit has no column: arg_min would skip it and say NULL.
            "SELECT byte_position, arg_min(error_type, coalesce(column_idx, -1)), "
            "arg_min(error_message, coalesce(column_idx, -1)), "
            "left(coalesce(arg_min(csv_line, coalesce(column_idx, -1)), ''), 10000) "
            f"FROM {errors} GROUP BY byte_position ORDER BY byte_position{cap}"
        ).fetchall()
        path = upload.staged.path
        structural_lines = line_at_bytes(path, [int(r[0]) for r in structural])
        # Rowids of a table created in this transaction start at an offset, then follow the file.
        base = one(cur, f"SELECT coalesce(min(rowid), 0) FROM {typed}")[0]
        numbered = one(
            cur,
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = '_rec'",
            [typed],
        )[0]
        # Rolled up or filtered rows carry their record's index (profile_plan.steps_sql).
        record, first = (
            ("t._rec", f"(SELECT d._rec FROM {typed} d WHERE d.rowid = t._dup_of)")
            if numbered
            else (f"t.rowid - {base}", f"t._dup_of - {base}")
        )
        bad = cur.execute(
            f"SELECT {record}, _column, _value, _reason, {first} FROM {typed} t "
            f"WHERE _reason IS NOT NULL ORDER BY {record}{cap}"
        ).fetchall()
        wanted = [r[0] for r in bad] + [r[4] for r in bad if r[4] is not None]
        rows = upload.staged.sheet_rows
        if rows is not None:  # a workbook: messages give the sheet's own row numbers
            lines = {index: rows[index] for index in wanted if index < len(rows)}
        else:
            # With only the first structural rejects known, records can be numbered up to
            # the last of them; any typed reject after it comes after `limit` rejects anyway.
            partial = limit is not None and self.structural > limit
            until = max(structural_lines.values()) if partial else None
            lines = record_lines(
                path, upload.text, wanted, set(structural_lines.values()), upload.shown, until
            )
        where = "row" if rows is not None else "line"
        sep = upload.text.delimiter
        found: list[Reject] = [
            (structural_lines[int(pos)], None, None, _structural_message(kind, msg, text, sep))
            for pos, kind, msg, text in structural
        ]
        for index, column, value, reason, dup in bad:
            if rows is None and limit is not None and index not in lines:
                continue  # after the last structural reject fetched: not among the first
            if dup is not None:
                reason = f"{reason} (kept the row on {where} {lines.get(dup)})"
            found.append((lines.get(index), column, value, reason))
        found.sort(key=lambda r: r[0] or 0)
        return found if limit is None else found[:limit]


def collect(
    cur: duckdb.DuckDBPyConnection, upload: Upload, typed: str, errors: str
) -> tuple[int, Rejects]:
    """(rows read, the rejected rows) of the typed table and DuckDB's own error table."""
    unclosed = one(
        cur, f"SELECT min(byte_position) FROM {errors} WHERE error_type = 'UNQUOTED VALUE'"
    )[0]
    if unclosed is not None:
        # Everything after the quote became one value: rows were lost, not just this one.
        line = line_at_bytes(upload.staged.path, [int(unclosed)])[int(unclosed)]
        raise IngestError(
            _(
                "{file}: line {line}: a quote opened on this line is never closed, so every row "
                "after it would be lost; close or remove the quote and upload again"
            ).format(file=upload.shown, line=line)
        )
    found = Rejects(cur, upload, typed, errors)
    kept = int(one(cur, f"SELECT count(*) FROM {typed}")[0])
    return kept + found.structural, found


SHOWN_WHEN_REFUSED = 10  # rejected rows a refusal lists (and fetches)


def refuse_if_too_many(
    upload: Upload, source: Source, rows_read: int, found: Sequence[Reject]
) -> list[Problem]:
    """The rejects as Problems; IngestError when they exceed the source's threshold.

    Only the rows the refusal shows are fetched: the share is decided from the count.
    """
    if rows_read == 0:
        raise IngestError(
            _("{file} has a header but no rows: there is nothing to load").format(file=upload.shown)
        )
    share = len(found) / rows_read
    if share > source.max_rejected_share:
        shown = (
            found.first(SHOWN_WHEN_REFUSED)
            if isinstance(found, Rejects)
            else list(found[:SHOWN_WHEN_REFUSED])
        )
        # A refusal is said to a person: its reasons in their language (the kept ones are data).
        problems = [
            Problem(upload.shown, line, "", say_reason(reason)) for line, _c, _v, reason in shown
        ]
        listed = "\n".join(f"  {p}" for p in problems)
        # English says "1 of 4 rows" either way; French agrees with the count ("1 ligne").
        raise IngestError(
            ngettext(
                "{file}: {count} of {total} rows rejected ({share}), above the {allowed} allowed "
                "for {source}; nothing was loaded. Fix these rows and upload again:\n{rows}",
                "{file}: {count} of {total} rows rejected ({share}), above the {allowed} allowed "
                "for {source}; nothing was loaded. Fix these rows and upload again:\n{rows}",
                len(found),
            ).format(
                file=upload.shown,
                count=_count(len(found)),
                total=_count(rows_read),
                share=format_percent(share, 1),
                allowed=format_percent(source.max_rejected_share, 0),
                source=upload.source,
                rows=listed,
            ),
            problems,
        )
    return [Problem(upload.shown, line, "", reason) for line, _c, _v, reason in found]


def _count(value: int) -> str:
    # English has always written 300000 here (tests and scripts match it): keep it so.
    return str(value) if language() == "en" else number(value, 0)


def record(cur: duckdb.DuckDBPyConnection, batch: int, found: Sequence[Reject]) -> None:
    """Keep every rejected row's line, column, value and reason with the batch."""
    if not found:
        return
    import pandas as pd  # only a batch with rejected rows needs it

    frame = pd.DataFrame(list(found), columns=["line", "column_name", "value", "reason"])
    frame.insert(0, "batch_id", batch)
    cur.register("_rejects_frame", frame)
    try:
        cur.execute(f"INSERT INTO {REJECTS} SELECT * FROM _rejects_frame")
    finally:
        cur.unregister("_rejects_frame")


_QUOTED = re.compile(r'"[^"]*"')
_BOUND = re.compile(r": -?[\d.,]+ is (above|below)")
_TWICE = re.compile(r"^([\w, ]+): .+ appears twice in this file.*$")


def reason_counts(problems: Sequence[Problem]) -> list[tuple[str, int]]:
    """How many rows each kind of reason rejects, most first ("created_at: "…" is not a date").

    The values differ from row to row; the kind of reason is what an analyst fixes once.
    """
    counts: dict[str, int] = {}
    for problem in problems:
        kind = _QUOTED.sub('"…"', problem.message)
        kind = _BOUND.sub(r": … is \1", kind)
        kind = _TWICE.sub(r"\1: a key that appears twice in this file", kind)
        counts[kind] = counts.get(kind, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
