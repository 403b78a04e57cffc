"""Bind every measure, filter and check with DuckDB at validation, over the declared types.

sqlglot knows the syntax but not the types: `filter: csat_score`, `median(created_at)` (a
timestamp) or `sum(team)` pass it, then fail at compute, or at upload where the error blames
the uploaded file. Here each fragment, as it will run, is bound by DuckDB against empty
tables with each source's declared column types; its result must be a number (a measure) or
a boolean (a filter, a check). It is then run over no row, an all-NULL row, a row of small
values and one of large but ordinary ones (a million, the year 2100), so errors DuckDB
raises only while executing show too: `unit_cost * cogs` is a DECIMAL(18,12), which a
product of a thousand by a thousand overflows. `sql_types.py`
refuses what a value of the data could still make fail: text compared with a number, text
used as a condition, a CAST that does not fit every value. One in-memory DuckDB, without
file access or extensions, serves one validation (some 20 ms).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import duckdb
from sqlglot import exp

from kpis.definitions.parsed import Issue, KeyPath, Parsed
from kpis.definitions.sql_allow import is_aggregate
from kpis.definitions.sql_check import check_aggregate, check_predicate, parse_expression, render
from kpis.definitions.sql_types import (
    ColumnType,
    Problem,
    describe_error,
    family,
    type_problems,
    typed_nodes,
)
from kpis.i18n import _

Kind = Literal["measure", "filter", "check"]
_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "threads": 1,
    "memory_limit": "256MB",
    "lock_configuration": True,
}
_ROW = "__kpis_row"  # 0: all NULL, 1: small values, 2: large ones; never a declared name
# Values every column type takes: text that converts to nothing else (so implicit casts of
# text fail on it), then small values, then large values an export may well hold.
_ROWS = {
    "string": ("'x'", "'y'"),
    "integer": ("1", "1000000"),
    "number": ("1.5", "1000000.5"),
    "decimal": ("1.5", "1000000.5"),
    "boolean": ("true", "false"),
    "date": ("DATE '2024-01-01'", "DATE '2100-12-31'"),
    "timestamp": ("TIMESTAMP '2024-01-01 12:00:00'", "TIMESTAMP '2100-12-31 23:59:59'"),
}


@dataclass(frozen=True)
class Fragment:
    """One SQL fragment of kpis.yaml, as it will run."""

    path: KeyPath
    source: str
    sql: str
    kind: Kind


def sql_binds_in_duckdb(p: Parsed) -> Iterator[Issue]:
    """Each measure is a number, each filter and check a condition, and DuckDB runs them."""
    fragments = list(_fragments(p))
    types = {
        name: tuple((c, column.type) for c, column in source.columns.items())
        for name, source in p.sources.items()
    }
    keys = {f: (types[f.source], f.sql, f.kind) for f in fragments}
    missing = [f for f in fragments if keys[f] not in _RESULTS]
    if missing:
        with duckdb.connect(":memory:", config=_CONFIG) as con:
            created: dict[str, bool] = {}
            for fragment in missing:
                key = keys[fragment]
                if key in _RESULTS:
                    continue  # the same text over the same columns: bound once
                if fragment.source not in created:
                    created[fragment.source] = _create(con, fragment.source, dict(key[0]))
                if created[fragment.source]:
                    _remember(key, tuple(_bind(con, fragment, dict(key[0]))))
    for fragment in fragments:
        for message, hint in _RESULTS.get(keys[fragment], ()):
            yield Issue(fragment.path, message, hint)


# What binding found, by (column types, SQL, kind): it depends on nothing else, and the
# dashboard and the tests validate the same definitions many times in one process.
_RESULTS: dict[tuple[tuple[tuple[str, ColumnType], ...], str, Kind], tuple[Problem, ...]] = {}


def _remember(
    key: tuple[tuple[tuple[str, ColumnType], ...], str, Kind], found: tuple[Problem, ...]
) -> None:
    if len(_RESULTS) >= 4096:
        _RESULTS.clear()
    _RESULTS[key] = found


def _fragments(p: Parsed) -> Iterator[Fragment]:
    for name, kpi in p.kpis.items():
        for part in ("measure", "numerator", "denominator"):
            measure = getattr(kpi, part)
            source = p.sources.get(measure.source) if measure is not None else None
            if measure is None or source is None:
                continue
            path = ("kpis", name, part)
            expr = check_aggregate(measure.expr, source.columns).sql
            if expr is not None:
                yield Fragment((*path, "expr"), measure.source, expr, "measure")
            if measure.filter is not None:
                where = check_predicate(measure.filter, source.columns).sql
                if where is not None:
                    yield Fragment((*path, "filter"), measure.source, where, "filter")
    for sname, source in p.sources.items():
        for index, check in enumerate(source.checks):
            rule = check_predicate(check.rule, source.columns).sql
            if rule is not None:
                yield Fragment(("sources", sname, "checks", index, "rule"), sname, rule, "check")


def _create(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, ColumnType]) -> bool:
    """The source's table, with its three rows; False if it cannot be made."""
    from kpis.store import SQL_TYPES, quote  # kpis.store imports this package: import late

    declared = [f"{quote(c)} {SQL_TYPES[t]}" for c, t in columns.items()]
    table = quote(name)
    try:
        con.execute(f"CREATE TABLE {table} ({', '.join([*declared, f'{_ROW} INTEGER'])})")
        nulls = ", ".join(["NULL"] * len(columns))
        small, large = (", ".join(_ROWS[t][i] for t in columns.values()) for i in (0, 1))
        con.execute(f"INSERT INTO {table} VALUES ({nulls}, 0), ({small}, 1), ({large}, 2)")
    except duckdb.Error:
        return False  # e.g. two columns differing only in case: reported by the names rule
    return True


