"""The same kpis.yaml on Apache Spark: the numbers DuckDB gives, on a lake, by a real local Spark.

Each lake here is written from a real DuckDB file by `kpis export --lake` (kpis/lake.py), or
from the CSV exports by another tool (pyarrow) following the README's contract; Spark reads
it in this process (`local[*]`). Golden cases, the plain-Python oracle, breakdowns and
before/after comparisons (intervals and p-values with the same seeds) must agree with
DuckDB within 1e-9 relative.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
import pytest

from kpis import DateRange, Store, compare, compute, inference, ingest_file
from kpis.definitions import Definitions
from kpis.lake import export_lake
from kpis.samples import draw
from kpis.spark_engine import LakeStore, spark_available
from tests.conftest import WriteCsv
from tests.oracle import kpi_values, random_exports, write_export
from tests.test_compute import _cases

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(spark_available() is not None, reason=str(spark_available())),
]
START, END = dt.date(2026, 2, 20), dt.date(2026, 5, 12)  # clipped weeks and months at both ends
KPIS = [
    "conversion_rate", "csat", "resolution_time", "service_rate", "stock_rotation",
    "cost_per_unit_shipped", "order_processing_time", "incident_rate",
    "first_contact_resolution", "contacts_per_100_orders", "cost_per_acquisition",
]  # fmt: skip
BREAKDOWNS = [
    ("conversion_rate", "channel"), ("csat", "team"), ("resolution_time", "channel"),
    ("service_rate", "warehouse"), ("stock_rotation", "warehouse"),
    ("cost_per_unit_shipped", "carrier"), ("cost_per_acquisition", "channel"),
]  # fmt: skip


def same(a: object, b: object) -> bool:
    """Equal within 1e-9 relative, inside lists and mappings too (missing equals missing)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)]
    if any(missing):
        return all(missing)
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def differences(duck: list[dict[str, Any]], spark: list[dict[str, Any]]) -> list[str]:
    """Where two lists of records (as JSON gives them) differ beyond 1e-9."""
    if len(duck) != len(spark):
        return [f"{len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    return [
        f"row {i} {key}: duckdb {d.get(key)!r}, spark {s.get(key)!r}"
        for i, (d, s) in enumerate(zip(duck, spark, strict=True))
        for key in sorted(set(d) | set(s))
        if not same(d.get(key), s.get(key))
    ]


def records(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", default_handler=str))


@pytest.fixture(scope="module")
def oracle_lake(
    tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Iterator[tuple[Store, LakeStore, dict[str, Any], Path]]:
    """Random exports loaded into a DuckDB file, exported as a lake, and Spark reading it.

    Yields the DuckDB store, the Spark store, the rows (for the oracle) and the CSV folder.
    """
    folder = tmp_path_factory.mktemp("spark_oracle")
    data = random_exports(1, dt.date(2026, 2, 10), 100)
    with Store(folder / "ops.duckdb", definitions) as store:
        for source, rows in data.items():
            result = ingest_file(store, write_export(folder / f"{source}.csv", source, rows))
            assert result.rows_rejected == 0, result.problems[:3]
        export_lake(store, folder / "lake")
        yield store, LakeStore(folder / "lake", definitions), data, folder


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter"])
@pytest.mark.parametrize("kpi", KPIS)
def test_spark_matches_oracle_and_duckdb(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path], kpi: str, grain: str
) -> None:
    store, lake, data, _ = oracle_lake
    on_spark = compute(lake, [kpi], grain, START, END)
    expected = kpi_values(kpi, data, grain, START, END)
    assert list(on_spark["period_start"]) == list(expected)
    wrong = {
        p: (v, expected[p])
        for p, v in zip(on_spark["period_start"], on_spark["value"], strict=True)
        if not same(v, expected[p])
    }
    assert not wrong
    assert not differences(records(compute(store, [kpi], grain, START, END)), records(on_spark))


@pytest.mark.parametrize(("kpi", "dimension"), BREAKDOWNS)
def test_spark_breakdown_matches_duckdb(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path], kpi: str, dimension: str
) -> None:
    store, lake, _, _ = oracle_lake
    duck = compute(store, [kpi], "month", START, END, by=dimension)
    spark = compute(lake, [kpi], "month", START, END, by=dimension)
    assert len(duck) > 3
    assert not differences(records(duck), records(spark))


def test_before_after_is_the_same_on_both_engines(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path],
) -> None:
    """Values, intervals and p-values: the same inputs reach the same seeded statistics."""
    store, lake, _, _ = oracle_lake
    before = DateRange(dt.date(2026, 2, 23), dt.date(2026, 3, 29))
    after = DateRange(dt.date(2026, 3, 30), dt.date(2026, 5, 3))
    duck, spark = compare(store, before, after), compare(lake, before, after)
    assert duck["ci_low"].notna().sum() >= 8  # the statistics ran, for most KPIs
    assert not differences(records(duck), records(spark))


