"""Hostile URLs: every parameter falls back or is clamped, and no page shows a traceback.

A link is anyone's to write. Each case opens the real app (AppTest) on the demo database
with one hostile parameter and checks the view it falls back to; the handler around every
page (dashboard/errors.py) is checked on its own, with a real page that fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from pathlib import Path

import pytest
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from tests.conftest import CONFIG, ROOT
from tests.dashboard.conftest import OpenApp

FIRST, THROUGH = dt.date(2025, 11, 12), dt.date(2026, 11, 15)  # the demo data's days
LONG = "2026-W10" * 2_000
GENERIC = "Something went wrong on our side"


def _calm(app: AppTest) -> None:
    """No exception element, no generic error: the page fell back instead of failing."""
    assert not app.exception, [e.value for e in app.exception]
    assert not [e.value for e in app.error if GENERIC in e.value]


WEEKLY = {
    "unknown_week": "2026-W99",
    "script": "<script>alert(1)</script>",
    "sql": "2026-W46'; DROP TABLE leads;--",
    "path": "../../etc/passwd",
    "empty": "",
    "trailing_space": "2026-W10 ",
    "very_long": LONG,
}


@pytest.mark.parametrize("week", WEEKLY.values(), ids=WEEKLY.keys())
def test_weekly_falls_back_to_the_latest_week(
    open_app: OpenApp, demo_copy: Path, week: str
) -> None:
    app = open_app(demo_copy, week=week)
    _calm(app)
    assert app.selectbox(key="week").value == "2026-W46"
    assert len(app.metric) == 11
    # The hostile value is gone from the link: the week shown is pinned in its place.
    assert app.query_params["week"] == "2026-W46"
    # The message repeats a value only when it looks like one (never markup or a script).
    said = " ".join(w.value for w in app.warning if "This link asks for" in w.value)
    echoed = f"week {week!r}, which is not available here"
    assert (echoed if week in ("2026-W99", "2026-W10 ") else "a week that is not one") in said


EXPLORER_SELECTS = {
    "kpi_script": ({"kpi": "<script>alert(1)</script>"}, "kpi", "conversion_rate"),
    "kpi_case": ({"kpi": "CSAT"}, "kpi", "conversion_rate"),
    "kpi_long": ({"kpi": "csat" * 5_000}, "kpi", "conversion_rate"),
    "grain_year": ({"grain": "year"}, "grain", "week"),
    "grain_upper": ({"grain": "DAY"}, "grain", "week"),
    "by_key_column": ({"kpi": "csat", "by": "ticket_id"}, "by", ""),
    "by_other_kpis": ({"kpi": "conversion_rate", "by": "team"}, "by", ""),
    "by_sql": ({"kpi": "csat", "by": "team; DROP TABLE tickets"}, "by", ""),
    "repeated_last_wins": ({"kpi": ["<script>", "csat"]}, "kpi", "csat"),
    "repeated_last_hostile": ({"grain": ["month", "hour"]}, "grain", "week"),
}


@pytest.mark.parametrize(
    ("params", "key", "expected"), EXPLORER_SELECTS.values(), ids=EXPLORER_SELECTS.keys()
)
def test_explorer_choices_fall_back(
    open_app: OpenApp, demo_copy: Path, params: dict[str, str], key: str, expected: str
) -> None:
    app = open_app(demo_copy, page="app_pages/explorer.py", **params)
    _calm(app)
    assert app.selectbox(key=key).value == expected
    assert len(app.dataframe[0].value) > 0


# The Explorer's default range is the KPI's own data, as `kpis compute --kpi csat` takes it:
# tickets resolved from the demo's first week to its last day.
DEFAULT = (dt.date(2025, 11, 17), THROUGH)
RANGES = {
    "beyond_both_ends": ("0001-01-02:9999-12-30", (FIRST, THROUGH)),
    "beyond_the_end": ("2026-03-01:9999-12-30", (dt.date(2026, 3, 1), THROUGH)),
    "before_the_start": ("0001-01-02:2026-02-01", (FIRST, dt.date(2026, 2, 1))),
    "all_before_the_data": ("0001-01-01:0001-12-31", DEFAULT),
    "all_after_the_data": ("9999-01-01:9999-12-31", DEFAULT),
    "reversed": ("2026-03-01:2026-02-01", DEFAULT),
    "no_such_day": ("2026-02-30:2026-03-01", DEFAULT),
    "half": ("2026-01-01", DEFAULT),
    "three_parts": ("2026-01-01:2026-02-01:2026-03-01", DEFAULT),
    "negative_year": ("-2026-01-01:2026-02-01", DEFAULT),
    "year_10000": ("2026-01-01:10000-01-01", DEFAULT),
    "empty": ("", DEFAULT),
    "very_long": ("2026-01-01:" + "9" * 10_000, DEFAULT),
    "inside": ("2026-01-05:2026-02-01", (dt.date(2026, 1, 5), dt.date(2026, 2, 1))),
}


@pytest.mark.parametrize(("text", "expected"), RANGES.values(), ids=RANGES.keys())
def test_explorer_range_is_clamped_to_the_data(
    open_app: OpenApp, demo_copy: Path, text: str, expected: tuple[dt.date, dt.date]
) -> None:
    """The review's URL grew the server until the kernel killed it: grain=day, 9,000 years."""
    app = open_app(demo_copy, page="app_pages/explorer.py", kpi="csat", grain="day", range=text)
    _calm(app)
    picker = app.date_input(key="range")
    assert picker.value == expected
    assert (picker.proto.min, picker.proto.max) == (str(FIRST), str(THROUGH))
    assert len(app.dataframe[0].value) == (expected[1] - expected[0]).days + 1
    # The range shown is pinned in the URL (the data's days move on; the link must not).
    assert app.query_params.get("range") == f"{expected[0]}:{expected[1]}"
    said = [w.value for w in app.warning if "This link asks for" in w.value]
    assert bool(said) == (text != f"{expected[0]}:{expected[1]}")  # what was not used is said


