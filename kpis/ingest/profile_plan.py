"""A mapping profile met with one file's header: expressions, filter and roll-up as SQL.

kpis.yaml's checks cannot know a file's columns; here they are known, so every name a
profile's expression, `where` or `roll_up` uses is found in the header (compared as headers
are: ignoring case, accents and punctuation) or refused with the file and the profile's
key. The SQL that comes out reads the file's columns under their positions only, so no
header text, however strange, is ever written into a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlglot import exp

from kpis.definitions import Column, FieldMap, MappingProfile, Source
from kpis.definitions.file_name_pattern import compile_pattern
from kpis.definitions.sql_check import check_row_expression, parse_expression, render
from kpis.errors import IngestError, UsageError
from kpis.i18n import _
from kpis.ingest.clean import raw_sql
from kpis.ingest.formats import FileFormat
from kpis.ingest.mapping import ColumnMap, map_columns, shown_header
from kpis.ingest.parse import Plan, decimal_sql, typed_sql
from kpis.names import normalise


@dataclass(frozen=True)
class Expressions:
    """A profile's expressions as SQL over the typing query's names (see parse.py)."""

    sql: dict[str, str] = field(default_factory=dict)  # declared column -> SQL
    file_columns: tuple[int, ...] = ()  # positions the expressions read as text (_f0, _f1...)


def _positions(header: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        found.setdefault(normalise(name), index)
    return found


def _unknown(file: str, profile_key: str, name: str, header: tuple[str, ...]) -> IngestError:
    return IngestError(
        _(
            "{file}: the mapping profile's {key} refers to {name}, which is not a column of the "
            "file (its header has {header}); correct the name in the profile"
        ).format(file=file, key=profile_key, name=repr(name), header=shown_header(header))
    )


def _tree(text: str, file: str, key: str) -> exp.Expr:
    """The checked tree of a profile's SQL (kpis.yaml validation checked it already)."""
    checked = check_row_expression(text)
    tree, _problem = parse_expression(checked.sql or "")
    if checked.sql is None or tree is None:
        reason = checked.problems[0][0] if checked.problems else ""
        raise IngestError(
            _("{file}: the mapping profile's {key} {reason}").format(
                file=file, key=key, reason=reason
            )
        )
    return tree


def resolve_expressions(
    fields: Mapping[str, FieldMap],
    header: tuple[str, ...],
    typed_from_file: set[str],
    file: str,
) -> Expressions:
    """Each `expression` with its names bound: a typed source column, else a file column."""
    positions = _positions(header)
    made = {c for c, f in fields.items() if f.expression is not None}
    sql: dict[str, str] = {}
    used: set[int] = set()
    for column, spec in fields.items():
        if spec.expression is None:
            continue
        key = f"fields.{column}.expression"

        def bind(node: exp.Expr, key: str = key) -> exp.Expr:
            if not isinstance(node, exp.Column):
                return node
            name = node.name
            if name.lower() in typed_from_file:
                return exp.column(name.lower(), quoted=True)
            if name.lower() in made:
                raise IngestError(
                    _(
                        "{file}: the mapping profile's {key} uses {name}, which is itself made "
                        "by an expression; write that expression in its place"
                    ).format(file=file, key=key, name=repr(name))
                )
            position = _position(name, positions, file, key, header)
            used.add(position)
            return exp.column(f"_f{position}")

        sql[column] = render(_tree(spec.expression, file, key).transform(bind))
    return Expressions(sql, tuple(sorted(used)))


def _position(
    name: str, positions: dict[str, int], file: str, key: str, header: tuple[str, ...]
) -> int:
    found = positions.get(normalise(name))
    if found is None:
        raise _unknown(file, key, name, header)
    return found


def steps_sql(
    profile: MappingProfile,
    header: tuple[str, ...],
    lines: str,
    fmt: FileFormat,
    fed: Mapping[int, Column],
    timezone: str,
    file: str,
) -> str:
    """A subquery over the table `lines` (the file as read): rolled up, filtered, numbered.

    It gives `_rec` (the record's index in the file, its first line's for a rolled-up row)
    and c0, c1, ... as clean text, as the reader would. `fed` gives the declared column
    each file position feeds: min and max of a date column compare dates, not text.
    """
    positions = _positions(header)
    width = len(header)
    clean = ", ".join(f"{raw_sql(i)} AS c{i}" for i in range(width))
    base = f"(SELECT min(rowid) FROM {lines})"
    query = f"WITH _clean AS (SELECT rowid - {base} AS _rec, {clean} FROM {lines})"
    current = "_clean"
    roll = profile.roll_up
    if roll is not None:
        by = [_position(n, positions, file, "roll_up.by", header) for n in roll.by]
        aggregates: dict[int, str] = {}
        for kind in ("sum", "min", "max"):
            for name in getattr(roll, kind):
                index = _position(name, positions, file, f"roll_up.{kind}", header)
                aggregates[index] = _aggregate(kind, f"c{index}", fmt, fed.get(index), timezone)
        columns = []
        for i in range(width):
            if i in by:
                columns.append(f"c{i}")
            elif i in aggregates:
                columns.append(f"{aggregates[i]} AS c{i}")
            else:
                columns.append(f"arg_min(c{i}, _rec) FILTER (WHERE c{i} IS NOT NULL) AS c{i}")
        group = ", ".join(f"c{i}" for i in by)
        query += (
            f", _rolled AS (SELECT min(_rec) AS _rec, {', '.join(columns)} "
            f"FROM _clean GROUP BY {group})"
        )
        current = "_rolled"
    where = "true"
    if profile.where is not None:
        tree = _tree(profile.where, file, "where")

        def bind(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column):
                return exp.column(f"c{_position(node.name, positions, file, 'where', header)}")
            return node

        where = f"coalesce(({render(tree.transform(bind))}), false)"
    return f"({query} SELECT * FROM {current} WHERE {where})"


