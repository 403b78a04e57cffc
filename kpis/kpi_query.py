"""The query computing one KPI per period, built as a sqlglot syntax tree and rendered per engine.

One definition runs on DuckDB and on Spark: the query is built from nodes (a week's start is
a TimestampTrunc, NULL-safe equality a NullSafeEQ, a snapshot's last value an ArgMax) that
each dialect renders in its own words, rather than DuckDB text transpiled after the fact. The
kpis.yaml expressions inside it go through kpis/dialects.py, which renders each trap where
the engines differ (median, epoch, date_diff, day of week, log) or refuses it.

Each KPI is one query: its measures aggregated per period (measures sharing a source, time
column and filter are computed in one scan), joined to the list of periods so that a period
without data shows as null rather than disappearing. Ratios are computed from the period's
sums (ratio of sums, never a mean of daily ratios); a zero or missing denominator gives null.
"""

from __future__ import annotations

import datetime as dt

import sqlglot
from sqlglot import exp

from kpis.definitions import Definitions, Kpi, Measure
from kpis.definitions.sql_check import check_aggregate, check_predicate
from kpis.dialects import for_engine
from kpis.periods import DateRange, Grain, periods

Engine = str  # one of kpis.dialects.ENGINES
__all__ = ["kpi_query", "period_start", "render", "rows_query", "within"]


def kpi_query(
    definitions: Definitions,
    kpi: Kpi,
    window: DateRange,
    grain: Grain | None,
    by: str | None,
    engine: Engine = "duckdb",
) -> exp.Select:
    """The one query computing `kpi` for every period of `window`, for `engine`."""
    groups: dict[tuple[str, str | None, str | None, str | None], list[tuple[str, Measure]]] = {}
    for part in ("measure", "numerator", "denominator"):
        m = getattr(kpi, part)
        if m is not None:
            groups.setdefault((m.source, m.time, m.filter, m.over_time), []).append((part, m))
    query = exp.select("p.period_start", "p.period_end", "p.days")
    listed = exp.select("*").from_(_period_rows(window, grain))
    query = query.with_("periods(period_start, period_end, days)", as_=listed)
    refs: dict[str, exp.Expr] = {}
    for index, group in enumerate(groups.values()):
        measures = [m for _, m in group]
        built = _measure_group(definitions, measures, window, grain, by, engine)
        query = query.with_(f"g{index}", as_=built)
        for position, (part, _measure) in enumerate(group):
            refs[part] = exp.column(f"v{position}", table=f"g{index}")
    query = query.from_("periods AS p")
    if by:
        dims = [exp.select("_dim").distinct().from_(f"g{i}") for i in range(len(groups))]
        union: exp.Query = dims[0]
        for more in dims[1:]:
            union = exp.union(union, more, distinct=True)
        query = query.with_("dims", as_=union).join("dims AS d", join_type="cross")
        query = query.select(exp.column("_dim", table="d"))
    for index in range(len(groups)):
        on: exp.Expr = exp.EQ(
            this=exp.column("period_start", table=f"g{index}"),
            expression=exp.column("period_start", table="p"),
        )
        if by:
            same = exp.NullSafeEQ(
                this=exp.column("_dim", table=f"g{index}"), expression=exp.column("_dim", table="d")
            )
            on = exp.and_(on, same)
        query = query.join(exp.to_table(f"g{index}"), on=on, join_type="left")
    value, numerator, denominator = _outputs(kpi, refs)
    query = query.select(
        exp.alias_(value, "value"),
        exp.alias_(numerator, "numerator"),
        exp.alias_(denominator, "denominator"),
    )
    order: list[exp.Expr] = [exp.column("period_start", table="p")]
    if by:
        order.append(exp.column("_dim", table="d"))
    # Explicit: DuckDB sorts NULL last, Spark first; a breakdown's empty value sorts last.
    return query.order_by(*(exp.Ordered(this=o, nulls_first=False) for o in order))


