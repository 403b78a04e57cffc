"""Physical line numbers of records in a delimited file, for messages an analyst can follow.

DuckDB numbers the rows it read, skipping blank lines and counting a quoted multi-line
field as one; an analyst opens the file in an editor, where lines are physical. This pass
runs only when rows were rejected, and stops at the last record it is asked about.

Every read here is bounded: a record of more than MAX_LINE_BYTES (the longest line DuckDB's
reader takes) is never held whole, byte positions are counted rather than listed, and a
preview stops at PREVIEW_BYTES with each value cut to PREVIEW_CHARACTERS.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import _
from kpis.ingest.sniff import MAX_LINE_BYTES, TextFormat

_CHUNK = 1 << 20
PREVIEW_BYTES = 16_000_000  # of text read for a preview, all records together
PREVIEW_CHARACTERS = 200  # of each value shown in a preview
csv.field_size_limit(MAX_LINE_BYTES)  # no field longer than the line DuckDB would read


class _TooLong(Exception):
    """A record longer than MAX_LINE_BYTES."""


class _Lines(Iterator[str]):
    """The lines of a text file for csv.reader, never more than `budget` characters in all
    and never more than MAX_LINE_BYTES for one record (the reader resets `record` after each).
    """

    def __init__(self, handle: TextIO, budget: int | None = None) -> None:
        self.handle = handle
        self.budget = budget
        self.record = 0  # characters of the record being read
        self.exhausted = False  # stopped by the budget: the last record may be cut short

    def __next__(self) -> str:
        size = MAX_LINE_BYTES + 1 - self.record
        if self.budget is not None:
            size = min(size, self.budget + 1)
        line = self.handle.readline(size)
        if not line:
            raise StopIteration
        if self.budget is not None:
            self.budget -= len(line)
            if self.budget < 0:
                self.exhausted = True
                raise StopIteration
        self.record += len(line)
        if self.record > MAX_LINE_BYTES:
            raise _TooLong
        return line


def line_at_bytes(path: Path, positions: Iterable[int]) -> dict[int, int]:
    """Map 1-based byte positions (as DuckDB reports them) to 1-based physical lines."""
    wanted = sorted(set(positions))
    result: dict[int, int] = {}
    if not wanted:
        return result
    # The line of position p is one more than the newlines before byte p - 1 (0-based):
    # counted chunk by chunk, without keeping any offset.
    lines, offset, index = 0, 0, 0
    with path.open("rb") as handle:
        while index < len(wanted) and (chunk := handle.read(_CHUNK)):
            end = offset + len(chunk)
            while index < len(wanted) and wanted[index] - 1 <= end:
                cut = max(0, wanted[index] - 1 - offset)
                result[wanted[index]] = lines + chunk.count(b"\n", 0, cut) + 1
                index += 1
            lines += chunk.count(b"\n")
            offset = end
    for position in wanted[index:]:  # beyond the end of the file
        result[position] = lines + 1
    return result


def record_lines(
    path: Path,
    fmt: TextFormat,
    record_indexes: Iterable[int],
    skipped_lines: set[int],
    shown: str | None = None,
    until: int | None = None,
) -> dict[int, int]:
    """Map 0-based indexes of the records DuckDB kept to the physical line each starts on.

    `skipped_lines` are the lines of records DuckDB refused (wrong number of fields); they
    are not among the records it kept, so they are not counted. With `until`, the pass
    stops at that line (the records after it are left out of the answer).
    """
    wanted = set(record_indexes)
    result: dict[int, int] = {}
    if not wanted:
        return result
    last = max(wanted)
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=fmt.delimiter, quotechar=fmt.quote)
        previous_end = 0
        index = -1  # the header is not a record
        seen_header = False
        try:
            for record in reader:
                lines.record = 0
                start = previous_end + 1
                previous_end = reader.line_num
                if until is not None and start > until:
                    break
                if not record or start in skipped_lines:
                    continue
                if not seen_header:
                    seen_header = True
                    continue
                index += 1
                if index in wanted:
                    result[index] = start
                    if index >= last:
                        break
        except (_TooLong, csv.Error):
            raise IngestError(
                _(
                    "{file}: line {line}: a row is longer than {size} bytes, more than any export "
                    "row (and more than the reader takes); the file may be damaged: export it "
                    "again"
                ).format(
                    file=shown or path.name,
                    line=previous_end + 1,
                    size=number(MAX_LINE_BYTES, 0),
                )
            ) from None
    return result


def first_records(path: Path, fmt: TextFormat, count: int) -> list[list[str]]:
    """The first `count` records after the header, as text (for a preview).

    Bounded: PREVIEW_BYTES read at most, each value cut to PREVIEW_CHARACTERS; a record
    too long for DuckDB's reader ends the preview (the upload will report it).
    """
    found: list[list[str]] = []
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        lines = _Lines(handle, PREVIEW_BYTES)
        reader = csv.reader(lines, delimiter=fmt.delimiter, quotechar=fmt.quote)
        header = False
        try:
            for record in reader:
                lines.record = 0
                if not record or lines.exhausted:
                    continue
                if not header:
                    header = True
                    continue
                found.append([value[:PREVIEW_CHARACTERS] for value in record])
                if len(found) >= count:
                    break
        except (_TooLong, csv.Error):
            pass
    return found
