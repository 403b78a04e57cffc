"""Hostile SQL in kpis.yaml: refused at validation, with its line and a hint, never a crash.

Each class of the security review has a table of its own: functions that spend memory or
time, results that change from run to run, syntax that reaches beyond the source's columns,
text that would crash or hang the parser, and types DuckDB would only reject at compute or
at upload. A fragment goes into the shipped kpis.yaml (see edits.py) and the problem must
name its key path and its line.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import DefinitionError, parse_definitions
from kpis.definitions.sql_check import MAX_CHARACTERS, check_aggregate, check_predicate
from tests.definitions.edits import with_check, with_measure

PROBE = "kpis.probe.measure.expr"


def _refusal(text: str, line: int, path: str) -> list[str]:
    """The messages (with hints) reported at `path`, which must be on `line`."""
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    found = [p for p in caught.value.problems if p.path == path]
    assert found, f"nothing at {path}: {[str(p) for p in caught.value.problems]}"
    for problem in found:
        assert problem.line == line, str(problem)
        assert problem.hint, f"no hint: {problem}"
    return [f"{p.message} ({p.hint})" for p in found]


GROWS_OR_WANDERS = [
    # (id, measure expression over tickets, words of the message)
    ("repeat", "sum(length(repeat(ticket_id, 200000000)))", "function repeat()"),
    ("lpad", "count(DISTINCT lpad(team, 1000000000, 'x'))", "function lpad()"),
    ("string_agg", "length(string_agg(ticket_id, ','))", "is not allowed"),
    ("group_concat", "length(group_concat(ticket_id))", "is not allowed"),
    ("list", "count(list(ticket_id))", "function list()"),
    ("array_agg", "count(array_agg(ticket_id))", "function array_agg()"),
    ("range", "count(*) + sum(range(100000000))", "function range()"),
    ("generate_series", "count(generate_series(1, csat_score))", "function generate_series()"),
    ("concat operator", "count(DISTINCT team || ticket_id || ticket_id)", "joins text with ||"),
    ("concat function", "count(DISTINCT concat(team, team))", "function concat()"),
    ("regexp", "count_if(regexp_matches(team, '(a+)+$'))", "function regexp_matches()"),
    ("similar to", "count_if(team SIMILAR TO '(a+)+')", "do not allow"),
    (
        "like with a column pattern",
        "count_if(team LIKE ticket_id)",
        "LIKE pattern must be a literal",
    ),
    (
        "strftime with a column format",
        "count(DISTINCT strftime(created_at, team))",
        "strftime format",
    ),
    ("max with a count", "sum(csat_score) + max(csat_score, 100000000)", "gives a list"),
    ("arg_max with a count", "arg_max(csat_score, created_at, 1000000)", "gives a list"),
    ("quantile list", "quantile_cont(csat_score, [0.1, 0.5])", "one literal number"),
    ("quantile from a column", "quantile_cont(csat_score, csat_score)", "one literal number"),
    ("histogram", "count(histogram(team))", "function histogram()"),
    ("subquery", "(SELECT count(*) FROM tickets)", "uses a query"),
    ("file reader", "sum((SELECT count(*) FROM read_csv('/etc/passwd')))", "uses a query"),
    ("table function", "count(*) + (SELECT count(*) FROM range(10))", "uses a query"),
    ("getenv", "count(getenv('HOME'))", "function getenv()"),
    ("current_setting", "count(current_setting('memory_limit'))", "function current_setting()"),
    ("window", "sum(csat_score) OVER ()", "window function"),
    ("alias", "count(*) AS n", "names its result"),
    ("COLUMNS", "max(COLUMNS('.*'))", "COLUMNS(...)"),
    ("star outside count", "max(*)", "only count(*)"),
    ("qualified star", "count(tickets.*)", "only count(*)"),
    ("qualified column", "sum(tickets.csat_score)", "bare column name"),
    ("lambda", "count(list_transform([1], x -> x))", "is not allowed"),
    ("struct", "count(DISTINCT {'a': team})", "is not allowed"),
    ("index", "count(team[1])", "do not allow"),
    ("json arrow", "count(team -> 'a')", "do not allow"),
    ("parameter", "sum(csat_score) + ?", "query parameter"),
    ("try", "sum(TRY(csat_score))", "function try()"),
    ("timestamptz", "count(DISTINCT CAST(created_at AS TIMESTAMPTZ))", "casts to TIMESTAMPTZ"),
    ("cast to a list", "count(CAST(csat_score AS INT[]))", "casts to INT[]"),
    ("integer division by a column", "sum(csat_score // csat_score)", "fails when it is 0"),
    ("modulo by zero", "sum(csat_score % 0)", "fails when it is 0"),
    ("IN a subquery", "count_if(team IN (SELECT team FROM tickets))", "literal values"),
    ("IN columns", "count_if(team IN (channel, 'x'))", "literal values"),
    (
        "interval from a column",
        "count_if(resolved_at > created_at + INTERVAL (csat_score) DAY)",
        "interval must be a literal",
    ),
    ("unknown date part", "avg(date_diff('fortnight', created_at, resolved_at))", "date_diff part"),
    (
        "date part injected",
        "avg(date_diff('day; DROP TABLE x', created_at, resolved_at))",
        "date_diff part",
    ),
    ("nested aggregate", "sum(count(csat_score))", "nests an aggregate"),
    (
        "filter on a scalar",
        "abs(csat_score) FILTER (WHERE csat_score > 1)",
        "only follows an aggregate",
    ),
    ("ordered aggregate", "sum(csat_score ORDER BY created_at)", "do not allow"),
    ("within group", "percentile_cont(0.5) WITHIN GROUP (ORDER BY csat_score)", "WITHIN GROUP"),
    ("escape", "count_if(team LIKE 'a!%' ESCAPE '!')", "ESCAPE"),
    ("collate", "count_if(team COLLATE nocase = 'a')", "is not allowed"),
    ("two statements", "count(*); DROP TABLE tickets", "single expression"),
]

NOT_REPEATABLE = [
    ("random", "sum(csat_score) + random()", "random()"),
    ("uuid", "count(DISTINCT uuid())", "uuid()"),
    ("now", "count_if(created_at < now())", "now()"),
    ("current_date", "count_if(CAST(created_at AS DATE) < current_date)", "current_date"),
    ("current_timestamp", "count_if(created_at < current_timestamp)", "current_timestamp"),
    ("today", "count_if(CAST(created_at AS DATE) < today())", "today()"),
    ("any_value", "any_value(csat_score)", "any_value()"),
    ("first", "first(csat_score)", "first()"),
    ("last", "last(csat_score)", "last()"),
    ("mode", "mode(csat_score)", "mode()"),
]


@pytest.mark.parametrize(
    ("expr", "words"), [pytest.param(*case[1:], id=case[0]) for case in GROWS_OR_WANDERS]
)
def test_expressions_that_grow_or_reach_out_are_refused(expr: str, words: str) -> None:
    text, line = with_measure(expr)
    assert any(words in m for m in _refusal(text, line, PROBE))


@pytest.mark.parametrize(
    ("expr", "words"), [pytest.param(*case[1:], id=case[0]) for case in NOT_REPEATABLE]
)
def test_results_that_change_from_run_to_run_are_refused(expr: str, words: str) -> None:
    text, line = with_measure(expr)
    messages = _refusal(text, line, PROBE)
    assert any(words in m and "another result on each run" in m for m in messages), messages


@pytest.mark.parametrize(
    ("expr", "hint"),
    [
        pytest.param("sume(csat_score)", "did you mean sum()?", id="typo"),
        pytest.param("mean(csat_score)", "did you mean avg()?", id="mean"),
        pytest.param("avg(dow(created_at))", "did you mean dayofweek()?", id="dow"),
        pytest.param("sum(iff(csat_score > 3, 1, 0))", "did you mean if()?", id="iff"),
        pytest.param("count(lpad(team, 3, 'x'))", "README.md", id="no close name"),
    ],
)
def test_refused_functions_get_a_hint(expr: str, hint: str) -> None:
    text, line = with_measure(expr)
    assert any(hint in m for m in _refusal(text, line, PROBE))


UNPARSABLE = [
    # (id, expression, words of the message)
    ("unterminated string", "count_if(team = 'billing)", "quote or comment is not closed"),
    ("unterminated identifier", 'count_if("team = 1)', "quote or comment is not closed"),
    ("unterminated comment", "count(*) /* no end", "quote or comment is not closed"),
    ("deep parentheses", "sum(" + "(" * 900 + "csat_score" + ")" * 900 + ")", "nests too deeply"),
    ("parentheses past the length", "(" * 50_000 + "1" + ")" * 50_000, "characters long"),
    ("deep functions", "sum(" + "abs(" * 200 + "csat_score" + ")" * 200 + ")", "nests too deeply"),
    ("just past the bound", "sum(" + "(" * 32 + "csat_score" + ")" * 32 + ")", "nests too deeply"),
    (
        "deep CASE",
        "sum(" + "CASE WHEN true THEN " * 60 + "1" + " END" * 60 + ")",
        "nests too deeply",
    ),
    ("NOT chain", "count_if(" + "NOT " * 400 + "csat_score > 3)", "nests too deeply"),
    ("long sum chain", "count(*)" + " + 1" * 450, "nests too deeply"),
    (
        "long AND chain",
        "count_if(" + " AND ".join(["csat_score>1"] * 110) + ")",
        "nests too deeply",
    ),
    ("too long", "count(*) + " + "1" * MAX_CHARACTERS, "characters long"),
    ("empty", "  ", "is empty"),
    ("syntax", "sum(csat_score))", "is not valid SQL"),
]


@pytest.mark.parametrize(
    ("expr", "words"), [pytest.param(*case[1:], id=case[0]) for case in UNPARSABLE]
)
def test_text_that_would_crash_or_hang_the_parser_is_a_problem(expr: str, words: str) -> None:
    text, line = with_measure(expr)
    started = time.perf_counter()
    messages = _refusal(text, line, PROBE)
    assert time.perf_counter() - started < 5
    assert any(words in m for m in messages), messages


def test_the_nesting_real_kpis_need_is_allowed() -> None:
    expr = "sum(" + "(" * 20 + "csat_score" + ")" * 20 + ") + " + " + ".join(["count(*)"] * 40)
    text, _ = with_measure(expr)
    assert "probe" in parse_definitions(text).kpis


SQLISH = st.text(
    alphabet=st.sampled_from(list("()[]{}'\"`;,.*+-/%<>=!|&~^:$?@# \n\tabcdeINOTSLECFRMWH0123")),
    max_size=200,
)


@settings(max_examples=150, deadline=None)
@given(SQLISH)
def test_any_text_gives_problems_or_sql_never_an_exception(text: str) -> None:
    for checked in (check_aggregate(text, ["a", "b"]), check_predicate(text, ["a", "b"])):
        assert (checked.sql is None) == bool(checked.problems)


TYPES = [
    # (id, expression, filter or None, where the problem is, words of the message)
    ("timestamp measure", "median(created_at)", None, "expr", "gives TIMESTAMP values"),
    ("text measure", "max(team)", None, "expr", "gives VARCHAR values"),
    ("interval measure", "avg(resolved_at - created_at)", None, "expr", "gives INTERVAL values"),
    ("boolean measure", "bool_and(csat_score > 3)", None, "expr", "gives BOOLEAN values"),
    ("sum of text", "sum(team)", None, "expr", "sum(VARCHAR)"),
    ("count_if of text", "count_if(team)", None, "expr", "uses team as a condition"),
    ("text compared with a number", "count_if(team = 1)", None, "expr", "compares text (team)"),
    ("text compared with a column", "count_if(team = csat_score)", None, "expr", "compares text"),
    ("text IN numbers", "count_if(team IN (1, 2))", None, "expr", "compares text"),
    ("text BETWEEN numbers", "count_if(team BETWEEN 1 AND 2)", None, "expr", "BETWEEN"),
    ("simple CASE on text", "sum(CASE team WHEN 1 THEN 1 END)", None, "expr", "compares text"),
    ("text as a condition", "count(*) FILTER (WHERE team)", None, "expr", "as a condition"),
    ("NOT text", "count_if(NOT team)", None, "expr", "as a condition"),
    ("number as a condition", "count_if(csat_score AND true)", None, "expr", "as a condition"),
    ("CASE WHEN text", "sum(CASE WHEN team THEN 1 END)", None, "expr", "as a condition"),
    ("bool_and of text", "CASE WHEN bool_and(team) THEN 1 END", None, "expr", "as a condition"),
    ("CAST of text", "sum(CAST(team AS INTEGER))", None, "expr", "use TRY_CAST(team"),
    ("narrowing CAST", "sum(CAST(csat_score AS TINYINT))", None, "expr", "does not convert"),
    (
        "CAST to a small decimal",
        "sum(CAST(csat_score AS DECIMAL(4, 2)))",
        None,
        "expr",
        "does not convert",
    ),
    (
        "text to interval",
        "count_if(resolved_at > created_at + CAST(team AS INTERVAL))",
        None,
        "expr",
        "TRY_CAST",
    ),
    ("bad literal number", "count_if(csat_score = 'abc')", None, "expr", "Could not convert"),
    ("bad literal time", "count_if(created_at > 'garbage')", None, "expr", "timestamp"),
    ("quantile level", "quantile_cont(csat_score, 2)", None, "expr", "QUANTILE"),
    ("strftime format", "count(DISTINCT strftime(created_at, '%Q'))", None, "expr", "format"),
    ("filter is a number", "count(*)", "csat_score", "filter", "is BIGINT, not a condition"),
    ("filter is text", "count(*)", "team", "filter", "is VARCHAR, not a condition"),
    ("filter is a time", "count(*)", "created_at", "filter", "is TIMESTAMP, not a condition"),
    ("filter compares text", "count(*)", "team = 3", "filter", "compares text"),
    ("filter aggregates", "count(*)", "count(*) > 1", "filter", "a row rule cannot"),
]


@pytest.mark.parametrize(
    ("expr", "where", "part", "words"), [pytest.param(*case[1:], id=case[0]) for case in TYPES]
)
def test_types_are_checked_by_duckdb_at_validation(
    expr: str, where: str | None, part: str, words: str
) -> None:
    text, line = with_measure(expr, where=where)
    messages = _refusal(text, line, f"kpis.probe.measure.{part}")
    assert any(words in m for m in messages), messages


@pytest.mark.parametrize(
    ("rule", "source", "words"),
    [
        pytest.param("team", "tickets", "is VARCHAR, not a condition", id="text"),
        pytest.param("csat_score + 1", "tickets", "is BIGINT, not a condition", id="number"),
        pytest.param("team = csat_score", "tickets", "compares text", id="text and number"),
        pytest.param("CAST(team AS INTEGER) > 0", "tickets", "TRY_CAST", id="cast"),
        pytest.param("qty_ordered = 'many'", "orders", "Could not convert", id="literal"),
        pytest.param("units > 0 AND carrier", "shipments", "as a condition", id="text operand"),
        pytest.param("sum(units) > 0", "shipments", "a row rule cannot", id="aggregate"),
        pytest.param("channel = now()", "leads", "another result on each run", id="now"),
        pytest.param("length(repeat(sku, 100000000)) > 0", "inventory", "repeat()", id="repeat"),
    ],
)
def test_checks_are_conditions_that_cannot_fail_at_upload(
    rule: str, source: str, words: str
) -> None:
    text, line = with_check(rule, source=source)
    messages = _refusal(text, line, f"sources.{source}.checks.0.rule")
    assert any(words in m for m in messages), messages


@pytest.mark.parametrize(
    ("expr", "where"),
    [
        pytest.param("sum(TRY_CAST(team AS INTEGER))", None, id="try_cast of text"),
        pytest.param("sum(CAST(csat_score AS DOUBLE))", None, id="widening cast"),
        pytest.param("sum(CAST(csat_score AS HUGEINT))", None, id="cast to hugeint"),
        pytest.param("count_if(CAST(created_at AS DATE) > DATE '2026-01-01')", None, id="to date"),
        pytest.param("count_if(csat_score = '4')", None, id="quoted number"),
        pytest.param("count(*)", "team = 'billing' AND created_at > '2026-01-01'", id="filter"),
        pytest.param("count(*)", "NULL", id="null filter"),
        pytest.param("count(CAST(csat_score AS VARCHAR))", None, id="anything to text"),
    ],
)
def test_well_typed_fragments_pass(expr: str, where: str | None) -> None:
    text, _ = with_measure(expr, where=where)
    assert "probe" in parse_definitions(text).kpis


@pytest.mark.parametrize(
    ("expr", "refused"),
    [
        pytest.param("sum(shipping_cost * cogs)", True, id="decimal times decimal"),
        pytest.param("sum(cogs * 1.123456789)", True, id="decimal times a precise literal"),
        pytest.param("sum(units * units * units * units)", True, id="integer power"),
        pytest.param("sum(units * 1000000000000000000)", True, id="integer times 10**18"),
        pytest.param("sum(CAST(shipping_cost AS DOUBLE) * cogs)", False, id="as double"),
        pytest.param("sum(cogs * 2.5)", False, id="decimal times 2.5"),
        pytest.param("sum(units * cogs)", False, id="integer times decimal"),
        pytest.param("sum(units * 1e18)", False, id="integer times a double"),
    ],
)
def test_arithmetic_that_overflows_on_ordinary_values_is_refused(expr: str, refused: bool) -> None:
    text, line = with_measure(expr, source="shipments")
    if not refused:
        assert "probe" in parse_definitions(text).kpis
        return
    messages = _refusal(text, line, PROBE)
    assert any("Overflow" in m and "CAST a factor AS DOUBLE" in m for m in messages), messages
