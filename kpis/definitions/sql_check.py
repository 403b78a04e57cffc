"""Check the SQL fragments of kpis.yaml with sqlglot before DuckDB ever sees them.

A measure must be one aggregate expression over its source's declared columns; a filter or a
check must be one row-level predicate. Only the syntax and functions of `sql_allow.py` may
appear, so nothing can reach outside the source's rows (a subquery, a file reader, a second
statement) or grow beyond them (`repeat()`, `string_agg()`); DuckDB additionally runs KPI SQL
with file access disabled (see `store.py`). The text is bounded in length and nesting before
the (recursive) parser sees it, so a hostile expression is refused rather than crashing
validation. What runs is the SQL re-rendered from the checked syntax tree, never the raw
text; `binding.py` then checks its types with DuckDB.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlglot import Token, TokenType, exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ParseError, SqlglotError, TokenError

from kpis.definitions.sql_allow import FUNCTION_NAMES, Problem, allowed, is_aggregate, snippet
from kpis.i18n import N_, _, language, translate

MAX_CHARACTERS = 2_000
# Brackets, CASE ... END and runs of NOT or signs, counted on the tokens: the parser recurses
# some twenty Python frames per level, so this keeps it far from the interpreter's limit.
MAX_NESTING = 32
# Levels of the parsed tree, which a long chain such as 1 + 1 + ... + 1 also deepens.
MAX_DEPTH = 100
_OPEN = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE, TokenType.CASE}
_CLOSE = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.END}
_PREFIX = {TokenType.NOT, TokenType.DASH, TokenType.PLUS, TokenType.TILDE}
_DIALECT = DuckDB()

# Refused with their own explanation, as someone may well try them.
_NOT_REPEATABLE = (
    exp.Rand, exp.Uuid, exp.CurrentDate, exp.CurrentTimestamp, exp.CurrentTime,
    exp.CurrentDatetime, exp.AnyValue, exp.First, exp.Last, exp.Mode,
)  # fmt: skip
_NOT_REPEATABLE_NAMES = frozenset({
    "now", "today", "random", "uuid", "gen_random_uuid", "setseed", "current_date",
    "current_timestamp", "get_current_time", "get_current_timestamp", "transaction_timestamp",
    "any_value", "first", "last", "arbitrary", "mode", "reservoir_quantile",
})  # fmt: skip
# Marked with N_ and translated where a problem is made (the language in force then).
_SYNTAX_WORDS: dict[type[exp.Expr], Problem] = {
    exp.Alias: (N_("names its result with AS"), N_("remove the AS ...: the KPI's name is its key")),
    exp.Star: (N_("uses *, which only count(*) may"), N_("name the columns")),
    exp.Columns: (N_("uses COLUMNS(...), which reads columns by pattern"), N_("name the columns")),
    exp.DPipe: (N_("joins text with ||, which can build large values"), N_("compare the parts")),
    exp.Window: (
        N_("uses a window function"),
        N_("KPIs aggregate per period; remove OVER (...)"),
    ),
    exp.WithinGroup: (N_("uses WITHIN GROUP"), N_("write quantile_cont(x, 0.9)")),
    exp.Escape: (
        N_("uses LIKE ... ESCAPE"),
        N_("use starts_with() or a pattern without escapes"),
    ),
    exp.Placeholder: (N_("uses a query parameter"), N_("write the value itself")),
}
_QUERY = (exp.Query, exp.Subquery, exp.Table, exp.From, exp.Join, exp.Lateral, exp.Unnest)
# Functions people reach for, and the allowed one that does the job.
_INSTEAD = {
    "mean": "avg", "dow": "dayofweek", "weekday": "dayofweek", "epoch_ms": "epoch",
    "len": "length", "iff": "if", "ifnull": "coalesce", "nvl": "coalesce",
    "datesub": "date_diff", "date_sub": "date_diff", "regexp_matches": "starts_with",
    "contains": "starts_with", "percentile_cont": "quantile_cont", "var_samp": "variance",
}  # fmt: skip
_LISTED = N_("the functions allowed are listed in README.md (kpis.yaml section)")


@dataclass(frozen=True)
class Checked:
    """The outcome of a check: the SQL to run (when valid) and the problems found."""

    sql: str | None
    problems: tuple[Problem, ...]  # (message, hint)
    columns: tuple[str, ...] = ()  # the columns it reads, in order of first use


def check_aggregate(text: str, columns: Iterable[str]) -> Checked:
    """Accept `text` only if it is one aggregate expression over `columns`."""
    return _check(text, tuple(columns), aggregate=True)


def check_predicate(text: str, columns: Iterable[str]) -> Checked:
    """Accept `text` only if it is one row-level (non-aggregate) expression over `columns`."""
    return _check(text, tuple(columns), aggregate=False)


def check_row_expression(text: str) -> Checked:
    """Accept `text` only if it is one row-level expression, whatever columns it names.

    For a mapping profile, whose columns are the file's: they are known on upload only.
    """
    return _checked(text, None, False, language())


def _check(text: str, columns: tuple[str, ...], *, aggregate: bool) -> Checked:
    return _checked(text, columns, aggregate, language())


# Validation, every computation and every upload check the same few fragments again; the
# problems are sentences in the reader's language, so the language is part of the key.
@functools.lru_cache(maxsize=4096)
def _checked(
    text: str, columns: tuple[str, ...] | None, aggregate: bool, _language: str
) -> Checked:
    tree, problem = parse_expression(text)
    if tree is None:
        return Checked(None, (problem,) if problem else ())
    problems = list(_refusals(tree, text))
    problems.extend(_unknown_columns(tree, columns))
    if not problems:
        problems.extend(_aggregation_shape(tree) if aggregate else _row_level_shape(tree))
    used = tuple(dict.fromkeys(c.name.lower() for c in tree.find_all(exp.Column)))
    if problems:
        return Checked(None, tuple(problems), used)
    try:
        return Checked(render(tree), (), used)
    except RecursionError:  # bounded by MAX_DEPTH; kept so that no text can crash validation
        return Checked(None, (_too_deep(),), used)


def render(tree: exp.Expr) -> str:
    """The DuckDB SQL of a checked tree (comments dropped: they never need to run)."""
    return tree.sql(dialect="duckdb", comments=False)


def parse_expression(text: str) -> tuple[exp.Expr | None, Problem | None]:
    """One parsed expression, or the problem that stopped it; never raises on any text."""
    if len(text) > MAX_CHARACTERS:
        return None, (
            _("is {count} characters long; the limit is {limit}").format(
                count=_number(len(text)), limit=_number(MAX_CHARACTERS)
            ),
            _("split the KPI, or move the logic into a column of the export"),
        )
    try:
        tokens = _DIALECT.tokenize(text)
    except TokenError:
        return None, (
            _("is not valid SQL: a quote or comment is not closed"),
            _("check the quotes"),
        )
    if _nesting(tokens) > MAX_NESTING:
        return None, _too_deep()
    try:
        trees = [tree for tree in _DIALECT.parser().parse(tokens, text) if tree is not None]
    except ParseError as exc:
        first = exc.errors[0]["description"] if exc.errors else str(exc)
        return None, (
            _("is not valid SQL: {reason}").format(reason=first),
            _("check the parentheses, commas and quotes"),
        )
    except RecursionError:
        return None, _too_deep()
    except SqlglotError as exc:
        return None, (
            _("is not valid SQL: {reason}").format(reason=str(exc).splitlines()[0]),
            _("check the syntax"),
        )
    if not trees:
        return None, (_("is empty"), _("write an expression such as count(*)"))
    if len(trees) != 1:
        return None, (
            _("must be a single expression, not several statements"),
            _("remove the ; and what follows it"),
        )
    if _depth(trees[0]) > MAX_DEPTH:
        return None, _too_deep()
    return trees[0], None


def _too_deep() -> Problem:
    return (
        _(
            "nests too deeply (more than {levels} levels, or a chain of more than "
            "{operations} operations)"
        ).format(levels=_number(MAX_NESTING), operations=_number(MAX_DEPTH)),
        _("simplify the expression"),
    )


def _number(value: int) -> str:
    from kpis.formatting import number  # kpis.formatting imports kpis.definitions

    return number(value, 0)


def _nesting(tokens: list[Token]) -> int:
    """The deepest nesting of the token stream, counted without recursion."""
    deepest = depth = run = 0
    for token in tokens:
        kind = token.token_type
        run = run + 1 if kind in _PREFIX else 0
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            depth = max(depth - 1, 0)
        deepest = max(deepest, depth + run)
    return deepest


def _depth(tree: exp.Expr) -> int:
    """The number of levels of `tree`, counted without recursion."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in node.iter_expressions())
    return deepest