BEFORE_AFTER = {
    "mode": ({"mode": "x"}, "mode", "event"),
    "event": ({"event": "no-such-event"}, "event", "ops-playbook"),
    "weeks_negative": ({"weeks": "-1"}, "weeks", 0),
    "weeks_huge": ({"weeks": "100000"}, "weeks", 0),
    "weeks_text": ({"weeks": "four"}, "weeks", 0),
    "washout": ({"washout": "-7"}, "washout", 0),
    "baseline": ({"baseline": "..."}, "baseline", "before"),
    "dim": ({"dim": "ticket_id"}, "dim", "carrier"),
    "dim_kpi": ({"dim": "channel", "dim_kpi": "<img src=x>"}, "dim_kpi", "conversion_rate"),
}


@pytest.mark.parametrize(
    ("params", "key", "expected"), BEFORE_AFTER.values(), ids=BEFORE_AFTER.keys()
)
def test_before_after_choices_fall_back(
    open_app: OpenApp, demo_copy: Path, params: dict[str, str], key: str, expected: object
) -> None:
    app = open_app(demo_copy, page="app_pages/before_after.py", **params)
    _calm(app)
    widget = app.radio(key=key) if key == "mode" else app.selectbox(key=key)
    assert widget.value == expected
    assert len(app.table[0].value) == 11


def _days(text: str) -> tuple[dt.date, dt.date]:
    start, end = text.split(":")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


COMPARED_RANGES = {
    "before_beyond_both_ends": (
        {"before": "0001-01-02:9999-12-30", "after": "2026-10-01:2026-10-31"},
        ((FIRST, THROUGH), _days("2026-10-01:2026-10-31")),
    ),
    "before_in_year_one": (
        {"before": "0001-01-02:0001-01-10"},
        (_days("2026-09-21:2026-10-18"), _days("2026-10-19:2026-11-15")),
    ),
    "after_beyond_the_end": (
        {"before": "2026-01-05:2026-02-01", "after": "2026-10-01:9999-12-30"},
        (_days("2026-01-05:2026-02-01"), (dt.date(2026, 10, 1), THROUGH)),
    ),
    "both_reversed": (
        {"before": "2026-02-01:2026-01-05", "after": "2026-11-01:2026-10-01"},
        (_days("2026-09-21:2026-10-18"), _days("2026-10-19:2026-11-15")),
    ),
}


