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
    marked_numbers: bool = False  # some number has a decimal or thousands mark to read
    slashed_dates: bool = False  # some date is written 05/01/2026, whose order is decided
    time_format: str | None = None  # a profile's explicit date format for one column

    def describe(self) -> str:
        """The decisions taken for this file; none when it had nothing to decide (ISO dates)."""
        parts = []
        if self.marked_numbers:
            parts.append(f"decimal {'comma' if self.decimal == ',' else 'point'}")
        if self.slashed_dates:
            order = "day/month/year" if self.date_order == "dmy" else "month/day/year"
            parts.append(f"dates {order}")
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
    numbers: dict[str, list[str]] = {",": [], ".": [], "either": []}
    orders: dict[str, list[str]] = {"dmy": [], "mdy": [], "either": []}
    for column, values in samples.items():
        kind = source.columns[column].type
        for raw in values:
            if kind in ("integer", "number", "decimal"):
                text = _clean_number(raw)
                shows = [mark for mark, rule in _SHOWS.items() if rule.match(text)]
                if shows:
                    for mark in shows:
                        numbers[mark].append(raw)
                elif "," in text or "." in text:
                    numbers["either"].append(raw)
            elif kind in ("date", "timestamp") and (found := _SLASHED.match(raw)):
                first, second = int(found.group(1)), int(found.group(2))
                key = "dmy" if first > 12 else "mdy" if second > 12 else "either"
                orders[key].append(raw)
    decimal, number_note = _decide_decimal(numbers, delimiter, overrides)
    order, date_note = _decide_order(orders, default_order, overrides)
    notes = tuple(note for note in (number_note, date_note) if note)
    native, timestamp_format = _native(source, samples, decimal)
    marked = any(numbers[key] for key in numbers)
    slashed = any(orders[key] for key in orders)
    return FileFormat(decimal, order, excel, notes, native, timestamp_format, marked, slashed)


_MARKS = {",": "comma", ".": "point"}
_SHOWS = {",": _COMMA_DECIMAL, ".": _DOT_DECIMAL}


def _reading(raw: str, decimal: str) -> str:
    """How `raw` reads with `decimal` as the decimal mark, for a note (1.234 -> 1234)."""
    text = _clean_number(raw)
    thousands = "." if decimal == "," else ","
    return text.replace(thousands, "").replace(decimal, ".")


def _decide_decimal(
    numbers: Mapping[str, list[str]], delimiter: str, overrides: Mapping[str, str]
) -> tuple[str, str | None]:
    """The decimal mark and the note saying why; no note when no value has a mark at all."""
    written = bool(numbers[","] or numbers["."] or numbers["either"])
    if "decimal" in overrides:
        decimal = overrides["decimal"]
        note = (
            f"numbers read with a decimal {_MARKS[decimal]}, as format: decimal in kpis.yaml says"
        )
        return decimal, note if written else None
    voted, mixed = _vote(".", len(numbers["."]), ",", len(numbers[","]))
    if voted is None:
        decimal = "," if delimiter == ";" else "."
        if not numbers["either"]:
            return decimal, None
        example = numbers["either"][0]
        layout = "semicolon-separated" if delimiter == ";" else "not semicolon-separated"
        return decimal, (
            f"numbers read with a decimal {_MARKS[decimal]}: no value in the file shows which "
            f"mark is decimal ({example!r} could be either; it is read as "
            f"{_reading(example, decimal)}), so the file's layout decided ({layout}); set "
            "format: decimal in kpis.yaml to change"
        )
    example = numbers[voted][0]
    if mixed:
        return voted, (
            f"numbers are written both ways; read with a decimal {_MARKS[voted]}, the most "
            f"common (such as {example!r}); values written the other way are rejected"
        )
    return voted, f"numbers read with a decimal {_MARKS[voted]}, as values such as {example!r} show"


def _decide_order(
    orders: Mapping[str, list[str]], default: DateOrder, overrides: Mapping[str, str]
) -> tuple[DateOrder, str | None]:
    """The day/month order and the note saying why; no note without a slashed date."""
    written = bool(orders["dmy"] or orders["mdy"] or orders["either"])
    words = {"dmy": "day/month/year", "mdy": "month/day/year"}
    if "date_order" in overrides:
        order = overrides["date_order"]
        note = f"dates read as {words[order]}, as kpis.yaml's format: says"
        return order, note if written else None
    voted, mixed = _vote("dmy", len(orders["dmy"]), "mdy", len(orders["mdy"]))
    if voted is None:
        if not written:
            return default, None
        return default, (
            f"dates read as {words[default]}: no day above 12 in the file decides it (set "
            "format: date_order in kpis.yaml to change)"
        )
    example = orders[voted][0]
    if mixed:
        return voted, (
            f"dates are written both day/month and month/day; read as {words[voted]}, the most "
            f"common (such as {example!r}); rows written the other way are rejected"
        )
    return voted, f"dates read as {words[voted]}, as dates such as {example!r} show"


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
    """The non-empty text of `columns` in the file's first `limit` rows, 64 characters at most.

    A longer value is no number or date anyway, and whole values could be megabytes each.
    """
    wanted = [c for c in columns if c in positions]
    if not wanted:
        return {}
    select = ", ".join(f"left(c{positions[c]}, 64)" for c in wanted)
    rows = cur.execute(f"SELECT {select} FROM {reader_sql(path, text)} LIMIT {limit}").fetchall()
    return {
        column: [str(r[i]).strip() for r in rows if r[i] is not None and str(r[i]).strip()]
        for i, column in enumerate(wanted)
    }
