"""KPI computation: golden cases worked out by hand, plus the rules every KPI follows.

The golden cases live in tests/golden/<kpi>.yaml, each with its exports inline and the
expected values worked out by hand in comments; they run here as titled tests, through the
real upload path into a real DuckDB file.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpis import Store, UsageError, compute, ingest_file
from tests.conftest import WriteCsv

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.yaml"))


def _cases() -> list[Any]:
    cases = []
    for path in GOLDEN:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(case, id=f"{path.stem}: {case['title']}"))
    return cases


@pytest.mark.parametrize("case", _cases())
def test_golden(case: dict[str, Any], store: Store, write_csv: WriteCsv) -> None:
    # Each case's exports cover its whole range (unless it says `through:`), so every period
    # asked for is complete: the values are what is tested here (freshness: test_freshness.py).
    through = case.get("through", case["end"])
    for source, text in case["files"].items():
        path = write_csv(f"{source}.csv", text=text)
        result = ingest_file(store, path, source=source, through=through)
        assert result.rows_rejected == 0, result.problems
    frame = compute(store, [case["kpi"]], case["grain"], case["start"], case["end"], case.get("by"))
    if case.get("by"):
        got = [
            [row["period_start"], row["dimension_value"], row["value"]]
            for row in frame.to_dict("records")
        ]
    else:
        got = [[row["period_start"], row["value"]] for row in frame.to_dict("records")]
    expected = case["expected"]
    assert [g[:-1] for g in got] == [e[:-1] for e in expected]
    for g, e in zip(got, expected, strict=True):
        if e[-1] is None:
            assert g[-1] != g[-1] or g[-1] is None, f"{g[:-1]}: expected no value, got {g[-1]}"
        else:
            assert g[-1] == pytest.approx(e[-1], rel=1e-12), g[:-1]


def test_golden_files_cover_every_kpi(definitions: Any) -> None:
    assert {p.stem for p in GOLDEN} == set(definitions.kpis)


LEADS = ["lead_id", "created_at", "channel", "converted"]


@pytest.fixture
def leads_store(store: Store, write_csv: WriteCsv) -> Store:
    """Five leads over two weeks of January 2026 (Monday 5th and Monday 12th)."""
    rows = [
        ["L1", "2026-01-05 09:00", "web", "true"],
        ["L2", "2026-01-07 09:00", "web", "false"],
        ["L3", "2026-01-08 09:00", "partner", "true"],
        ["L4", "2026-01-12 09:00", "web", "false"],
        ["L5", "2026-01-14 09:00", "partner", "false"],
    ]
    ingest_file(store, write_csv("leads.csv", LEADS, rows))
    return store


def test_default_range_is_the_days_with_data(leads_store: Store) -> None:
    frame = compute(leads_store, ["conversion_rate"], "day")
    assert frame["period_start"].iloc[0] == dt.date(2026, 1, 5)
    assert frame["period_end"].iloc[-1] == dt.date(2026, 1, 14)
    assert len(frame) == 10  # every day of the range, with or without data


def test_periods_report_their_days(leads_store: Store) -> None:
    frame = compute(
        leads_store, ["conversion_rate"], "week", dt.date(2026, 1, 7), dt.date(2026, 1, 13)
    )
    rows = frame[["period_start", "period_end", "days"]].values.tolist()
    assert rows == [
        [dt.date(2026, 1, 5), dt.date(2026, 1, 11), 5],  # Wednesday 7 to Sunday 11
        [dt.date(2026, 1, 12), dt.date(2026, 1, 13), 2],
    ]


def test_quarter_grain(leads_store: Store) -> None:
    frame = compute(leads_store, ["conversion_rate"], "quarter")
    assert frame["period_start"].tolist() == [dt.date(2026, 1, 1)]
    assert frame["value"].iloc[0] == pytest.approx(2 / 5)


def test_numerator_and_denominator_are_returned(leads_store: Store) -> None:
    frame = compute(leads_store, ["conversion_rate"], "week")
    assert frame[["numerator", "denominator"]].values.tolist() == [[2.0, 3.0], [0.0, 2.0]]


def test_empty_database_gives_an_empty_result(store: Store) -> None:
    assert compute(store).empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpis": ["conversion"]}, "unknown KPI 'conversion' (did you mean 'conversion_rate'?)"),
        ({"grain": "year"}, "unknown grain 'year'"),
        ({"kpis": ["csat"], "by": "warehouse"}, "csat cannot be broken down by 'warehouse'"),
        ({"by": "colour"}, "no KPI can be broken down by 'colour'"),
        ({"start": dt.date(2026, 2, 1), "end": dt.date(2026, 1, 1)}, "ends (2026-01-01) before"),
    ],
)
def test_requests_that_cannot_be_answered(
    leads_store: Store, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        compute(leads_store, **kwargs)


def test_breakdown_without_kpis_keeps_those_that_can(
    leads_store: Store, write_csv: WriteCsv
) -> None:
    header = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
    rows = [["T1", "2026-01-05 09:00", "2026-01-05 11:00", "5", "chat", "tech"]]
    ingest_file(leads_store, write_csv("tickets.csv", header, rows))
    frame = compute(leads_store, by="channel")
    # Orders, shipments and inventory have no channel: their KPIs are left out, not failed.
    assert set(frame["kpi"]) == {"conversion_rate", "csat", "resolution_time",
                                 "first_contact_resolution", "cost_per_acquisition"}  # fmt: skip


@pytest.mark.parametrize(
    ("created_at", "in_the_window"),
    [
        ("2026-01-04 23:59:59", False),
        ("2026-01-05 00:00:00", True),
        ("2026-01-11 23:59:59.999", True),
        ("2026-01-12 00:00:00", False),
    ],
)
def test_a_window_holds_its_days_from_midnight_to_midnight(
    created_at: str, in_the_window: bool, store: Store, write_csv: WriteCsv
) -> None:
    """The window is filtered on the raw timestamp (for speed); its edges stay whole days."""
    rows = [["L0", "2026-01-07 09:00", "web", "false"], ["L1", created_at, "web", "true"]]
    # The export covers the week whole (through its Sunday, or Monday for the late row).
    through = dt.date(2026, 1, 12) if created_at.startswith("2026-01-12") else dt.date(2026, 1, 11)
    ingest_file(store, write_csv("leads.csv", LEADS, rows), through=through)
    frame = compute(store, ["conversion_rate"], "week", dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert frame["value"].tolist() == [0.5 if in_the_window else 0.0]
