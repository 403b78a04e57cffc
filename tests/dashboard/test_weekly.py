"""The weekly review (the real app, AppTest) on the demo, and on the demo with a later export.

The reproduction of the issue: the demo, then a tickets export dated after the demo's last
day. The page must keep opening on week 46; week 47 is offered, and there the KPIs whose
sources stop on 15 Nov say so instead of showing a number. Expected values come from the
engine (tested against the oracle elsewhere) and, for trends and normal variation, from
slopes, t statistics, means and standard deviations worked out here in plain Python.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import kpis
from dashboard.charts import BETTER, WORSE
from dashboard.format import week_label
from tests.conftest import CONFIG, WriteCsv
from tests.dashboard.conftest import OpenApp
from tests.test_freshness import _later_tickets

T_CRITICAL = 2.228  # Student's t, 10 degrees of freedom, 5 % two-sided (from the tables)
GREY = "#8c8c8c"
DEFINITIONS = kpis.load_definitions(CONFIG)


@pytest.fixture
def later_copy(demo_copy: Path, write_csv: WriteCsv) -> Path:
    """The demo, then a tickets export reaching 22 Nov 2026 (every other source: 15 Nov)."""
    with kpis.Store(demo_copy, DEFINITIONS) as store:
        kpis.ingest_file(store, _later_tickets(write_csv))
    return demo_copy


def _weekly(db: Path, first: str, last: str) -> dict[str, list[float | None]]:
    """Each KPI's weekly values (None when missing) from week `first` to `last`, by the engine."""
    check = db.with_name(f"check-{first}-{last}.duckdb")  # a copy: the app holds its file open
    shutil.copyfile(db, check)
    with kpis.Store(check, DEFINITIONS) as store:
        frame = kpis.compute(
            store, grain="week", start=kpis.week_of(first).start, end=kpis.week_of(last).end
        )
    return {
        name: [None if v != v else float(v) for v in part.sort_values("period_start")["value"]]
        for name, part in frame.groupby("kpi", sort=False)
    }


def _cards(app: AppTest) -> list[dict[str, Any]]:
    """Each card, in page order: its metric, captions and the sparkline's SVG."""
    found = []
    for block in app.main.children.values():
        columns = list(getattr(block, "children", {}).values())
        for column in columns:
            metrics = column.get("metric")
            if len(metrics) != 1:
                continue
            url = column.get("image")[0].proto.imgs[0].url
            found.append({
                "label": metrics[0].label,
                "value": metrics[0].value,
                "delta": metrics[0].proto.delta,
                "captions": [c.value for c in column.get("caption")],
                "svg": base64.b64decode(url.split(",", 1)[1]).decode(),
                "place": (list(app.main.children.values()).index(block), columns.index(column)),
            })  # fmt: skip
    return found


def test_the_review_opens_on_the_latest_week_complete_for_every_kpi(
    open_app: OpenApp, later_copy: Path
) -> None:
    app = open_app(later_copy)
    week = app.selectbox(key="week")
    assert week.value == "2026-W46"  # tickets reach week 47, the other sources do not
    assert week.options[:2] == [week_label("2026-W47"), week_label("2026-W46")]
    assert app.query_params["week"] == "2026-W46"  # pinned: next week's link shows this one
    expected = _weekly(later_copy, "2026-W46", "2026-W46")
    cards = _cards(app)
    assert [c["label"] for c in cards] == [k.label for k in DEFINITIONS.kpis.values()]
    for card, (name, kpi) in zip(cards, DEFINITIONS.kpis.items(), strict=True):
        assert card["value"] == kpis.format_value(kpi, expected[name][0])
        # 2025-W46 starts before the data (17 Nov 2025): nothing is said about a year earlier.
        assert card["captions"][1] == ""