def _bind(
    con: duckdb.DuckDBPyConnection, fragment: Fragment, columns: dict[str, ColumnType]
) -> Iterator[Problem]:
    from kpis.store import quote

    table, sql = quote(fragment.source), fragment.sql
    tree, _ = parse_expression(sql)
    if tree is None:  # cannot happen: `sql` was rendered from a parsed tree
        return
    types = _operand_types(con, table, tree)
    if isinstance(types, tuple):
        yield describe_error(types[0], columns)
        return
    problems = list(type_problems(tree, types))
    if problems:
        yield from problems
        return
    # No row, then each row on its own: errors DuckDB raises only when running.
    conditions = ["false", *(f"{_ROW} = {row}" for row in range(3))]
    runs = [f"SELECT {sql} AS v FROM {table} WHERE {c}" for c in conditions]
    try:
        found = con.execute(f"SELECT typeof(v) FROM ({' UNION ALL '.join(runs)})").fetchall()
    except duckdb.Error as exc:
        yield describe_error(exc, columns)
        return
    whole = found[0][0] if found else '"NULL"'
    wanted = "number" if fragment.kind == "measure" else "boolean"
    if family(whole) not in (wanted, "null"):
        yield _wrong_type(fragment, whole)


def _operand_types(
    con: duckdb.DuckDBPyConnection, table: str, tree: exp.Expr
) -> dict[int, str] | tuple[duckdb.Error]:
    """The DuckDB type of every sub-expression, by id(node); one DESCRIBE per level."""
    nodes = typed_nodes(tree)
    rows = [n for n in nodes if not any(is_aggregate(d) for d in n.walk())]
    groups = [n for n in nodes if n not in rows]
    types: dict[int, str] = {}
    for batch in (rows, groups):
        if not batch:
            continue
        listed = ", ".join(f"{render(n)} AS c{i}" for i, n in enumerate(batch))
        try:
            described = con.execute(f"DESCRIBE SELECT {listed} FROM {table}").fetchall()
        except duckdb.Error as exc:
            return (exc,)
        types.update({id(n): row[1] for n, row in zip(batch, described, strict=True)})
    return types


def _wrong_type(fragment: Fragment, found: str) -> Problem:
    kind = family(found)
    if fragment.kind == "measure":
        hints = {
            "time": _("a KPI is a number: epoch(a - b) gives seconds, date_diff('day', a, b) days"),
            "interval": _("a KPI is a number: epoch(...) turns a duration into seconds"),
            "text": _("a KPI is a number: count(...) or count(DISTINCT ...) counts text values"),
            "boolean": _("a KPI is a number: count_if(...) counts the rows where it is true"),
        }
        return (
            _("gives {type} values, not a number").format(type=found),
            hints.get(kind, _("e.g. sum(x) or count(*)")),
        )
    message = (
        _("is {type}, not a condition: the filter must be true or false for each row")
        if fragment.kind == "filter"
        else _("is {type}, not a condition: the rule must be true or false for each row")
    )
    return (
        message.format(type=found),
        _("compare it, e.g. csat_score >= 4, team = 'billing', resolved_at IS NOT NULL"),
    )
