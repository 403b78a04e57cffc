"""The guarantee: a kpis.yaml `kpis validate` accepts cannot fail later because of itself.

Every allowed function is checked to parse to the sqlglot node the allow-list names (in the
installed sqlglot) and to compute over real rows. Then hypothesis writes measures, filters
and checks from the allowed grammar over the shipped sources' columns, well typed or not:
each is either refused with a problem, or computes (and checks uploaded rows) without a
DuckDB error, over the golden exports loaded through the real upload path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from kpis import (
    DefinitionError,
    Definitions,
    Store,
    ingest_file,
    load_definitions,
    parse_definitions,
)
from kpis.definitions.sql_allow import AGGREGATES, SCALARS
from kpis.definitions.sql_check import check_aggregate, parse_expression
from kpis.definitions.sql_types import cast_cannot_fail
from tests.conftest import CONFIG, WriteCsv
from tests.definitions.edits import (
    COLUMNS,
    compute_probe,
    load_golden,
    run_check,
    with_check,
    with_measure,
)


@pytest.fixture(scope="module")
def golden_store(
    tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Iterator[Store]:
    """A few rows of every source: the golden cases' exports, uploaded."""
    with Store(tmp_path_factory.mktemp("golden") / "ops.duckdb", definitions) as store:
        load_golden(store)
        yield store


ALLOWED = [
    # (id, measure over tickets, the sqlglot node it must parse to)
    ("abs", "abs(sum(csat_score) - 100)", exp.Abs),
    ("round", "round(avg(csat_score), 2)", exp.Round),
    ("floor", "floor(avg(csat_score))", exp.Floor),
    ("ceil", "ceil(avg(csat_score))", exp.Ceil),
    ("sign", "sign(sum(csat_score) - 3)", exp.Sign),
    ("sqrt", "sqrt(avg(csat_score))", exp.Sqrt),
    ("ln", "ln(avg(csat_score))", exp.Ln),
    ("log", "log(10, avg(csat_score))", exp.Log),
    ("exp", "exp(avg(csat_score))", exp.Exp),
    ("pow", "pow(avg(csat_score), 2)", exp.Pow),
    ("epoch", "median(epoch(resolved_at - created_at)) / 3600.0", exp.TimeToUnix),
    ("extract", "avg(extract(hour FROM created_at))", exp.Extract),
    ("date_part", "avg(date_part('hour', created_at))", exp.Anonymous),
    ("date_diff", "avg(date_diff('hour', created_at, resolved_at))", exp.DateDiff),
    ("date_trunc", "count(DISTINCT date_trunc('day', created_at))", exp.TimestampTrunc),
    (
        "date_trunc of a date",
        "count(DISTINCT date_trunc('month', CAST(created_at AS DATE)))",
        exp.DateTrunc,
    ),
    ("year", "avg(year(created_at))", exp.Year),
    ("quarter", "avg(quarter(created_at))", exp.Quarter),
    ("month", "avg(month(created_at))", exp.Month),
    ("week", "avg(week(created_at))", exp.Week),
    ("day", "avg(day(created_at))", exp.Day),
    ("dayofmonth", "avg(dayofmonth(created_at))", exp.DayOfMonth),
    ("dayofyear", "avg(dayofyear(created_at))", exp.DayOfYear),
    ("dayofweek", "avg(dayofweek(created_at))", exp.DayOfWeek),
    ("isodow", "avg(isodow(created_at))", exp.DayOfWeekIso),
    ("hour", "avg(hour(created_at))", exp.Hour),
    ("minute", "avg(minute(created_at))", exp.Minute),
    ("second", "avg(second(created_at))", exp.Second),
    ("strftime", "count(DISTINCT strftime(created_at, '%Y-%m'))", exp.TimeToStr),
    ("lower", "count_if(lower(team) = 'billing')", exp.Lower),
    ("upper", "count_if(upper(team) = 'BILLING')", exp.Upper),
    ("trim", "count_if(trim(team) = 'billing')", exp.Trim),
    ("length", "avg(length(team))", exp.Length),
    ("starts_with", "count_if(starts_with(team, 'bill'))", exp.StartsWith),
    ("coalesce", "sum(coalesce(csat_score, 0))", exp.Coalesce),
    ("nullif", "avg(nullif(csat_score, 3))", exp.Nullif),
    ("greatest", "sum(greatest(csat_score, 2))", exp.Greatest),
    ("least", "sum(least(csat_score, 4))", exp.Least),
    ("if", "sum(if(csat_score >= 4, 1, 0))", exp.If),
    (
        "case",
        "sum(CASE WHEN csat_score >= 4 THEN 1 WHEN csat_score IS NULL THEN 0 ELSE -1 END)",
        exp.Case,
    ),
    ("simple case", "sum(CASE team WHEN 'billing' THEN 1 ELSE 0 END)", exp.Case),
    ("cast", "sum(CAST(csat_score AS DOUBLE))", exp.Cast),
    ("try_cast", "sum(TRY_CAST(team AS INTEGER))", exp.TryCast),
    ("sum", "sum(csat_score)", exp.Sum),
    ("count", "count(csat_score)", exp.Count),
    ("count star", "count(*)", exp.Star),
    ("count distinct", "count(DISTINCT team)", exp.Distinct),
    ("count_if", "count_if(csat_score >= 4)", exp.CountIf),
    ("avg", "avg(csat_score)", exp.Avg),
    ("min", "min(csat_score)", exp.Min),
    ("max", "max(csat_score)", exp.Max),
    ("median", "median(csat_score)", exp.Median),
    ("quantile_cont", "quantile_cont(csat_score, 0.9)", exp.PercentileCont),
    ("quantile_disc", "quantile_disc(csat_score, 0.9)", exp.PercentileDisc),
    ("quantile", "quantile(csat_score, 0.5)", exp.Quantile),
    ("stddev", "stddev(csat_score)", exp.Stddev),
    ("stddev_samp", "stddev_samp(csat_score)", exp.StddevSamp),
    ("stddev_pop", "stddev_pop(csat_score)", exp.StddevPop),
    ("variance", "variance(csat_score)", exp.Variance),
    ("var_pop", "var_pop(csat_score)", exp.VariancePop),
    ("bool_and", "CASE WHEN bool_and(csat_score > 0) THEN 1 ELSE 0 END", exp.LogicalAnd),
    ("bool_or", "CASE WHEN bool_or(csat_score > 4) THEN 1 ELSE 0 END", exp.LogicalOr),
    ("arg_min", "arg_min(csat_score, created_at)", exp.ArgMin),
    ("arg_max", "arg_max(csat_score, created_at)", exp.ArgMax),
    ("filter", "count(*) FILTER (WHERE team = 'billing')", exp.Filter),
    ("in", "count_if(team IN ('billing', 'returns'))", exp.In),
    ("between", "count_if(csat_score BETWEEN 2 AND 4)", exp.Between),
    ("like", "count_if(team LIKE 'b%')", exp.Like),
    ("ilike", "count_if(team ILIKE 'B%')", exp.ILike),
    ("is null", "count_if(resolved_at IS NULL)", exp.Is),
    ("is distinct", "count_if(team IS DISTINCT FROM channel)", exp.NullSafeNEQ),
    (
        "and or not",
        "count_if(NOT (csat_score > 3 AND team = 'billing') OR csat_score IS NULL)",
        exp.Or,
    ),
    ("interval", "count_if(resolved_at - created_at > INTERVAL 2 HOUR)", exp.Interval),
    ("modulo", "sum(csat_score % 2)", exp.Mod),
    ("integer division", "sum(csat_score // 2)", exp.IntDiv),
    ("negation", "-sum(csat_score)", exp.Neg),
]


