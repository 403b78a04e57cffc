"""The report's PDF: A4, its text selectable and the same as the HTML's (read back with pypdf).

The PDF is the HTML page laid out by WeasyPrint, so its extracted text must hold the headline,
each KPI's label and value as kpis.formatting writes them, in English and in French; and it
must render when data is missing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from kpis import Definitions, Store
from kpis.formatting import format_value
from kpis.i18n import use_language
from kpis.report.headline import say_headline
from kpis.report.model import Report
from kpis.report.pdf import render_pdf
from tests.conftest import WriteCsv
from tests.report import scenarios

A4 = (595.28, 841.89)  # points


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    """The PDF's pages and their text with all white space removed.

    Lines wrap where the page's width says, and French puts no-break spaces inside numbers;
    comparing without white space checks the words and digits, not where lines break.
    """
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, "".join(text.split())


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def report(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Report:
    return scenarios.demo_report(demo_db, tmp_path_factory.mktemp("pdf"), definitions)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_says_the_headline_and_every_value(
    report: Report, definitions: Definitions, language: str
) -> None:
    with use_language(language):
        pdf = render_pdf(report, definitions, dashboard_url="https://ops.example.com")
        reader, text = _text(pdf)
        assert pdf.startswith(b"%PDF-")
        for page in reader.pages:
            assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
                A4, abs=0.5
            )
        assert _flat(say_headline(definitions, report.headline)) in text
        for row in report.kpis:
            kpi = definitions.kpis[row.kpi]
            assert _flat(kpi.label) in text
            assert _flat(format_value(kpi, row.value)) in text
        title = "Weekly operations review" if language == "en" else "Revue hebdomadaire"
        assert _flat(title) in text


def test_the_pdf_renders_a_late_source(
    demo_store: Store, write_csv: WriteCsv, definitions: Definitions
) -> None:
    report = scenarios.late_source(demo_store, write_csv)
    with use_language("fr"):
        _reader, text = _text(render_pdf(report, definitions))
    assert _flat("pas encore de données — données orders jusqu'au 15 nov.") in text
    assert "enretard" in text


def test_the_pdf_renders_a_kpi_without_data_and_events(
    store: Store, write_csv: WriteCsv, definitions: Definitions
) -> None:
    report = scenarios.leads_only(store, write_csv)
    assert report.events == ()
    _reader, text = _text(render_pdf(report, definitions))
    assert _flat("no data yet — no tickets data yet") in text
    assert _flat("No event in the last 13 weeks.") in text


def test_the_french_pdf_page_for_the_readme(report: Report, definitions: Definitions) -> None:
    """The README's picture of the report: its first page, drawn from the PDF itself.

    Written to docs/screenshots/report_fr.png only when asked (`make screenshots`).
    """
    import os

    import pypdfium2

    with use_language("fr"):
        pdf = render_pdf(report, definitions, dashboard_url="https://ops.example.com")
    document = pypdfium2.PdfDocument(pdf)
    picture = io.BytesIO()
    document[0].render(scale=1.4).to_pil().save(picture, format="PNG")
    document.close()
    assert picture.getvalue().startswith(b"\x89PNG")
    if os.environ.get("KPIS_SCREENSHOTS") == "1":
        target = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "report_fr.png"
        target.write_bytes(picture.getvalue())
