"""The Before / after page answers "did it work?" at a glance (AppTest, real DuckDB files).

The engine's numbers are checked against plain Python in tests/test_headline.py,
test_holding.py and test_mix.py; here the page must show them, formatted as the engine
formats them, with one verdict per KPI, and keep what it showed in its link.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import kpis
from dashboard.before_after_parts import CAVEAT
from tests.conftest import CONFIG, WriteCsv
from tests.dashboard.conftest import OpenApp
from tests.test_holding import load_fading

PAGE = "app_pages/before_after.py"
FIRST_WEEKS = (dt.date(2025, 11, 17), dt.date(2026, 11, 15))  # the demo's 26 + 26 weeks
LABELS = {n: k.label for n, k in kpis.load_definitions(CONFIG).kpis.items()}


def _text(markdown: str) -> str:
    """What a markdown string shows: the page escapes punctuation (a '$' would start LaTeX)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _engine(db: Path, before: kpis.DateRange, after: kpis.DateRange, by: str | None = None):
    """compare() on a copy of the app's database (the app holds its file open)."""
    check = db.with_name(f"check-{by}.duckdb")
    shutil.copyfile(db, check)
    with kpis.Store(check, kpis.load_definitions(CONFIG)) as store:
        return kpis.compare(store, before, after, by=by), store.definitions


def _windows() -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    return (FIRST_WEEKS[0], dt.date(2026, 5, 17)), (dt.date(2026, 5, 18), FIRST_WEEKS[1])


def _rows(app: AppTest) -> dict[str, dict[str, str]]:
    return {r["KPI"]: r for r in app.table[0].value.to_dict("records")}


def _captions(app: AppTest) -> list[str]:
    return [_text(c.value) for c in app.caption]


def test_the_answer_comes_first_and_the_table_reads_the_right_way(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page=PAGE)
    table, definitions = _engine(demo_copy, *(kpis.DateRange(*d) for d in _windows()))
    headline = kpis.headline(definitions, table)
    assert headline == (
        "All 11 KPIs improved significantly. "
        "Biggest: Lead conversion rate 2.0% → 3.5% (74.9% better). "
        "Fading in the last 4 weeks: Stock rotation."
    )
    assert f"#### {headline}" in [_text(m.value) for m in app.markdown]
    rows = _rows(app)
    assert list(app.table[0].value.columns) == [
        "KPI", "before", "after", "improvement", "verdict", "last 4 weeks", "change", "change %",
        "95% interval", "p",
    ]  # fmt: skip
    resolution = rows["Resolution time (median)"]
    # Lower is better: the fall reads as better, the raw signed change stays beside it.
    assert (resolution["improvement"], resolution["change %"]) == ("39.3% better", "-39.3%")
    assert resolution["change"] == "-7.8 hours"
    assert rows["Cost per unit shipped"]["improvement"] == "7.4% better"
    for row in table.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        shown = rows[kpi.label]
        assert shown["improvement"] == kpis.format_improvement(kpi, row["delta_pct"])
        assert shown["verdict"] == kpis.verdict_sentence(row) == "improved"
        assert shown["last 4 weeks"] == kpis.format_holding(
            kpi, row["recent_delta"], row["recent_share"], row["fading"]
        )
    # The example: the whole window's +4.4 hides that only 29 % of it is left.
    assert rows["Stock rotation"]["last 4 weeks"] == "+1.2 turns/year (29% of the whole): fading"
    assert rows["Lead conversion rate"]["last 4 weeks"].endswith(": holding")
    captions = _captions(app)
    # Each chart's caption says the table's verdict, never another one.
    assert sum(c.startswith("Improved. Beyond the trend before: ") for c in captions) == 11
    assert any(c.startswith("Last 4 weeks (19 Oct 2026 – 15 Nov 2026): ") for c in captions)


def test_each_row_says_how_its_interval_was_computed(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page=PAGE)
    table, definitions = _engine(demo_copy, *(kpis.DateRange(*d) for d in _windows()))
    how = next(c for c in _captions(app) if c.startswith("**How sure each change is.**"))
    for row in table.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        assert f"- {kpi.label}: {kpis.method_note(kpi, row)}" in how
    # The leads counted in Python from the generator in tests/test_headline.py.
    assert (
        "- Lead conversion rate: two-proportion test on 30,836 leads before and 33,576 after" in how
    )
    assert "- Stock rotation: bootstrap over 26 weeks before and 26 after (2,000 resamples)" in how
    assert "Newcombe" not in how  # method names are for the README, not the COO