@pytest.mark.parametrize(
    ("expr", "node"), [pytest.param(*case[1:], id=case[0]) for case in ALLOWED]
)
def test_every_allowed_construct_parses_as_expected_and_computes(
    expr: str, node: type[exp.Expr], golden_store: Store
) -> None:
    tree, problem = parse_expression(expr)
    assert tree is not None, problem
    assert any(type(n) is node for n in tree.walk()), [type(n).__name__ for n in tree.walk()]
    text, _ = with_measure(expr)
    definitions = parse_definitions(text)
    compute_probe(golden_store, definitions)
    # What runs is the re-rendered SQL: it must pass the same check and render the same.
    columns = definitions.sources["tickets"].columns
    rendered = check_aggregate(expr, columns).sql
    assert rendered is not None and check_aggregate(rendered, columns).sql == rendered


def test_the_table_above_covers_the_whole_allow_list() -> None:
    covered = {case[2] for case in ALLOWED}
    assert set(AGGREGATES) | set(SCALARS) <= covered


TYPE_EXTREMES = {
    "BOOLEAN": ["true", "false"],
    "TINYINT": ["-128", "127"],
    "SMALLINT": ["-32768", "32767"],
    "INTEGER": ["-2147483648", "2147483647"],
    "BIGINT": ["-9223372036854775808", "9223372036854775807"],
    "HUGEINT": [
        "-170141183460469231731687303715884105728",
        "170141183460469231731687303715884105727",
    ],
    "UTINYINT": ["0", "255"],
    "UBIGINT": ["0", "18446744073709551615"],
    "FLOAT": ["'-3.4e38'", "'3.4e38'", "'nan'", "'inf'"],
    "DOUBLE": ["'-1.7e308'", "'1.7e308'", "'nan'", "'-inf'"],
    "DECIMAL(18,6)": ["-999999999999.999999", "999999999999.999999"],
    "DECIMAL(4,2)": ["-99.99", "99.99"],
    "DECIMAL(38,10)": [
        "-9999999999999999999999999999.9999999999",
        "9999999999999999999999999999.9999999999",
    ],
    "VARCHAR": ["'x'", "''", "'2026-01-01'"],
    "DATE": ["'1000-01-01'", "'9000-12-31'"],
    "TIMESTAMP": ["'1000-01-01 00:00:00'", "'9000-12-31 23:59:59.999999'"],
    "INTERVAL": ["INTERVAL 100000 YEAR"],
}