def rows_query(
    definitions: Definitions,
    measure: Measure,
    row_sql: str,
    window: DateRange,
    scope: tuple[str, str] | None,
    engine: Engine = "duckdb",
) -> exp.Select:
    """The per-row values a bootstrap of `measure` resamples (its method's `row_sql`).

    Rows of the days of `window` (of one dimension value with `scope`) whose value is known.
    """
    columns = list(definitions.sources[measure.source].columns)
    value = _expression(row_sql, columns, False, engine)
    time = exp.column(exp.to_identifier(measure.time or "", quoted=True))
    known = exp.Not(this=exp.Is(this=exp.Paren(this=value.copy()), expression=exp.Null()))
    where = exp.and_(within(time, window), known)
    if measure.filter:
        where = exp.and_(where, exp.Paren(this=_expression(measure.filter, columns, False, engine)))
    if scope is not None:
        column = exp.column(exp.to_identifier(scope[0], quoted=True))
        where = exp.and_(where, exp.EQ(this=column, expression=exp.Literal.string(scope[1])))
    table = exp.Table(this=exp.to_identifier(measure.source, quoted=True))
    return exp.select(exp.alias_(_double(value), "v")).from_(table).where(where)


def render(tree: exp.Expr, engine: Engine = "duckdb") -> str:
    """The SQL text of a built tree in `engine`'s dialect."""
    return tree.sql(dialect=engine, comments=False)


def _double(node: exp.Expr) -> exp.Expr:
    return exp.cast(node, exp.DataType.build("double"))


def _outputs(kpi: Kpi, refs: dict[str, exp.Expr]) -> tuple[exp.Expr, exp.Expr, exp.Expr]:
    """The value, numerator and denominator columns, from the groups' aggregated values."""
    if kpi.measure is not None:
        value = _double(refs["measure"].copy())
        numerator = denominator = _double(exp.Null())
    else:
        denominator = _double(refs["denominator"].copy())
        # With data in the denominator, a numerator source without rows means zero, not null.
        zero = exp.Literal.number(0)
        numerator = _double(exp.Coalesce(this=refs["numerator"].copy(), expressions=[zero]))
        nonzero = exp.NEQ(this=denominator.copy(), expression=zero.copy())
        ratio = exp.Div(this=numerator.copy(), expression=denominator.copy())
        value = exp.Case(ifs=[exp.If(this=nonzero, true=ratio)])
        known = exp.Not(this=exp.Is(this=denominator.copy(), expression=exp.Null()))
        numerator = exp.Case(ifs=[exp.If(this=known, true=numerator)])
    if kpi.annualize:
        yearly = exp.Mul(this=exp.Paren(this=value), expression=exp.Literal.number("365.0"))
        value = exp.Div(this=yearly, expression=exp.column("days", table="p"))
    return value, numerator, denominator


def _date(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.build("date"))


def _period_rows(window: DateRange, grain: Grain | None) -> exp.Values:
    """The periods of `window` as rows (start, last day, days)."""
    rows = [
        exp.Tuple(expressions=[_date(p.start), _date(p.last_day), exp.Literal.number(p.days)])
        for p in periods(window, grain)
    ]
    return exp.Values(expressions=rows, alias=exp.TableAlias(this=exp.to_identifier("_rows")))


def period_start(
    day: exp.Expr, grain: Grain | None, window: DateRange, engine: Engine = "duckdb"
) -> exp.Expr:
    """The start of the period containing `day` (a date or a timestamp) as a DATE.

    Weeks start on Monday in both engines (ISO weeks). DuckDB truncates the raw column (a
    per-row cast to DATE first costs ~5 % of the query at 10M rows); Spark's date_trunc
    applies the session's zone even to a zone-free timestamp, so Spark truncates the date.
    """
    if grain is None:
        return _date(window.start)
    if grain == "day":
        return day
    if engine == "duckdb":
        truncated: exp.Expr = exp.TimestampTrunc(this=day, unit=exp.Var(this=grain.upper()))
    else:
        as_date = exp.cast(day, exp.DataType.build("date"))
        unit = exp.Literal.string(grain.upper())
        truncated = exp.DateTrunc(this=as_date, unit=unit)  # type: ignore[no-untyped-call]
    return exp.cast(truncated, exp.DataType.build("date"))


