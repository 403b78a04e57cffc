"""SQL that turns an export's text into the declared types, and says why a value is refused.

Typing happens inside DuckDB, in the same pass that reads the file, so a million-row upload
never goes through Python row by row. Every column yields its typed value plus the checks
that reject a row (empty where required, unreadable in the file's format, out of bounds);
the source's own `checks:` then run over the typed values. Messages name the column and
quote the value as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kpis.definitions import Column, Source
from kpis.ingest.clean import raw_sql
from kpis.ingest.formats import FileFormat
from kpis.ingest.sniff import sql_literal
from kpis.ingest.value_checks import Rejection, column_rejections, native_rejections
from kpis.store import SQL_TYPES, quote

TRUE_WORDS = ("true", "t", "yes", "y", "1", "oui", "o", "vrai", "x")
FALSE_WORDS = ("false", "f", "no", "n", "0", "non", "faux")
# Currency marks and every kind of space or apostrophe used to group thousands; the
# no-break spaces are the characters themselves (DuckDB's regex has no \u escapes).
_CURRENCY = "[€$£¥]|\\b(EUR|USD|GBP|CHF|CAD)\\b|[\\s\u00a0\u202f'’]"
_NUMBER = {
    ".": r"^[+-]?((\d{1,3}(,\d{3})*|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?$",
    ",": r"^[+-]?((\d{1,3}(\.\d{3})*|\d+)(,\d*)?|,\d+)$",
}
_OFFSET = r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([+-]\d{2}(:?\d{2})?|Z)$"
_SEPARATED = ("/", "-", ".")


def _date_formats(order: str, with_time: bool) -> list[str]:
    day, month = ("%d", "%m") if order == "dmy" else ("%m", "%d")
    found = []
    for sep in _SEPARATED:
        for year in ("%Y", "%y"):
            base = sep.join((day, month, year))
            if with_time:
                found += [
                    f"{base} %H:%M:%S",
                    f"{base} %H:%M",
                    f"{base} %I:%M:%S %p",
                    f"{base} %I:%M %p",
                ]
            found.append(base)
    return found


def _number_sql(raw: str, kind: str, fmt: FileFormat) -> str:
    """Plain numbers (12, -3.5, 1e3) take a fast cast; the rest the full reading below."""
    plain = (
        r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$" if kind != "integer" else r"^[+-]?\d+([eE]\+?\d+)?$"
    )
    text = raw if fmt.decimal == "." else f"replace({raw}, ',', '.')"
    guard = f"regexp_matches({raw}, {sql_literal(plain)})"
    if fmt.decimal == ",":
        plain_comma = plain.replace("\\.", ",")
        guard = f"regexp_matches({raw}, {sql_literal(plain_comma)})"
    target = "BIGINT" if kind == "integer" else SQL_TYPES[kind]
    fast = f"CASE WHEN {guard} THEN TRY_CAST({text} AS {target}) END"
    return f"coalesce({fast}, {_full_number_sql(raw, kind, fmt)})"


def _full_number_sql(raw: str, kind: str, fmt: FileFormat) -> str:
    clean = f"regexp_replace(replace({raw}, '%', ''), {sql_literal(_CURRENCY)}, '', 'g')"
    if fmt.decimal == ",":
        normal = f"replace(replace({clean}, '.', ''), ',', '.')"
    else:
        normal = f"replace({clean}, ',', '')"
    valid = f"regexp_matches({clean}, {sql_literal(_NUMBER[fmt.decimal])})"
    if kind == "integer":
        valid += f" AND regexp_matches({normal}, '^[+-]?\\d+(\\.0*)?([eE]\\+?\\d+)?$')"
        return f"CASE WHEN {valid} THEN TRY_CAST(TRY_CAST({normal} AS DOUBLE) AS BIGINT) END"
    value = f"TRY_CAST({normal} AS {SQL_TYPES[kind]})"
    # "12,5 %" is a share: 0.125. The cast keeps decimals exact rather than floating.
    percent = f"CAST({value} / 100 AS {SQL_TYPES[kind]})"
    return (
        f"CASE WHEN {valid} THEN CASE WHEN contains({raw}, '%') THEN {percent} ELSE {value} END END"
    )


def _time_sql(raw: str, kind: str, fmt: FileFormat, timezone: str) -> str:
    target = "DATE" if kind == "date" else "TIMESTAMP"
    formats = ", ".join(map(sql_literal, _date_formats(fmt.date_order, True)))
    parsed = [f"TRY_CAST({raw} AS TIMESTAMP)", f"try_strptime({raw}, [{formats}])"]
    if fmt.excel_serials:
        # A workbook cell holding a bare day count since 1899-12-30 (Excel's day zero).
        seconds = f"to_seconds(CAST(round(CAST({raw} AS DOUBLE) * 86400) AS BIGINT))"
        parsed.append(
            f"CASE WHEN regexp_matches({raw}, '^\\d{{4,5}}(\\.\\d+)?$') "
            f"THEN TIMESTAMP '1899-12-30' + {seconds} END"
        )
    local = f"coalesce({', '.join(parsed)})"
    # Timestamps with an offset are instants: convert them to the calendar's wall clock.
    # An offset shows as a +, a - or a Z after the date: cheap to rule out before the regex.
    maybe_offset = (
        f"contains(substr({raw}, 11), '+') OR contains(substr({raw}, 11), '-') "
        f"OR contains(upper({raw}), 'Z')"
    )
    instant = f"TRY_CAST({raw} AS TIMESTAMPTZ) AT TIME ZONE {sql_literal(timezone)}"
    offset = f"regexp_matches({raw}, {sql_literal(_OFFSET)})"
    value = f"CASE WHEN ({maybe_offset}) AND {offset} THEN {instant} ELSE {local} END"
    # DuckDB's cast and strptime also read words ('epoch' is 1970-01-01, 'infinity' the end
    # of time) and years before Christ: only text starting with a digit is a date here.
    value = f"CASE WHEN ord({raw}) BETWEEN 48 AND 57 THEN {value} END"
    return f"CAST({value} AS {target})"


def typed_sql(raw: str, column: Column, fmt: FileFormat, timezone: str) -> str:
    """SQL giving the typed value of `raw` (NULL when empty or unreadable)."""
    kind = column.type
    if kind == "string":
        return raw
    if kind in ("integer", "number", "decimal"):
        return _number_sql(raw, kind, fmt)
    if kind == "boolean":
        trues = ", ".join(map(sql_literal, TRUE_WORDS))
        falses = ", ".join(map(sql_literal, FALSE_WORDS))
        words = f"CASE WHEN lower({raw}) IN ({trues}) THEN true WHEN lower({raw}) IN ({falses}) THEN false END"  # noqa: E501
        # The usual spellings first, without lowering every value.
        return f"CASE {raw} WHEN 'true' THEN true WHEN 'false' THEN false ELSE {words} END"
    return _time_sql(raw, kind, fmt, timezone)


def _mapped(raw: str, values: Mapping[str, str]) -> str:
    """Translate a tool's own words (good/bad) to the values the source expects."""
    if not values:
        return raw
    cases = " ".join(
        f"WHEN {sql_literal(key.strip().lower())} THEN {sql_literal(str(value))}"
        for key, value in values.items()
    )
    return f"CASE lower({raw}) {cases} ELSE {raw} END"


