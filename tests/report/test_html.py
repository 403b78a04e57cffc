"""The report's HTML and plain text on the demo database: its numbers, safe for mail clients.

Each KPI's value and change must appear as kpis.formatting writes them for the model's
numbers (which tests/report/test_content.py checks against the oracle), in English and in
French; the page must fetch nothing (no script, no remote resource, images embedded or
attached by Content-ID) and escape what comes from data.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kpis import Definitions, Store
from kpis.formatting import format_delta, format_value, reason_text
from kpis.i18n import use_language
from kpis.report.headline import say_headline
from kpis.report.html import Rendered, render_html
from kpis.report.html_parts import TONE_TEXT
from kpis.report.model import Report
from tests.conftest import WriteCsv
from tests.report import scenarios

DASHBOARD = "https://ops.example.com/kpis"


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the page's text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def of(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


@pytest.fixture(scope="module")
def report(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Report:
    return scenarios.demo_report(demo_db, tmp_path_factory.mktemp("html"), definitions)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_kpi_shows_its_value_and_changes(
    report: Report, definitions: Definitions, language: str
) -> None:
    with use_language(language):
        rendered = render_html(report, definitions)
        page = "".join(Tags(rendered.html).text)
        for row in report.kpis:
            kpi = definitions.kpis[row.kpi]
            assert row.value is not None
            for shown in (kpi.label, format_value(kpi, row.value), format_delta(kpi, row.change)):
                assert shown in page, shown
                assert shown in rendered.text, shown
        assert say_headline(definitions, report.headline) in page
    if language == "fr":
        assert rendered.subject == "Revue hebdomadaire des opérations — S46 2026"
        assert "Semaine 46 · 9 nov. – 15 nov. 2026" in page
        conversion = next(r for r in report.kpis if r.kpi == "conversion_rate")
        assert conversion.value is not None
        digits = f"{conversion.value * 100:.1f}".replace(".", ",")
        assert f"{digits}\u00a0%" in page  # "2,6 %": decimal comma, no-break space
        assert "Objectif" in page and "Points d'attention" in page
    else:
        assert rendered.subject == "Weekly operations review — W46 2026"


def test_attention_items_show_their_drivers(report: Report, definitions: Definitions) -> None:
    rendered = render_html(report, definitions)
    assert report.attention  # the demo's W46 misses targets
    for item in report.attention:
        kpi = definitions.kpis[item.kpi]
        for driver in item.drivers:
            assert f"{driver.dimension} = {driver.value}" in rendered.text
            assert format_delta(kpi, driver.contribution) in rendered.html
    assert "No event in the last 13 weeks." in rendered.html


def test_nothing_is_fetched_and_images_are_embedded(
    report: Report, definitions: Definitions
) -> None:
    rendered = render_html(report, definitions, dashboard_url=DASHBOARD)
    tags = Tags(rendered.html)
    assert "<script" not in rendered.html.lower() and not tags.of("script")
    assert not tags.of("link") and not tags.of("iframe")
    assert "url(" not in rendered.html
    images = tags.of("img")
    assert len(images) == len(report.kpis) == len(rendered.images)
    for attrs in images:
        source = attrs["src"] or ""
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]) in rendered.images.values()
        assert attrs["alt"]
    links = [a["href"] for a in tags.of("a")]
    assert links == [f"{DASHBOARD}/?week=2026-W46&lang=en"]
    assert "&amp;lang=en" in rendered.html  # escaped in the attribute
    outside = rendered.html.replace(f"{DASHBOARD}/?week=2026-W46&amp;lang=en", "")
    assert "http://" not in outside and "https://" not in outside
    assert f"{DASHBOARD}/?week=2026-W46&lang=en" in rendered.text


def test_for_email_images_are_content_ids(report: Report, definitions: Definitions) -> None:
    with use_language("fr"):
        rendered = render_html(report, definitions, dashboard_url=DASHBOARD + "/", for_email=True)
    sources = [attrs["src"] or "" for attrs in Tags(rendered.html).of("img")]
    assert sources and all(s.startswith("cid:") for s in sources)
    assert sorted(s[4:] for s in sources) == sorted(rendered.images)
    assert all(png.startswith(b"\x89PNG") for png in rendered.images.values())
    assert f"{DASHBOARD}/?week=2026-W46&amp;lang=fr" in rendered.html
    same = render_html(report, definitions)
    assert same.images == rendered.images  # the same PNGs, embedded or attached


def test_without_a_dashboard_url_there_is_no_link(report: Report, definitions: Definitions) -> None:
    rendered = render_html(report, definitions)
    assert not Tags(rendered.html).of("a") and "http" not in rendered.text
    assert isinstance(rendered, Rendered) and rendered.text.startswith(rendered.subject)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_late_source_says_no_data_yet(
    demo_store: Store, write_csv: WriteCsv, definitions: Definitions, language: str
) -> None:
    report = scenarios.late_source(demo_store, write_csv)
    with use_language(language):
        rendered = render_html(report, definitions)
        otif = next(r for r in report.kpis if r.kpi == "service_rate")
        assert otif.value is None
        reason = reason_text(otif.reason, 2026)
        waiting = "no data yet" if language == "en" else "pas encore de données"
        page = "".join(Tags(rendered.html).text)
        assert f"{waiting} — {reason}" in page and f"{waiting} — {reason}" in rendered.text
        assert ("late" if language == "en" else "en retard") in page
        csat = next(r for r in report.kpis if r.kpi == "csat")
        assert format_value(definitions.kpis["csat"], csat.value) in page


def test_a_kpi_that_never_had_data(
    store: Store, write_csv: WriteCsv, definitions: Definitions
) -> None:
    report = scenarios.leads_only(store, write_csv)
    rendered = render_html(report, definitions)
    assert "no data yet — no tickets data yet" in rendered.html
    conversion = next(r for r in report.kpis if r.kpi == "conversion_rate")
    assert format_value(definitions.kpis["conversion_rate"], conversion.value) in rendered.html
    assert len(Tags(rendered.html).of("img")) == 11  # an empty sparkline still has its place


def test_events_and_their_verdicts_escaped(demo_store: Store, definitions: Definitions) -> None:
    report = scenarios.with_events(demo_store)
    rendered = render_html(report, definitions)
    tags = Tags(rendered.html)
    assert not tags.of("b")  # the event's name is text, not markup
    assert "&lt;b&gt;this&lt;/b&gt; &amp; week" in rendered.html
    assert "<b>this</b> & week · 11 Nov 2026 · this week" in rendered.text
    carrier = report.events[0]
    assert carrier.name == "new-carrier" and carrier.verdicts
    assert "4 weeks before and after" in rendered.html
    for verdict in carrier.verdicts:
        label = definitions.kpis[verdict.kpi].label
        assert label in rendered.text
        if verdict.verdict is not None:
            assert f"{label}: {verdict.verdict}" in rendered.text
    with use_language("fr"):
        french = render_html(report, definitions)
    assert "4 semaines avant et après" in french.html


def test_a_year_earlier_is_read_against_the_direction(
    report: Report, definitions: Definitions
) -> None:
    """The demo has no 2025-W46; the same rows given one show the change in the KPI's colour."""
    rows = []
    for row in report.kpis:
        assert row.value is not None
        before = row.value * 1.1  # the KPI fell 10 % in a year
        rows.append(replace(row, year_ago=before, year_ago_week="2025-W46",
                            year_change=row.value - before))  # fmt: skip
    rendered = render_html(replace(report, kpis=tuple(rows)), definitions)
    for row in rows:
        kpi = definitions.kpis[row.kpi]
        said = (
            f"{format_delta(kpi, row.year_change)} vs W46 2025 ({format_value(kpi, row.year_ago)})"
        )
        colour = TONE_TEXT["better" if not kpi.higher_is_better else "worse"]
        assert f'color:{colour};">{said}</span>' in rendered.html
        assert said in rendered.text