def test_a_large_median_is_summarised_by_spark(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above inference.ROW_CAP rows, Spark sends the count and two order statistics, not the
    values; the interval and p-value are DuckDB's, which sorts the collected values."""
    store, lake, _, _ = oracle_lake
    monkeypatch.setattr(inference, "ROW_CAP", 20)
    before = DateRange(dt.date(2026, 2, 23), dt.date(2026, 3, 29))
    after = DateRange(dt.date(2026, 3, 30), dt.date(2026, 5, 3))
    medians = ["resolution_time", "order_processing_time"]
    sample = draw(lake, "resolution_time", before)
    assert sample.values.size == 0 and sample.rows > 20
    assert sample.rows == draw(store, "resolution_time", before).size
    duck = compare(store, before, after, medians, holding=False)
    spark = compare(lake, before, after, medians, holding=False)
    assert set(duck["method"]) == set(spark["method"])
    assert duck["ci_low"].notna().all()
    assert not differences(records(duck), records(spark))


@pytest.mark.parametrize("case", _cases())
def test_golden_case_on_spark(
    case: dict[str, Any], store: Store, write_csv: WriteCsv, tmp_path: Path
) -> None:
    """Each golden case, loaded as usual, exported, and computed by Spark from the lake."""
    for source, text in case["files"].items():
        path = write_csv(f"{source}.csv", text=text)
        ingest_file(store, path, source=source, through=case.get("through", case["end"]))
    export_lake(store, tmp_path / "lake")
    lake = LakeStore(tmp_path / "lake", store.definitions)
    frame = compute(lake, [case["kpi"]], case["grain"], case["start"], case["end"], case.get("by"))
    keys = ["period_start", "dimension_value"] if case.get("by") else ["period_start"]
    got = [[*(row[k] for k in keys), row["value"]] for row in frame.to_dict("records")]
    assert [g[:-1] for g in got] == [e[:-1] for e in case["expected"]]
    for g, e in zip(got, case["expected"], strict=True):
        assert same(g[-1], e[-1]), g


def _other_tool_lake(folder: Path, definitions: Definitions) -> Path:
    """The CSV exports written as a lake by pyarrow alone, following the README's contract."""
    kinds = {
        "string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
        "decimal": pa.decimal128(18, 6), "boolean": pa.bool_(), "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }  # fmt: skip
    lake = folder / "other_lake"
    for name, source in definitions.sources.items():
        types = {c: kinds[spec.type] for c, spec in source.columns.items()}
        table = pacsv.read_csv(
            folder / f"{name}.csv",
            convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=list(types), include_missing_columns=True
            ),
        )
        first = table.column(source.time_columns[0]).cast(pa.timestamp("us"))
        month = pa.array([t.strftime("%Y-%m") for t in first.to_pylist()], pa.string())
        pads.write_dataset(
            table.append_column("month", month), lake / name, format="parquet",
            partitioning=pads.partitioning(pa.schema([("month", pa.string())]), flavor="hive"),
        )  # fmt: skip
    return lake


def test_cli_compare_on_spark_equals_duckdb(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path], tmp_path: Path
) -> None:
    """The installed command: the exported lake, and a lake another tool wrote, give the JSON
    the DuckDB run gives."""
    store, _, _, folder = oracle_lake
    other = _other_tool_lake(folder, store.definitions)
    kpis = Path(sys.executable).with_name("kpis")
    env = {**os.environ, "KPIS_CONFIG": str(store.definitions.file), "KPIS_LANG": "en"}
    window = ["--before", "2026-02-23:2026-03-29", "--after", "2026-03-30:2026-05-03"]

    def run(*options: str) -> list[dict[str, Any]]:
        done = subprocess.run(
            [str(kpis), *options, "compare", *window, "--format", "json"],
            capture_output=True, text=True, env=env, check=False, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        found: list[dict[str, Any]] = json.loads(done.stdout)
        return found

    # The DuckDB run reads a copy: the fixture's store holds its file open in this process.
    copy = tmp_path / "copy.duckdb"
    with Store(copy, store.definitions) as again:
        for source in store.definitions.sources:
            ingest_file(again, folder / f"{source}.csv")
    duck = run("--db", str(copy))
    assert len(duck) == len(KPIS)
    assert not differences(duck, run("--engine", "spark", "--lake", str(folder / "lake")))
    assert not differences(duck, run("--engine", "spark", "--lake", str(other)))


def test_cli_report_on_spark_equals_duckdb(
    oracle_lake: tuple[Store, LakeStore, dict[str, Any], Path], tmp_path: Path
) -> None:
    """The weekly report's JSON, computed by Spark from the lake, is the DuckDB one."""
    store, _, _, folder = oracle_lake
    copy = tmp_path / "copy.duckdb"
    with Store(copy, store.definitions) as again:
        for source in store.definitions.sources:
            ingest_file(again, folder / f"{source}.csv")
    env = {**os.environ, "KPIS_CONFIG": str(store.definitions.file), "KPIS_LANG": "en"}
    kpis = Path(sys.executable).with_name("kpis")
    found = []
    for options in (["--db", str(copy)], ["--engine", "spark", "--lake", str(folder / "lake")]):
        out = tmp_path / f"report_{len(found)}.json"
        done = subprocess.run(
            [str(kpis), *options, "report", "--week", "2026-W18", "--format", "json",
             "--output", str(out)],
            capture_output=True, text=True, env=env, check=False, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        found.append(json.loads(out.read_text(encoding="utf-8")))
    duck, spark = found
    assert duck["kpis"] and not differences(duck["kpis"], spark["kpis"])
    assert duck["attention"] and same(duck, spark)  # headline, drivers, events, freshness


def test_spark_is_refused_for_writing_commands(tmp_path: Path) -> None:
    kpis = Path(sys.executable).with_name("kpis")
    done = subprocess.run(
        [str(kpis), "--engine", "spark", "--lake", str(tmp_path), "ingest", "x.csv"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "KPIS_LANG": "en"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: ingest works on the DuckDB database; --engine spark is for compute, compare and "
        "report"
    )