@pytest.mark.parametrize(
    ("params", "expected"), COMPARED_RANGES.values(), ids=COMPARED_RANGES.keys()
)
def test_before_after_ranges_are_clamped_to_the_data(
    open_app: OpenApp,
    demo_copy: Path,
    params: dict[str, str],
    expected: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]],
) -> None:
    app = open_app(demo_copy, page="app_pages/before_after.py", mode="ranges", **params)
    _calm(app)
    assert (app.date_input(key="before").value, app.date_input(key="after").value) == expected
    assert len(app.table[0].value) == 11


def test_the_event_forms_date_picker_is_bounded(open_app: OpenApp, demo_copy: Path) -> None:
    """Bounds of its own, so st.date_input never computes ±10 years around a far date."""
    app = open_app(demo_copy, page="app_pages/before_after.py")
    picker = app.date_input(key="event_date")
    assert (picker.proto.min, picker.proto.max) == ("1970-01-01", "2100-12-31")


def test_a_limit_of_the_engine_is_a_message(
    open_app: OpenApp, demo_copy: Path, tmp_path: Path
) -> None:
    """kpis.yaml's limits refuse a request with a UsageError: the page says so, no traceback."""
    config = tmp_path / "kpis.yaml"
    config.write_text(CONFIG.read_text() + "\nlimits:\n  max_periods: 20\n")
    app = open_app(
        demo_copy, page="app_pages/explorer.py", config=config, kpi="csat", grain="day",
        range="2026-01-01:2026-03-31",
    )  # fmt: skip
    _calm(app)
    assert any("max_periods" in e.value for e in app.error), [e.value for e in app.error]
    assert not app.dataframe  # nothing computed past the refusal


def _app_with_failing_page(failure: str) -> None:
    """A real app whose one page fails as asked, behind the dashboard's real handler."""
    import streamlit as st

    import kpis
    from dashboard import errors

    def page() -> None:
        st.write("before the failure")
        if failure == "bug":
            raise RuntimeError("/srv/app/secret_module.py: database password is hunter2")
        if failure == "usage":
            raise kpis.UsageError("the range 0001-01-02:9999-12-30 is too long")
        if failure == "stop":
            st.stop()
        st.write("after")

    errors.run(st.navigation([st.Page(page, title="Page", default=True)]))


def _run_failing(failure: str) -> AppTest:
    app = AppTest.from_function(_app_with_failing_page, args=(failure,), default_timeout=30)
    return app.run()


def test_a_bug_shows_a_reference_and_logs_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        app = _run_failing("bug")
    assert not app.exception
    (shown,) = [e.value for e in app.error]
    assert shown.startswith(GENERIC) and "secret_module" not in shown and "hunter2" not in shown
    reference = shown.rsplit(" ", 1)[1].rstrip(".")
    assert len(reference) == 6 and reference.isalnum()
    (record,) = [r for r in caplog.records if r.name == "dashboard"]
    assert reference in record.getMessage() and record.exc_info is not None
    assert "hunter2" in caplog.text and "Traceback" in caplog.text  # on the server only
    page_text = " ".join(str(e.value) for e in app.markdown)
    assert "before the failure" in page_text and "Traceback" not in page_text


def test_a_users_error_shows_its_message() -> None:
    app = _run_failing("usage")
    assert not app.exception
    assert [e.value for e in app.error] == ["the range 0001-01-02:9999-12-30 is too long"]


def test_streamlits_own_stop_passes_through_the_handler() -> None:
    app = _run_failing("stop")
    assert not app.exception and not app.error
    assert [m.value for m in app.markdown] == ["before the failure"]


def test_streamlit_shows_no_error_details_either() -> None:
    """The second fence: whatever escapes the handler shows no type, message or traceback."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = settings["client"]["showErrorDetails"]
    assert value == streamlit_config.ShowErrorDetailsConfigOptions.NONE.value