def _refusals(tree: exp.Expr, text: str) -> Iterator[Problem]:
    """Every node outside the allow-list, each reported once (and not its children)."""
    seen: set[Problem] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        verdict = allowed(node)
        if verdict is True:
            stack.extend(reversed(list(node.iter_expressions())))
            continue
        problem = verdict if isinstance(verdict, tuple) else _refused(node, text)
        if problem not in seen:
            seen.add(problem)
            yield problem


def _refused(node: exp.Expr, text: str) -> Problem:
    if isinstance(node, exp.IgnoreNulls | exp.RespectNulls) and isinstance(node.this, exp.Func):
        node = node.this  # any_value(x) IGNORE NULLS: name the function
    if isinstance(node, _QUERY):
        return (
            _("uses a query; only expressions over the source's own columns are allowed"),
            _("write an expression over the columns, e.g. sum(units)"),
        )
    if type(node) in _SYNTAX_WORDS:
        message, hint = _SYNTAX_WORDS[type(node)]
        return translate(message), translate(hint) if hint else hint
    if isinstance(node, exp.Func):
        return _function(node, text)
    return (
        _("uses `{sql}`, which KPI definitions do not allow").format(sql=snippet(node)),
        _(
            "allowed: columns, literals, arithmetic, comparisons, AND/OR/NOT, CASE, CAST; {listed}"
        ).format(listed=translate(_LISTED)),
    )


