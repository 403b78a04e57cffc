"""kpis/dialects.py: each golden case gives DuckDB's value on a real Spark, or is refused.

The cases (tests/data/dialect_cases.yaml) run over the same six rows in an in-memory DuckDB and
in a local Spark session; a portable case must give the same value on both (per row for a
row-level expression), a refused one must raise NotPortable with the expected words.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from sqlglot import exp

from kpis.definitions.sql_allow import is_aggregate
from kpis.definitions.sql_check import check_aggregate, check_predicate, parse_expression
from kpis.dialects import ENGINES, NotPortable, for_engine, portability_problem
from kpis.i18n import use_language

CASES: dict[str, dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "dialect_cases.yaml").read_text(encoding="utf-8")
)
PORTABLE = {title: case for title, case in CASES.items() if "refused" not in case}
REFUSED = {title: case for title, case in CASES.items() if "refused" in case}
# name, DuckDB type, Spark type (pyspark.sql.types name)
SCHEMA = [
    ("id", "INTEGER", "IntegerType"),
    ("a", "TIMESTAMP", "TimestampNTZType"),
    ("b", "TIMESTAMP", "TimestampNTZType"),
    ("d", "DATE", "DateType"),
    ("d2", "DATE", "DateType"),
    ("x", "DOUBLE", "DoubleType"),
    ("n", "INTEGER", "IntegerType"),
    ("m", "DECIMAL(18, 6)", "DecimalType"),
    ("flag", "BOOLEAN", "BooleanType"),
    ("s", "VARCHAR", "StringType"),
]
COLUMNS = [name for name, _duckdb, _spark in SCHEMA]
T, D = dt.datetime, dt.date
ROWS = [
    # across midnight and the spring DST change in Paris (02:00 -> 03:00 on 31 March 2024)
    (1, T(2024, 3, 30, 23), T(2024, 3, 31, 3, 0, 0, 250_000), D(2024, 3, 30), D(2024, 4, 2),
     0.285, -7, Decimal("-2.5"), True, "Billing"),
    # 02:30 on 31 March does not exist in Paris; 30 Dec 2024 is in ISO week 1 of 2025
    (2, T(2024, 3, 31, 1, 30), T(2024, 3, 31, 2, 30), D(2024, 12, 30), D(2025, 1, 5),
     -2.5, 5, Decimal("1.234567"), False, "returns"),
    # 02:30 on 27 October happens twice in Paris; 3 Jan 2021 is a Sunday of ISO week 53
    (3, T(2024, 10, 27, 1, 30), T(2024, 10, 27, 2, 30), D(2021, 1, 3), D(2021, 1, 4),
     12.5, 0, Decimal("0.5"), None, None),
    (4, T(2023, 12, 31, 23, 59, 59, 999_000), T(2024, 1, 1, 0, 0, 0, 1_000), D(2024, 1, 7),
     D(2024, 1, 1), None, None, None, True, "it's"),
    (5, T(2024, 6, 15, 10), None, D(2024, 2, 29), D(2024, 3, 31),
     -0.285, -3, Decimal("100.000001"), False, "b_c"),
    (6, T(2024, 1, 31, 12), T(2024, 2, 29, 11), D(2000, 5, 1), D(2001, 5, 1),
     1.005, 12, Decimal("-0.000123"), True, "Straße"),
]  # fmt: skip


def _tree(case: dict[str, Any]) -> tuple[exp.Expr, bool]:
    """The parsed case and whether it is an aggregate; checked as kpis.yaml would check it."""
    tree, problem = parse_expression(case["expr"])
    assert tree is not None, problem
    aggregate = any(is_aggregate(node) for node in tree.walk())
    checked = (check_aggregate if aggregate else check_predicate)(case["expr"], COLUMNS)
    if case.get("check", True):
        assert checked.sql is not None, checked.problems
    return tree, aggregate


def _query(sql: str, aggregate: bool) -> str:
    return f"SELECT {sql} FROM t" if aggregate else f"SELECT id, {sql} FROM t ORDER BY id"


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, Decimal | float | int) and not isinstance(left, bool):
        if not isinstance(right, Decimal | float | int) or isinstance(right, bool):
            return False
        a, b = float(left), float(right)
        return (math.isnan(a) and math.isnan(b)) or a == b or math.isclose(a, b, rel_tol=1e-9)
    return type(left) is type(right) and left == right


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    columns = ", ".join(f"{name} {kind}" for name, kind, _spark in SCHEMA)
    connection.execute(f"CREATE TABLE t ({columns})")
    connection.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(SCHEMA))})", ROWS)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java: no `java` on the PATH")
    sql = pytest.importorskip("pyspark.sql")
    types = pytest.importorskip("pyspark.sql.types")
    session = (
        sql.SparkSession.builder.master("local[1]")
        .appName("kpis-dialects")
        .config("spark.sql.session.timeZone", "Europe/Paris")
        # Spark 4's default, stated so the test does not hang on it: errors on overflow and
        # bad casts as DuckDB does; kpis/dialects.py renders / so that x / 0 never raises.
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.log.level", "OFF")  # Spark logs the errors it raises as JSON
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("OFF")
    fields = [
        types.StructField(name, types.DecimalType(18, 6) if kind == "DecimalType" else
                          getattr(types, kind)())
        for name, _duckdb, kind in SCHEMA
    ]  # fmt: skip
    session.createDataFrame(ROWS, types.StructType(fields)).createOrReplaceTempView("t")
    yield session
    session.stop()


def _rows_duck(duck: duckdb.DuckDBPyConnection, tree: exp.Expr, aggregate: bool) -> list[Any]:
    sql = for_engine(tree, "duckdb").sql(dialect="duckdb")
    return [tuple(row) for row in duck.execute(_query(sql, aggregate)).fetchall()]


def _rows_spark(spark: Any, tree: exp.Expr, aggregate: bool) -> list[Any]:
    sql = for_engine(tree, "spark").sql(dialect="spark")
    return [tuple(row) for row in spark.sql(_query(sql, aggregate)).collect()]


# Spark 4.3's Python side warns on importing pandas 3 (which these tests never hand it).
@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@pytest.mark.parametrize("case", PORTABLE.values(), ids=PORTABLE.keys())
def test_same_value_on_duckdb_and_spark(
    case: dict[str, Any], duck: duckdb.DuckDBPyConnection, spark: Any
) -> None:
    tree, aggregate = _tree(case)
    before = tree.sql(dialect="duckdb")
    expected, got = _rows_duck(duck, tree, aggregate), _rows_spark(spark, tree, aggregate)
    assert tree.sql(dialect="duckdb") == before  # for_engine never changes its input
    spark_sql = for_engine(tree, "spark").sql(dialect="spark")
    assert len(expected) == len(got), spark_sql
    for mine, theirs in zip(expected, got, strict=True):
        assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True)), (
            f"DuckDB {mine} != Spark {theirs} for {spark_sql}"
        )
    if "value" in case:  # worked out by hand from ROWS
        assert _same(expected[0][0], case["value"]), expected


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_for_spark(case: dict[str, Any]) -> None:
    tree, aggregate = _tree(case)
    with pytest.raises(NotPortable) as caught:
        for_engine(tree, "spark")
    message = str(caught.value)
    assert case["refused"] in message
    assert message.endswith("instead.") and message.startswith("`"), message
    assert for_engine(tree, "duckdb").sql(dialect="duckdb") == tree.sql(dialect="duckdb")
    assert portability_problem(case["expr"], COLUMNS, aggregate, "spark") == message
    assert portability_problem(case["expr"], COLUMNS, aggregate, "duckdb") is None


def test_hand_worked_values(duck: duckdb.DuckDBPyConnection) -> None:
    """A few DuckDB semantics the Spark renderings copy, worked out by hand from ROWS."""

    def value(sql: str) -> Any:
        return duck.execute(f"SELECT {sql} FROM t").fetchone()[0]  # type: ignore[index]

    assert value("sum(dayofweek(d)) FILTER (WHERE id = 4)") == 0  # 7 Jan 2024: a Sunday
    assert value("sum(isodow(d)) FILTER (WHERE id = 4)") == 7
    assert value("sum(week(d)) FILTER (WHERE id = 3)") == 53  # 3 Jan 2021
    assert value("sum(date_diff('hour', a, b)) FILTER (WHERE id = 4)") == 1  # 23:59 -> 00:00
    assert value("sum(date_diff('week', d2, d)) FILTER (WHERE id = 4)") == 0  # 6 days back
    assert value("sum(round(x, 2)) FILTER (WHERE id = 1)") == 0.28  # Spark's own: 0.29
    assert value("sum(n % 3) FILTER (WHERE id = 1)") == -1
    assert math.isinf(value("sum(x / (n - n)) FILTER (WHERE id = 1)"))


def test_the_input_tree_is_copied() -> None:
    tree, _problem = parse_expression("median(epoch(b - a)) / 3600.0")
    assert tree is not None
    for engine in ENGINES:
        assert for_engine(tree, engine) is not tree
    with pytest.raises(ValueError, match="unknown engine"):
        for_engine(tree, "postgres")


def test_a_text_that_is_not_valid_is_no_portability_problem() -> None:
    assert portability_problem("sum(", COLUMNS, True, "spark") is None
    assert portability_problem("count_if(flag)", COLUMNS, True, "spark") is None


def test_refusals_are_translated() -> None:
    with use_language("fr"):
        message = portability_problem("n // 2", COLUMNS, False, "spark")
    assert message is not None and "écrivez" in message.lower(), message
