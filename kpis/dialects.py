"""The DuckDB/Spark differences of kpis.yaml expressions, rendered from one sqlglot tree.

Because sqlglot's duckdb→spark output is wrong for several functions (percentiles turn approximate,
weekdays shift, date_diff truncates), each node is rewritten to give DuckDB's value on Spark or
refused with what to write instead; tests/data/dialect_cases.yaml runs both engines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlglot
from sqlglot import exp

from kpis.definitions.sql_allow import snippet
from kpis.definitions.sql_check import check_aggregate, check_predicate, parse_expression
from kpis.i18n import N_, translate

ENGINES = ("duckdb", "spark")
T = exp.DataType.Type
# Nodes whose Spark SQL (sqlglot's) gives DuckDB's value, checked on both engines.
_SAME = (
    exp.Column, exp.Identifier, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Neg, exp.Add,
    exp.Sub, exp.Mul, exp.Mod, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.And, exp.Or, exp.Not, exp.Between, exp.Case, exp.If,
    exp.In, exp.Is, exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least, exp.Abs, exp.Floor,
    exp.Ceil, exp.Sign, exp.Sqrt, exp.Exp, exp.Pow, exp.Like, exp.Sum, exp.Count, exp.CountIf,
    exp.Avg, exp.Min, exp.Max, exp.Stddev, exp.StddevSamp, exp.StddevPop, exp.Variance,
    exp.VariancePop, exp.LogicalAnd, exp.LogicalOr, exp.Filter, exp.Where, exp.Star, exp.Distinct,
    exp.Length, exp.StartsWith, exp.Year, exp.Quarter, exp.Month, exp.Day, exp.DayOfMonth,
    exp.DayOfYear, exp.Hour, exp.Minute, exp.Second, exp.Interval,
)  # fmt: skip
_REFUSED: dict[type[exp.Expr], str] = dict.fromkeys([exp.ILike, exp.Lower, exp.Upper], "case")
_REFUSED[exp.IntDiv] = "intdiv"
_UNITS_OK = ("year", "month", "week", "day", "hour", "minute", "second")
_PREDICATES = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)
_INTEGERS = {T.TINYINT, T.SMALLINT, T.INT, T.BIGINT}
# The sentences of a refusal (marked N_, translated when raised): what, then what instead.
_WHY = {
    "epoch": N_("{sql}: on Spark epoch() takes a timestamp or b - a; write epoch(b - a) instead."),
    "part": N_("{sql}: Spark counts '{part}' differently; write {instead} instead."),
    "strftime": N_("{sql}: Spark formats only %Y, %m, %d alike; write year(d), month(d) instead."),
    "integer": N_("{sql}: Spark rounds a cast to an integer differently; write round(x) instead."),
    "text": N_("{sql}: Spark writes numbers as text differently; compare the values instead."),
    "decimal": N_("{sql}: Spark rounds a cast to DECIMAL differently; write round(x, 2) instead."),
    "type": N_("{sql}: Spark has no type like {type}; cast to BIGINT or DOUBLE instead."),
    "escape": N_("{sql}: Spark reads \\ in LIKE as an escape; write a pattern without \\ instead."),
    "case": N_("{sql}: Spark changes the case of ß, İ, Σ differently; compare as stored instead."),
    "round": N_("{sql}: Spark needs a literal number of digits; write round(x, 2) instead."),
    "interval": N_("{sql}: Spark has no such interval; write e.g. INTERVAL 2 DAY instead."),
    "intdiv": N_("{sql}: Spark's // differs for fractions; write floor(x / 7) instead."),
    "divisions": N_("{sql} divides too often for Spark; write a ratio of two measures instead."),
    "unknown": N_("{sql} may differ on Spark; write it with the functions of README.md instead."),
}  # fmt: skip


class NotPortable(Exception):
    """An expression another engine cannot compute as DuckDB does; the message says why."""


def for_engine(tree: exp.Expr, engine: str) -> exp.Expr:
    """A new tree whose SQL in `engine`'s dialect gives DuckDB's value; `tree` is untouched."""
    if engine == "duckdb":
        return tree.copy()
    if engine != "spark":
        raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")  # i18n: ok
    if sum(_number(d.expression) is None for d in tree.find_all(exp.Div)) > 6:  # see _divide
        raise _refuse(tree, "divisions")
    return _spark(tree.copy())


def portability_problem(
    text: str, columns: Iterable[str], aggregate: bool, engine: str
) -> str | None:
    """Why `engine` cannot compute `text` as DuckDB does; None if it can (or sql_check refuses)."""
    checked = (check_aggregate if aggregate else check_predicate)(text, columns)
    tree, _problem = parse_expression(text)  # re-parsed: for_engine needs the tree
    try:
        if checked.sql is not None and tree is not None:
            for_engine(tree, engine)
    except NotPortable as exc:
        return str(exc)
    return None


def _refuse(node: exp.Expr, why: str, **values: str) -> NotPortable:
    return NotPortable(translate(_WHY[why]).format(sql=f"`{snippet(node)}`", **values))


def _spark(node: exp.Expr) -> exp.Expr:  # `node` is a copy: changed in place, or replaced
    if type(node) in _RULES:
        return _RULES[type(node)](node)
    if type(node) in _REFUSED:
        raise _refuse(node, _REFUSED[type(node)])
    plain_trim = isinstance(node, exp.Trim) and not node.args.get("expression")  # spaces only
    if not (isinstance(node, _SAME) or plain_trim):
        raise _refuse(node, "unknown")
    if isinstance(node, exp.Like) and "\\" in node.expression.this:
        raise _refuse(node, "escape")  # Spark's LIKE escapes with \\, DuckDB's does not
    whole = re.fullmatch(r"-?\d+", node.name) and _part(node.args.get("unit")) in _UNITS_OK
    if isinstance(node, exp.Interval):  # whole numbers of units both engines share
        if not whole:
            raise _refuse(node, "interval")
        return node
    if isinstance(node, exp.Add | exp.Sub) and _interval_like(node.expression):
        node.set("this", exp.cast(node.this, T.TIMESTAMPNTZ))  # DuckDB: DATE + INTERVAL
    for child in list(node.iter_expressions()):
        child.replace(_spark(child))
    return node


def _sql(text: str, **parts: exp.Expr) -> exp.Expr:  # :names stand for parts, never re-parsed
    tree = sqlglot.parse_one(text, read="spark")
    return tree.transform(lambda n: parts[n.name].copy() if isinstance(n, exp.Placeholder) else n)


def _number(node: exp.Expr | None) -> float | None:
    inner = node.this if isinstance(node, exp.Neg) else node
    ok = isinstance(inner, exp.Literal) and not inner.is_string
    return float(inner.this) * (1 if inner is node else -1) if ok and inner else None


def _part(node: exp.Expr | None) -> str:
    name = str(node.this if isinstance(node, exp.Var | exp.Literal) else "").lower()
    return name[:-1] if name.endswith("s") and not name.endswith("ms") else name


def _interval_like(node: exp.Expr) -> bool:
    to_x = isinstance(node, exp.Anonymous) and node.name.lower().startswith("to_")
    return to_x or isinstance(node, exp.Interval | exp.ToDays)


def _timestamp_like(node: exp.Expr) -> bool:
    if isinstance(node, exp.Add | exp.Sub):
        return _interval_like(node.expression) and _timestamp_like(node.this.unnest())
    cast = isinstance(node, exp.Cast) and node.args["to"].this in (
        T.DATE,
        T.TIMESTAMP,
        T.TIMESTAMPNTZ,
    )
    return cast or isinstance(node, exp.Column | exp.TimestampTrunc | exp.DateTrunc)


_1970 = "CAST('1970-01-01 00:00:00' AS TIMESTAMP_NTZ)"
_SECONDS = "CAST(CAST((:b - :a) AS INTERVAL SECOND) AS DECIMAL(38, 6))"  # NTZ: zone-free
_SINCE_1970 = _SECONDS.replace(":b", "CAST(:b AS TIMESTAMP_NTZ)").replace(":a", _1970)


def _epoch(node: exp.Expr) -> exp.Expr:  # DuckDB: seconds, fractions kept, as a DOUBLE
    inner = node.this.unnest() if isinstance(node, exp.TimeToUnix) else node
    if isinstance(inner, exp.Sub) and not _interval_like(inner.expression):
        return _sql(f"CAST({_SECONDS} AS DOUBLE)", b=_spark(inner.this), a=_spark(inner.expression))
    if not _timestamp_like(inner):
        raise _refuse(node, "epoch")
    return _sql(f"CAST({_SINCE_1970} AS DOUBLE)", b=_spark(inner))


# SECOND(): Spark's EXTRACT(SECOND) keeps the fraction; DuckDB's dow: Sunday=0, Spark's
# dayofweek Sunday=1, weekday Monday=0; week: ISO in both; milliseconds include the seconds.
_DATE_PARTS = {
    "year": "YEAR(:x)", "quarter": "QUARTER(:x)", "month": "MONTH(:x)", "day": "DAY(:x)",
    "hour": "HOUR(:x)", "minute": "MINUTE(:x)", "second": "SECOND(:x)", "doy": "DAYOFYEAR(:x)",
    "dayofyear": "DAYOFYEAR(:x)", "week": "WEEKOFYEAR(:x)", "dow": "(DAYOFWEEK(:x) - 1)",
    "dayofweek": "(DAYOFWEEK(:x) - 1)", "isodow": "(WEEKDAY(:x) + 1)",
    "isoyear": "EXTRACT(YEAROFWEEK FROM :x)", "epoch": "",
    "millisecond": "CAST(EXTRACT(SECOND FROM :x) * 1000 AS BIGINT)",
    "microsecond": "CAST(EXTRACT(SECOND FROM :x) * 1000000 AS BIGINT)",
}  # fmt: skip


def _date_part(part: str, value: exp.Expr, node: exp.Expr) -> exp.Expr:
    if part not in _DATE_PARTS:
        raise _refuse(node, "part", part=part, instead=", ".join(_DATE_PARTS))
    return _epoch(value) if part == "epoch" else _sql(_DATE_PARTS[part], x=_spark(value))


def _anonymous(node: exp.Expr) -> exp.Expr:
    name, args = node.name.lower(), node.expressions
    if name in ("date_part", "datepart"):
        return _date_part(_part(args[0]), args[1], node)
    zeros = {"to_days": "", "to_hours": "0, ", "to_minutes": "0, 0, ", "to_seconds": "0, 0, 0, "}
    if name not in zeros:  # make_dt_interval(days, hours, mins, secs)
        raise _refuse(node, "unknown")
    return _sql(f"MAKE_DT_INTERVAL({zeros[name]}:x)", x=_spark(args[0]))


_DIFFS = {  # DuckDB counts the boundaries crossed; Spark's timestampdiff truncates (zoned)
    "day": "DATEDIFF(CAST(:b AS DATE), CAST(:a AS DATE))",
    "week": "(DATEDIFF(CAST(:b AS DATE), CAST(:a AS DATE)) DIV 7)",  # whole weeks of days
    "month": "((YEAR(:b) * 12 + MONTH(:b)) - (YEAR(:a) * 12 + MONTH(:a)))",
    "quarter": "((YEAR(:b) * 4 + QUARTER(:b)) - (YEAR(:a) * 4 + QUARTER(:a)))",
    "year": "(YEAR(:b) - YEAR(:a))",
}
_UNITS = {"hour": "3600", "minute": "60", "second": "1", "millisecond": "0.001",
          "microsecond": "0.000001"}  # fmt: skip


def _date_diff(node: exp.Expr) -> exp.Expr:
    part = _part(node.args.get("unit"))
    end, start = _spark(node.this), _spark(node.expression)
    if part in _DIFFS:
        return _sql(_DIFFS[part], b=end, a=start)
    if part not in _UNITS:
        raise _refuse(node, "part", part=part, instead="epoch(b - a) / 3600")
    floor = "((:s - PMOD(:s, {u})) DIV {u})".format(u=_UNITS[part])  # seconds since 1970 / unit
    ends = [_sql(floor, s=_sql(_SINCE_1970, b=x)) for x in (end, start)]
    return _sql("(:e - :s)", e=ends[0], s=ends[1])


def _trunc(node: exp.Expr) -> exp.Expr:  # DuckDB: a TIMESTAMP, for a DATE too; Spark: zoned
    part, x = _part(node.args.get("unit")), _sql("CAST(:x AS TIMESTAMP_NTZ)", x=_spark(node.this))
    if part in ("year", "quarter", "month", "week"):  # trunc() of a DATE: no zone
        return _sql(f"CAST(TRUNC(CAST(:x AS DATE), '{part.upper()}') AS TIMESTAMP_NTZ)", x=x)
    fields = ("day", "hour", "minute", "second")
    if part not in fields:
        raise _refuse(node, "part", part=part, instead="year, quarter, month, week, day, hour...")
    since = ", ".join(["0", *(f"{f}(:x)" for f in fields[1 : fields.index(part) + 1])])
    return _sql(f"CAST(CAST(:x AS DATE) AS TIMESTAMP_NTZ) + MAKE_DT_INTERVAL({since})", x=x)


def _strftime(node: exp.Expr) -> exp.Expr:
    pieces = re.findall(r"%.|[^%]", node.args["format"].this)
    known = {"%Y": "yyyy", "%m": "MM", "%d": "dd"}
    if not all(p in known or p in "-/. " for p in pieces):
        raise _refuse(node, "strftime")
    pattern = "".join(known.get(p, p) for p in pieces)  # a DATE: no zone
    return _sql(f"DATE_FORMAT(CAST(:x AS DATE), '{pattern}')", x=_spark(node.this))


def _cast_rule(node: exp.Expr) -> exp.Expr:
    to, inner, kind = node.args["to"], node.this, node.args["to"].this
    whole = isinstance(inner, _PREDICATES) or re.fullmatch(r"-?\d+", inner.sql()) is not None
    if kind in _INTEGERS and not whole:  # DuckDB: 2.5 -> 3 as DECIMAL, 2 as DOUBLE
        raise _refuse(node, "integer")
    why = {T.TEXT: "text", T.VARCHAR: "text", T.DECIMAL: "decimal"}.get(kind, "type")
    if kind not in _INTEGERS | {T.BOOLEAN, T.FLOAT, T.DOUBLE, T.DATE, T.TIMESTAMP, T.TIMESTAMPNTZ}:
        raise _refuse(node, why, type=to.sql(dialect="duckdb"))
    if kind == T.TIMESTAMP:
        node.set("to", exp.DataType(this=T.TIMESTAMPNTZ))  # wall clock, never zoned
    node.set("this", _spark(inner))
    return node


def _round(node: exp.Expr) -> exp.Expr:
    value = _number(node.args["decimals"]) if node.args.get("decimals") else 0.0
    if value is None or value != int(value) or abs(value) > 15:
        raise _refuse(node, "round")
    scale = 10 ** abs(int(value))  # DuckDB: round(x * 10^n) / 10^n; Spark 0.29 for 0.285
    text = "ROUND(:x)" if not value else f"ROUND(:x * {scale}) / {scale}"
    return _sql(f"ROUND(:x / {scale}) * {scale}" if value < 0 else text, x=_spark(node.this))


def _log(node: exp.Expr) -> exp.Expr:  # DuckDB: -inf and NaN below 0, where Spark gives NULL
    x = _spark(node.expression or node.this)
    if isinstance(node, exp.Ln):
        result: exp.Expr = exp.Ln(this=x)
    elif node.expression:
        result = exp.Log(this=_spark(node.this), expression=x)
    else:  # a node: sqlglot would read LOG10(x) back as LOG(10, x)
        result = exp.Anonymous(this="log10", expressions=[x])
    below = "IF(:x = 0, CAST('-Infinity' AS DOUBLE), CAST('NaN' AS DOUBLE))"
    return _sql(f"IF(:x <= 0, {below}, :r)", x=x, r=result)


def _divide(node: exp.Expr) -> exp.Expr:  # DuckDB: a DOUBLE, ±inf or NaN for x / 0; Spark NULL
    a, b = _spark(node.this), _spark(node.expression)
    quotient = _sql("TRY_DIVIDE(CAST(:a AS DOUBLE), CAST(:b AS DOUBLE))", a=a, b=b)
    infinite = "IF(CAST(:b AS DOUBLE) = 0, CAST(:a AS DOUBLE) * CAST('Infinity' AS DOUBLE), :q)"
    return quotient if _number(node.expression) else _sql(infinite, a=a, b=b, q=quotient)


def _percentile(node: exp.Expr) -> exp.Expr:  # exact: never percentile_approx
    x = _spark(node.this)
    level = node.args.get("expression") or node.args.get("quantile") or exp.Literal.number(0.5)
    if isinstance(node, exp.Median | exp.PercentileCont):
        return _sql("PERCENTILE(:x, :q)", x=x, q=level)
    disc = exp.Anonymous(this="percentile_disc", expressions=[level.copy()])  # sqlglot would
    order = exp.Order(expressions=[exp.Ordered(this=x)])  # read it as percentile_approx
    return exp.WithinGroup(this=disc, expression=order)


# DuckDB's arg_min/arg_max skip rows whose value is NULL; Spark's min_by/max_by may return it.
_ARG = "MIN_BY(:x, CASE WHEN NOT :x IS NULL THEN :y END)"
_MAX_BY = _ARG.replace("MIN_BY", "MAX_BY")
_RULES: dict[type[exp.Expr], Callable[[exp.Expr], exp.Expr]] = {
    exp.TimeToUnix: _epoch, exp.Anonymous: _anonymous, exp.DateDiff: _date_diff,
    exp.Extract: lambda node: _date_part(_part(node.this), node.expression, node),
    exp.DayOfWeek: lambda node: _date_part("dow", node.this, node),
    exp.DayOfWeekIso: lambda node: _date_part("isodow", node.this, node),
    exp.Week: lambda node: _date_part("week", node.this, node),
    exp.ToDays: lambda node: _sql("MAKE_DT_INTERVAL(:x)", x=_spark(node.this)),
    exp.TimestampTrunc: _trunc, exp.DateTrunc: _trunc, exp.TimeToStr: _strftime,
    exp.Cast: _cast_rule, exp.TryCast: _cast_rule, exp.Round: _round, exp.Ln: _log,
    exp.Log: _log, exp.Div: _divide, exp.Median: _percentile, exp.PercentileCont: _percentile,
    exp.PercentileDisc: _percentile, exp.Quantile: _percentile,
    exp.ArgMin: lambda n: _sql(_ARG, x=_spark(n.this), y=_spark(n.expression)),
    exp.ArgMax: lambda n: _sql(_MAX_BY, x=_spark(n.this), y=_spark(n.expression)),
}  # fmt: skip