def test_a_fading_change_is_flagged_and_kpis_without_a_value_say_why(
    open_app: OpenApp, tmp_path: Path, write_csv: WriteCsv
) -> None:
    """Conversion doubles for 4 weeks then falls back near where it was (tests/test_holding.py);
    the store has no orders, shipments or stock at all."""
    db = tmp_path / "fading.duckdb"
    with kpis.Store(db, kpis.load_definitions(CONFIG)) as store:
        load_fading(store, write_csv)
    before, after = "2026-01-05:2026-03-01", "2026-03-02:2026-04-26"
    app = open_app(db, page=PAGE, mode="ranges", before=before, after=after)
    rows = _rows(app)
    conversion = rows["Lead conversion rate"]
    # 48 of 2,000 leads in the last 4 weeks against 80 of 4,000 before: +0.4 pp, 18 % of +2.2.
    assert conversion["last 4 weeks"] == "+0.4 pp (18% of the whole): fading"
    assert conversion["improvement"] == "110.0% better"  # 2.0 % -> 4.2 %
    assert CAVEAT in app.table[0].proto.arrow_data.styler.styles  # fading is orange
    headline = _text(next(m.value for m in app.markdown if m.value.startswith("#### ")))
    assert headline == (
        "#### 2 of 11 KPIs improved significantly; 1 no clear change: Resolution time (median); "
        "8 without a value: Service rate (OTIF), Stock rotation, Cost per unit shipped, Order "
        "processing time (median), Incident rate, First contact resolution, Contacts per 100 "
        "orders, Cost per acquisition (CPA). "
        "Biggest: Lead conversion rate 2.0% → 4.2% (110.0% better). "
        "Fading in the last 4 weeks: Lead conversion rate."
    )
    service = rows["Service rate (OTIF)"]
    assert (service["before"], service["after"], service["improvement"]) == ("–", "–", "–")
    assert service["verdict"].startswith("no value: the before window ends 2026-03-01; no ")
    notes = [_text(i.value) for i in app.info]
    # One per KPI whose source has no data, each once (first contact resolution has its
    # tickets, only without agent_replies: no value, and no data missing to say).
    assert len(notes) == len(set(notes)) == 7
    said = service["verdict"].removeprefix("no value: ")
    assert f"{said[0].upper()}{said[1:]}." in notes


@pytest.fixture
def lagging(demo_copy: Path, write_csv: WriteCsv) -> Path:
    """The demo with a week more of leads (through 22 Nov): the other sources lag a week."""
    leads = [[f"X{i}", f"2026-11-{16 + i % 7} 10:00", "web", i % 25 == 0] for i in range(1400)]
    with kpis.Store(demo_copy, kpis.load_definitions(CONFIG)) as store:
        path = write_csv("late.csv", ["lead_id", "created_at", "channel", "converted"], leads)
        kpis.ingest_file(store, path)
    return demo_copy


def test_windows_past_a_sources_data_are_cut_and_said_once(
    open_app: OpenApp, lagging: Path
) -> None:
    app = open_app(lagging, page=PAGE, mode="ranges")
    # Ranges default to the data's last 8 weeks, through the leads' last day.
    assert app.query_params["after"] == "2026-10-26:2026-11-22"
    notes = [_text(i.value) for i in app.info]
    assert len(notes) == len(set(notes)) == 10  # every KPI but conversion, each said once
    assert (
        "The after window ends 2026-11-22; orders data through 2026-11-15: 1 week of "
        "service_rate missing." in notes
    )
    # Only the leads reach the week of 16 Nov: the others have no value there, and say why.
    app = open_app(
        lagging, page=PAGE, mode="ranges", before="2026-11-02:2026-11-08",
        after="2026-11-16:2026-11-22",
    )  # fmt: skip
    rows = _rows(app)
    csat = rows["Customer satisfaction (CSAT)"]
    assert (csat["after"], csat["change"], csat["last 4 weeks"]) == ("–", "–", "–")
    assert csat["verdict"] == (
        "no value: the after window ends 2026-11-22; tickets data through 2026-11-15: "
        "1 week of csat missing"
    )
    assert rows["Lead conversion rate"]["after"] == "4.0%"  # 56 of 1,400 leads: i % 25 == 0
    headline = _text(next(m.value for m in app.markdown if m.value.startswith("#### ")))
    assert "10 without a value: Customer satisfaction (CSAT), Resolution time (median)" in headline


