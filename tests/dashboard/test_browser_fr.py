"""A French browser gets the dashboard in French, without asking; the switch goes back.

Chromium is started with its locale set to fr-FR (navigator.language, which Streamlit reads
as st.context.locale) and opens the app with no `?lang=`. With KPIS_SCREENSHOTS=1 (`make
screenshots`) the French weekly review and before/after pages are saved for the README.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.served import MARKS, READY, open_page, serve
from tests.dashboard.test_browser import _cards, _screenshot, _table

pytestmark = MARKS
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served_fr")
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    with serve(db, folder) as (url, _):
        yield url


@pytest.fixture
def french_page(browser: object) -> Iterator[object]:
    """A page of a browser whose language is French (fr-FR), as a French COO's would be."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True
    )
    opened = context.new_page()
    yield opened
    context.close()


def test_a_french_browser_gets_the_weekly_review_in_french(server: str, french_page) -> None:
    page = french_page
    assert page.evaluate("navigator.language") == "fr-FR"
    open_page(page, server, "[data-testid=stMetric] >> nth=5")
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Revue hebdomadaire" in nav and "Avant / après" in nav
    assert "Weekly review" not in nav
    cards = _cards(page)
    assert "Taux de conversion" in cards
    # French numbers: a decimal comma and a no-break space (U+00A0) before "%" and units.
    assert re.fullmatch(rf"\d+,\d{NBSP}%", cards["Taux de conversion"])
    assert re.fullmatch(rf"\d+,\d\d{NBSP}€", cards["Coût logistique par unité expédiée"])
    body = page.inner_text("body")
    assert "Semaine" in body and "Week " not in body
    _screenshot(page, "weekly_fr")


def test_before_after_in_french_shows_french_numbers(server: str, french_page) -> None:
    page = french_page
    open_page(page, f"{server}/before-after", "[data-testid=stTable]")
    rows = _table(page)
    conversion = next(row for row in rows if row[0] == "Taux de conversion")
    assert conversion[1:3] == [f"2,0{NBSP}%", f"3,5{NBSP}%"]
    assert "Avant" in " ".join(rows[0]) or "avant" in " ".join(rows[0])
    _screenshot(page, "before_after_fr")


def test_the_switch_goes_to_english_and_the_link_says_so(server: str, french_page) -> None:
    page = french_page
    open_page(page, server, "[data-testid=stMetric] >> nth=5")
    page.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]lang=en"), timeout=30_000)
    page.wait_for_selector(READY, timeout=60_000)
    page.get_by_text("Weekly review").first.wait_for(timeout=30_000)
    assert "Lead conversion rate" in _cards(page)
    # The link says English: opened again in the same French browser, it stays English.
    open_page(page, page.url, "[data-testid=stMetric] >> nth=5")
    assert "Lead conversion rate" in _cards(page)
