"""Physical line numbers of records in a delimited file, for messages an analyst can follow.

DuckDB numbers the rows it read, skipping blank lines and counting a quoted multi-line
field as one; an analyst opens the file in an editor, where lines are physical. This pass
runs only when rows were rejected, and stops at the last record it is asked about.
"""

from __future__ import annotations

import bisect
import csv
from collections.abc import Iterable
from pathlib import Path

from kpis.ingest.sniff import TextFormat

_CHUNK = 1 << 20
csv.field_size_limit(1 << 30)  # exports may hold very long fields (descriptions, notes)


def line_at_bytes(path: Path, positions: Iterable[int]) -> dict[int, int]:
    """Map 1-based byte positions (as DuckDB reports them) to 1-based physical lines."""
    wanted = sorted(set(positions))
    result: dict[int, int] = {}
    if not wanted:
        return result
    newlines: list[int] = []  # byte offsets of every newline before the last wanted position
    offset = 0
    with path.open("rb") as handle:
        while offset < wanted[-1]:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            start = 0
            while (found := chunk.find(b"\n", start)) != -1:
                newlines.append(offset + found)
                start = found + 1
            offset += len(chunk)
    for position in wanted:
        result[position] = bisect.bisect_left(newlines, position - 1) + 1
    return result


def record_lines(
    path: Path, fmt: TextFormat, record_indexes: Iterable[int], skipped_lines: set[int]
) -> dict[int, int]:
    """Map 0-based indexes of the records DuckDB kept to the physical line each starts on.

    `skipped_lines` are the lines of records DuckDB refused (wrong number of fields); they
    are not among the records it kept, so they are not counted.
    """
    wanted = set(record_indexes)
    result: dict[int, int] = {}
    if not wanted:
        return result
    last = max(wanted)
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        reader = csv.reader(handle, delimiter=fmt.delimiter, quotechar=fmt.quote)
        previous_end = 0
        index = -1  # the header is not a record
        seen_header = False
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
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
    return result


def first_records(path: Path, fmt: TextFormat, count: int) -> list[list[str]]:
    """The first `count` records after the header, as text (for a preview)."""
    found: list[list[str]] = []
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        reader = csv.reader(handle, delimiter=fmt.delimiter, quotechar=fmt.quote)
        records = (record for record in reader if record)
        next(records, None)  # the header
        for record in records:
            found.append(record)
            if len(found) >= count:
                break
    return found