def within(column: exp.Expr, window: DateRange) -> exp.Expr:
    """The rows of `column` (a date or a timestamp) on the days of `window`.

    Compared uncast, so the engine skips the row groups (Parquet files) outside the window by
    their min/max statistics (a filter on CAST(column AS DATE) reads every one). Midnight
    after the last day is excluded, as the cast would exclude it.
    """
    after = window.end + dt.timedelta(days=1)
    return exp.and_(
        exp.GTE(this=column.copy(), expression=_date(window.start)),
        exp.LT(this=column.copy(), expression=_date(after)),
    )


def _expression(text: str, columns: list[str], aggregate: bool, engine: Engine) -> exp.Expr:
    """A validated kpis.yaml expression as a tree for `engine` (NotPortable when it cannot be)."""
    checked = (check_aggregate if aggregate else check_predicate)(text, columns)
    # Validation has passed (Definitions are validated on load): the SQL is allow-listed.
    tree = sqlglot.parse_one(checked.sql or "NULL", read="duckdb")
    return tree if engine == "duckdb" else for_engine(tree, engine)


def _measure_group(
    definitions: Definitions,
    group: list[Measure],
    window: DateRange,
    grain: Grain | None,
    by: str | None,
    engine: Engine,
) -> exp.Select:
    """Aggregate measures that share a source, time column, filter and roll-up."""
    first = group[0]
    columns = list(definitions.sources[first.source].columns)
    time = exp.column(exp.to_identifier(first.time or "", quoted=True))
    day = exp.cast(time.copy(), exp.DataType.build("date"))
    where = within(time, window)
    if first.filter:
        where = exp.and_(where, exp.Paren(this=_expression(first.filter, columns, False, engine)))
    values = [
        exp.alias_(_expression(m.expr, columns, True, engine), f"v{i}") for i, m in enumerate(group)
    ]
    dim = [exp.alias_(exp.column(exp.to_identifier(by, quoted=True)), "_dim")] if by else []
    table = exp.Table(this=exp.to_identifier(first.source, quoted=True))
    if first.over_time is None:
        bucket = day if grain == "day" else time.copy()
        start = exp.alias_(period_start(bucket, grain, window, engine), "period_start")
        select = exp.select(start, *dim, *values).from_(table).where(where)
        return _group_by_all(select)
    # Snapshots: evaluate per snapshot day, then roll the daily values up over the period.
    daily = exp.select(exp.alias_(day, "_day"), *dim, *values).from_(table).where(where)
    rolled = []
    for i in range(len(values)):
        value = exp.column(f"v{i}")
        if first.over_time == "average":
            rolled.append(exp.alias_(exp.Avg(this=value), f"v{i}"))
        else:
            last = exp.ArgMax(this=value, expression=exp.column("_day"))
            rolled.append(exp.alias_(last, f"v{i}"))
    start = exp.alias_(period_start(exp.column("_day"), grain, window, engine), "period_start")
    outer = exp.select(start, *([exp.column("_dim")] if by else []), *rolled)
    return _group_by_all(outer.from_(_group_by_all(daily).subquery("_days")))


def _group_by_all(select: exp.Select) -> exp.Select:
    """GROUP BY every selected column that is not an aggregate (its position, 1-based).

    Positions rather than GROUP BY ALL: both engines read them the same way.
    """
    keys = [
        exp.Literal.number(i + 1)
        for i, node in enumerate(select.expressions)
        if node.find(exp.AggFunc) is None
    ]
    return select.group_by(*keys) if keys else select
