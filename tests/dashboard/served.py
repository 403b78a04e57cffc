"""The dashboard served by `streamlit run` on localhost, for the Chromium (Playwright) tests.

Shared by test_browser.py (the demo database, README screenshots) and
test_browser_hostile.py (hostile URLs and data); their `browser` and `page` fixtures are in
conftest.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import CONFIG, ROOT

CHROMIUM = Path("/usr/bin/chromium")
READY = "[data-testid=stApp][data-test-script-state=notRunning]"
# As the machine's own probe starts it: no background traffic on a closed network.
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    db: Path,
    folder: Path,
    port: int | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`streamlit run dashboard/app.py` on `db` (its log in `folder`): its URL and process.

    `port` when the caller needs the URL beforehand (a login's redirect URI); `args` and `env`
    are added to the command line and the environment.
    """
    port = port or _free_port()
    env = {**os.environ, "KPIS_DB": str(db), "KPIS_CONFIG": str(CONFIG), **(env or {})}
    log = (folder / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
            "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", *args,
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"streamlit did not start:\n{(folder / 'streamlit.log').read_text()}")
            time.sleep(0.3)
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def open_page(page: object, url: str, expect: str) -> None:
    """Go to `url` and wait until the script has finished and `expect` is on the page."""
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(expect, timeout=60_000)  # type: ignore[attr-defined]
    page.wait_for_selector(READY, timeout=60_000)  # type: ignore[attr-defined]
    assert page.locator("[data-testid=stException]").count() == 0  # type: ignore[attr-defined]
