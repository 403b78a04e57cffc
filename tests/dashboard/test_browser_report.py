"""The Report page in Chromium: the report drawn in its frame, and its three files downloaded.

What AppTest cannot see: that the frame's policy (no script, no load from elsewhere) still lets
the report's styles and data: images show, and that the PDF and the workbook, made only when
their button is pressed, arrive under their French names with the French report inside.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import kpis
from kpis.i18n import use_language
from kpis.report import build_report
from kpis.report.html import render_html
from tests.conftest import CONFIG
from tests.dashboard.served import MARKS, open_page, serve

pytestmark = MARKS
FRAME = "[data-testid=stIFrame]"


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("served_report")
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    with serve(db, folder) as (url, _):
        yield url, db


def _subject(db: Path, tmp_path: Path) -> str:
    definitions = kpis.load_definitions(CONFIG)
    shutil.copyfile(db, tmp_path / "check.duckdb")
    with use_language("fr"), kpis.reading(tmp_path / "check.duckdb", definitions) as store:
        return render_html(build_report(store, "2026-W46"), definitions).subject


def test_the_report_page_in_french_shows_and_downloads_the_report(
    server: tuple[str, Path], page: object, tmp_path: Path
) -> None:
    url, db = server
    open_page(page, f"{url}/report?week=2026-W46&lang=fr", FRAME)
    frame = page.frame_locator(FRAME)  # type: ignore[attr-defined]
    subject = _subject(db, tmp_path)
    assert subject == "Revue hebdomadaire des opérations — S46 2026"
    frame.get_by_text(subject).first.wait_for(timeout=30_000)
    body = frame.locator("body")
    # The images are data: URIs the policy allows: each one decoded and drawn.
    sizes = body.locator("img").evaluate_all("(images) => images.map(i => i.naturalWidth)")
    assert sizes and all(width > 0 for width in sizes)
    # The inline styles apply (a table of the report is laid out, not browser defaults only).
    styled = body.evaluate("(b) => document.querySelectorAll('[style]').length")
    assert styled > 0

    downloads = {}
    for label in ("Télécharger en HTML", "Télécharger en PDF", "Télécharger en Excel (.xlsx)"):
        with page.expect_download(timeout=60_000) as waiting:  # type: ignore[attr-defined]
            page.get_by_role("button", name=label).click()  # type: ignore[attr-defined]
        done = waiting.value
        downloads[done.suggested_filename] = Path(done.path()).read_bytes()
    assert sorted(downloads) == [
        f"revue-hebdomadaire-2026-W46.{e}" for e in ("html", "pdf", "xlsx")
    ]
    assert subject in downloads["revue-hebdomadaire-2026-W46.html"].decode("utf-8")
    pdf = downloads["revue-hebdomadaire-2026-W46.pdf"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Revue hebdomadaire" in text  # made on Streamlit's thread, still in French
    book = load_workbook(io.BytesIO(downloads["revue-hebdomadaire-2026-W46.xlsx"]))
    assert len(book.worksheets) == 3