def _function(node: exp.Func, text: str) -> Problem:
    """The function as written (string_agg, not sqlglot's GROUP_CONCAT) and what to use."""
    start, end = node.meta.get("start"), node.meta.get("end")
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
    elif isinstance(start, int) and isinstance(end, int):
        name = text[start : end + 1].lower()
    else:
        name = node.sql_name().lower()
    if isinstance(node, _NOT_REPEATABLE) or name in _NOT_REPEATABLE_NAMES:
        return (
            _(
                "uses {name}(), which can give another result on each run; a KPI must give "
                "the same value from the same data"
            ).format(name=name),
            _("use min() or max() to pick a value, or a literal date such as DATE '2026-01-01'"),
        )
    close = difflib.get_close_matches(name, FUNCTION_NAMES, n=1, cutoff=0.75)
    instead = _INSTEAD.get(name) or (close[0] if close else None)
    hint = _("did you mean {name}()?").format(name=instead) if instead else translate(_LISTED)
    return (
        _("uses function {name}(), which is not allowed in KPI definitions").format(name=name),
        hint,
    )


def _unknown_columns(tree: exp.Expr, columns: tuple[str, ...] | None) -> Iterator[Problem]:
    known = {c.lower() for c in columns or ()}
    for column in tree.find_all(exp.Column):
        if column.table:
            yield (
                _("refers to {column}; write the bare column name").format(column=column.sql()),
                _("write {column}").format(column=column.name),
            )
            continue
        name = column.name.lower()
        if columns is not None and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            yield (
                _("refers to unknown column {column}").format(column=repr(name)),
                _("did you mean {name}?").format(name=repr(close[0]))
                if close
                else _("declared: {columns}").format(columns=", ".join(columns or ())),
            )


def _inside_aggregate(node: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None:
        if is_aggregate(parent):
            return True
        parent = parent.parent
    return False


def _aggregation_shape(tree: exp.Expr) -> Iterator[Problem]:
    aggregates = [node for node in tree.walk() if is_aggregate(node)]
    if not aggregates:
        yield (
            _("is not an aggregate"),
            _("use sum(...), count(*), count_if(...), median(...)"),
        )
        return
    for node in aggregates:
        if (
            not isinstance(node, exp.Filter)
            and _inside_aggregate(node)
            and not (isinstance(node.parent, exp.Filter) and node.parent.this is node)
        ):
            yield (
                _("nests an aggregate inside another: {sql}").format(sql=render(node)),
                _("aggregate the rows once, e.g. sum(x) / count(*)"),
            )
    for column in tree.find_all(exp.Column):
        if not _inside_aggregate(column):
            yield (
                _("uses column {column} outside an aggregate").format(column=repr(column.name)),
                _("wrap it, e.g. sum({column}) or count({column})").format(column=column.name),
            )


def _row_level_shape(tree: exp.Expr) -> Iterator[Problem]:
    for node in tree.walk():
        if is_aggregate(node):
            yield (
                _("uses the aggregate {sql}; a row rule cannot").format(sql=render(node)),
                _("compare the row's own columns, e.g. resolved_at >= created_at"),
            )
            return
