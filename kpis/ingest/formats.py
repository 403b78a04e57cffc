"""Decide, once per file, how its numbers and dates are written, and say what was decided.

A French export writes 1 234,56 € and 05/01/2026; an American one 1,234.56 and 1/5/2026.
Deciding row by row would read 05/01 as the 5th of January on one row and May 1st on the
next, so the decision is taken for the whole file from a sample of its values, and reported
("dates read as day/month/year"). When the sample cannot decide (every day is 12 or less),
the source's `format:` setting, or the calendar's region, decides, and the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from kpis.definitions import Source
from kpis.ingest.sniff import TextFormat, reader_sql

DateOrder = str  # "dmy" | "mdy"
_SPACES = "\u00a0\u202f '’"
_CURRENCY = re.compile(r"(?i)[€$£¥]|\b(EUR|USD|GBP|CHF|CAD)\b")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(\D|$)")
# Only unambiguous evidence counts: "1.234" could be either, "1.234,5" and "12,50" cannot.
_COMMA_DECIMAL = re.compile(
    r"^[+-]?(\d{1,3}(\.\d{3})+,\d+|\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3}){2,})$"
)
_DOT_DECIMAL = re.compile(
    r"^[+-]?(\d{1,3}(,\d{3})+\.\d+|\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3}){2,})$"
)


# Values DuckDB's reader types exactly as the full reading would (see ingest/parse.py).
_NATIVE = {
    "integer": re.compile(r"^-?\d{1,18}$"),
    "number": re.compile(r"^-?\d+(\.\d+)?$"),
    "decimal": re.compile(r"^-?\d{1,12}(\.\d{1,6})?$"),
    "boolean": re.compile(r"^(true|false)$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
}
# Read with a strict format: a value written any other way (an offset, a T, a fraction of a
# second) is not of the format, so the reader refuses it and the file is read the full way.
_TIMESTAMP_FORMATS = {
    "%Y-%m-%d %H:%M:%S": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
    "%Y-%m-%dT%H:%M:%S": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"),
    "%Y-%m-%d %H:%M": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"),
}


@dataclass(frozen=True)
class FileFormat:
    """How this file writes numbers and dates, with the reasons shown to the analyst."""

    decimal: str = "."
    date_order: DateOrder = "dmy"
    excel_serials: bool = False
    notes: tuple[str, ...] = field(default=())
    # Columns DuckDB's reader can type itself (the sample is written the plain ISO way):
    # faster than typing text in SQL; a value it cannot read sends the file the slow way.
    native: frozenset[str] = frozenset()
    timestamp_format: str = "%Y-%m-%d %H:%M:%S"  # of the native timestamp columns

    def describe(self) -> str:
        parts = [f"decimal {'comma' if self.decimal == ',' else 'point'}"]
        parts.append("dates day/month/year" if self.date_order == "dmy" else "dates month/day/year")
        return ", ".join(parts)


def _clean_number(text: str) -> str:
    text = _CURRENCY.sub("", text).replace("%", "")
    for space in _SPACES:
        text = text.replace(space, "")
    return text.strip()


def _vote(first: str, firsts: int, second: str, seconds: int) -> tuple[str | None, bool]:
    """The convention most sample values show (`first` on a tie), and whether both appear.

    None when no value shows either: the caller's default applies.
    """
    if not firsts and not seconds:
        return None, False
    return (first if firsts >= seconds else second), bool(firsts and seconds)


def decide(
    source: Source,
    samples: Mapping[str, Iterable[str]],
    delimiter: str,
    default_order: DateOrder,
    excel: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> FileFormat:
    """The file's conventions from sample values of its mapped columns.

    `overrides` (from the source's or the mapping's `format:`) wins over what the sample says.
    """
    overrides = overrides or {}
    comma = dot = 0
    dmy = mdy = 0
    has_slashed = False
    for column, values in samples.items():
        kind = source.columns[column].type
        for raw in values:
            if kind in ("integer", "number", "decimal"):
                text = _clean_number(raw)
                comma += bool(_COMMA_DECIMAL.match(text))
                dot += bool(_DOT_DECIMAL.match(text))
            elif kind in ("date", "timestamp"):
                found = _SLASHED.match(raw)
                if found:
                    has_slashed = True
                    first, second = int(found.group(1)), int(found.group(2))
                    dmy += first > 12
                    mdy += second > 12
    notes = []
    voted, mixed = _vote(".", dot, ",", comma)
    if "decimal" in overrides:
        decimal = overrides["decimal"]
    elif voted is None:
        decimal = "," if delimiter == ";" else "."
    else:
        decimal = voted
        if mixed:
            mark = "comma" if decimal == "," else "point"
            notes.append(
                f"numbers are written both ways; read with a decimal {mark}, the most common"
            )
    voted, mixed = _vote("dmy", dmy, "mdy", mdy)
    if "date_order" in overrides:
        order = overrides["date_order"]
    elif voted is None:
        order = default_order
        if has_slashed:
            notes.append(
                f"dates read as {'day/month' if order == 'dmy' else 'month/day'}/year: no day "
                "above 12 in the file decides it (set format: date_order in kpis.yaml to change)"
            )
    else:
        order = voted
        if mixed:
            notes.append(
                "dates are written both day/month and month/day; read as "
                f"{'day/month' if order == 'dmy' else 'month/day'}/year, the most common; "
                "rows written the other way are rejected"
            )
    native, timestamp_format = _native(source, samples, decimal)
    return FileFormat(decimal, order, excel, tuple(notes), native, timestamp_format)


def _native(
    source: Source, given: Mapping[str, Iterable[str]], decimal: str
) -> tuple[frozenset[str], str]:
    """The columns whose whole sample DuckDB's reader types as the full reading would."""
    samples = {column: list(values) for column, values in given.items()}
    native = {
        column
        for column, values in samples.items()
        if (pattern := _NATIVE.get(source.columns[column].type)) is not None
        and all(pattern.match(v) for v in values)
        and (decimal == "." or source.columns[column].type in ("boolean", "date"))
    }
    # One timestamp format per file (DuckDB's reader takes one): the one most columns use.
    times = [c for c in samples if source.columns[c].type == "timestamp"]
    fitting = {
        fmt: {c for c in times if all(pattern.match(v) for v in samples[c])}
        for fmt, pattern in _TIMESTAMP_FORMATS.items()
    }
    best = max(fitting, key=lambda fmt: len(fitting[fmt]))
    return frozenset(native | fitting[best]), best


def default_date_order(timezone: str) -> DateOrder:
    """Month first in the Americas, day first elsewhere."""
    return "mdy" if timezone.startswith(("America/", "US/")) else "dmy"


def sample_values(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    text: TextFormat,
    positions: Mapping[str, int],
    columns: Iterable[str],
    limit: int = 20_000,
) -> dict[str, list[str]]:
    """The non-empty text of `columns` in the file's first `limit` rows."""
    wanted = [c for c in columns if c in positions]
    if not wanted:
        return {}
    select = ", ".join(f"c{positions[c]}" for c in wanted)
    rows = cur.execute(f"SELECT {select} FROM {reader_sql(path, text)} LIMIT {limit}").fetchall()
    return {
        column: [str(r[i]).strip() for r in rows if r[i] is not None and str(r[i]).strip()]
        for i, column in enumerate(wanted)
    }
