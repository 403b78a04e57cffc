"""Computing on Apache Spark: a session, the lake's sources as views, a store that reads them.

A team whose data outgrows one machine keeps its sources in a lake (kpis/lake.py gives the
layout) and computes on a cluster, with the same kpis.yaml and the same numbers. The KPI
queries are built as syntax trees and rendered in Spark's SQL (kpis/kpi_query.py,
kpis/dialects.py). The store is read-only: uploads go to the team's pipeline, which writes
the lake. Spark runs in this process (`local[*]`) unless KPIS_SPARK_MASTER names a cluster
or KPIS_SPARK_REMOTE a Spark Connect server (`sc://host:15002`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from kpis.definitions import Definitions
from kpis.errors import StoreError, UsageError
from kpis.i18n import _
from kpis.lake import MONTH, THROUGH
from kpis.store import Store

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# kpis.yaml types as Spark types (README, "Scaling out"): the lake's contract.
SPARK_TYPES = {
    "string": "STRING", "integer": "BIGINT", "number": "DOUBLE", "decimal": "DECIMAL(18,6)",
    "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP_NTZ",
}  # fmt: skip


def spark_available() -> str | None:
    """Why Spark cannot run here (no Java, no PySpark), or None when it can."""
    if os.environ.get("KPIS_SPARK_REMOTE"):
        return None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return _("Spark needs a Java runtime: install one (e.g. openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return _("Spark is not installed: pip install pyspark")
    return None


def spark_session(zone: str) -> SparkSession:
    """The session: in this process by default, else the cluster the environment names.

    Its time zone is the calendar's, so a lake whose times carry a zone (another tool's
    TIMESTAMP) is read as the calendar's wall-clock time, as the database holds it.
    """
    problem = spark_available()
    if problem:
        raise UsageError(problem)
    # Local Spark binds to this machine only, and says so rather than warn about the hostname.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with warnings.catch_warnings():
        # PySpark warns that it does not yet support pandas 3 in full; it is handed Arrow
        # tables only (toArrow), which pyarrow turns into pandas.
        warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
        from pyspark.sql import SparkSession

        try:
            session: SparkSession = _builder(SparkSession.builder, zone).getOrCreate()
        except Exception as exc:  # no Java gateway, a cluster that does not answer, ...
            raise UsageError(
                _(
                    "Spark could not start ({reason}); check KPIS_SPARK_MASTER, "
                    "KPIS_SPARK_REMOTE and the Java runtime"
                ).format(reason=str(exc).strip().splitlines()[0][:200] if str(exc) else exc)
            ) from None
        return session


def _builder(builder: Any, zone: str) -> Any:
    """The session's settings: the calendar's zone, ANSI SQL, quiet logs, Arrow transfers."""
    builder = builder.appName("kpis")
    remote = os.environ.get("KPIS_SPARK_REMOTE")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master(os.environ.get("KPIS_SPARK_MASTER", "local[*]"))
        builder = builder.config("spark.ui.enabled", "false")
        log = Path(__file__).with_name("spark_log4j2.properties")
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log.as_uri()}"
        )
        builder = builder.config("spark.sql.shuffle.partitions", "8")
    settings = {
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": zone,
        # DuckDB raises on an overflow and on a value that cannot be cast; so does ANSI mode.
        "spark.sql.ansi.enabled": "true",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder


def register_lake(session: SparkSession, lake: str, definitions: Definitions) -> None:
    """Each source of kpis.yaml as a view over `<lake>/<source>/`, in its declared types.

    A declared column the dataset lacks (an optional column no export had) is NULL of its
    type; a source without a dataset is an empty view; `month=` folders are not columns.
    """
    for name, source in definitions.sources.items():
        path = f"{lake.rstrip('/')}/{name}"
        try:
            frame = session.read.parquet(path)
            present = {c.lower(): c for c in frame.columns if c != MONTH}
        except Exception as exc:  # a missing folder: AnalysisException PATH_NOT_FOUND
            if "PATH_NOT_FOUND" not in str(exc) and "does not exist" not in str(exc):
                raise StoreError(
                    _("the lake's {source} could not be read ({reason})").format(
                        source=path, reason=str(exc).strip().splitlines()[0]
                    )
                ) from None
            frame, present = None, {}
        columns = []
        for column, declared in source.columns.items():
            kind = SPARK_TYPES[declared.type]
            found = present.get(column.lower())
            value = f"`{found}`" if found else "NULL"
            columns.append(f"CAST({value} AS {kind}) AS `{column}`")
        if frame is None:
            session.sql(f"SELECT {', '.join(columns)} WHERE FALSE").createOrReplaceTempView(name)
        else:
            frame.selectExpr(*columns).createOrReplaceTempView(name)


class SparkCursor:
    """A DuckDB-cursor-like view of Spark for the few fixed queries of freshness and bounds.

    Those queries (first and last day of a column, a count of distinct values) are written
    once in the subset both engines read alike: min, max, count, CASE, CAST, DATE literals.
    They are transpiled here; the KPI queries are not (Store.query renders them per engine).
    """

    def __init__(self, session: SparkSession) -> None:
        self._session = session
        self._frame: pd.DataFrame | None = None

    def execute(self, sql: str, params: list[Any] | None = None) -> SparkCursor:
        tree = sqlglot.parse_one(sql, read="duckdb")
        values = iter(params or [])
        tree = tree.transform(
            lambda node: _literal(next(values)) if isinstance(node, exp.Placeholder) else node
        )
        self._frame = self._session.sql(tree.sql(dialect="spark")).toArrow().to_pandas()
        return self

    def df(self) -> pd.DataFrame:
        assert self._frame is not None
        return self._frame

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in self.df().itertuples(index=False)]

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        return {c: self.df()[c].to_numpy() for c in self.df().columns}


def _literal(value: object) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _plain(value: object) -> object:
    """A pandas cell as DuckDB's fetchall gives it: None for missing, Python scalars."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _small_file(session: SparkSession, path: str) -> str | None:
    """The text of a small file of the lake, or None when it is absent.

    Spark's readers skip files named `_...` even when asked for one, so a local path is read
    directly and a URL (s3a://, abfss://) through the cluster's Hadoop file system. A Spark
    Connect session has no such access: the rows then say how far each source goes.
    """
    if "://" not in path or path.startswith("file://"):
        local = Path(path.removeprefix("file://"))
        return local.read_text(encoding="utf-8")[:100] if local.is_file() else None
    jvm = getattr(session, "_jvm", None)
    if jvm is None:
        return None
    hadoop = jvm.org.apache.hadoop.fs.Path(path)
    system = hadoop.getFileSystem(session.sparkContext._jsc.hadoopConfiguration())
    if not system.exists(hadoop):
        return None
    stream = system.open(hadoop)
    try:
        return str(jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))[:100]
    finally:
        stream.close()


