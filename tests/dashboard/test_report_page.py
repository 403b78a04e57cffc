"""The Report page (the real app, AppTest) on the demo: the week's report as sent, its files.

Expected content comes from the engine (kpis.report.build_report, tested against the oracle in
tests/report/) on a copy of the same database, formatted by kpis.formatting: these tests check
that the page shows that report, for the week asked, in the page's language, with its three
downloads. The PDF and the workbook are made after the page run, on Streamlit's own thread:
dashboard.report_files makes them there, in the page's language, tested as Streamlit calls it.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import threading
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

import kpis
from dashboard import report_files
from kpis.i18n import use_language
from kpis.report import Report, build_report
from kpis.report.html import render_html
from tests.conftest import CONFIG
from tests.dashboard.conftest import APP, OpenApp
from tests.dashboard.test_auth import Run, run_app, signed_in

PAGE = "app_pages/report.py"
DEFINITIONS = kpis.load_definitions(CONFIG)
NNBSP, NBSP = "\u202f", "\u00a0"
# Words of the English interface that the French page never uses (as test_pages_fr.py's).
ENGLISH = re.compile(
    r"\b(Download|Report|Weekly|report|review|Week|subject|made|when|the|and|with|"
    r"from|your|this|will|every|none|value|data|Preparing|Excel workbook)\b"
)

__all__ = ["run_app"]  # the signed-in app of test_auth.py, a fixture here too


def _expected(db: Path, week: str | None, lang: str = "en") -> Report:
    """The report the engine builds of `week`, in `lang`, from a copy (the app holds its file)."""
    check = db.with_name(f"check-{week}-{lang}.duckdb")
    shutil.copyfile(db, check)
    with use_language(lang), kpis.reading(check, DEFINITIONS) as store:
        return build_report(store, week)


def _open(open_app: OpenApp, db: Path, lang: str = "en", **params: str) -> AppTest:
    """The Report page as a link opens it (/report?week=...&lang=...), in a new session.

    The page is chosen before the first run: the default page would read `week` first.
    """
    open_app(db)  # sets KPIS_DB and KPIS_CONFIG, as for every page (and checks the app runs)
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.query_params.update({"lang": lang} if lang != "en" else {}, **params)
    # AppTest sends a select box's choice as the text shown, formatted in the test's thread.
    with use_language(lang):
        app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _shown(app: AppTest) -> str:
    """The report's HTML as the page's frame holds it, entities read as characters."""
    (frame,) = app.get("iframe")
    return frame.proto.srcdoc


def _text(app: AppTest) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", _shown(app)))


def _downloads(app: AppTest) -> dict[str, object]:
    return {b.proto.label: b.proto for b in app.get("download_button")}


def _spaced(text: str) -> str:
    """ASCII white space as one space (str.split would take the no-break spaces too)."""
    return re.sub(r"[ \t\r\n]+", " ", text)


def _html_download(app: AppTest, expected: str, name: str) -> bool:
    """Whether the page's first download is `expected` (HTML) under file name `name`."""
    button = app.get("download_button")[0].proto
    file_id = _calculate_file_id(expected.encode("utf-8"), "text/html", name)
    return bool(button.url.endswith(f"/{file_id}.html"))


def _check_report(app: AppTest, expected: Report, lang: str = "en") -> None:
    """The frame shows `expected`: its headline, each KPI's label and value as formatted."""
    text = _spaced(_text(app))
    assert _spaced(expected.headline.sentence) in text
    with use_language(lang):
        for row in expected.kpis:
            kpi = DEFINITIONS.kpis[row.kpi]
            assert kpi.label in text
            if row.value is not None:
                assert kpis.format_value(kpi, row.value) in text, (row.kpi, row.value)


def test_the_report_of_the_default_week_in_english(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy)
    assert [t.value for t in app.title] == ["Weekly report"]
    assert app.selectbox(key="week").value == "2026-W46"  # kpis.default_week, as the review
    assert app.query_params["week"] == "2026-W46"  # pinned: the link keeps the week
    expected = _expected(demo_copy, None)
    assert expected.week == "2026-W46"
    _check_report(app, expected)
    rendered = render_html(expected, DEFINITIONS)
    assert _shown(app) == report_files.on_screen(rendered.html)
    assert any(c.value == f"E-mail subject: {rendered.subject}" for c in app.caption)
    downloads = _downloads(app)
    assert list(downloads) == ["Download HTML", "Download PDF", "Download Excel (.xlsx)"]
    # The HTML downloaded is the report's own, byte for byte (without the frame's policy), under
    # its name (the file's id is a hash of the bytes, the type and the name).
    assert _html_download(app, rendered.html, "weekly-review-2026-W46.html")
    for label in ("Download PDF", "Download Excel (.xlsx)"):  # made on click, see below
        assert downloads[label].deferred_file_id and not downloads[label].url  # type: ignore[attr-defined]


