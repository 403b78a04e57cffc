"""Type rules DuckDB's binder does not enforce: what a value of the data could still make fail.

DuckDB accepts `team = 1` and `WHERE team` (it converts each text value when the row is read,
and fails on the first that does not convert), and `CAST(x AS INTEGER)` whatever x holds.
Such a definition validates, computes on today's export and fails on next week's, with an
error that blames the file. So text may only meet text (or a quoted literal, converted once
when the query is planned), conditions must be booleans, and a CAST must fit every value
of its input's type; `TRY_CAST`, which gives NULL instead of failing, is always allowed.
The types come from DuckDB (see `binding.py`); these rules only read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
from sqlglot import exp

from kpis.definitions.models import ColumnType
from kpis.definitions.sql_allow import Problem
from kpis.i18n import _

__all__ = [
    "ColumnType",
    "Problem",
    "cast_cannot_fail",
    "describe_error",
    "family",
    "type_problems",
    "typed_nodes",
]

# Signed and unsigned integer types and the range of values each holds.
_INTEGERS = {
    "TINYINT": (-(2**7), 2**7 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
    "HUGEINT": (-(2**127), 2**127 - 1),
    "UTINYINT": (0, 2**8 - 1),
    "USMALLINT": (0, 2**16 - 1),
    "UINTEGER": (0, 2**32 - 1),
    "UBIGINT": (0, 2**64 - 1),
    "UHUGEINT": (0, 2**128 - 1),
}
_FLOATS = {"FLOAT", "DOUBLE"}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


def family(duck_type: str) -> str:
    """number, text, boolean, time, interval, null or other."""
    name = duck_type.upper()
    if name in _INTEGERS or name in _FLOATS or _DECIMAL.match(name):
        return "number"
    if name == "VARCHAR":
        return "text"
    if name == "BOOLEAN":
        return "boolean"
    if name in ("DATE", "TIMESTAMP") or name.startswith(("TIMESTAMP", "TIME")):
        return "time"
    return {"INTERVAL": "interval", '"NULL"': "null"}.get(name, "other")


def describe_error(exc: duckdb.Error, columns: dict[str, ColumnType]) -> Problem:
    """DuckDB's message as one sentence, with the declared types of the columns as the hint."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    first = re.sub(r"[.!]? (You might|In order to select one).*$", ".", first).strip()
    if len(first) > 200:
        first = first[:197] + "..."
    types = ", ".join(
        _("{column} is {type}").format(column=name, type=kind) for name, kind in columns.items()
    )
    if "Overflow" in first:
        hint = _("its type is too narrow for values such as 1,000,000: CAST a factor AS DOUBLE")
    elif types:
        hint = _("declared types: {types}").format(types=types)
    else:
        hint = _("check the types of its columns")
    return (_("cannot be computed by DuckDB: {reason}").format(reason=first), hint)


def typed_nodes(tree: exp.Expr) -> list[exp.Expr]:
    """The sub-expressions whose DuckDB types `type_problems` reads."""
    found: dict[int, exp.Expr] = {}
    for node in tree.walk():
        operands = [n for group in _compared(node) for n in group] + _conditions(node)
        if _checked_cast(node):
            operands += [node, node.this]
        found.update((id(n), n) for n in operands)
    return list(found.values())


def _checked_cast(node: exp.Expr) -> bool:
    """A CAST (not TRY_CAST) of a value read from the data, other than bool_and's own."""
    return type(node) is exp.Cast and bool(node.this.find(exp.Column)) and not _implied(node)


def type_problems(tree: exp.Expr, types: dict[int, str]) -> Iterator[Problem]:
    """Text meeting another type, non-boolean conditions, CASTs that can fail."""
    for node in tree.walk():
        for group in _compared(node):
            problem = _mixes_text(node, group, types)
            if problem is not None:
                yield problem
        for condition in _conditions(node):
            kind = types.get(id(condition), '"NULL"')
            if family(kind) not in ("boolean", "null"):
                shown = _sql(condition)
                yield (
                    _("uses {sql} as a condition, but it is {type}").format(sql=shown, type=kind),
                    _("compare it, e.g. {sql} IS NOT NULL or {sql} = ...").format(sql=shown),
                )
        if _checked_cast(node):
            source, target = types.get(id(node.this), ""), types.get(id(node), "")
            if not cast_cannot_fail(source, target):
                yield (
                    _("{sql} fails on any {source} value that does not convert to {target}").format(
                        sql=_sql(node), source=source, target=target
                    ),
                    _("use TRY_CAST({sql} AS {target}), which gives NULL for them").format(
                        sql=_sql(node.this), target=target
                    ),
                )


def _sql(node: exp.Expr) -> str:
    return node.sql(dialect="duckdb", comments=False)


