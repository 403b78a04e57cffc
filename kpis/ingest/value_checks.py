"""Why a value rejects its row: empty, unreadable, out of bounds, a formula, an impossible time.

Each check is a SQL condition over one column plus the message the analyst reads, with the
column's name and the value as written, so a rejected row can be found and fixed in the
file. The same checks run whether DuckDB's reader typed the column itself (`native`) or the
typing SQL of parse.py did.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpis.definitions import Column, DateBounds
from kpis.ingest.formats import FileFormat
from kpis.ingest.sniff import sql_literal

# The reason given to a value the reader typed but the full reading would judge: the file
# is then read again the full way (see load.py), so the message the analyst sees is the same.
NATIVE_MISS = "(read again as text)"
# Text a spreadsheet would run as a formula (OWASP's CSV injection rule: = + - @ and |; tabs
# and carriage returns never reach here, cleaning turned them into spaces). A value starting
# with + or - is allowed only when it is a signed number, a phone number or dashes alone.
_FORMULA_START = "=@+-|"
_FORMULA = r"^[=@|]"
_SIGNED_PLAIN = r"^[+-]+$|^[+-][0-9][0-9 .,/:]*$"
_EXPECTED = {
    "integer": "a whole number",
    "number": "a number",
    "decimal": "a number",
    "boolean": "yes/no (true/false, oui/non, 1/0)",
}


@dataclass(frozen=True)
class Rejection:
    """A condition that rejects a row, the column it is about and the message shown."""

    condition: str
    column: str
    value: str
    message: str


def _expected(column: Column, fmt: FileFormat) -> str:
    if column.type in ("date", "timestamp"):
        order = "DD/MM/YYYY" if fmt.date_order == "dmy" else "MM/DD/YYYY"
        what = "a date" if column.type == "date" else "a date and time"
        return f"{what} (YYYY-MM-DD or {order}, as in the rest of this file)"
    if column.type in ("number", "decimal", "integer") and fmt.decimal == ",":
        return f"{_EXPECTED[column.type]} (written 1 234,56 in this file)"
    return _EXPECTED[column.type]


def _required(name: str, raw: str) -> Rejection:
    return Rejection(f"{raw} IS NULL", name, "''", f"'{name}: empty, but a value is required'")


def _bounds(name: str, column: Column, typed: str, shown: str) -> list[Rejection]:
    found = []
    if column.min is not None:
        found.append(
            Rejection(
                f"{typed} < {column.min!r}",
                name,
                shown,
                f"'{name}: ' || {shown} || ' is below the minimum {column.min:g}'",
            )
        )
    if column.max is not None:
        found.append(
            Rejection(
                f"{typed} > {column.max!r}",
                name,
                shown,
                f"'{name}: ' || {shown} || ' is above the maximum {column.max:g}'",
            )
        )
    return found


def _times(name: str, column: Column, typed: str, shown: str, valid: DateBounds) -> list[Rejection]:
    """Dates outside the source's valid range (times the clocks skipped: see clock.py)."""
    if column.type not in ("date", "timestamp"):
        return []
    after = valid.max + dt.timedelta(days=1)
    return [
        Rejection(
            f"({typed} < DATE '{valid.min}' OR {typed} >= DATE '{after}')",
            name,
            shown,
            f"'{name}: \"' || {shown} || '\" is outside the valid dates, {valid.min} to "
            f"{valid.max} (valid_dates in kpis.yaml)'",
        )
    ]


def column_rejections(
    name: str,
    column: Column,
    raw: str,
    typed: str,
    fmt: FileFormat,
    valid: DateBounds,
) -> list[Rejection]:
    """Every way a value of this column, typed by SQL from its text `raw`, rejects its row."""
    found: list[Rejection] = []
    if not column.nullable:
        found.append(_required(name, raw))
    if column.type != "string":
        message = f"'{name}: \"' || {raw} || '\" is not {_expected(column, fmt)}'"
        found.append(Rejection(f"{raw} IS NOT NULL AND {typed} IS NULL", name, raw, message))
    else:
        # =HYPERLINK(...) and friends: the tool exported formulas, not values, and a formula
        # stored here could run in the spreadsheet of whoever downloads it later.
        starts = ", ".join(str(ord(ch)) for ch in _FORMULA_START)
        formula = (
            f"ord({raw}) IN ({starts}) AND (regexp_matches({raw}, {sql_literal(_FORMULA)}) "
            f"OR NOT regexp_matches({raw}, {sql_literal(_SIGNED_PLAIN)}))"
        )
        message = f"'{name}: \"' || left({raw}, 40) || '\" is a spreadsheet formula, not a value; export values only'"  # noqa: E501
        found.append(Rejection(formula, name, raw, message))
    found.extend(_bounds(name, column, typed, raw))
    found.extend(_times(name, column, typed, raw, valid))
    if column.values is not None:
        allowed = ", ".join(map(sql_literal, column.values))
        shown = ", ".join(column.values).replace("'", "''")
        found.append(
            Rejection(
                f"{typed} NOT IN ({allowed})",
                name,
                raw,
                f"'{name}: \"' || {raw} || '\" is not one of {shown}'",
            )
        )
    return found


def native_rejections(
    name: str, column: Column, raw: str, typed: str, valid: DateBounds
) -> list[Rejection]:
    """The checks left once DuckDB's reader has typed the value `raw` itself."""
    shown = f"CAST({typed} AS VARCHAR)"
    found = []
    if not column.nullable:
        found.append(_required(name, raw))
    if column.type == "integer":
        miss = sql_literal(NATIVE_MISS)
        found.append(Rejection(f"{raw} IS NOT NULL AND {typed} IS NULL", name, shown, miss))
    found.extend(_bounds(name, column, typed, shown))
    judged = [r.condition for r in _times(name, column, typed, shown, valid)]
    if judged:
        # The reader also reads 'epoch' (1970-01-01) and 'infinity' as dates: a time it typed
        # that any rule would judge, or that may be such a word, sends the file the full way,
        # which reads the text itself and words the message from it.
        epoch = f"{typed} = DATE '1970-01-01'"
        condition = " OR ".join([*judged, epoch])
        found.append(Rejection(f"({condition})", name, shown, sql_literal(NATIVE_MISS)))
    return found