def test_the_report_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, lang="fr")
    assert [t.value for t in app.title] == ["Rapport hebdomadaire"]
    with use_language("fr"):
        assert app.selectbox(key="week").value == "2026-W46"
        assert app.selectbox(key="week").options[0].startswith("Semaine ")
    expected = _expected(demo_copy, None, "fr")
    _check_report(app, expected, "fr")
    assert re.search(rf"\d,\d{NBSP}%", _text(app))  # a rate as French writes it: 3,5 %
    with use_language("fr"):
        rendered = render_html(expected, DEFINITIONS)
    assert rendered.subject == "Revue hebdomadaire des opérations — S46 2026"
    assert _shown(app) == report_files.on_screen(rendered.html)
    assert any(c.value == f"Objet de l'e-mail{NBSP}: {rendered.subject}" for c in app.caption)
    assert list(_downloads(app)) == [
        "Télécharger en HTML", "Télécharger en PDF", "Télécharger en Excel (.xlsx)",
    ]  # fmt: skip
    assert _html_download(app, rendered.html, "revue-hebdomadaire-2026-W46.html")
    with use_language("fr"):  # the names the PDF and the workbook are made under
        assert report_files.file_name("2026-W46", "pdf") == "revue-hebdomadaire-2026-W46.pdf"
    visible = [t.value for t in app.title] + [c.value for c in app.caption]
    visible += [app.selectbox(key="week").label, *app.selectbox(key="week").options]
    visible += [str(w.value) for w in app.warning] + list(_downloads(app))
    assert sorted(set(ENGLISH.findall("\n".join(visible)))) == []


def test_the_week_comes_from_the_url(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, week="2026-W20")
    assert app.selectbox(key="week").value == "2026-W20"
    assert not app.warning
    expected = _expected(demo_copy, "2026-W20")
    _check_report(app, expected)
    rendered = render_html(expected, DEFINITIONS)
    assert _html_download(app, rendered.html, "weekly-review-2026-W20.html")
    app.selectbox(key="week").select("2026-W10").run()
    assert app.query_params["week"] == "2026-W10"
    _check_report(app, _expected(demo_copy, "2026-W10"))


@pytest.mark.parametrize("asked", ["2030-W01", "2026-W99", "<script>"])
def test_a_week_the_data_does_not_have_falls_back_to_the_default(
    open_app: OpenApp, demo_copy: Path, asked: str
) -> None:
    app = _open(open_app, demo_copy, week=asked)
    assert app.selectbox(key="week").value == "2026-W46"
    (warning,) = app.warning
    assert "which is not available here; showing Week 46 · 9 Nov – 15 Nov 2026" in warning.value
    assert "<script>" not in warning.value
    _check_report(app, _expected(demo_copy, None))


def test_an_empty_database_says_there_is_no_data_yet(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app(tmp_path / "empty.duckdb", page=PAGE)
    assert "No data yet" in app.info[0].value
    assert not app.get("iframe") and not app.get("download_button") and not app.error


def test_a_viewer_reads_the_report_and_nothing_is_sent(run_app: Run) -> None:
    app = run_app(user=signed_in("coo@example.com"), page=PAGE)
    assert [t.value for t in app.title] == ["Weekly report"]
    assert len(_downloads(app)) == 3
    assert "Send" not in " ".join(b.label for b in app.button)


@pytest.fixture
def french_report(demo_copy: Path) -> Report:
    return _expected(demo_copy, "2026-W46", "fr")


def _on_another_thread(make: object) -> bytes:
    """Call `make` as Streamlit does a download's data: on a thread of its own, in English."""
    made: list[bytes] = []
    thread = threading.Thread(target=lambda: made.append(make()))  # type: ignore[operator]
    thread.start()
    thread.join(timeout=120)
    return made[0]


def test_the_pdf_is_made_on_click_in_the_pages_language(french_report: Report) -> None:
    from pypdf import PdfReader

    with use_language("fr"):
        make = report_files.on_click("pdf", ("test-pdf",), french_report, DEFINITIONS)
    data = _on_another_thread(make)
    assert data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    words = " ".join(text.split())
    assert "Revue hebdomadaire" in words or "S46" in words
    csat = next(r for r in french_report.kpis if r.kpi == "csat")
    with use_language("fr"):
        value = kpis.format_value(DEFINITIONS.kpis["csat"], csat.value)
    assert value.replace(NBSP, " ").replace(NNBSP, " ") in text.replace(NBSP, " ").replace(
        NNBSP, " "
    )
    assert _on_another_thread(make) is data  # kept for the next click


def test_the_workbook_is_made_on_click_in_the_pages_language(french_report: Report) -> None:
    from openpyxl import load_workbook

    with use_language("fr"):
        make = report_files.on_click("xlsx", ("test-xlsx",), french_report, DEFINITIONS)
    data = _on_another_thread(make)
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    values = {c.value for c in cells if c.value is not None}
    assert DEFINITIONS.kpis["csat"].label in values or any(
        isinstance(v, str) and "CSAT" in v for v in values
    )
    csat = next(r for r in french_report.kpis if r.kpi == "csat")
    assert csat.value is not None
    assert any(isinstance(v, float) and abs(v - csat.value) < 1e-12 for v in values)


def test_the_frame_allows_no_script_and_no_load_from_elsewhere() -> None:
    shown = report_files.on_screen("<!DOCTYPE html><html><head><title>R</title></head><body>")
    assert shown.startswith(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        'font-src data:"><title>R</title>'
    )
    assert report_files.on_screen("<p>x</p>") == report_files.POLICY + "<p>x</p>"