def _implied(cast: exp.Cast) -> bool:
    """The CAST sqlglot writes into bool_and(x) and bool_or(x): checked as a condition."""
    return isinstance(cast.parent, exp.LogicalAnd | exp.LogicalOr)


def _compared(node: exp.Expr) -> list[list[exp.Expr]]:
    """Groups of operands DuckDB brings to one type (compared, or the branches of a result)."""
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        return [[node.this, node.expression]]
    if isinstance(node, exp.NullSafeEQ | exp.NullSafeNEQ | exp.Like | exp.ILike | exp.Nullif):
        return [[node.this, node.expression]]
    if isinstance(node, exp.Between):
        return [[node.this, node.args["low"], node.args["high"]]]
    if isinstance(node, exp.In | exp.Coalesce | exp.Greatest | exp.Least):
        return [[node.this, *node.expressions]]
    if isinstance(node, exp.Case):
        ifs = node.args.get("ifs") or []
        results = [i.args["true"] for i in ifs] + [node.args.get("default")]
        groups = [[r for r in results if r is not None]]
        if node.this is not None:
            groups.append([node.this, *(i.this for i in ifs)])
        return groups
    if isinstance(node, exp.If) and not isinstance(node.parent, exp.Case):
        return [[n for n in (node.args["true"], node.args.get("false")) if n is not None]]
    return []


def _conditions(node: exp.Expr) -> list[exp.Expr]:
    """Operands DuckDB reads as true or false."""
    if isinstance(node, exp.And | exp.Or):
        return [node.this, node.expression]
    if isinstance(node, exp.Not | exp.CountIf | exp.Where):
        return [node.this]
    if isinstance(node, exp.LogicalAnd | exp.LogicalOr):
        inner = node.this
        return [inner.this if isinstance(inner, exp.Cast) else inner]
    if isinstance(node, exp.Case) and node.this is None:
        return [i.this for i in node.args.get("ifs") or []]
    if isinstance(node, exp.If) and not isinstance(node.parent, exp.Case):
        return [node.this]
    return []


def _mixes_text(node: exp.Expr, group: list[exp.Expr], types: dict[int, str]) -> Problem | None:
    # A quoted literal is converted once, when DuckDB plans the query: the validation run
    # catches it failing, and it cannot fail later.
    quoted = {id(n) for n in group if isinstance(n, exp.Literal) and n.is_string}
    kinds = {id(n): family(types.get(id(n), '"NULL"')) for n in group if id(n) not in quoted}
    texts = [n for n in group if kinds.get(id(n)) == "text"]
    others = [n for n in group if kinds.get(id(n)) not in (None, "text", "null")]
    if not texts or not others:
        return None
    other = others[0]
    return (
        _(
            "compares text ({text}) with {type} ({other}) in {sql}; DuckDB would convert every "
            "text value and fail on one that does not"
        ).format(text=_sql(texts[0]), type=types[id(other)], other=_sql(other), sql=_sql(node)),
        _(
            "compare text with quoted text (team = 'billing'), or use TRY_CAST({text} AS {type})"
        ).format(text=_sql(texts[0]), type=types[id(other)]),
    )


def cast_cannot_fail(source: str, target: str) -> bool:
    """True when CAST from `source` to `target` succeeds for every value of `source`.

    Dates and timestamps are those a source may hold (years 1000 to 9000, see DateBounds).
    """
    source, target = source.upper(), target.upper()
    if source == target or target == "VARCHAR" or source == '"NULL"':
        return True
    if source == "BOOLEAN":
        return target in _INTEGERS or target in _FLOATS or _digits(target)[0] >= 1
    if source in _INTEGERS:
        low, high = _INTEGERS[source]
        if target in _INTEGERS:
            return _INTEGERS[target][0] <= low and high <= _INTEGERS[target][1]
        needed = len(str(max(-low, high)))
        return target in _FLOATS or target == "BOOLEAN" or _digits(target)[0] >= needed
    if _DECIMAL.match(source):
        digits, scale = _digits(source)
        if target in _INTEGERS:  # rounding may add a digit: 999.9 becomes 1000
            return _INTEGERS[target][0] < 0 and len(str(_INTEGERS[target][1])) - 1 > digits
        if target in _FLOATS or target == "BOOLEAN":
            return True
        room, kept = _digits(target)
        return room > digits or (room == digits and kept >= scale)
    if source == "FLOAT":
        return target == "DOUBLE"
    return (source, target) in {("DATE", "TIMESTAMP"), ("TIMESTAMP", "DATE")}


def _digits(decimal: str) -> tuple[int, int]:
    """(digits before the point, after it) of a DECIMAL(p, s) type; (-1, -1) for others."""
    match = _DECIMAL.match(decimal)
    return (int(match[1]) - int(match[2]), int(match[2])) if match else (-1, -1)