class LakeStore(Store):
    """A read-only store whose sources are the lake's Parquet datasets, computed by Spark."""

    engine = "spark"

    def __init__(self, lake: str | Path, definitions: Definitions) -> None:
        # Not Store.__init__: there is no database file; only what computing reads is kept.
        self.path = Path(str(lake))
        self.lake = str(lake)
        self.definitions = definitions
        self.read_only = True
        self.session = spark_session(definitions.calendar.timezone)
        register_lake(self.session, self.lake, definitions)

    def reload(self, definitions: Definitions) -> None:
        self.definitions = definitions
        register_lake(self.session, self.lake, definitions)

    def stated_through(self) -> dict[str, dt.date]:
        """The last day each source covers, where the lake says it (kpis/lake.py THROUGH)."""
        found = {}
        for name in self.definitions.sources:
            path = f"{self.lake.rstrip('/')}/{name}/{THROUGH}"
            text = _small_file(self.session, path)
            if text is None:  # not written: the rows say how far the source goes
                continue
            try:
                found[name] = dt.date.fromisoformat(text.strip())
            except ValueError:
                raise StoreError(
                    _("{path} must hold one date written YYYY-MM-DD, not {text}").format(
                        path=path, text=repr(text.strip()[:40])
                    )
                ) from None
        return found

    def data_version(self) -> tuple[int, int]:
        return (0, 0)

    def cursor(self) -> SparkCursor:  # type: ignore[override]
        return SparkCursor(self.session)

    def query(self, tree: exp.Expr) -> pd.DataFrame:
        return self.session.sql(self._sql(tree)).toArrow().to_pandas()

    def count(self, rows: exp.Expr) -> int:
        """How many rows a query of per-row values (kpi_query.rows_query) gives."""
        return int(self.session.sql(self._sql(rows)).count())

    def order_statistics(self, rows: exp.Expr, ranks: tuple[int, int], n: int) -> list[float]:
        """The values at these ranks (0-based) of the n values of `rows` (column v), exactly.

        percentile_disc(p) is the smallest value whose share of values at or below it reaches
        p: with p = (rank + 0.5) / n it is the value at `rank`, the same as sorting them all.
        """
        levels = ", ".join(
            f"percentile_disc({(rank + 0.5) / n!r}) WITHIN GROUP (ORDER BY v)" for rank in ranks
        )
        row = self.session.sql(f"SELECT {levels} FROM ({self._sql(rows)}) AS r").first()
        return [float(v) for v in (row or ())]

    def deviation(self, rows: exp.Expr) -> float:
        """The sample standard deviation of `rows` (column v)."""
        found = self.session.sql(f"SELECT stddev_samp(v) FROM ({self._sql(rows)}) AS r").first()
        return float(found[0]) if found and found[0] is not None else 0.0

    def _sql(self, tree: exp.Expr) -> str:
        from kpis.kpi_query import render

        return render(tree, self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        raise UsageError(_read_only(self.lake))
        yield  # pragma: no cover

    @contextmanager
    def dry_run(self) -> Iterator[Any]:
        raise UsageError(_read_only(self.lake))
        yield  # pragma: no cover

    def close(self) -> None:
        """The session stays for the process: starting Spark again costs seconds."""


def _read_only(lake: str) -> str:
    return _(
        "the lake {lake} is read by Spark and not written by this tool: load uploads into the "
        "database (kpis ingest), then kpis export --lake, or have your pipeline write the lake"
    ).format(lake=lake)
