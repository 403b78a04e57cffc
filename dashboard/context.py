"""What every page needs: the definitions, the database for this run, cached results.

The dashboard never keeps the database file open: other processes (a `kpis ingest` from a
script, the Monday report's cron job) need it too. A page run opens it read-only the first
time it needs data and closes it when the run ends (kpis.sharing); an upload, undo or event
change takes it alone for that change only. Results are cached data keyed by a stamp of the
file (its size and time, taken without opening it), so a page whose results are cached does
not open the file at all, and a load from anywhere shows at the next interaction; and by the
definitions' file time, so editing kpis.yaml shows at once. Pages call these functions and
`kpis`, never SQL.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import kpis
from kpis import i18n
from kpis.i18n import _

DEFAULT_DB = "data/ops.duckdb"
DEFAULT_CONFIG = "kpis.yaml"


_RUN = threading.local()  # the read this page run holds, if it has needed data yet


@dataclass(frozen=True)
class Context:
    """The definitions and database of this run, plus the key that versions cached results."""

    definitions: kpis.Definitions
    db: Path
    version: tuple[object, ...]
    lake: str | None = None  # with KPIS_ENGINE=spark: KPIs are computed from this lake

    @property
    def store(self) -> kpis.Store:
        """Where KPIs are computed: the database, or the lake read by Spark (read-only)."""
        if self.lake is not None:
            return _lake_store(self.lake, self.definitions)
        return self.database

    @property
    def database(self) -> kpis.Store:
        """The database, read-only, for the rest of this page run (opened on first use).

        Uploads, their history and the events added here live in it, whatever the engine.
        """
        held: tuple[Path, kpis.Store] | None = getattr(_RUN, "store", None)
        if held is not None and held[0] == self.db:
            return held[1]
        release()
        reads = ExitStack()
        store = reads.enter_context(kpis.reading(self.db, self.definitions))
        _RUN.store, _RUN.reads = (self.db, store), reads
        return store

    @contextmanager
    def writing(self) -> Iterator[kpis.Store]:
        """The database alone, writable, for one change; cached results are dropped after."""
        release()  # this run's read would make the change wait for itself
        try:
            with kpis.writing(self.db, self.definitions) as store:
                yield store
        finally:
            invalidate()


@st.cache_resource(show_spinner=False, max_entries=2)
def _lake_store(lake: str, _definitions: kpis.Definitions) -> kpis.Store:
    """Spark's session and the lake's views, made once: starting Spark takes seconds."""
    from kpis.spark_engine import LakeStore

    return LakeStore(lake, _definitions)


def engine_settings() -> str | None:
    """The lake to compute from (KPIS_ENGINE=spark, KPIS_LAKE), or None for the database."""
    engine = os.environ.get("KPIS_ENGINE") or "duckdb"
    if engine == "duckdb":
        return None
    if engine != "spark":
        raise kpis.UsageError(
            _("unknown engine {engine} (KPIS_ENGINE); use one of {engines}").format(
                engine=repr(engine), engines="duckdb, spark"
            )
        )
    lake = os.environ.get("KPIS_LAKE")
    if not lake:
        raise kpis.UsageError(_("--engine spark reads a lake: give --lake DIR (or KPIS_LAKE)"))
    return lake


def release() -> None:
    """End this run's read of the database (dashboard.errors.run calls it after each page)."""
    reads: ExitStack | None = getattr(_RUN, "reads", None)
    _RUN.store = _RUN.reads = None
    if reads is not None:
        reads.close()


