"""Time the weekly page in Chromium, cold and warm, on a loaded database, against a floor.

Cold is the first view after `streamlit run` starts, in a fresh browser profile: nothing
cached anywhere, the page's imports and every query run. Warm is the COO coming back to the
page in the open app (Definitions, then Weekly review in the sidebar): the process's cached
results, the browser's loaded scripts. A new tab (a second reader opening the link) is timed
too. The same three are measured on benchmarks/baseline_app.py, the page's widgets with no
data work, so the report can say which share is ours and which is Streamlit's and plotly's.
Each time runs until the script has finished and six cards and six charts are drawn.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
READY = "[data-testid=stApp][data-test-script-state=notRunning]"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWS = 5
VIEWS_COLD = 3  # each on a freshly started server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(app: str, db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", app,
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "KPIS_DB": str(db), "KPIS_CONFIG": str(ROOT / "kpis.yaml")},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"streamlit did not start:\n{log.read_text()[-3000:]}")


def _drawn(page: Any, started: float) -> float:
    """Wait until the weekly page is complete; seconds since `started`."""
    page.wait_for_selector("[data-testid=stMetric] >> nth=5", timeout=120_000)
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg >> nth=5", timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)
    seconds = time.perf_counter() - started
    if page.locator("[data-testid=stException]").count():
        raise SystemExit("the weekly page raised an exception during the benchmark")
    return seconds


def _new_tab(context: Any, url: str) -> float:
    page = context.new_page()
    seconds = _drawn(page, _goto(page, url))
    page.close()
    return seconds


def _goto(page: Any, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    return started


def _in_app(page: Any) -> float:
    """Leave for Definitions, then come back to Weekly review through the sidebar."""
    page.get_by_role("link", name="Definitions").click()
    page.wait_for_selector("h1:has-text('Definitions')", timeout=60_000)
    page.wait_for_selector(READY, timeout=60_000)
    started = time.perf_counter()
    page.get_by_role("link", name="Weekly review").click()
    return _drawn(page, started)


def _measure(browser: Any, app: str, db: Path, log: Path) -> dict[str, Any]:
    """Cold views on as many fresh servers, then warm and new-tab views on the last one."""
    colds: list[float] = []
    for attempt in range(VIEWS_COLD):
        process, url = _serve(app, db, log)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            colds.append(_drawn(page, _goto(page, url)))
            if attempt == VIEWS_COLD - 1:
                warm = [_in_app(page) for _ in range(VIEWS)]
                tabs = [_new_tab(context, url) for _ in range(VIEWS)]
            context.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "cold": statistics.median(colds),
        "cold_all": colds,
        "warm": statistics.median(warm),
        "new_tab": statistics.median(tabs),
    }


def render_times(db: Path, rows: int) -> dict[str, Any] | None:
    """Cold, warm and new-tab times of the weekly page and of the floor, or None."""
    if not CHROMIUM.exists():
        print("  skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)")
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        floor = _measure(browser, "benchmarks/baseline_app.py", db, db.parent / "floor.log")
        ours = _measure(browser, "dashboard/app.py", db, db.parent / "streamlit.log")
        browser.close()
    return {"rows": rows, "views": VIEWS, "views_cold": VIEWS_COLD, "engine": ours, "floor": floor}
