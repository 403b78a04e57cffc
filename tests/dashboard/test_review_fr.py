"""The weekly review and Before / after in French (AppTest on the demo, real DuckDB files).

French labels, French numbers with their exact spaces (U+00A0 before % and units, U+202F
between thousands), French dates and weeks, charts that say their numbers and dates in
French, and none of the English UI's words in what the pages show. Expected numbers come
from the engine through kpis.formatting in French; the English pages are tested, unchanged,
in test_weekly.py and test_before_after.py.

AppTest formats a widget's options in the test's own thread, so each run is made inside
`use_language("fr")`, as the page's run is in production.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import kpis
from dashboard.format import week_label
from kpis.freshness import missing_note
from kpis.i18n import use_language
from tests.conftest import CONFIG, WriteCsv
from tests.dashboard.conftest import OpenApp
from tests.test_freshness import _later_tickets

PAGE = "app_pages/before_after.py"
NBSP, NNBSP = "\u00a0", "\u202f"
DEFINITIONS = kpis.load_definitions(CONFIG)
# Words of the English UI that must not show on the French pages (whole words, any case).
ENGLISH = [
    "Week", "Weekly", "review", "Before", "After", "Improvement", "better", "worse", "Target",
    "met", "no data", "data through", "improved", "worsened", "no significant change",
    "holding", "fading", "trend", "usual", "normal variation", "steady", "improving",
    "worsening", "year earlier", "previous week", "Compare", "Event", "Settling", "change",
    "interval", "Beyond", "Volume:", "Share", "weeks", "days", "Last", "target", "of the whole",
]  # fmt: skip
ENGLISH_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.I)


def _french(open_app: OpenApp, db: Path, **params: str) -> AppTest:
    with use_language("fr"):
        return open_app(db, lang="fr", **params)


def _text(markdown: str) -> str:
    """What a markdown string shows: the page escapes punctuation (a '$' would start LaTeX)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _figures(app: AppTest) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each Plotly chart's figure and config, as the browser gets them."""
    return [
        (json.loads(e.proto.spec), json.loads(e.proto.config or "{}"))
        for e in app.get("plotly_chart")
    ]


def _figure_texts(figure: dict[str, Any]) -> list[str]:
    """Every text a chart shows: axis titles and ticks, annotations, legend names, hovers."""
    layout = figure["layout"]
    texts = [a.get("text") or "" for a in layout.get("annotations", [])]
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")):
            texts.append((axis.get("title") or {}).get("text") or "")
            texts += [str(t) for t in axis.get("ticktext", [])]
    for trace in figure["data"]:
        texts += [trace.get("name") or "", trace.get("hovertemplate") or ""]
        texts += [str(t) for t in trace.get("text") or []]
    return texts


def _visible(app: AppTest) -> list[str]:
    """The texts a person reads on the page: headings, captions, cards, widgets, tables, charts.

    The sidebar and the events editor belong to other parts of the dashboard and are left out.
    """
    texts = [_text(e.value) for kind in ("title", "subheader", "markdown", "caption", "info",
             "warning") for e in app.main.get(kind)]  # fmt: skip
    for metric in app.main.get("metric"):
        texts += [metric.label, metric.value, metric.proto.delta, metric.proto.help]
        texts.append(metric.proto.delta_description)
    for kind in ("selectbox", "radio", "date_input"):
        for widget in app.main.get(kind):
            if widget.key in ("week", "event", "weeks", "washout", "baseline", "mode", "dim",
                              "dim_kpi", "before", "after"):  # fmt: skip
                texts += [widget.label, *getattr(widget, "options", [])]
    for table in [*app.main.get("table"), *app.main.get("dataframe")[:1]]:
        frame = table.value
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for v in frame.to_numpy().ravel()]
    for figure, _config in _figures(app):
        texts += _figure_texts(figure)
    return [t for t in texts if t]


def _english(texts: list[str]) -> list[str]:
    """The English UI words found in `texts` (KPI ids and source names are data, left out)."""
    found = []
    for text in texts:
        found += [f"{m.group()!r} in {text[:80]!r}" for m in ENGLISH_WORDS.finditer(text)]
    return found