def test_casts_said_to_never_fail_hold_every_value_of_their_type() -> None:
    con = duckdb.connect(config={"enable_external_access": False})
    safe = 0
    for source, values in TYPE_EXTREMES.items():
        for target in TYPE_EXTREMES:
            if not cast_cannot_fail(source, target):
                continue
            safe += 1
            for value in values:
                con.execute(f"SELECT CAST(CAST({value} AS {source}) AS {target})").fetchall()
    assert safe > 60
    for source, target in [("VARCHAR", "INTEGER"), ("DOUBLE", "BIGINT"), ("BIGINT", "INTEGER"),
                           ("DECIMAL(18,6)", "DECIMAL(4,2)"), ("DOUBLE", "FLOAT")]:  # fmt: skip
        assert not cast_cannot_fail(source, target)
        with pytest.raises(duckdb.ConversionException):
            for value in TYPE_EXTREMES[source]:
                con.execute(f"SELECT CAST(CAST({value} AS {source}) AS {target})").fetchall()


# The grammar: SQL of a given kind (number, text, time, boolean) over one source's columns.
KINDS = ("number", "text", "time", "boolean")
_FAMILY = {"integer": "number", "number": "number", "decimal": "number", "string": "text",
           "date": "time", "timestamp": "time", "boolean": "boolean"}  # fmt: skip
_LITERALS = {
    "number": ["0", "1", "7", "2.5", "-3", "1000"],
    "text": ["'billing'", "'Lyon'", "''", "'x'"],
    "time": ["DATE '2026-01-05'", "TIMESTAMP '2026-01-06 10:00:00'"],
    "boolean": ["TRUE", "FALSE", "NULL"],
}