def test_a_kpi_whose_sources_lag_shows_why_never_a_number(
    open_app: OpenApp, later_copy: Path
) -> None:
    app = open_app(later_copy)
    before = _cards(app)
    app.selectbox(key="week").select("2026-W47").run()
    assert app.query_params["week"] == "2026-W47"
    cards = {c["label"]: c for c in _cards(app)}
    waiting = {
        "Lead conversion rate": "leads",
        "Service rate (OTIF)": "orders",
        "Stock rotation": "shipments",
        "Cost per unit shipped": "shipments",
    }
    for label, source in waiting.items():
        card = cards[label]
        assert (card["value"], card["delta"]) == ("–", "no data yet")
        assert card["captions"][0] == f":orange[{source} data through 15 Nov]"
        assert card["captions"][1] == "" and card["captions"][3] == ""  # no target verdict
    # CSAT reads tickets only: a number, with the same week a year earlier beside it.
    now = _weekly(later_copy, "2026-W46", "2026-W47")["csat"]
    then = _weekly(later_copy, "2025-W47", "2025-W47")["csat"][0]
    assert now[1] is not None and then is not None
    csat, kpi = cards["Customer satisfaction (CSAT)"], DEFINITIONS.kpis["csat"]
    assert csat["value"] == kpis.format_value(kpi, now[1])
    assert csat["delta"] == kpis.format_delta(kpi, now[1] - now[0])
    change = kpis.format_delta(kpi, now[1] - then)
    assert change.startswith("+")
    shown = kpis.format_value(kpi, then)
    assert csat["captions"][1] == f":green[{change}] vs a year earlier (W47 2025: {shown})"
    # The grid does not move: the same KPI in the same row and column.
    places = [(c["label"], c["place"]) for c in before]
    assert places == [(c["label"], c["place"]) for c in _cards(app)]
    top = places[0][1][0]  # rows of three, one after the other (11 KPIs: the last has two)
    assert [(r - top, c) for _, (r, c) in places] == [(i // 3, i % 3) for i in range(11)]


def _slope_t(values: list[float]) -> tuple[float, float, float]:
    """Slope, t statistic and fitted change across the weeks, of values on 0..n-1."""
    n = len(values)
    mx, my = (n - 1) / 2, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in range(n))
    slope = sum((x - mx) * (y - my) for x, y in enumerate(values)) / sxx
    residuals = sum((y - my - slope * (x - mx)) ** 2 for x, y in enumerate(values))
    return slope, slope / math.sqrt(residuals / (n - 2) / sxx), slope * (n - 1)


def test_the_sparkline_is_coloured_by_its_trend_against_the_kpis_direction(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy)
    weeks = _weekly(demo_copy, "2026-W35", "2026-W46")
    colours = {}
    for card, (name, kpi) in zip(_cards(app), DEFINITIONS.kpis.items(), strict=True):
        values = weeks[name]
        assert len(values) == 12 and None not in values
        slope, t, change = _slope_t(values)  # type: ignore[arg-type]
        mean = sum(values) / 12  # type: ignore[arg-type]
        moving = abs(t) > T_CRITICAL and abs(change) >= 0.02 * abs(mean)
        expected = GREY if not moving else BETTER if (slope > 0) == kpi.higher_is_better else WORSE
        strokes = set(re.findall(r'stroke="([^"]+)"', card["svg"]))
        assert strokes == {expected}, name
        words = {GREY: "steady", BETTER: ":green[improving]", WORSE: ":red[worsening]"}
        assert card["captions"][2] == f"12 weeks: {words[expected]}"
        colours[name] = expected
    # The two cases: a falling stock rotation is red, CSAT above its target is grey.
    assert colours["stock_rotation"] == WORSE and colours["csat"] == GREY


def test_each_change_says_whether_it_is_within_normal_variation(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy)
    weeks = _weekly(demo_copy, "2026-W33", "2026-W46")  # 13 weeks before W46, and W46
    said = []
    for card, (name, kpi) in zip(_cards(app), DEFINITIONS.kpis.items(), strict=True):
        values = weeks[name]
        assert len(values) == 14 and None not in values
        changes = [values[i + 1] - values[i] for i in range(12)]  # type: ignore[operator]
        mean = sum(changes) / 12
        sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / 11)
        low, high = mean - 2 * sd, mean + 2 * sd
        change = values[13] - values[12]  # type: ignore[operator]
        usual = f"(usual: {kpis.format_interval(kpi, low, high)})"
        verdict = (
            "within normal variation" if low <= change <= high else ":orange[**unusual change**]"
        )
        assert card["captions"][0] == f"{verdict} {usual}", name
        assert card["delta"] == kpis.format_delta(kpi, change)
        said.append(verdict)
    assert "within normal variation" in said  # the demo has both kinds in week 46
    assert ":orange[**unusual change**]" in said


@pytest.mark.parametrize("asked", ["2026-W48", "2021-W53", "46", "[x](http://example.com)"])
def test_a_link_to_a_week_not_offered_says_so_and_pins_the_week_shown(
    open_app: OpenApp, demo_copy: Path, asked: str
) -> None:
    app = open_app(demo_copy, week=asked)
    assert app.selectbox(key="week").value == "2026-W46"
    warning = " ".join(w.value for w in app.warning)
    # A value is repeated only when it looks like one; markup is not (no link in the message).
    named = asked if asked[0].isdigit() else "a week that is not one this page knows"
    assert named in warning and week_label("2026-W46") in warning
    assert "http" not in warning
    assert app.query_params["week"] == "2026-W46"
    assert len(app.metric) == 11 and not app.exception


def test_a_week_from_a_link_is_kept(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, week="2026-W10")
    assert app.selectbox(key="week").value == "2026-W10" and not app.warning
    assert app.query_params["week"] == "2026-W10"
    expected = _weekly(demo_copy, "2026-W10", "2026-W10")
    assert [c["value"] for c in _cards(app)] == [
        kpis.format_value(k, expected[n][0]) for n, k in DEFINITIONS.kpis.items()
    ]
    assert dt.date(2026, 3, 2) == kpis.week_of(app.query_params["week"]).start