def _assert_french_charts(app: AppTest) -> None:
    figures = _figures(app)
    assert figures
    for figure, config in figures:
        layout = figure["layout"]
        assert layout["separators"] == "," + NNBSP  # decimal comma, U+202F between thousands
        assert config["locale"] == "fr"
        months = config["locales"]["fr"]["format"]["shortMonths"]
        assert (months[10], months[1]) == ("nov.", "févr.")
        assert config["locales"]["fr"]["dictionary"]["Reset axes"] == "Réinitialiser les axes"
        hover = layout.get("xaxis", {}).get("hoverformat")
        assert hover is None or "%b" not in hover  # no month name for plotly.js to write
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and str(axis.get("tickformat", "")).endswith(
                "%"
            ):
                # d3 writes "3,5%": a rate's ticks are made here, with the no-break space.
                assert axis["ticktext"] and all(t.endswith(NBSP + "%") for t in axis["ticktext"])


def test_the_weekly_review_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _french(open_app, demo_copy)
    assert app.title[0].value == "Revue hebdomadaire"
    assert [s.value for s in app.subheader] == ["12 dernières semaines"]
    week = app.selectbox(key="week")
    assert week.label == "Semaine"
    assert week.value == "2026-W46"
    assert week.options[0] == "Semaine 46 · 9 nov. – 15 nov. 2026"
    cards = {m.label: m for m in app.main.get("metric")}
    with use_language("fr"):
        labels = {name: kpi.label for name, kpi in DEFINITIONS.kpis.items()}
        week_label_fr = week_label("2026-W01")
    assert week_label_fr == "Semaine 01 · 29 déc. 2025 – 4 janv. 2026"
    conversion, cost = cards[labels["conversion_rate"]], cards[labels["cost_per_unit_shipped"]]
    assert conversion.value == f"2,6{NBSP}%"
    assert cost.value == f"1,91{NBSP}€"
    assert conversion.proto.delta_description == "vs semaine précédente"
    captions = [c.value for c in app.caption]
    assert f"Objectif ≥{NBSP}3,0{NBSP}% · :red[non atteint]" in captions
    assert f"Objectif ≤{NBSP}12,0{NBSP}h · :green[atteint]" in captions
    assert f"12 semaines{NBSP}: :red[en dégradation]" in captions
    assert any(c.startswith(":orange[**variation inhabituelle**] (habituelle") for c in captions)
    assert any(c.startswith("dans la variation normale (habituelle") for c in captions)
    assert "données jusqu'au 15 nov. 2026" in captions[0]
    found = _english(_visible(app))
    assert not found, found
    _assert_french_charts(app)
    trend = _figures(app)[0][0]["layout"]["xaxis"]
    assert trend["ticktext"][0] == "S35<br>2026" and trend["ticktext"][1] == "S36"
    assert trend["hoverformat"] == "S%V · %d/%m/%Y"


def test_a_lagging_source_says_why_in_french(
    open_app: OpenApp, demo_copy: Path, write_csv: WriteCsv
) -> None:
    with kpis.Store(demo_copy, DEFINITIONS) as store:
        kpis.ingest_file(store, _later_tickets(write_csv))  # tickets reach 22 Nov, others not
    app = _french(open_app, demo_copy)
    with use_language("fr"):
        app.selectbox(key="week").select("2026-W47").run()
        label = DEFINITIONS.kpis["service_rate"].label
    service = next(m for m in app.main.get("metric") if m.label == label)
    assert (service.value, service.proto.delta) == ("–", "pas encore de données")
    assert ":orange[données orders jusqu'au 15 nov.]" in [c.value for c in app.caption]
    found = _english(_visible(app))
    assert not found, found