def _aggregate(kind: str, raw: str, fmt: FileFormat, column: Column | None, timezone: str) -> str:
    """A rolled-up column's text: the sum, min or max of its values, as the reader would give.

    A value that cannot be read is not skipped: the group then shows that value, so the
    row is rejected with it rather than summed without it.
    """
    if kind != "sum" and column is not None and column.type in ("date", "timestamp"):
        value = typed_sql(raw, column, fmt, timezone)
        shape = "%Y-%m-%d" if column.type == "date" else "%Y-%m-%d %H:%M:%S"
        total = f"strftime({kind}({value}), '{shape}')"
    else:
        value = decimal_sql(raw, fmt)
        text = f"CAST({kind}({value}) AS VARCHAR)"
        total = f"replace({text}, '.', ',')" if fmt.decimal == "," else text
    bad = f"{raw} IS NOT NULL AND {value} IS NULL"
    return (
        f"CASE WHEN count(*) FILTER (WHERE {bad}) > 0 "
        f"THEN arg_min({raw}, _rec) FILTER (WHERE {bad}) ELSE {total} END"
    )


LINES = "__kpis_lines__"  # the name load.py gives the table of the file's lines


def file_values(
    profile: MappingProfile | None,
    name: str,
    source: Source,
    given: Mapping[str, str],
    file: str,
) -> dict[str, str]:
    """Values for the whole file: from its name (the profile's `file_name`), then `--set`."""
    found: dict[str, str] = {}
    if profile is not None and profile.file_name is not None:
        pattern = compile_pattern(profile.file_name)
        from_name = pattern.values(file.replace("\\", "/").rsplit("/", 1)[-1])
        missing = [c for c in pattern.formats if c not in given]
        if from_name is None and missing:
            raise IngestError(
                _(
                    "{file}: the name does not match the mapping profile's file_name "
                    "({pattern}), which gives {columns}; rename the file, or give the value "
                    "(kpis ingest --set {column}=...)"
                ).format(
                    file=file,
                    pattern=profile.file_name,
                    columns=", ".join(missing),
                    column=missing[0],
                )
            )
        found.update(from_name or {})
    for column, value in given.items():
        if column not in source.columns:
            raise UsageError(
                _("{column} is not a column of {source} (a value given with --set)").format(
                    column=repr(column), source=name
                )
            )
        found[column] = value
    return found


def _fixed(spec: FieldMap) -> bool:
    """A value for every row; `value: null` (said, not left out) leaves the column empty."""
    return spec.value is not None or "value" in spec.model_fields_set


def build_plan(
    header: tuple[str, ...],
    name: str,
    source: Source,
    file: str,
    profile: MappingProfile | None,
    given: Mapping[str, str],
) -> tuple[ColumnMap, Plan]:
    """The column map and the plan of reading, without the steps (they need the format)."""
    fields = profile.field_maps() if profile is not None else {}
    legacy = set(profile.constants) - set(profile.fields) if profile is not None else set()
    made = {c for c, f in fields.items() if f.expression is not None} | {
        c for c, f in fields.items() if _fixed(f) and c not in legacy
    }
    cmap = map_columns(
        header, name, source, file, profile, frozenset(made), frozenset(given), frozenset(legacy)
    )
    constants: dict[str, str | None] = {
        c: f.value
        for c, f in fields.items()
        if _fixed(f) and not (c in legacy and c in cmap.positions)
    }
    constants.update(given)
    expressions = resolve_expressions(fields, header, set(cmap.positions), file)
    plan = Plan(cmap.positions, constants, fields, expressions.sql, expressions.file_columns, None)
    return cmap, plan


def with_steps(
    plan: Plan,
    profile: MappingProfile | None,
    header: tuple[str, ...],
    fmt: FileFormat,
    source: Source,
    timezone: str,
    file: str,
) -> Plan:
    """The plan with the profile's roll-up and filter, once the file's format is decided."""
    if profile is None or not profile.has_steps:
        return plan
    fed = {position: source.columns[column] for column, position in plan.positions.items()}
    full = steps_sql(profile, header, LINES, fmt, fed, timezone, file)
    unfiltered = steps_sql(
        profile.model_copy(update={"where": None}), header, LINES, fmt, fed, timezone, file
    )
    return replace(plan, steps=(full, unfiltered))
