"""The engine against the plain-Python oracle, on random exports, for every KPI and grain."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from kpis import Store, compute, ingest_file
from tests.oracle import kpi_values, random_exports, write_export

START = dt.date(2026, 2, 20)  # a Friday, so weeks and months are clipped at both ends
END = dt.date(2026, 5, 12)


@pytest.fixture(scope="module", params=[1, 2, 3])
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, definitions
) -> tuple[Store, dict]:
    """Random exports (one seed per param) loaded into a DuckDB file, with the rows."""
    folder = tmp_path_factory.mktemp(f"oracle{request.param}")
    data = random_exports(request.param, dt.date(2026, 2, 10), 100)
    store = Store(folder / "ops.duckdb", definitions)
    for source, rows in data.items():
        result = ingest_file(store, write_export(folder / f"{source}.csv", source, rows))
        assert result.rows_rejected == 0, result.problems[:3]
    yield store, data
    store.close()


def _same(engine: float, oracle: float | None) -> bool:
    if oracle is None:
        return math.isnan(engine)
    return engine == pytest.approx(oracle, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter"])
@pytest.mark.parametrize(
    "kpi",
    [
        "conversion_rate",
        "csat",
        "resolution_time",
        "service_rate",
        "stock_rotation",
        "cost_per_unit_shipped",
        "order_processing_time",
        "incident_rate",
        "first_contact_resolution",
        "contacts_per_100_orders",
        "cost_per_acquisition",
    ],
)
def test_engine_matches_oracle(loaded: tuple[Store, dict], kpi: str, grain: str) -> None:
    store, data = loaded
    frame = compute(store, [kpi], grain, START, END)
    expected = kpi_values(kpi, data, grain, START, END)
    got = dict(zip(frame["period_start"], frame["value"], strict=True))
    assert list(got) == list(expected)
    wrong = {p: (got[p], expected[p]) for p in got if not _same(got[p], expected[p])}
    assert not wrong


@pytest.mark.parametrize(
    ("kpi", "dimension"),
    [
        ("conversion_rate", "channel"),
        ("csat", "team"),
        ("resolution_time", "channel"),
        ("service_rate", "warehouse"),
        ("stock_rotation", "warehouse"),
        ("cost_per_unit_shipped", "carrier"),
        ("order_processing_time", "warehouse"),
        ("incident_rate", "warehouse"),
        ("first_contact_resolution", "team"),
        ("cost_per_acquisition", "channel"),
    ],
)
def test_breakdown_matches_oracle(loaded: tuple[Store, dict], kpi: str, dimension: str) -> None:
    store, data = loaded
    frame = compute(store, [kpi], "month", START, END, by=dimension)
    for value in set(frame["dimension_value"]):
        part = frame[frame["dimension_value"] == value]
        expected = kpi_values(kpi, data, "month", START, END, (dimension, value))
        got = dict(zip(part["period_start"], part["value"], strict=True))
        assert list(got) == list(expected)
        assert all(_same(got[p], expected[p]) for p in got), value


def test_oracle_data_is_not_trivial(loaded: tuple[Store, dict]) -> None:
    """Guard against a vacuous pass: most weeks have a value for every KPI."""
    store, _ = loaded
    frame = compute(store, grain="week", start=START, end=END)
    assert frame["value"].notna().mean() > 0.8


def test_oracle_written_file_is_read_back(loaded: tuple[Store, dict], tmp_path: Path) -> None:
    store, data = loaded
    count = store.cursor().execute("SELECT count(*) FROM leads").fetchone()
    assert count == (len(data["leads"]),)