def test_before_after_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _french(open_app, demo_copy, page=PAGE)
    assert app.title[0].value == "Avant / après"
    assert [s.value for s in app.subheader] == [
        "Séries hebdomadaires",
        "D'où vient la variation",
    ]
    assert app.radio(key="mode").options == ["Autour d'un événement", "Deux périodes"]
    assert app.selectbox(key="event").options == [
        "ops-playbook (18 mai 2026)", "lyon-slotting (18 mai 2026)",
    ]  # fmt: skip
    assert f"**Avant{NBSP}:** 17 nov. 2025 – 17 mai 2026 (182 jours)" in app.markdown[0].value
    table = app.table[0].value
    assert list(table.columns) == [
        "KPI", "avant", "après", "amélioration", "verdict", "4 dernières semaines",
        "variation", "variation en %", f"intervalle à 95{NBSP}%", "p",
    ]  # fmt: skip
    with use_language("fr"):
        labels = {name: kpi.label for name, kpi in DEFINITIONS.kpis.items()}
    rows = {r["KPI"]: r for r in table.to_dict("records")}
    conversion = rows[labels["conversion_rate"]]
    # The example, U+00A0 pinned: 2,0 % before, 3,5 % after.
    assert (conversion["avant"], conversion["après"]) == (f"2,0{NBSP}%", f"3,5{NBSP}%")
    assert conversion["amélioration"] == f"74,9{NBSP}% mieux"
    assert {r["verdict"] for r in rows.values()} == {"amélioré"}
    headline = _text(next(m.value for m in app.markdown if m.value.startswith("#### ")))
    assert f"2,0{NBSP}% → 3,5{NBSP}%" in headline
    captions = [_text(c.value) for c in app.caption]
    assert sum(c.startswith("Amélioré. Au-delà de la tendance d'avant") for c in captions) == 11
    assert any(c.startswith("4 dernières semaines (19 oct. 2026 – 15 nov. 2026)") for c in captions)
    breakdown = app.dataframe[0].value
    assert {"valeur", "part avant", "part après", "volume avant", "volume après"} <= set(
        breakdown.columns
    )
    found = _english(_visible(app))
    assert not found, found
    _assert_french_charts(app)
    figures = [figure for figure, _config in _figures(app)]
    intervals = figures[0]["layout"]
    assert intervals["xaxis"]["title"]["text"].startswith("variation en % de la valeur d'avant")
    assert f"+50{NBSP}%" in intervals["xaxis"]["ticktext"]
    series = figures[1]  # the conversion rate's weekly series, with both windows
    notes = [a["text"] for a in series["layout"]["annotations"]]
    assert f"avant{NBSP}: 2,0{NBSP}%" in notes and f"après{NBSP}: 3,5{NBSP}%" in notes
    assert [t["name"] for t in series["data"] if t.get("showlegend")] == [
        "tendance d'avant, prolongée"
    ]
    assert [t["name"] for t in figures[-1]["data"]] == ["avant", "après"]  # the breakdown


def test_two_date_ranges_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _french(open_app, demo_copy, page=PAGE, mode="ranges")
    pickers = {d.key: d for d in app.date_input}
    assert (pickers["before"].label, pickers["after"].label) == ("Avant", "Après")
    assert pickers["before"].proto.format == pickers["after"].proto.format == "DD/MM/YYYY"
    found = _english(_visible(app))
    assert not found, found


@pytest.fixture
def lagging(demo_copy: Path, write_csv: WriteCsv) -> Path:
    """The demo with a week more of leads (through 22 Nov): the other sources lag a week."""
    leads = [[f"X{i}", f"2026-11-{16 + i % 7} 10:00", "web", i % 25 == 0] for i in range(1400)]
    with kpis.Store(demo_copy, DEFINITIONS) as store:
        path = write_csv("late.csv", ["lead_id", "created_at", "channel", "converted"], leads)
        kpis.ingest_file(store, path)
    return demo_copy


def test_freshness_notes_are_said_in_french(open_app: OpenApp, lagging: Path) -> None:
    app = _french(open_app, lagging, page=PAGE, mode="ranges")
    notes = [_text(i.value) for i in app.info]
    assert len(notes) == len(set(notes)) == 10  # every KPI but conversion, each said once
    before = kpis.DateRange(dt.date(2026, 9, 28), dt.date(2026, 10, 25))
    after = kpis.DateRange(dt.date(2026, 10, 26), dt.date(2026, 11, 22))
    check = lagging.with_name("check.duckdb")  # a copy: the app holds its file open
    shutil.copyfile(lagging, check)
    with kpis.Store(check, DEFINITIONS) as store, use_language("fr"):
        through = kpis.data_through(store)
        said = missing_note(DEFINITIONS, through, "service_rate", before, after)
    assert said is not None and "données orders jusqu'au" in said
    assert f"{said[0].upper()}{said[1:]}." in notes


def test_english_is_unchanged(open_app: OpenApp, demo_copy: Path) -> None:
    """?lang=en: the English words, English numbers, plotly's own English dates and ticks."""
    app = open_app(demo_copy, page=PAGE, lang="en")
    assert app.title[0].value == "Before / after"
    row = next(r for r in app.table[0].value.to_dict("records") if r["before"] == "2.0%")
    assert (row["after"], row["improvement"]) == ("3.5%", "74.9% better")
    for figure, config in _figures(app):
        assert figure["layout"]["separators"] == ".," and config == {}
    # The net that finds no English on the French pages finds it here.
    found = " ".join(_english(_visible(app)))
    for word in ("Before", "After", "improvement", "better", "improved", "fading", "trend"):
        assert repr(word) in found, word
