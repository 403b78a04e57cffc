"""The charts, built from plain values: their ticks, labels, legends and hovers.

Figures are plotly objects: their ticks, annotations, traces and hover texts are read back
and compared with values written out here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pandas as pd

import kpis
from dashboard import charts
from dashboard.chart_parts import event_rows, percent_ticks, week_ticks
from kpis.i18n import use_language
from tests.conftest import CONFIG

DEFINITIONS = kpis.load_definitions(CONFIG)
OTIF = DEFINITIONS.kpis["service_rate"]
COST = DEFINITIONS.kpis["cost_per_unit_shipped"]
D = dt.date


def _weeks(values: list[float | None], first: dt.date | None = None, **extra: object):
    first = first or D(2026, 8, 24)
    starts = [first + dt.timedelta(weeks=i) for i in range(len(values))]
    return pd.DataFrame({
        "kpi": "service_rate", "period_start": starts,
        "period_end": [s + dt.timedelta(days=6) for s in starts],
        "value": [math.nan if v is None else v for v in values], **extra,
    })  # fmt: skip


def test_week_ticks_are_mondays_labelled_with_the_iso_week() -> None:
    ticks, labels = week_ticks(D(2026, 8, 24), D(2026, 11, 9))
    assert ticks[0] == D(2026, 8, 24) and ticks[-1] == D(2026, 11, 9) and len(ticks) == 12
    assert all(t.weekday() == 0 for t in ticks)
    assert labels[0] == "W35<br>2026" and labels[1:3] == ["W36", "W37"] and labels[-1] == "W46"


def test_week_ticks_thin_out_from_the_last_week_and_mark_the_new_year() -> None:
    ticks, labels = week_ticks(D(2025, 11, 17), D(2026, 11, 9))  # 52 weeks
    assert len(ticks) <= 13 and ticks[-1] == D(2026, 11, 9)
    assert {(ticks[i + 1] - ticks[i]).days for i in range(len(ticks) - 1)} == {28}
    years = [label for label in labels if "<br>" in label]
    assert years[0].endswith("<br>2025") and years[1].endswith("<br>2026") and len(years) == 2


def _event(name: str, day: dt.date) -> kpis.Event:
    return kpis.Event(name=name, date=day)


def test_event_labels_sharing_a_date_are_stacked() -> None:
    events = [
        _event("carrier-switch", D(2026, 5, 18)),
        _event("ops-playbook", D(2026, 5, 18)),
        _event("price-change", D(2026, 9, 7)),
        _event("outside", D(2027, 1, 4)),
    ]
    rows = event_rows(events, D(2026, 1, 5), D(2026, 11, 15))
    assert [(e.name, row) for e, row in rows] == [
        ("carrier-switch", 0),
        ("ops-playbook", 1),
        ("price-change", 0),  # months later: room on the first row again
    ]
    fig = charts.trend(OTIF, _weeks([0.9] * 46, first=D(2026, 1, 5)), events)
    shifts = {a.text: a.yshift or 0 for a in fig.layout.annotations if a.text in {
        "carrier-switch", "ops-playbook", "price-change"}}  # fmt: skip
    assert shifts == {"carrier-switch": 0, "ops-playbook": -15, "price-change": 0}


def test_the_target_label_sits_in_the_right_margin() -> None:
    fig = charts.trend(COST, _weeks([1.9, 1.8, 1.85]), [])
    (label,) = [a for a in fig.layout.annotations if "target" in a.text]
    assert label.text == "target<br>1.60"
    assert (label.xref, label.x, label.xanchor, label.y) == ("paper", 1, "left", 1.6)
    assert fig.layout.margin.r >= 6 * len("target")  # room for it beyond the plot


def test_missing_weeks_hover_as_a_dash_with_the_reason() -> None:
    reasons = [None, None, "orders data through 2026-11-15", "no data"]
    fig = charts.trend(OTIF, _weeks([0.9, 0.94, None, None], reason=reasons), [])
    line, hole = fig.data
    assert list(line.text) == ["90.0%", "94.0%", "–", "–"]
    assert list(hole.text) == ["– (no data yet: orders data through 15 Nov)", "– (no data)"]
    assert list(hole.x) == [D(2026, 9, 7), D(2026, 9, 14)]
    assert list(hole.y) == [0.94, 0.94]  # where the line would pass: unseen, but hoverable
    assert hole.marker.opacity == 0 and hole.showlegend is False
    assert list(fig.layout.xaxis.ticktext) == ["W35<br>2026", "W36", "W37", "W38"]


def test_before_after_gives_the_continued_trend_a_legend_entry() -> None:
    frame = _weeks([0.9, 0.91, 0.92, 0.95, 0.96, 0.97])
    before = kpis.DateRange(D(2026, 8, 24), D(2026, 9, 13))
    after = kpis.DateRange(D(2026, 9, 14), D(2026, 10, 4))
    row = {"before": 0.91, "after": 0.96, "trend_start": 0.9, "trend_per_week": 0.01}
    fig = charts.before_after(OTIF, frame, before, after, row, [])
    assert fig.layout.showlegend
    assert [t.name for t in fig.data if t.showlegend] == ["trend before, continued"]


def test_a_missing_bar_is_a_dash_that_still_hovers() -> None:
    table = pd.DataFrame({"dimension_value": ["Lyon", "Lille"], "before": [0.9, None],
                          "after": [0.95, 0.93]})  # fmt: skip
    fig = charts.breakdown(OTIF, table, "warehouse")
    assert list(fig.data[0].y) == [0.9, 0.0] and list(fig.data[0].text) == ["90.0%", "–"]


def test_other_grains_keep_plotly_dates() -> None:
    months = pd.DataFrame({"kpi": "service_rate", "period_start": [D(2026, 6, 1), D(2026, 7, 1)],
                           "period_end": [D(2026, 6, 30), D(2026, 7, 31)], "value": [0.9, 0.92]})  # fmt: skip
    fig = charts.explorer(OTIF, months, None, [])
    assert fig.layout.xaxis.tickvals is None and fig.layout.xaxis.hoverformat == "%-d %b %Y"


def test_french_weeks_numbers_and_words() -> None:
    reasons = [None, None, "orders data through 2026-11-15", "no data"]
    with use_language("fr"):
        fig = charts.trend(OTIF, _weeks([0.9, 0.94, None, None], reason=reasons), [])
        cost = charts.trend(COST, _weeks([1.9, 1.8, 1.85]), [])
    line, hole = fig.data
    assert list(line.text) == ["90,0\u00a0%", "94,0\u00a0%", "–", "–"]
    assert list(hole.text) == [
        "– (pas encore de données\u00a0: données orders jusqu'au 15 nov.)",
        "– (aucune donnée)",
    ]
    assert list(fig.layout.xaxis.ticktext) == ["S35<br>2026", "S36", "S37", "S38"]
    assert fig.layout.xaxis.hoverformat == "S%V · %d/%m/%Y"
    assert fig.layout.separators == ",\u202f"
    # A rate's ticks are written here ("94,0 %"), around the data and the target (95 %).
    ticks = list(fig.layout.yaxis.ticktext)
    assert all(t.endswith("\u00a0%") for t in ticks) and "95,0\u00a0%" in ticks
    assert min(fig.layout.yaxis.tickvals) <= 0.9 and max(fig.layout.yaxis.tickvals) >= 0.95
    (label,) = [a for a in cost.layout.annotations if "objectif" in a.text]
    assert label.text == "objectif<br>1,60"
    assert cost.layout.yaxis.tickformat == ",.2f" and cost.layout.yaxis.tickvals is None


def test_percent_ticks_step_round_and_say_their_sign() -> None:
    ticks, _labels = percent_ticks([0.021, 0.034], 1)
    assert ticks[0] <= 0.021 and ticks[-1] >= 0.034 and len(ticks) <= 9
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    with use_language("fr"):
        _ticks, signed = percent_ticks([-0.2, 0.5], 0, sign=True)
    assert {"+40\u00a0%", "-20\u00a0%", "0\u00a0%"} <= set(signed)


def test_french_months_on_other_grains() -> None:
    months = pd.DataFrame({"kpi": "service_rate", "period_start": [D(2025, 12, 1), D(2026, 1, 1),
                           D(2026, 2, 1)], "period_end": [D(2025, 12, 31), D(2026, 1, 31),
                           D(2026, 2, 28)], "value": [0.9, 0.92, 0.91]})  # fmt: skip
    with use_language("fr"):
        fig = charts.explorer(OTIF, months, None, [])
    assert list(fig.layout.xaxis.ticktext) == ["déc.<br>2025", "janv.<br>2026", "févr."]
    assert fig.layout.xaxis.hoverformat == "%d/%m/%Y"


def test_before_after_and_breakdown_in_french() -> None:
    frame = _weeks([0.9, 0.91, 0.92, 0.95, 0.96, 0.97])
    before = kpis.DateRange(D(2026, 8, 24), D(2026, 9, 13))
    after = kpis.DateRange(D(2026, 9, 14), D(2026, 10, 4))
    row = {"before": 0.91, "after": 0.96, "trend_start": 0.9, "trend_per_week": 0.01}
    table = pd.DataFrame({"dimension_value": ["Lyon"], "before": [0.9], "after": [0.95]})
    with use_language("fr"):
        fig = charts.before_after(OTIF, frame, before, after, row, [])
        bars = charts.breakdown(OTIF, table, "warehouse")
        config = charts.config()
    texts = [a.text for a in fig.layout.annotations]
    assert "avant\u00a0: 91,0\u00a0%" in texts and "après\u00a0: 96,0\u00a0%" in texts
    assert [t.name for t in fig.data if t.showlegend] == ["tendance d'avant, prolongée"]
    assert [t.name for t in bars.data] == ["avant", "après"]
    assert bars.data[0].hovertemplate == "avant\u00a0: %{text}<extra></extra>"
    assert config["locale"] == "fr"
    assert config["locales"]["fr"]["format"]["days"][0] == "dimanche"  # plotly.js: Sunday first
    assert charts.config() == {}  # English: plotly.js's own
