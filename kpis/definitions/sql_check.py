"""Check the SQL fragments of kpis.yaml with sqlglot before DuckDB ever sees them.

A measure must be one aggregate expression over its source's declared columns; a filter or a
check must be one row-level predicate. Anything that could reach outside the source's rows
(a subquery, a table function, a file reader, a window, a second statement) is refused here,
and DuckDB additionally runs KPI SQL with file access disabled (see `store.py`). What runs is
the SQL re-rendered from the checked syntax tree, never the raw text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

# sqlglot parses DuckDB functions it does not know as Anonymous; only these are allowed.
_ANONYMOUS_SCALARS = frozenset(
    {
        "abs",
        "ceil",
        "coalesce",
        "date_part",
        "datepart",
        "day",
        "dayofweek",
        "epoch_ms",
        "floor",
        "greatest",
        "hour",
        "isodow",
        "least",
        "length",
        "lower",
        "nullif",
        "round",
        "starts_with",
        "strftime",
        "trim",
        "upper",
    }
)
_ANONYMOUS_AGGREGATES = frozenset(
    {
        "any_value",
        "arg_max",
        "arg_min",
        "bool_and",
        "bool_or",
        "favg",
        "fsum",
        "kahan_sum",
        "mode",
        "product",
        "quantile_cont",
        "quantile_disc",
    }
)
_FORBIDDEN = tuple(
    getattr(exp, name)
    for name in (
        "Query",
        "Subquery",
        "Table",
        "Window",
        "Exists",
        "Placeholder",
        "Parameter",
        "Lambda",
        "Command",
        "Set",
        "Pragma",
        "Use",
        "Transaction",
        "Commit",
        "Rollback",
        "Attach",
        "Detach",
        "Copy",
        "Describe",
        "Install",
        "Load",
        "Create",
        "Drop",
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Alter",
        "Into",
        "From",
        "Join",
    )
    if hasattr(exp, name)
)


@dataclass(frozen=True)
class Checked:
    """The outcome of a check: the SQL to run (when valid) and the problems found."""

    sql: str | None
    problems: list[tuple[str, str | None]]  # (message, hint)
    columns: tuple[str, ...] = ()  # the columns it reads, in order of first use


def check_aggregate(text: str, columns: Iterable[str]) -> Checked:
    """Accept `text` only if it is one aggregate expression over `columns`."""
    return _check(text, list(columns), aggregate=True)


def check_predicate(text: str, columns: Iterable[str]) -> Checked:
    """Accept `text` only if it is one row-level (non-aggregate) expression over `columns`."""
    return _check(text, list(columns), aggregate=False)


def _check(text: str, columns: list[str], *, aggregate: bool) -> Checked:
    problems: list[tuple[str, str | None]] = []
    try:
        trees = [tree for tree in sqlglot.parse(text, read="duckdb") if tree is not None]
    except sqlglot.errors.ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        return Checked(None, [(f"is not valid SQL: {first}", None)])
    if len(trees) != 1:
        return Checked(None, [("must be a single expression, not several statements", None)])
    tree = trees[0]
    problems.extend(_forbidden_nodes(tree))
    problems.extend(_unknown_columns(tree, columns))
    problems.extend(_aggregation_shape(tree) if aggregate else _row_level_shape(tree))
    used = tuple(dict.fromkeys(c.name.lower() for c in tree.find_all(exp.Column)))
    return Checked(None if problems else tree.sql(dialect="duckdb"), problems, used)


def _forbidden_nodes(tree: exp.Expr) -> Iterable[tuple[str, str | None]]:
    for node in tree.walk():
        name = type(node).__name__
        if isinstance(node, _FORBIDDEN) or name.startswith("Read"):
            what = {"Window": "a window function", "Table": "a table reference"}.get(
                name, f"{name.lower()} syntax"
            )
            yield (
                f"uses {what}; only expressions over the source's own columns are allowed",
                None,
            )
        elif isinstance(node, exp.Anonymous):
            fname = str(node.name).lower()
            if fname not in _ANONYMOUS_SCALARS | _ANONYMOUS_AGGREGATES:
                close = difflib.get_close_matches(fname, sorted(_ANONYMOUS_SCALARS), n=1)
                yield (
                    f"uses function {fname}(), which is not allowed in KPI definitions",
                    f"did you mean {close[0]}()?" if close else None,
                )


def _unknown_columns(tree: exp.Expr, columns: list[str]) -> Iterable[tuple[str, str | None]]:
    known = {c.lower() for c in columns}
    for column in tree.find_all(exp.Column):
        if column.table:
            yield (f"refers to {column.sql()}; write the bare column name", None)
            continue
        name = column.name.lower()
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            yield (
                f"refers to unknown column {name!r}",
                f"did you mean {close[0]!r}?" if close else f"declared: {', '.join(columns)}",
            )


def _is_aggregate(node: exp.Expr) -> bool:
    if isinstance(node, exp.AggFunc | exp.Filter):
        return True
    return isinstance(node, exp.Anonymous) and str(node.name).lower() in _ANONYMOUS_AGGREGATES


def _inside_aggregate(node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None:
        if _is_aggregate(parent):
            return True
        parent = parent.parent
    return False


def _aggregation_shape(tree: exp.Expr) -> Iterable[tuple[str, str | None]]:
    aggregates = [node for node in tree.walk() if _is_aggregate(node)]
    if not aggregates:
        yield ("is not an aggregate", "use sum(...), count(*), count_if(...), median(...)")
        return
    for node in aggregates:
        if (
            not isinstance(node, exp.Filter)
            and _inside_aggregate(node)
            and not (isinstance(node.parent, exp.Filter) and node.parent.this is node)
        ):
            yield (f"nests an aggregate inside another: {node.sql(dialect='duckdb')}", None)
    for column in tree.find_all(exp.Column):
        if not _inside_aggregate(column):
            yield (
                f"uses column {column.name!r} outside an aggregate",
                f"wrap it, e.g. sum({column.name}) or count({column.name})",
            )


def _row_level_shape(tree: exp.Expr) -> Iterable[tuple[str, str | None]]:
    for node in tree.walk():
        if _is_aggregate(node):
            yield (f"uses the aggregate {node.sql(dialect='duckdb')}; a row rule cannot", None)
            return