def test_the_link_keeps_what_the_page_showed(
    open_app: OpenApp, demo_copy: Path, tmp_path: Path
) -> None:
    """`/before-after?weeks=8` used to switch to whichever event was newest."""
    app = open_app(demo_copy, page=PAGE, weeks="8")
    link = dict(app.query_params)
    assert {k: link[k] for k in ("mode", "event", "weeks")} == {
        "mode": "event", "event": "ops-playbook", "weeks": "8",
    }  # fmt: skip
    # A newer event is added: the link still shows the playbook, the bare URL does not.
    newer = tmp_path / "newer" / "ops.duckdb"
    newer.parent.mkdir()
    shutil.copyfile(demo_copy, newer)
    with kpis.Store(newer, kpis.load_definitions(CONFIG)) as store:
        kpis.save_event(store, kpis.Event(name="carrier-switch", date=dt.date(2026, 8, 3)))
    again = open_app(newer, page=PAGE, **{k: link[k] for k in ("mode", "event", "weeks")})
    assert again.selectbox(key="event").value == "ops-playbook"
    assert any("23 Mar 2026 – 17 May 2026 (56 days)" in m.value for m in again.markdown)
    bare = open_app(newer, page=PAGE, weeks="8")
    assert bare.selectbox(key="event").value == "carrier-switch"


def test_all_the_weeks_the_data_covers_is_kept_as_a_number(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page=PAGE)
    assert app.selectbox(key="weeks").value == 0  # "all the data covers"...
    assert app.query_params["weeks"] == "26"  # ...is 26 weeks today, and the link says so
    # A number of weeks that is not among the usual choices is offered when a link asks.
    app = open_app(demo_copy, page=PAGE, weeks="23")
    assert app.selectbox(key="weeks").value == 23
    assert any("(161 days)" in m.value for m in app.markdown)


@pytest.mark.parametrize(
    ("params", "said"),
    [
        (
            {"weeks": "four"},
            "weeks on each side 'four', which is not available here; showing all the data covers",
        ),
        ({"weeks": "0023"}, "weeks on each side '0023', which is not available here"),
        (
            {"event": "no-such-event"},
            "event 'no-such-event', which is not available here; showing ops-playbook (18 May 2026)",
        ),
        (
            {"mode": "ranges", "after": "2026-02-30:2026-03-01"},
            "after '2026-02-30:2026-03-01', which is not available here; showing 2026-10-19 to 2026-11-15",
        ),
    ],
)
def test_a_link_value_that_cannot_be_shown_is_named(
    open_app: OpenApp, demo_copy: Path, params: dict[str, str], said: str
) -> None:
    app = open_app(demo_copy, page=PAGE, **params)
    assert any(said in w.value for w in app.warning), [w.value for w in app.warning]
    assert len(app.table[0].value) == 11


def test_ranges_shown_by_default_are_written_to_the_link(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page=PAGE, mode="ranges")
    assert (app.query_params["before"], app.query_params["after"]) == (
        "2026-09-21:2026-10-18",
        "2026-10-19:2026-11-15",
    )


def test_the_breakdown_shows_volumes_beside_each_values_change(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page=PAGE, dim="carrier", dim_kpi="cost_per_unit_shipped")
    shown = {r["value"]: r for r in app.dataframe[0].value.to_dict("records")}
    before, after = (kpis.DateRange(*d) for d in _windows())
    split, definitions = _engine(demo_copy, before, after, by="carrier")
    kpi = definitions.kpis["cost_per_unit_shipped"]
    for row in split.to_dict("records"):
        got = shown[row["dimension_value"]]
        assert (got["volume before"], got["volume after"]) == (
            kpis.format_count(row["volume_before"]),
            kpis.format_count(row["volume_after"]),
        )
        assert (got["share before"], got["share after"]) == (
            kpis.format_share(row["share_before"]),
            kpis.format_share(row["share_after"]),
        )
        assert got["after"] == kpis.format_value(kpi, row["after"])
    regional = shown["Regional Express"]
    assert (regional["volume before"], regional["share after"]) == ("0", "30.1%")
    assert regional["verdict"] == "no value: no data in the before window"
    assert any(
        c.startswith("Volume: what each KPI is counted over (Cost per unit shipped: shipments)")
        for c in _captions(app)
    )