def settings() -> tuple[Path, Path]:
    """The database and definitions paths, from the same variables as the CLI."""
    return (
        Path(os.environ.get("KPIS_DB") or DEFAULT_DB),
        Path(os.environ.get("KPIS_CONFIG") or DEFAULT_CONFIG),
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def definitions_cached(path: str, modified: float) -> kpis.Definitions:
    """kpis.yaml, read once per version of the file."""
    return kpis.load_definitions(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def _prepared(path: str, modified: float, _definitions: kpis.Definitions) -> bool:
    """Create the database, or the tables new definitions need, once per kpis.yaml version.

    A read-only database (or folder) is left as it is: reading it says what it lacks.
    """
    db = Path(path)
    if db.exists() and not os.access(db, os.W_OK):
        return False
    with kpis.writing(db, _definitions):
        return True


def load() -> Context:
    """The context of this run; shows what is wrong and stops the page when there is none."""
    db, config = settings()
    try:
        modified = config.stat().st_mtime if config.exists() else 0.0
        definitions = definitions_cached(str(config), modified)
        path = db.resolve()
        _prepared(str(path), modified, definitions)
        # The path is part of the key: two databases can have the same stamp. The language is
        # too: a cached result may hold text for people (a note, a reason).
        lake = engine_settings()
        version = (str(path), *kpis.data_stamp(path), modified, i18n.language(), lake,
                   _lake_stamp(lake))  # fmt: skip
    except kpis.DefinitionError as exc:
        st.error(
            _("**{file} cannot be used.** Fix these problems and reload the page.").format(
                file=config
            )
        )
        st.code("\n".join(str(p) for p in exc.problems) or str(exc), language=None)
        st.stop()
    except kpis.KpisError as exc:
        st.error(str(exc))
        st.stop()
    return Context(definitions, path, version, lake)


def _lake_stamp(lake: str | None) -> float:
    """When a local lake's datasets last changed (an export renames them): 0 for a URL."""
    if lake is None or "://" in lake or not Path(lake).is_dir():
        return 0.0
    return max((p.stat().st_mtime for p in Path(lake).iterdir()), default=0.0)


def invalidate() -> None:
    """Forget cached results: called after an upload or an undo."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=64)
def coverage(_ctx: Context, version: tuple[object, ...]) -> pd.DataFrame:
    return kpis.source_coverage(_ctx.store)


@st.cache_data(show_spinner=False, max_entries=64)
def kpi_span(
    _ctx: Context, version: tuple[object, ...], name: str
) -> tuple[dt.date, dt.date] | None:
    """The days KPI `name`'s data covers: the default range of `kpis compute --kpi name`."""
    span = kpis.coverage(_ctx.store, [name])
    return (span.start, span.end) if span is not None else None


@st.cache_data(show_spinner=False, max_entries=256)
def values(
    _ctx: Context,
    version: tuple[object, ...],
    names: tuple[str, ...],
    grain: kpis.Grain,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
) -> pd.DataFrame:
    """KPI values per period (kpis.compute), cached per data version."""
    return kpis.compute(_ctx.store, list(names), grain, start, end, by)


@st.cache_data(show_spinner=False, max_entries=128)
def comparison(
    _ctx: Context,
    version: tuple[object, ...],
    before: tuple[dt.date, dt.date],
    after: tuple[dt.date, dt.date],
    by: str | None = None,
    scope: tuple[str, str] | None = None,
    control: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The before/after table with its statistics (kpis.compare), cached per data version."""
    return kpis.compare(
        _ctx.store, kpis.DateRange(*before), kpis.DateRange(*after), None, by, scope,
        control=list(control) if control else None,
    )  # fmt: skip


def events(ctx: Context) -> list[kpis.Event]:
    """kpis.yaml's events and those added on the Before / after page."""
    return _events(ctx, ctx.version)


@st.cache_data(show_spinner=False, max_entries=16)
def _events(_ctx: Context, version: tuple[object, ...]) -> list[kpis.Event]:
    # Cached like the results: an event change writes the file, which changes the version.
    return kpis.all_events(_ctx.database)


def data_through(ctx: Context) -> dt.date | None:
    """The last day any source has data for."""
    days = coverage(ctx, ctx.version)["last_day"].dropna()
    return max(days) if len(days) else None


def require_data(ctx: Context) -> pd.DataFrame:
    """The coverage table; on an empty database, the first-run panel instead of the page."""
    table = coverage(ctx, ctx.version)
    if int(table["rows"].sum()) > 0:
        return table
    st.info(
        _(
            "**No data yet.** Load the demo data to look around, or upload your first export "
            "(CSV files from your CRM, helpdesk, e-commerce or warehouse tools)."
        )
    )
    from dashboard import auth  # here: auth reads the context too

    actor = auth.actor()
    if not actor.can("upload"):
        st.caption(_("An analyst of your team can load the first exports."))
        st.stop()
    left, right = st.columns(2)
    if left.button(_("Load the demo data"), type="primary", key="load_demo"):
        with st.spinner(_("Generating a year of sample exports and loading them...")):
            from kpis.demo import load_demo  # only here: the generator is not every page's cost

            with ctx.writing() as store:
                load_demo(store, ctx.db.parent / "sample", actor=actor)
        st.rerun()
    right.page_link(
        "app_pages/upload.py",  # i18n: ok (a path)
        label=_("Upload an export"),
        icon=":material/upload:",
    )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
