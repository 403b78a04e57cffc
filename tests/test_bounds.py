"""Requests are bounded: huge ranges are clamped to the data, too much is refused with the limit.

A URL or a command line may ask for a day-by-day series over nine thousand years, a window of
a million days or a breakdown by a column with millions of values. Each must either be
clamped to the data without changing any value shown, or refused with the setting to raise;
and the command that asks must stay within a few hundred megabytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis import DateRange, Store, UsageError, compare, compute, coverage, parse_definitions
from kpis.bounds import clamp_to_data, period_count
from kpis.periods import GRAINS, periods
from tests.conftest import CONFIG, run_cli, run_cli_peak

DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))


@given(DAYS, st.integers(min_value=0, max_value=800), st.sampled_from(GRAINS))
def test_periods_are_counted_without_listing_them(start: dt.date, length: int, grain) -> None:
    window = DateRange(start, start + dt.timedelta(days=length))
    assert period_count(window, grain) == len(periods(window, grain))


@settings(deadline=None, max_examples=60)  # listing decades of days takes a while
@given(DAYS, DAYS, DAYS, st.sampled_from(GRAINS))
def test_clamping_keeps_every_period_that_holds_data(a, b, c, grain) -> None:
    """Each period of the request that touches the data is kept whole, with the same days."""
    first, last = sorted((a, b))
    span = DateRange(first, max(last, first))
    window = DateRange(min(c, span.start) - dt.timedelta(days=400), max(c, span.end))
    clamped = clamp_to_data(window, grain, span)
    assert clamped is not None
    kept = {(p.start, p.first_day, p.last_day) for p in periods(clamped, grain)}
    wanted = {
        (p.start, p.first_day, p.last_day)
        for p in periods(window, grain)
        if p.first_day <= span.end and p.last_day >= span.start
    }
    assert kept == wanted


def test_a_range_of_millennia_is_clamped_to_the_data(demo_store: Store) -> None:
    asked = compute(demo_store, grain="day", start=dt.date(1000, 1, 1), end=dt.date(2999, 12, 31))
    plain = compute(demo_store, grain="day")
    assert "clamped to the data" in asked.attrs["note"]
    assert asked.drop(columns=[]).equals(plain)  # the same periods, the same values


@pytest.mark.parametrize("grain", GRAINS)
def test_a_range_reaching_the_end_of_the_calendar_is_clamped(demo_store: Store, grain) -> None:
    frame = compute(demo_store, grain=grain, start=dt.date(2026, 1, 1), end=dt.date(9999, 12, 31))
    span = coverage(demo_store, list(demo_store.definitions.kpis))
    assert span is not None and frame["period_end"].max() < span.end + dt.timedelta(days=92)
    assert frame["period_start"].max() <= span.end
    assert "clamped" in frame.attrs["note"]


def test_a_range_without_data_is_empty_with_a_note(demo_store: Store) -> None:
    frame = compute(demo_store, grain="day", start=dt.date(1000, 1, 1), end=dt.date(1500, 1, 1))
    assert frame.empty and "holds no data" in frame.attrs["note"]


def test_a_request_within_the_limit_is_computed_as_asked(demo_store: Store) -> None:
    frame = compute(demo_store, ["csat"], "week", dt.date(2025, 1, 6), dt.date(2025, 2, 2))
    assert len(frame) == 4 and frame["value"].isna().all()  # before the data: shown missing
    assert "note" not in frame.attrs


def _limited(tmp_path: Path, demo_db: Path, limits: str) -> Store:
    text = CONFIG.read_text() + f"\nlimits: {limits}\n"
    target = tmp_path / "limited.duckdb"
    target.write_bytes(demo_db.read_bytes())
    return Store(target, parse_definitions(text))


def test_too_many_periods_even_within_the_data_are_refused(tmp_path: Path, demo_db: Path) -> None:
    with (
        _limited(tmp_path, demo_db, "{max_periods: 30}") as store,
        pytest.raises(UsageError, match=r"more than the 30 .*max_periods.*coarser grain"),
    ):
        compute(store, grain="day", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))


def test_a_breakdown_with_too_many_values_is_refused(tmp_path: Path, demo_db: Path) -> None:
    window = DateRange(dt.date(2026, 1, 5), dt.date(2026, 2, 1))
    with _limited(tmp_path, demo_db, "{max_breakdown_values: 2}") as store:  # 3 teams
        with pytest.raises(UsageError, match=r"team has more than 2 values.*max_breakdown_values"):
            compute(store, ["csat"], "month", by="team")
        with pytest.raises(UsageError, match="max_breakdown_values"):
            compare(store, window, window, ["csat"], by="team", statistics=False)
    (tmp_path / "limited.duckdb").unlink()
    with _limited(tmp_path, demo_db, "{max_breakdown_values: 3}") as store:
        assert set(compute(store, ["csat"], "month", by="team")["dimension_value"]) == {
            "billing", "logistics", "tech"
        }  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((dt.date(1, 1, 1), dt.date(9999, 12, 31)), (dt.date(2026, 1, 5), dt.date(2026, 2, 1))),
        ((dt.date(2026, 1, 5), dt.date(2026, 2, 1)), (dt.date(1990, 1, 1), dt.date(2026, 2, 1))),
        ((dt.date(9990, 1, 1), dt.date(9999, 12, 31)), (dt.date(2026, 1, 5), dt.date(2026, 2, 1))),
    ],
)
def test_comparison_windows_are_bounded(demo_store: Store, before, after) -> None:
    with pytest.raises(UsageError, match="max_periods"):
        compare(demo_store, DateRange(*before), DateRange(*after), ["csat"])


def test_windows_years_apart_get_no_trend_line(demo_store: Store) -> None:
    before = DateRange(dt.date(1100, 1, 4), dt.date(1100, 1, 31))
    after = DateRange(dt.date(2026, 1, 5), dt.date(2026, 2, 1))
    table = compare(demo_store, before, after, ["csat"])
    assert table["before"].isna().all() and table["trend_per_week"].isna().all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--event", "ops-playbook", "--weeks", "100000000000"], "--weeks must be"),
        (["compare", "--event", "ops-playbook", "--weeks", "0"], "--weeks must be"),
        (["compare", "--event", "ops-playbook", "--washout", "99999999999"], "--washout must"),
        (["compare", "--event", "ops-playbook", "--washout", "-1"], "--washout must"),
        (
            ["compare", "--before", "0001-01-01:9999-12-31", "--after", "2026-01-05:2026-02-01"],
            "max_periods",
        ),
    ],
)
def test_the_cli_refuses_what_it_cannot_bound(demo_db: Path, args, message) -> None:
    result = run_cli("--db", str(demo_db), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_a_day_by_day_request_over_two_millennia_stays_small(demo_db: Path, tmp_path: Path) -> None:
    """Before the bound this request took 7 GB; now it is clamped and takes the usual memory."""
    db = tmp_path / "ops.duckdb"
    db.write_bytes(demo_db.read_bytes())
    result, peak_mb = run_cli_peak(
        "--db", str(db), "compute", "--grain", "day", "--start", "1000-01-01",
        "--end", "2999-12-31", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("note: the range 1000-01-01:2999-12-31 was clamped to the data")
    assert peak_mb < 500, f"peak memory {peak_mb} MB"


def test_a_database_loaded_before_dates_were_checked_still_computes(
    tmp_path: Path, demo_db: Path
) -> None:
    """Rows an older version stored ('infinity', year 9999, year 1) no longer break anything."""
    db = tmp_path / "old.duckdb"
    db.write_bytes(demo_db.read_bytes())
    with Store(db, parse_definitions(CONFIG.read_text())) as store:
        store.cursor().execute(
            "INSERT INTO leads VALUES ('X1', 'infinity', 'web', true, NULL, 1), "
            "('X2', '9999-12-31 10:00', 'web', true, NULL, 1), "
            "('X3', '0001-01-01', 'web', false, NULL, 1)"
        )
        span = coverage(store, ["conversion_rate"])
        assert span is not None and span.start.year == 1000 and span.end.year == 9000
        # Over all its "days" the data spans eight thousand years: said, not attempted.
        with pytest.raises(UsageError, match="max_periods"):
            compute(store, ["conversion_rate"])
        weekly = compute(
            store, ["conversion_rate"], "week", dt.date(2026, 1, 5), dt.date(2026, 3, 1)
        )
        assert weekly["value"].notna().all()
        from kpis import source_coverage, windows_around_event

        assert source_coverage(store)["last_day"].max() == dt.date(9000, 12, 31)
        windows = windows_around_event(store, "ops-playbook", 8)
        assert not compare(store, windows.before, windows.after).empty
