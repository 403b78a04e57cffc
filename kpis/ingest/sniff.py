"""Find out what kind of text file an export is: encoding, delimiter, quoting, header.

Exports come from many tools; the analyst should not have to say how each was written.
DuckDB's own sniffer picks the dialect (so what we detect is what DuckDB will read) and
Python's csv module reads the header line, which keeps duplicate or odd names exactly as
written so they can be reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import _
from kpis.store import one

_SAMPLE_BYTES = 1 << 16
# The longest line DuckDB's reader takes (a longer one is rejected); every other reader of a
# staged file (lines.py) uses the same bound, so none holds more of a line in memory.
MAX_LINE_BYTES = 8_000_000
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class TextFormat:
    """How to read a delimited text file."""

    encoding: str
    delimiter: str
    quote: str
    escape: str
    header: tuple[str, ...]

    def describe(self) -> str:
        delimiter = _DELIMITERS.get(self.delimiter, repr(self.delimiter))
        return f"{delimiter}-separated, {len(self.header)} columns"


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sniff(
    con: duckdb.DuckDBPyConnection,
    staged: Path,
    shown_name: str,
    delimiter: str | None = None,
    max_columns: int | None = None,
) -> TextFormat:
    """Detect the dialect of a staged (UTF-8) file; refuse files with no header row.

    A header of more than `max_columns` names is refused before DuckDB's sniffer sees it:
    the sniffer takes seconds and a gigabyte for a hundred thousand columns.
    """
    sample = _sample(staged)
    if not sample.strip().lstrip(b"\xef\xbb\xbf").strip():
        raise IngestError(
            _("{file} is empty: export the data again, with its header row").format(file=shown_name)
        )
    if max_columns is not None:
        widest = max(len(_read_header(sample, d, '"', keep_blank=True)) for d in _DELIMITERS)
        _check_width(shown_name, widest, max_columns)
    quote, escape = '"', None
    if delimiter is None:
        try:
            # Only the dialect is used: no type detection, which is quadratic in the length
            # of a run of digits (20 values of a million digits took the sniffer 12 minutes).
            row = one(
                con,
                f"SELECT Delimiter, Quote, Escape FROM sniff_csv({sql_literal(str(staged))}, "
                "sample_size = 20480, ignore_errors = true, strict_mode = false, "
                f"auto_type_candidates = ['VARCHAR'], max_line_size = {MAX_LINE_BYTES})",
            )
        except duckdb.Error as exc:
            raise IngestError(
                _("{file} could not be read as CSV: {reason}").format(
                    file=shown_name, reason=_first_line(exc)
                )
            ) from None
        found, found_quote, found_escape = (None if v in (None, "(empty)") else str(v) for v in row)
        delimiter = found if found in _DELIMITERS else _guess_delimiter(sample)
        quote = found_quote or quote
        escape = found_escape
    header = _read_header(sample, delimiter, quote)
    if not header or all(not name.strip() for name in header):
        raise IngestError(
            _("{file} has no header row: the first line must name the columns").format(
                file=shown_name
            )
        )
    if max_columns is not None:
        _check_width(shown_name, len(header), max_columns)
    return TextFormat("utf-8", delimiter, quote, escape or quote, tuple(header))


def reader_sql(
    path: Path,
    fmt: TextFormat,
    errors: str | None = None,
    scans: str | None = None,
    types: dict[int, str] | None = None,
    timestamp_format: str = "%Y-%m-%d %H:%M:%S",
) -> str:
    """DuckDB's reader for a staged file: columns named c0, c1, ..., as text by default.

    `types` gives some positions a type DuckDB reads itself: dates strictly as YYYY-MM-DD,
    timestamps strictly in `timestamp_format`. With `errors`, rows it cannot
    read (wrong number of fields, a value not of its type) go to that table (with their
    byte position) instead of failing the whole read.
    """
    given = types or {}
    columns = ", ".join(f"'c{i}': '{given.get(i, 'VARCHAR')}'" for i in range(len(fmt.header)))
    rejects = (
        f", store_rejects = true, rejects_table = {sql_literal(errors)}, "
        f"rejects_scan = {sql_literal(scans or errors + '_scan')}"
        if errors
        else ", ignore_errors = true"
    )
    return (
        f"read_csv({sql_literal(str(path))}, header = true, columns = {{{columns}}}, "
        f"delim = {sql_literal(fmt.delimiter)}, quote = {sql_literal(fmt.quote)}, "
        f"escape = {sql_literal(fmt.escape)}, auto_detect = false, "
        f"dateformat = '%Y-%m-%d', timestampformat = {sql_literal(timestamp_format)}, "
        f"max_line_size = {MAX_LINE_BYTES}, buffer_size = {2 * MAX_LINE_BYTES}{rejects})"
    )


def _sample(staged: Path) -> bytes:
    """The file's first 64 KB, or more up to the end of its first line (a very wide header)."""
    with staged.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
        if b"\n" not in sample and b"\r" not in sample:
            sample += handle.readline(MAX_LINE_BYTES)
    return sample


def _check_width(shown_name: str, columns: int, max_columns: int) -> None:
    if columns > max_columns:
        raise IngestError(
            _(
                "{file} has {count} columns, more than the {limit} allowed (limits: max_columns "
                "in kpis.yaml); export only the columns you need"
            ).format(file=shown_name, count=number(columns, 0), limit=number(max_columns, 0))
        )


def _guess_delimiter(sample: bytes) -> str:
    """The delimiter DuckDB could not decide on: the most frequent candidate on line one."""
    first = sample.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    return max(_DELIMITERS, key=first.count)


def _read_header(sample: bytes, delimiter: str, quote: str, keep_blank: bool = False) -> list[str]:
    """The first record's names; [] for a line of separators only, unless `keep_blank`."""
    text = sample.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    try:
        for record in reader:
            if record and (keep_blank or any(field.strip() for field in record)):
                return [field.strip() for field in record]
            if record:  # a line of separators only: DuckDB would take it as the header
                return []
    except csv.Error:  # a header field longer than the csv module reads: not a header
        return []
    return []


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
