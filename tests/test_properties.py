"""Properties that must hold for any data: order, self-comparison, overlapping uploads."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import DateRange, Store, compare, compute, ingest_file, load_definitions
from tests.conftest import CONFIG
from tests.oracle import on_the_clock, write_export

DAY0 = dt.datetime(2026, 3, 2)
# Loaded here rather than taken as a fixture: hypothesis prints every argument of a failing
# example, and the definitions would bury the rows that matter.
DEFINITIONS = load_definitions(CONFIG)
SETTINGS = settings(max_examples=25, deadline=None)

leads = st.lists(
    st.tuples(
        st.integers(0, 27),
        st.integers(0, 86399),
        st.sampled_from(["web", "partner"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=60,
).map(
    lambda rows: [
        {
            "lead_id": f"L{i}",
            "created_at": on_the_clock(DAY0 + dt.timedelta(days=d, seconds=s)),
            "channel": c,
            "converted": v,
        }
        for i, (d, s, c, v) in enumerate(rows)
    ]
)
tickets = st.lists(
    st.tuples(
        st.integers(0, 27), st.integers(0, 200 * 3600), st.one_of(st.none(), st.integers(1, 5))
    ),
    min_size=1,
    max_size=60,
).map(
    lambda rows: [
        {
            "ticket_id": f"T{i}",
            "created_at": DAY0 + dt.timedelta(days=d),
            "resolved_at": on_the_clock(DAY0 + dt.timedelta(days=d, seconds=s)),
            "csat_score": score,
            "channel": "chat",
            "team": "tech",
        }
        for i, (d, s, score) in enumerate(rows)
    ]
)


@contextmanager
def fresh_store() -> Iterator[tuple[Store, Path]]:
    """A new DuckDB file per example (function fixtures are shared across examples)."""
    with (
        tempfile.TemporaryDirectory() as folder,
        Store(Path(folder) / "ops.duckdb", DEFINITIONS) as store,
    ):
        yield store, Path(folder)


def _load(store: Store, folder: Path, name: str, source: str, rows: list[dict]) -> None:
    ingest_file(store, write_export(folder / name, source, rows), source=source)


def _weekly(store: Store) -> pd.DataFrame:
    return compute(
        store,
        ["conversion_rate", "csat", "resolution_time"],
        "week",
        DAY0.date(),
        DAY0.date() + dt.timedelta(days=40),
    )


@SETTINGS
@given(lead_rows=leads, ticket_rows=tickets, seed=st.integers(0, 10**6))
def test_row_order_does_not_change_a_kpi(lead_rows, ticket_rows, seed) -> None:
    shuffled_leads, shuffled_tickets = list(lead_rows), list(ticket_rows)
    random.Random(seed).shuffle(shuffled_leads)
    random.Random(seed + 1).shuffle(shuffled_tickets)
    with fresh_store() as (first, folder_a), fresh_store() as (second, folder_b):
        _load(first, folder_a, "l.csv", "leads", lead_rows)
        _load(first, folder_a, "t.csv", "tickets", ticket_rows)
        _load(second, folder_b, "l.csv", "leads", shuffled_leads)
        _load(second, folder_b, "t.csv", "tickets", shuffled_tickets)
        pd.testing.assert_frame_equal(_weekly(first), _weekly(second))


@SETTINGS
@given(lead_rows=leads, ticket_rows=tickets, start=st.integers(0, 20), length=st.integers(0, 20))
def test_a_range_compared_with_itself_has_no_change(lead_rows, ticket_rows, start, length) -> None:
    window = DateRange(
        DAY0.date() + dt.timedelta(days=start), DAY0.date() + dt.timedelta(days=start + length)
    )
    with fresh_store() as (store, folder):
        _load(store, folder, "l.csv", "leads", lead_rows)
        _load(store, folder, "t.csv", "tickets", ticket_rows)
        table = compare(store, window, window, ["conversion_rate", "csat", "resolution_time"])
    for row in table.to_dict("records"):
        if pd.isna(row["before"]):
            assert pd.isna(row["delta"]) and row["improved"] is None
        else:
            assert row["delta"] == 0 and row["improved"] is False
            assert row["delta_pct"] == 0 or pd.isna(row["delta_pct"])  # none when before is 0


@SETTINGS
@given(lead_rows=leads, ticket_rows=tickets, cut=st.floats(0, 1), overlap=st.floats(0, 1))
def test_overlapping_uploads_give_the_same_kpis_as_one(
    lead_rows, ticket_rows, cut, overlap
) -> None:
    def halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
        split = round(cut * len(rows))
        back = round(overlap * split)  # rows of the first file repeated in the second
        return rows[:split], rows[split - back :]

    with fresh_store() as (whole, folder_a), fresh_store() as (parts, folder_b):
        _load(whole, folder_a, "l.csv", "leads", lead_rows)
        _load(whole, folder_a, "t.csv", "tickets", ticket_rows)
        for source, rows in (("leads", lead_rows), ("tickets", ticket_rows)):
            first, second = halves(rows)
            if first:
                _load(parts, folder_b, f"{source}_1.csv", source, first)
            if second:
                _load(parts, folder_b, f"{source}_2.csv", source, second)
        pd.testing.assert_frame_equal(_weekly(whole), _weekly(parts))
        count = parts.cursor().execute("SELECT count(*) FROM leads").fetchone()
        assert count == (len(lead_rows),)
