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
from kpis.store import one

_SAMPLE_BYTES = 1 << 16
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
        return f"{self.encoding}, {delimiter}-separated, {len(self.header)} columns"


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sniff(con: duckdb.DuckDBPyConnection, staged: Path, shown_name: str) -> TextFormat:
    """Detect the format of the staged file; refuse files that are not delimited text."""
    with staged.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise IngestError(f"{shown_name} is empty: export the data again, with its header row")
    if b"\x00" in sample:
        raise IngestError(
            f"{shown_name} is not a text file (it contains binary data); export it as CSV"
        )
    encoding = "utf-8"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a character cut by the sample's end is fine
            raise IngestError(
                f"{shown_name} is not UTF-8 (byte {exc.start + 1}); save it as CSV UTF-8"
            ) from None
    try:
        row = one(
            con,
            f"SELECT Delimiter, Quote, Escape FROM sniff_csv({sql_literal(str(staged))}, "
            "sample_size = 20480, ignore_errors = true, strict_mode = false)",
        )
    except duckdb.Error as exc:
        raise IngestError(f"{shown_name} could not be read as CSV: {_first_line(exc)}") from None
    delimiter, quote, escape = (None if v in (None, "(empty)") else str(v) for v in row)
    delimiter = delimiter if delimiter in _DELIMITERS else _guess_delimiter(sample)
    quote = quote or '"'
    escape = escape or quote
    header = _read_header(sample, delimiter, quote)
    if not header or all(not name.strip() for name in header):
        raise IngestError(f"{shown_name} has no header row: the first line must name the columns")
    return TextFormat(encoding, delimiter, quote, escape, tuple(header))


def _guess_delimiter(sample: bytes) -> str:
    """The delimiter DuckDB could not decide on: the most frequent candidate on line one."""
    first = sample.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    return max(_DELIMITERS, key=first.count)


def _read_header(sample: bytes, delimiter: str, quote: str) -> list[str]:
    text = sample.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    for record in reader:
        if record and any(field.strip() for field in record):
            return [field.strip() for field in record]
    return []


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