def _columns(source: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for name, column in load_definitions(CONFIG).sources[source].columns.items():
        found[_FAMILY[column.type]].append(name)
    return found


SOURCES = {source: _columns(source) for source in COLUMNS}


def _value(source: str, kind: str, depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(SOURCES[source][kind] + _LITERALS[kind])
    if depth == 0:
        return leaf

    def sub(wanted: str) -> st.SearchStrategy[str]:
        # Mostly the kind asked for; sometimes any kind, for expressions DuckDB must refuse.
        kinds = st.sampled_from([wanted] * 4 + list(KINDS))
        return kinds.flatmap(lambda k: _value(source, k, depth - 1))

    n, t, d, b = (sub(k) for k in KINDS)
    forms = {
        "number": [
            st.tuples(n, st.sampled_from("+-*/"), n).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            n.map(lambda a: f"abs({a})"),
            n.map(lambda a: f"round({a}, 2)"),
            st.tuples(n, n).map(lambda p: f"coalesce({p[0]}, {p[1]})"),
            st.tuples(b, n, n).map(lambda p: f"CASE WHEN {p[0]} THEN {p[1]} ELSE {p[2]} END"),
            st.tuples(d, d).map(lambda p: f"epoch({p[0]} - {p[1]})"),
            st.tuples(d, d).map(lambda p: f"date_diff('day', {p[0]}, {p[1]})"),
            t.map(lambda a: f"length({a})"),
            d.map(lambda a: f"year({a})"),
            d.map(lambda a: f"isodow({a})"),
            n.map(lambda a: f"({a} % 7)"),
            t.map(lambda a: f"TRY_CAST({a} AS INTEGER)"),
            n.map(lambda a: f"CAST({a} AS DOUBLE)"),
            n.map(lambda a: f"CAST({a} AS INTEGER)"),
            n.map(lambda a: f"sqrt({a})"),
            n.map(lambda a: f"ln({a})"),
            n.map(lambda a: f"greatest({a}, 0)"),
        ],
        "text": [
            t.map(lambda a: f"lower({a})"),
            t.map(lambda a: f"trim({a})"),
            st.tuples(t, t).map(lambda p: f"coalesce({p[0]}, {p[1]})"),
            d.map(lambda a: f"strftime({a}, '%Y-%m')"),
            n.map(lambda a: f"CAST({a} AS VARCHAR)"),
            st.tuples(b, t, t).map(lambda p: f"CASE WHEN {p[0]} THEN {p[1]} ELSE {p[2]} END"),
        ],
        "time": [
            d.map(lambda a: f"date_trunc('week', {a})"),
            d.map(lambda a: f"CAST({a} AS DATE)"),
            d.map(lambda a: f"({a} + INTERVAL 1 DAY)"),
        ],
        "boolean": [
            st.tuples(n, st.sampled_from(["=", "<>", "<", ">="]), n).map(" ".join),
            st.tuples(t, t).map(lambda p: f"{p[0]} = {p[1]}"),
            st.tuples(d, d).map(lambda p: f"{p[0]} >= {p[1]}"),
            st.tuples(b, st.sampled_from(["AND", "OR"]), b).map(lambda p: f"({' '.join(p)})"),
            b.map(lambda a: f"NOT {a}"),
            n.map(lambda a: f"{a} IS NULL"),
            t.map(lambda a: f"{a} LIKE 'b%'"),
            n.map(lambda a: f"{a} IN (1, 2, 5)"),
            n.map(lambda a: f"{a} BETWEEN 1 AND 5"),
            t.map(lambda a: f"starts_with(lower({a}), 'l')"),
        ],
    }
    return st.one_of(leaf, *forms[kind])


def _measure(source: str) -> st.SearchStrategy[str]:
    n = st.sampled_from(["number"] * 5 + list(KINDS)).flatmap(lambda k: _value(source, k, 2))
    b, any_kind = (
        _value(source, "boolean", 2),
        st.sampled_from(KINDS).flatmap(lambda k: _value(source, k, 1)),
    )
    aggregate = st.one_of(
        st.sampled_from(["sum", "avg", "min", "max", "median", "stddev"]).flatmap(
            lambda f: n.map(lambda a: f"{f}({a})")
        ),
        st.just("count(*)"), any_kind.map(lambda a: f"count(DISTINCT {a})"),
        b.map(lambda a: f"count_if({a})"), n.map(lambda a: f"quantile_cont({a}, 0.9)"),
        st.tuples(n, b).map(lambda p: f"sum({p[0]}) FILTER (WHERE {p[1]})"),
        st.tuples(n, any_kind).map(lambda p: f"arg_max({p[0]}, {p[1]})"),
    )  # fmt: skip
    return st.one_of(
        aggregate,
        st.tuples(aggregate, st.sampled_from("+-*/"), aggregate).map(" ".join),
        aggregate.map(lambda a: f"round({a}, 2)"),
        aggregate.map(lambda a: f"CASE WHEN {a} > 0 THEN {a} ELSE 0 END"),
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_definitions_that_validate_compute(data: st.DataObject, golden_store: Store) -> None:
    source = data.draw(st.sampled_from(sorted(SOURCES)), label="source")
    expr = data.draw(_measure(source), label="expr")
    where = data.draw(st.none() | _value(source, "boolean", 1), label="filter")
    text, _ = with_measure(expr, source=source, where=where)
    try:
        definitions = parse_definitions(text)
    except DefinitionError as exc:
        event("refused")
        assert exc.problems and all(
            p.line and p.path.startswith("kpis.probe") for p in exc.problems
        )
        return
    event("validated")
    compute_probe(golden_store, definitions)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_checks_that_validate_run_at_upload(data: st.DataObject, golden_store: Store) -> None:
    source = data.draw(st.sampled_from(sorted(SOURCES)), label="source")
    rule = data.draw(_value(source, "boolean", 2), label="rule")
    text, _ = with_check(rule, source=source)
    try:
        definitions = parse_definitions(text)
    except DefinitionError as exc:
        event("refused")
        assert exc.problems and all(p.line for p in exc.problems)
        return
    event("validated")
    run_check(golden_store, definitions, source)


def test_a_validated_check_runs_in_a_real_upload(tmp_path: Path, write_csv: WriteCsv) -> None:
    text, _ = with_check("TRY_CAST(team AS INTEGER) IS NULL AND lower(team) <> ''")
    with Store(tmp_path / "db" / "ops.duckdb", parse_definitions(text)) as store:
        header = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
        rows = [["T1", "2026-01-05 10:00:00", "", "", "email", "billing"],
                ["T2", "2026-01-05 11:00:00", "", "", "email", "returns"]]  # fmt: skip
        result = ingest_file(store, write_csv("tickets.csv", header, rows), source="tickets")
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
