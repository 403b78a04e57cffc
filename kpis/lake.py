"""Write the database's sources as a lake: one Parquet dataset per source, by month.

A team that outgrows one machine moves its data to a lake and computes on a cluster; the
lake layout is the contract between this tool and any pipeline that writes one:
`<lake>/<source>/month=YYYY-MM/*.parquet`, each source's declared columns under their
declared names and types (README, "Scaling out"), partitioned by the month of the source's
first time column. Times are wall-clock times of the calendar's zone, stored without a zone
(Parquet TIMESTAMP not adjusted to UTC; Spark's TIMESTAMP_NTZ), so no reader shifts them;
decimals stay exact (DECIMAL(18,6)).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kpis.errors import UsageError
from kpis.freshness import data_through
from kpis.i18n import _
from kpis.ingest.sniff import sql_literal
from kpis.store import Store, quote

MONTH = "month"  # the partition column: not a column of the source, never read as one
# The last day the source's exports cover (YYYY-MM-DD), when it is later than its last row
# (a week without returns): freshness.py's "data through". Optional for other writers.
THROUGH = "_data_through"


@dataclass(frozen=True)
class Exported:
    """One source written to the lake: where, how many rows, how many monthly partitions."""

    source: str
    path: Path
    rows: int
    months: int


def _check_folder(lake: Path) -> None:
    if lake.exists() and not lake.is_dir():
        raise UsageError(
            _("{lake} is a file, not a folder: give the lake's folder").format(lake=lake)
        )


def export_lake(store: Store, lake: str | Path) -> list[Exported]:
    """Write every source to `lake`, replacing each source's dataset as a whole.

    Each source is written next to its final place, then moved there in one rename, so a
    reader never sees half a dataset, and a failed export leaves the previous one.
    """
    folder = Path(lake)
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cur = store.cursor()
    # The database's connection may only touch its staging folder (database_open.py): the
    # rows stream out as Arrow batches to a connection of its own that writes the files.
    writer = duckdb.connect(config={"threads": 2})
    done = []
    through = data_through(store)
    try:
        for name, source in store.definitions.sources.items():
            done.append(_export_source(cur, writer, folder, name, list(source.columns),
                                       source.time_columns[0], through[name]))  # fmt: skip
    finally:
        writer.close()
    return done


def _export_source(
    cur: duckdb.DuckDBPyConnection,
    writer: duckdb.DuckDBPyConnection,
    folder: Path,
    name: str,
    columns: list[str],
    first: str,
    through: dt.date | None,
) -> Exported:
    listed = ", ".join(quote(c) for c in columns)
    month = f"strftime({quote(first)}, '%Y-%m')"
    target = folder / name
    staging = folder / f".{name}.writing"
    shutil.rmtree(staging, ignore_errors=True)
    rows, months = cur.execute(
        f"SELECT count(*), count(DISTINCT {month}) FROM {quote(name)}"
    ).fetchall()[0]
    batches = cur.sql(
        f"SELECT {listed}, {month} AS {MONTH} FROM {quote(name)} ORDER BY {quote(first)}"
    ).to_arrow_reader(100_000)
    writer.register("_rows", batches)
    try:
        if rows:
            writer.execute(
                f"COPY (SELECT * FROM _rows) TO {sql_literal(str(staging))} "
                f"(FORMAT parquet, PARTITION_BY ({MONTH}), COMPRESSION zstd)"
            )
        else:  # an empty source still says its columns: one file without rows
            staging.mkdir()
            writer.execute(
                f"COPY (SELECT {listed} FROM _rows) "
                f"TO {sql_literal(str(staging / 'empty.parquet'))} (FORMAT parquet)"
            )
    finally:
        writer.unregister("_rows")
    if through is not None:  # readers skip files whose name starts with _ (Spark, DuckDB globs)
        (staging / THROUGH).write_text(f"{through.isoformat()}\n", encoding="utf-8")
    old = folder / f".{name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return Exported(name, target, int(rows), int(months))