@dataclass(frozen=True)
class Plan:
    """What to read from the file: the column map, constants and value maps."""

    positions: Mapping[str, int]
    constants: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]


NATIVE_TYPES = {
    # Read as DOUBLE, not BIGINT: DuckDB's reader would round 4.5 to 5 without a word.
    "integer": "DOUBLE",
    "number": "DOUBLE",
    "decimal": "DECIMAL(18,6)",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",  # in the file's one strict format, so never with an offset
}


def native_positions(source: Source, plan: Plan, fmt: FileFormat) -> dict[int, str]:
    """File positions DuckDB's reader types itself, with the type it reads them as."""
    return {
        position: NATIVE_TYPES[source.columns[name].type]
        for name, position in plan.positions.items()
        if name in fmt.native and name not in plan.values
    }


def _native_typed(raw: str, column: Column) -> str:
    if column.type == "integer":
        return (
            f"CASE WHEN {raw} = trunc({raw}) AND abs({raw}) < 9.2e18 THEN CAST({raw} AS BIGINT) END"
        )
    return raw


def typing_select(
    source: Source,
    plan: Plan,
    reader_sql: str,
    fmt: FileFormat,
    timezone: str,
    check_sql: list[tuple[str, str, str]],
    native: dict[int, str] | None = None,
) -> str:
    """One SELECT over `reader_sql` giving typed columns plus `_reason`, `_column`, `_value`.

    `check_sql` holds the source's checks as (rendered SQL predicate, message, columns);
    `native` the file positions the reader has already typed (see native_positions).
    """
    raws, typeds, rejections = [], [], []
    native = native or {}
    valid = source.valid_dates
    for name, column in source.columns.items():
        typed_name = quote(name)
        position = plan.positions.get(name)
        if position is not None and position in native:
            raw_name = quote(f"_raw_{name}")
            raws.append(f"c{position} AS {raw_name}")
            typed_expr = _native_typed(raw_name, column)
            typeds.append(f"{raw_name}, {typed_expr} AS {typed_name}")
            rejections.extend(native_rejections(name, column, raw_name, typed_name, valid))
            continue
        if position is not None:
            raw_expr = _mapped(raw_sql(plan.positions[name]), plan.values.get(name, {}))
        elif name in plan.constants:
            raw_expr = sql_literal(str(plan.constants[name]))
        else:
            typeds.append(f"CAST(NULL AS {SQL_TYPES[column.type]}) AS {typed_name}")
            continue
        raw_name = quote(f"_raw_{name}")
        raws.append(f"{raw_expr} AS {raw_name}")
        typeds.append(f"{raw_name}, {typed_sql(raw_name, column, fmt, timezone)} AS {typed_name}")
        rejections.extend(column_rejections(name, column, raw_name, typed_name, fmt, valid))
    for predicate, message, columns in check_sql:
        rejections.append(
            Rejection(f"NOT coalesce(({predicate}), true)", columns, "NULL", sql_literal(message))
        )
    declared = ", ".join(quote(name) for name in source.columns)
    select = (
        f"WITH raw AS (SELECT {', '.join(raws) or '1 AS _none'} FROM {reader_sql}), "
        f"typed AS (SELECT {', '.join(typeds)} FROM raw) SELECT {declared}, "
    )
    if not rejections:
        return (
            select + "NULL::VARCHAR AS _reason, NULL::VARCHAR AS _column, NULL AS _value FROM typed"
        )
    whens = [f"CASE WHEN {r.condition} THEN {r.message} END" for r in rejections]
    names = [f"CASE WHEN {r.condition} THEN {sql_literal(r.column)} END" for r in rejections]
    values = [f"CASE WHEN {r.condition} THEN {r.value} END" for r in rejections]
    # Each condition is tested once for every row; the messages are built only for the
    # few rows that fail one (DuckDB evaluates a CASE branch only for the rows taking it).
    failing = " OR ".join(f"coalesce({r.condition}, false)" for r in rejections)
    reason = f"NULLIF(concat_ws('; ', {', '.join(whens)}), '')"
    return select + (
        f"CASE WHEN _failing THEN {reason} END AS _reason, "
        f"CASE WHEN _failing THEN coalesce({', '.join(names)}) END AS _column, "
        f"CASE WHEN _failing THEN coalesce({', '.join(values)}) END AS _value "
        f"FROM (SELECT *, {failing} AS _failing FROM typed) AS typed"
    )
