"""Fixtures for the dashboard: the real app under AppTest, on the demo or an empty database."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import CONFIG, ROOT
from tests.dashboard.served import ARGS, CHROMIUM

APP = ROOT / "dashboard" / "app.py"
OpenApp = Callable[..., AppTest]


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database (the app caches one Store per file)."""
    target = tmp_path / "demo" / "ops.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db, target)
    return target


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> OpenApp:
    """Run the real dashboard on a database and kpis.yaml, on a page, with URL parameters.

    `open_app(db, page="app_pages/upload.py", week="2026-W40")` returns the AppTest after
    its first run; the app reads KPIS_DB and KPIS_CONFIG exactly as in production.
    """

    def run(db: Path, page: str | None = None, config: Path = CONFIG, **params: str) -> AppTest:
        monkeypatch.setenv("KPIS_DB", str(db))
        monkeypatch.setenv("KPIS_CONFIG", str(config))
        monkeypatch.chdir(ROOT)
        app = AppTest.from_file(str(APP), default_timeout=120)
        app.query_params.update(params)
        app.run()
        if page is not None:
            app.switch_page(page).run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return run


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright (the browser tests skip without it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    opened = context.new_page()
    yield opened
    context.close()
