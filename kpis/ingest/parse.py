"""SQL that turns an export's text into the declared types, and says why a value is refused.

Typing happens inside DuckDB, in the same pass that reads the file, so a million-row upload
never goes through Python row by row. Every column yields its typed value plus the checks
that reject a row (empty where required, unreadable in the file's format, out of bounds);
the source's own `checks:` then run over the typed values. Messages name the column and
quote the value as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from kpis.definitions import Column, FieldMap, Source
from kpis.ingest.clean import raw_sql
from kpis.ingest.field_sql import chained, reads_text, uses_text_options
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
# An offset after the time, with or without a space (Zendesk and Shopify write
# "2025-10-04 10:22:31 +0100"), or a Z or UTC.
_OFFSET = r"(?i)\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([+-]\d{2}(:?\d{2})?|Z|UTC)$"
_OFFSET_SPACE = r"(?i)\s*([+-]\d{2}(:?\d{2})?|Z|UTC)$"
_SEPARATED = ("/", "-", ".")
# Compact dates and times (a carrier's invoice: 20250904, 20250904102231).
_COMPACT = ("%Y%m%d%H%M%S", "%Y%m%d")


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


def decimal_sql(raw: str, fmt: FileFormat) -> str:
    """The exact number `raw` holds, written the file's way (NULL when it holds none)."""
    return _number_sql(raw, "decimal", fmt)


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


def _explicit_time_sql(raw: str, kind: str, time_format: str, timezone: str) -> str:
    """A profile's own format, and only it: a value written otherwise is refused."""
    target = "DATE" if kind == "date" else "TIMESTAMP"
    value = f"try_strptime({raw}, {sql_literal(time_format)})"
    if "%z" in time_format or "%Z" in time_format:  # an instant: to the calendar's clock
        value = f"({value}) AT TIME ZONE {sql_literal(timezone)}"
    return f"CAST({value} AS {target})"


def _time_sql(raw: str, kind: str, fmt: FileFormat, timezone: str) -> str:
    if fmt.time_format is not None:
        return _explicit_time_sql(raw, kind, fmt.time_format, timezone)
    target = "DATE" if kind == "date" else "TIMESTAMP"
    formats = ", ".join(map(sql_literal, [*_date_formats(fmt.date_order, True), *_COMPACT]))
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
        f"OR contains(upper({raw}), 'Z') OR contains(upper({raw}), 'UTC')"
    )
    # DuckDB reads an offset written right after the time: remove the space, and say UTC as Z.
    joined = (
        f"regexp_replace(regexp_replace({raw}, {sql_literal(_OFFSET_SPACE)}, '\\1'), "
        f"'(?i)UTC$', 'Z')"
    )
    instant = f"TRY_CAST({joined} AS TIMESTAMPTZ) AT TIME ZONE {sql_literal(timezone)}"
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


@dataclass(frozen=True)
class Plan:
    """What to read from the file: which position, constant or expression feeds each column.

    `fields` holds a profile's options per column (field_sql.py); `expressions` the SQL of
    the columns a profile computes, over the typed columns read from the file and the file
    columns `_f0, _f1...` listed in `file_columns`; `steps` a subquery over the file's
    lines that replaces the reader when rows are rolled up or filtered (profile_plan.py).
    """

    positions: Mapping[str, int]
    constants: Mapping[str, str | None]
    fields: Mapping[str, FieldMap] = field(default_factory=dict)
    expressions: Mapping[str, str] = field(default_factory=dict)
    file_columns: tuple[int, ...] = ()
    steps: tuple[str, str] | None = None  # (rolled up and filtered, rolled up only)


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
        if name in fmt.native and not uses_text_options(plan.fields.get(name)) and not plan.steps
    }


def _native_typed(raw: str, column: Column) -> str:
    if column.type == "integer":
        return (
            f"CASE WHEN {raw} = trunc({raw}) AND abs({raw}) < 9.2e18 THEN CAST({raw} AS BIGINT) END"
        )
    return raw


def _column_format(fmt: FileFormat, spec: FieldMap | None) -> FileFormat:
    """The file's conventions, with a profile's own format or decimal mark for one column."""
    if spec is None or (spec.format is None and spec.decimal is None):
        return fmt
    return replace(
        fmt, time_format=spec.format or fmt.time_format, decimal=spec.decimal or fmt.decimal
    )


def _expression_typed(sql: str, kind: str, text_route: str) -> str:
    """An expression's typed value: read like a file's text when it gives text, else cast."""
    return (
        f"CASE WHEN typeof(({sql})) = 'VARCHAR' THEN {text_route} "
        f"ELSE TRY_CAST(({sql}) AS {SQL_TYPES[kind]}) END"
    )


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
    derived, late = [], []
    native = native or {}
    valid = source.valid_dates
    for name, column in source.columns.items():
        typed_name = quote(name)
        raw_name = quote(f"_raw_{name}")
        position = plan.positions.get(name)
        spec = plan.fields.get(name)
        column_fmt = _column_format(fmt, spec)
        if position is not None and position in native:
            raws.append(f"c{position} AS {raw_name}")
            typeds.append(f"{_native_typed(raw_name, column)} AS {typed_name}")
            rejections.extend(native_rejections(name, column, raw_name, typed_name, valid))
            continue
        if name in plan.expressions:
            sql = plan.expressions[name]
            derived.append(f"{chained(f'CAST(({sql}) AS VARCHAR)', spec)} AS {raw_name}")
            text = typed_sql(raw_name, column, column_fmt, timezone)
            # With a values map or a format, the expression's text is what they read.
            typed = text if reads_text(spec) else _expression_typed(sql, column.type, text)
            late.append(f"{typed} AS {typed_name}")
        else:
            if position is not None:
                raw_expr = chained(raw_sql(position), spec)
            elif name in plan.constants:
                constant = plan.constants[name]
                raw_expr = "NULL::VARCHAR" if constant is None else sql_literal(constant)
            else:
                typeds.append(f"CAST(NULL AS {SQL_TYPES[column.type]}) AS {typed_name}")
                continue
            raws.append(f"{raw_expr} AS {raw_name}")
            typeds.append(f"{typed_sql(raw_name, column, column_fmt, timezone)} AS {typed_name}")
        rejections.extend(column_rejections(name, column, raw_name, typed_name, column_fmt, valid))
    raws += [f"{raw_sql(i)} AS _f{i}" for i in plan.file_columns]
    if plan.steps:
        raws.append("_rec")
    for predicate, message, columns in check_sql:
        rejections.append(
            Rejection(f"NOT coalesce(({predicate}), true)", columns, "NULL", sql_literal(message))
        )
    declared = ", ".join(quote(name) for name in source.columns)
    if plan.steps:
        declared += ", _rec"
    typeds = typeds or ["1 AS _nothing"]
    select = (
        f"WITH raw AS (SELECT {', '.join(raws) or '1 AS _none'} FROM {reader_sql}), "
        f"typed AS (SELECT raw.*, {', '.join(typeds)} FROM raw)"
    )
    if derived:
        # Expressions read the typed columns: computed, then typed, one step later.
        select = select.replace("typed AS (", "typed0 AS (", 1) + (
            f", derived AS (SELECT *, {', '.join(derived)} FROM typed0), "
            f"typed AS (SELECT *, {', '.join(late)} FROM derived)"
        )
    select += f" SELECT {declared}, "
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
