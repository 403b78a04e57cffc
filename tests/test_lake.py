"""`kpis export --lake DIR`: the lake contract, read back by DuckDB and by pyarrow.

The contract (README, "Scaling out"): `<lake>/<source>/month=YYYY-MM/*.parquet`, the
declared columns under their names and types, partitioned by the month of the source's
first time column; times without a zone, decimals exact. Everything here is read back from
the files by other readers than the writer's connection.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kpis.definitions import Definitions
from kpis.freshness import data_through
from kpis.sharing import reading
from tests.conftest import run_cli

# The contract's types, as Parquet readers see them (README table).
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "decimal": pa.decimal128(18, 6),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),  # no time zone: the calendar's wall clock
}


@pytest.fixture(scope="module")
def lake(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database exported once (the export only reads the database)."""
    folder = tmp_path_factory.mktemp("lake") / "lake"
    result = run_cli("--db", str(demo_db), "export", "--lake", str(folder))
    assert result.returncode == 0, result.stderr
    return folder


def _read(lake: Path, source: str) -> duckdb.DuckDBPyRelation:
    pattern = str(lake / source / "**" / "*.parquet")
    return duckdb.sql(f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = false)")


def test_every_source_reads_back_row_for_row(
    lake: Path, demo_db: Path, definitions: Definitions
) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as db:
        for name, source in definitions.sources.items():
            columns = ", ".join(f'"{c}"' for c in source.columns)
            keys = ", ".join(f'"{k}"' for k in source.key)
            stored = db.execute(f'SELECT {columns} FROM "{name}" ORDER BY {keys}').fetchall()
            read = _read(lake, name).order(keys).fetchall()
            assert stored and read == stored, name


def test_names_and_types_follow_the_contract(lake: Path, definitions: Definitions) -> None:
    for name, source in definitions.sources.items():
        files = sorted((lake / name).rglob("*.parquet"))
        schema = pq.read_schema(files[0])
        assert schema.names == list(source.columns), name
        for column, spec in source.columns.items():
            assert schema.field(column).type == ARROW_TYPES[spec.type], (name, column)


def test_partitions_are_months_of_the_first_time_column(
    lake: Path, definitions: Definitions
) -> None:
    for name, source in definitions.sources.items():
        first = source.time_columns[0]
        for folder in (lake / name).glob("month=*"):
            month = folder.name.removeprefix("month=")
            found = duckdb.sql(
                f"SELECT DISTINCT strftime(\"{first}\", '%Y-%m') FROM "
                f"read_parquet('{folder}/*.parquet', hive_partitioning = false)"
            ).fetchall()
            assert found == [(month,)], (name, folder.name)


def test_each_source_says_how_far_its_data_goes(
    lake: Path, demo_db: Path, definitions: Definitions
) -> None:
    """`_data_through` beside each dataset: the database's "data through", which readers skip."""
    with reading(demo_db, definitions) as store:
        through = data_through(store)
    for name in definitions.sources:
        assert (lake / name / "_data_through").read_text() == f"{through[name]}\n"
    # A reader globbing the dataset's Parquet files reads past it.
    [(count,)] = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{lake}/orders/**/*.parquet')"
    ).fetchall()
    assert count > 0


def test_exporting_again_replaces_each_dataset(
    lake: Path, demo_db: Path, definitions: Definitions
) -> None:
    before = _read(lake, "orders").aggregate("count(*)").fetchall()
    result = run_cli("--db", str(demo_db), "export", "--lake", str(lake))
    assert result.returncode == 0, result.stderr
    assert _read(lake, "orders").aggregate("count(*)").fetchall() == before
    # One folder per source, no staging or old copies left behind.
    assert sorted(p.name for p in lake.iterdir()) == sorted(definitions.sources)


def test_a_file_is_not_a_lake(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "lake.txt"
    path.write_text("not a folder")
    result = run_cli("--db", str(demo_db), "export", "--lake", str(path))
    assert result.returncode == 2
    assert result.stderr == f"Error: {path} is a file, not a folder: give the lake's folder\n"
    assert path.read_text() == "not a folder"
