"""SQL that turns an export's text into the declared types, and says why a value is refused.

Typing happens inside DuckDB, in the same pass that reads the file, so a million-row upload
never goes through Python row by row. Every column yields its typed value plus the checks
that reject a row (empty where required, unreadable, out of bounds); the source's own
`checks:` then run over the typed values. Messages name the column and quote the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpis.definitions import Column, Source
from kpis.ingest.sniff import sql_literal
from kpis.store import SQL_TYPES, quote

TRUE_WORDS = ("true", "t", "yes", "y", "1", "oui", "o", "vrai")
FALSE_WORDS = ("false", "f", "no", "n", "0", "non", "faux")
_INTEGER = r"^[+-]?\d+(\.0*)?$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_OFFSET = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([+-]\d{2}(:?\d{2})?|Z)$"
_BLANKS = " \t\u00a0\u202f"
_EXPECTED = {
    "integer": "a whole number",
    "number": "a number",
    "decimal": "a number",
    "boolean": "yes/no (true/false, oui/non, 1/0)",
    "date": "a date (YYYY-MM-DD)",
    "timestamp": "a date and time (YYYY-MM-DD HH:MM:SS)",
}


@dataclass(frozen=True)
class Rejection:
    """A condition that rejects a row, the column it is about and the message shown."""

    condition: str
    column: str
    value: str
    message: str


def raw_sql(position: int) -> str:
    """The trimmed text of file column `position`, NULL when empty."""
    return f"NULLIF(trim(c{position}, {sql_literal(_BLANKS)}), '')"


def typed_sql(raw: str, column: Column, timezone: str) -> str:
    """SQL giving the typed value of `raw` (NULL when empty or unreadable)."""
    kind = column.type
    if kind == "string":
        return raw
    if kind == "integer":
        return (
            f"CASE WHEN regexp_matches({raw}, {sql_literal(_INTEGER)}) "
            f"THEN TRY_CAST(regexp_replace({raw}, '\\.0*$', '') AS BIGINT) END"
        )
    if kind in ("number", "decimal"):
        return (
            f"CASE WHEN regexp_matches({raw}, {sql_literal(_NUMBER)}) "
            f"THEN TRY_CAST({raw} AS {SQL_TYPES[kind]}) END"
        )
    if kind == "boolean":
        trues = ", ".join(map(sql_literal, TRUE_WORDS))
        falses = ", ".join(map(sql_literal, FALSE_WORDS))
        return f"CASE WHEN lower({raw}) IN ({trues}) THEN true WHEN lower({raw}) IN ({falses}) THEN false END"  # noqa: E501
    if kind == "date":
        return f"coalesce(TRY_CAST({raw} AS DATE), CAST(TRY_CAST({raw} AS TIMESTAMP) AS DATE))"
    # Timestamps with an offset are instants: convert them to the calendar's wall clock.
    return (
        f"CASE WHEN regexp_matches({raw}, {sql_literal(_OFFSET)}) "
        f"THEN TRY_CAST({raw} AS TIMESTAMPTZ) AT TIME ZONE {sql_literal(timezone)} "
        f"ELSE TRY_CAST({raw} AS TIMESTAMP) END"
    )


def column_rejections(name: str, column: Column, raw: str, typed: str) -> list[Rejection]:
    """Every way a value of this column can reject its row."""
    found: list[Rejection] = []
    if not column.nullable:
        found.append(
            Rejection(f"{raw} IS NULL", name, "''", f"'{name}: empty, but a value is required'")
        )
    if column.type != "string":
        found.append(
            Rejection(
                f"{raw} IS NOT NULL AND {typed} IS NULL",
                name,
                raw,
                f"'{name}: \"' || {raw} || '\" is not {_EXPECTED[column.type]}'",
            )
        )
    if column.min is not None:
        found.append(
            Rejection(
                f"{typed} < {column.min!r}",
                name,
                raw,
                f"'{name}: ' || {raw} || ' is below the minimum {column.min:g}'",
            )
        )
    if column.max is not None:
        found.append(
            Rejection(
                f"{typed} > {column.max!r}",
                name,
                raw,
                f"'{name}: ' || {raw} || ' is above the maximum {column.max:g}'",
            )
        )
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


def typing_select(
    source: Source,
    positions: dict[str, int],
    reader_sql: str,
    timezone: str,
    check_sql: list[tuple[str, str, str]],
) -> str:
    """One SELECT over `reader_sql` giving typed columns plus `_reason`, `_column`, `_value`.

    `check_sql` holds the source's checks as (rendered SQL predicate, message, columns).
    """
    raws, typeds, rejections = [], [], []
    for name, column in source.columns.items():
        typed_name = quote(name)
        if name not in positions:
            typeds.append(f"CAST(NULL AS {SQL_TYPES[column.type]}) AS {typed_name}")
            continue
        raw_name = quote(f"_raw_{name}")
        raws.append(f"{raw_sql(positions[name])} AS {raw_name}")
        typeds.append(f"{raw_name}, {typed_sql(raw_name, column, timezone)} AS {typed_name}")
        rejections.extend(column_rejections(name, column, raw_name, typed_name))
    for predicate, message, columns in check_sql:
        rejections.append(
            Rejection(f"NOT coalesce(({predicate}), true)", columns, "NULL", sql_literal(message))
        )
    whens = [f"CASE WHEN {r.condition} THEN {r.message} END" for r in rejections]
    names = [f"CASE WHEN {r.condition} THEN {sql_literal(r.column)} END" for r in rejections]
    values = [f"CASE WHEN {r.condition} THEN {r.value} END" for r in rejections]
    declared = ", ".join(quote(name) for name in source.columns)
    reason = f"NULLIF(concat_ws('; ', {', '.join(whens)}), '')" if whens else "NULL"
    first_column = f"coalesce({', '.join(names)})" if names else "NULL"
    first_value = f"coalesce({', '.join(values)})" if values else "NULL"
    return (
        f"WITH raw AS (SELECT {', '.join(raws) or '1 AS _none'} FROM {reader_sql}), "
        f"typed AS (SELECT {', '.join(typeds)} FROM raw) "
        f"SELECT {declared}, {reason} AS _reason, {first_column} AS _column, "
        f"{first_value} AS _value FROM typed"
    )
