"""What every page needs: the definitions, the one Store of the process, cached results.

The Store (one DuckDB connection for the whole process) is a cached resource; results are
cached data keyed by the store's data version, so they are recomputed only after an upload
or an undo, and by the definitions' file time, so editing kpis.yaml shows at once. Pages
call these functions and `kpis`, never SQL.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import kpis

DEFAULT_DB = "data/ops.duckdb"
DEFAULT_CONFIG = "kpis.yaml"


@dataclass(frozen=True)
class Context:
    """The definitions and store of this run, plus the key that versions cached results."""

    definitions: kpis.Definitions
    store: kpis.Store
    version: tuple[object, ...]


def settings() -> tuple[Path, Path]:
    """The database and definitions paths, from the same variables as the CLI."""
    return (
        Path(os.environ.get("KPIS_DB") or DEFAULT_DB),
        Path(os.environ.get("KPIS_CONFIG") or DEFAULT_CONFIG),
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _definitions(path: str, modified: float) -> kpis.Definitions:
    return kpis.load_definitions(path)


@st.cache_resource(show_spinner=False)
def _store(path: str, _definitions: kpis.Definitions) -> kpis.Store:
    return kpis.Store(path, _definitions)


def load() -> Context:
    """The context of this run; shows what is wrong and stops the page when there is none."""
    db, config = settings()
    try:
        modified = config.stat().st_mtime if config.exists() else 0.0
        definitions = _definitions(str(config), modified)
        store = _store(str(db.resolve()), definitions)
        store.reload(definitions)
        # The path is part of the key: two databases can be at the same upload count.
        version = (str(db.resolve()), *store.data_version(), modified)
    except kpis.DefinitionError as exc:
        st.error(f"**{config} cannot be used.** Fix these problems and reload the page.")
        st.code("\n".join(str(p) for p in exc.problems) or str(exc), language=None)
        st.stop()
    except kpis.KpisError as exc:
        st.error(str(exc))
        st.stop()
    return Context(definitions, store, version)


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
) -> pd.DataFrame:
    """The before/after table with its statistics (kpis.compare), cached per data version."""
    return kpis.compare(
        _ctx.store, kpis.DateRange(*before), kpis.DateRange(*after), None, by, scope
    )


def events(ctx: Context) -> list[kpis.Event]:
    """kpis.yaml's events and those added on the Before / after page."""
    return kpis.all_events(ctx.store)


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
        "**No data yet.** Load the demo data to look around, or upload your first export "
        "(CSV files from your CRM, helpdesk, e-commerce or warehouse tools)."
    )
    left, right = st.columns(2)
    if left.button("Load the demo data", type="primary", key="load_demo"):
        with st.spinner("Generating a year of sample exports and loading them..."):
            from kpis.demo import load_demo  # only here: the generator is not every page's cost

            db, _ = settings()
            load_demo(ctx.store, db.parent / "sample")
        invalidate()
        st.rerun()
    right.page_link("app_pages/upload.py", label="Upload an export", icon=":material/upload:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
