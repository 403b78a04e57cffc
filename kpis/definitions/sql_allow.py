"""The SQL a kpis.yaml expression may use: an allow-list of sqlglot node types and functions.

Every DuckDB function is a way to spend memory or time (`repeat()`, `string_agg()`,
`range()`, `lpad()`) or to give other numbers on each run (`random()`, `now()`,
`any_value()`). Listing what is allowed, rather than what is not, keeps every function a new
DuckDB or sqlglot adds out until someone decides it is safe. What is allowed either gives a
value no larger than its input (comparisons, arithmetic, `lower()`, `length()`, dates) or is
an aggregate whose result is one number; arguments whose size or meaning a hostile value
could change (a LIKE pattern, a strftime format, a quantile level, a date part) must be
literals. The allowed names are listed in README.md (kpis.yaml section).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from kpis.i18n import N_, _, translate

Problem = tuple[str, str | None]  # (message, hint)

# Aggregates: each gives one value per group, whatever the rows.
AGGREGATES: dict[type[exp.Expr], str] = {
    exp.Sum: "sum", exp.Count: "count", exp.CountIf: "count_if", exp.Avg: "avg",
    exp.Min: "min", exp.Max: "max", exp.Median: "median",
    exp.PercentileCont: "quantile_cont", exp.PercentileDisc: "quantile_disc",
    exp.Quantile: "quantile", exp.Stddev: "stddev", exp.StddevSamp: "stddev_samp",
    exp.StddevPop: "stddev_pop", exp.Variance: "variance", exp.VariancePop: "var_pop",
    exp.LogicalAnd: "bool_and", exp.LogicalOr: "bool_or", exp.ArgMin: "arg_min",
    exp.ArgMax: "arg_max",
}  # fmt: skip
# Row-level functions whose output is bounded by their input (or is one number or date).
SCALARS: dict[type[exp.Expr], str] = {
    exp.Coalesce: "coalesce", exp.Nullif: "nullif", exp.Greatest: "greatest",
    exp.Least: "least", exp.If: "if", exp.Abs: "abs", exp.Round: "round", exp.Floor: "floor",
    exp.Ceil: "ceil", exp.Sign: "sign", exp.Sqrt: "sqrt", exp.Ln: "ln", exp.Log: "log",
    exp.Exp: "exp", exp.Pow: "pow", exp.TimeToUnix: "epoch", exp.Extract: "extract",
    exp.DateDiff: "date_diff", exp.TimestampTrunc: "date_trunc", exp.DateTrunc: "date_trunc",
    exp.Year: "year", exp.Quarter: "quarter", exp.Month: "month", exp.Week: "week",
    exp.Day: "day", exp.DayOfMonth: "dayofmonth", exp.DayOfYear: "dayofyear",
    exp.DayOfWeek: "dayofweek", exp.DayOfWeekIso: "isodow", exp.Hour: "hour",
    exp.Minute: "minute", exp.Second: "second", exp.TimeToStr: "strftime", exp.Lower: "lower",
    exp.Upper: "upper", exp.Trim: "trim", exp.Length: "length", exp.StartsWith: "starts_with",
}  # fmt: skip
# DuckDB functions sqlglot has no node for (it parses them as Anonymous).
# The to_* ones make a duration from a column (a profile's resolved = created + minutes).
ANONYMOUS = frozenset({"date_part", "datepart", "to_days", "to_hours", "to_minutes", "to_seconds"})
# Syntax that is neither a function nor able to grow a value.
SYNTAX = frozenset({
    exp.Column, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Neg, exp.Add, exp.Sub,
    exp.Mul, exp.Div, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ,
    exp.NullSafeNEQ, exp.And, exp.Or, exp.Not, exp.Between, exp.Case,
})  # fmt: skip
DATE_PARTS = frozenset({
    "year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond",
    "microsecond", "dow", "isodow", "doy", "dayofweek", "dayofyear", "isoyear", "epoch",
    "decade", "century",
})  # fmt: skip
# CAST targets: scalar types only (no TIMESTAMPTZ: its value depends on the session zone).
T = exp.DataType.Type
CAST_TYPES = frozenset({
    T.BOOLEAN, T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.INT128, T.UTINYINT, T.USMALLINT,
    T.UINT, T.UBIGINT, T.UINT128, T.FLOAT, T.DOUBLE, T.DECIMAL, T.TEXT, T.VARCHAR, T.DATE,
    T.TIMESTAMP, T.TIMESTAMPNTZ, T.INTERVAL,
})  # fmt: skip
FUNCTION_NAMES = sorted(
    {*AGGREGATES.values(), *SCALARS.values(), *ANONYMOUS, "cast", "try_cast", "count_if"}
)


def is_aggregate(node: exp.Expr) -> bool:
    return type(node) in AGGREGATES or type(node) is exp.Filter


def allowed(node: exp.Expr) -> bool | Problem:
    """True for an allowed node, a problem for an allowed node used wrongly, else False."""
    kind = type(node)
    if kind in ARGUMENT_RULES:
        return ARGUMENT_RULES[kind](node) or True
    if kind in SYNTAX or kind in AGGREGATES or kind in SCALARS:
        return True
    if kind is exp.Identifier and type(node.parent) is exp.Column:
        return True
    if kind is exp.Anonymous and node.name.lower() in ANONYMOUS:
        return node.name.lower().startswith("to_") or _date_part(node) or True
    return False


def snippet(node: exp.Expr) -> str:
    """The SQL of `node`, shortened for a message."""
    try:
        shown = node.sql(dialect="duckdb", comments=False)
    except RecursionError:
        shown = type(node).__name__
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _constant(node: exp.Expr | None) -> bool:
    """A literal value: a number, text, NULL, TRUE/FALSE, -1, DATE '...'."""
    if isinstance(node, exp.Neg):
        node = node.this
    if isinstance(node, exp.Cast):
        node = node.this
    return isinstance(node, exp.Literal | exp.Null | exp.Boolean)


def _string(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _number(node: exp.Expr | None) -> float | None:
    """The value of a numeric literal (-1 included), else None."""
    sign = 1.0
    if isinstance(node, exp.Neg):
        node, sign = node.this, -1.0
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return sign * float(node.this)
        except ValueError:
            return None
    return None


def _unit(node: exp.Expr | None) -> bool:
    if isinstance(node, exp.Var | exp.Literal):
        name = str(node.this).lower()
        return name in DATE_PARTS or name.removesuffix("s") in DATE_PARTS
    return False


def _literal_arg(what: str, ok: Callable[[exp.Expr | None], bool], arg: str, hint: str) -> Rule:
    """A rule refusing a node whose `arg` is not a literal; `what` and `hint` are marked N_."""

    def rule(node: exp.Expr) -> Problem | None:
        if ok(node.args.get(arg)):
            return None
        shown = _parts_hint() if hint == _PARTS_HINT else translate(hint)
        return _("{what} must be a literal").format(what=translate(what)), shown

    return rule


Rule = Callable[[exp.Expr], Problem | None]
# Problems made at import time are marked with N_ and translated when a rule reports them.
_NAME = N_("name the columns")
_UNIT_PARENTS = {exp.Interval, exp.Extract, exp.DateDiff, exp.TimestampTrunc, exp.DateTrunc}
_PARTS_HINT = "date_trunc('week', created_at)"  # stands for _parts_hint() in the tables below


def _parts_hint() -> str:
    return _("one of {parts}, quoted: date_trunc('week', created_at)").format(
        parts=", ".join(sorted(DATE_PARTS))
    )


def _date_part(node: exp.Expr) -> Problem | None:
    args = node.expressions
    if len(args) == 2 and _string(args[0]) and _unit(args[0]):
        return None
    return (_("date_part() takes a literal part and a date"), "date_part('hour', created_at)")


def _divisor(node: exp.Expr) -> Problem | None:
    value = _number(node.expression)
    if value is not None and value not in (0, -1):
        return None
    return (
        _("divides by {sql} with % or //, which fails when it is 0").format(
            sql=snippet(node.expression)
        ),
        _("divide by a literal such as 7, or use / (which gives a fraction)"),
    )


def _count(node: exp.Expr) -> Problem | None:
    inner = node.this
    if node.expressions:
        return (_("count() takes one argument"), _("count(*), count(x) or count(DISTINCT x)"))
    if isinstance(inner, exp.Distinct) and (len(inner.expressions) != 1 or inner.args.get("on")):
        return (_("count(DISTINCT ...) takes one expression"), "count(DISTINCT customer_id)")
    return None


def _cast(node: exp.Expr) -> Problem | None:
    to = node.args.get("to")
    if node.args.get("format") or node.args.get("default"):
        return (_("CAST ... FORMAT/DEFAULT is not allowed"), _("use CAST(x AS DATE)"))
    if not isinstance(to, exp.DataType) or to.this not in CAST_TYPES or to.args.get("nested"):
        shown = to.sql(dialect="duckdb") if isinstance(to, exp.Expr) else "?"
        return (
            _("casts to {type}, which is not allowed").format(type=shown),
            _("cast to a number, text, date, ..."),
        )
    for param in to.expressions:
        if not (isinstance(param, exp.DataTypeParam) and _number(param.this) is not None):
            return (_("DECIMAL(p, s) takes two literal numbers"), _("e.g. DECIMAL(18, 2)"))
    return None


def _in(node: exp.Expr) -> Problem | None:
    extra = [k for k in ("query", "unnest", "field") if node.args.get(k)]
    if extra or not node.expressions or not all(_constant(e) for e in node.expressions):
        return (
            _("IN (...) must list literal values"),
            _("e.g. team IN ('billing', 'returns')"),
        )
    return None


def _is(node: exp.Expr) -> Problem | None:
    ok = isinstance(node.expression, exp.Null | exp.Boolean)
    return None if ok else (_("IS only compares with NULL, TRUE or FALSE"), _("use = or <>"))


def _filter(node: exp.Expr) -> Problem | None:
    if type(node.this) in AGGREGATES and type(node.expression) is exp.Where:
        return None
    return (_("FILTER (WHERE ...) only follows an aggregate"), _("e.g. sum(x) FILTER (WHERE b)"))


def _inside(*kinds: type[exp.Expr], arg: str | None = None, refused: Problem) -> Rule:
    def rule(node: exp.Expr) -> Problem | None:
        if type(node.parent) in kinds and (arg is None or node.arg_key == arg):
            return None
        message, hint = refused
        return translate(message), translate(hint) if hint else hint

    return rule


def _unit_var(node: exp.Expr) -> Problem | None:
    if _unit(node) and type(node.parent) in _UNIT_PARENTS:
        return None
    return (_("{name} is not a date part").format(name=repr(node.name)), _parts_hint())


def _no_count(node: exp.Expr) -> Problem | None:
    if node.args.get("count") or node.expressions:
        return (
            _("{name}() with a count gives a list").format(name=AGGREGATES[type(node)]),
            _("give one value: max(x), arg_max(x, y)"),
        )
    return None


def _quantile(node: exp.Expr) -> Problem | None:
    level = node.args.get("expression") or node.args.get("quantile")
    if _number(level) is not None:
        return None
    return (
        _("the quantile level must be one literal number"),
        _("e.g. quantile_cont(x, 0.9)"),
    )


ARGUMENT_RULES: dict[type[exp.Expr], Rule] = {
    exp.Mod: _divisor,
    exp.IntDiv: _divisor,
    exp.Count: _count,
    exp.Cast: _cast,
    exp.TryCast: _cast,
    exp.In: _in,
    exp.Is: _is,
    exp.Filter: _filter,
    exp.Min: _no_count,
    exp.Max: _no_count,
    exp.ArgMin: _no_count,
    exp.ArgMax: _no_count,
    exp.PercentileCont: _quantile,
    exp.PercentileDisc: _quantile,
    exp.Quantile: _quantile,
    exp.Var: _unit_var,
    exp.Where: _inside(
        exp.Filter, refused=(N_("uses WHERE outside FILTER"), "sum(x) FILTER (WHERE b)")
    ),
    exp.Star: _inside(
        exp.Count, arg="this", refused=(N_("uses *, which only count(*) may"), _NAME)
    ),
    exp.Distinct: _inside(
        exp.Count, arg="this", refused=(N_("uses DISTINCT"), "count(DISTINCT x)")
    ),
    exp.DataType: _inside(exp.Cast, exp.TryCast, refused=(N_("uses a type"), "CAST(x AS DOUBLE)")),
    exp.DataTypeParam: _inside(exp.DataType, refused=(N_("uses a type"), "CAST(x AS DOUBLE)")),
    exp.Like: _literal_arg(N_("a LIKE pattern"), _string, "expression", N_("e.g. team LIKE 'b%'")),
    exp.ILike: _literal_arg(
        N_("an ILIKE pattern"), _string, "expression", N_("e.g. team ILIKE 'b%'")
    ),
    exp.TimeToStr: _literal_arg(N_("a strftime format"), _string, "format", "strftime(t, '%Y-%m')"),
    exp.Extract: _literal_arg(N_("an extract part"), _unit, "this", _PARTS_HINT),
    exp.DateDiff: _literal_arg(N_("a date_diff part"), _unit, "unit", _PARTS_HINT),
    exp.TimestampTrunc: _literal_arg(N_("a date_trunc part"), _unit, "unit", _PARTS_HINT),
    exp.DateTrunc: _literal_arg(N_("a date_trunc part"), _unit, "unit", _PARTS_HINT),
    exp.Interval: _literal_arg(N_("an interval"), _constant, "this", N_("e.g. INTERVAL 2 DAY")),
}
