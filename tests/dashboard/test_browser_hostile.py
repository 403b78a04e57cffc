"""End to end with hostile URLs and hostile data: Chromium against `streamlit run`.

The server holds a copy of the demo database whose channels, an upload's file name and an
event are formulas (tests/dashboard/hostile.py). The review's URLs load the data's range and
show no traceback, the server stays small, and what the browser saves (the Explorer's button
and st.dataframe's own toolbar export) carries no formula.
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.hostile import CHANNELS, is_formula_cell, neutralised, poison
from tests.dashboard.served import MARKS, open_page, serve

pytestmark = MARKS
# Headless Chromium has no save dialog: without the File System Access API the table's
# toolbar falls back to an ordinary download, which Playwright receives.
NO_SAVE_DIALOG = "delete window.showSaveFilePicker; window.showSaveFilePicker = undefined;"
MAX_RSS_MB = 1_500  # the review's URL grew the server until the kernel killed it


@pytest.fixture(scope="module")
def hostile_server(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    folder = tmp_path_factory.mktemp("hostile")
    with serve(poison(demo_db, folder / "ops.duckdb"), folder) as served:
        yield served


def _rss_mb(process: subprocess.Popen[bytes]) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    line = next(row for row in status.splitlines() if row.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


URLS = {
    "explorer_day_by_day_over_9000_years": (
        "/explorer?kpi=csat&grain=day&range=0001-01-02:9999-12-30",
        "[data-testid=stDataFrame]",
    ),
    "before_after_ranges_in_year_one_and_9999": (
        "/before-after?mode=ranges&before=0001-01-02:0001-01-03&after=9999-12-01:9999-12-30",
        "[data-testid=stTable]",
    ),
    "weekly_with_a_script": ("/?week=<script>alert(1)</script>", "[data-testid=stMetric]"),
    "explorer_repeated_and_unknown": (
        "/explorer?kpi=csat&kpi=%3Cimg%20src=x%3E&grain=year&by=ticket_id&range=2026-13-01:x",
        "[data-testid=stDataFrame]",
    ),
}


@pytest.mark.parametrize(("path", "expect"), URLS.values(), ids=URLS.keys())
def test_a_hostile_url_shows_the_data_and_no_traceback(
    hostile_server: tuple[str, subprocess.Popen[bytes]], page: object, path: str, expect: str
) -> None:
    url, process = hostile_server
    open_page(page, url + path, expect)
    body = page.inner_text("body")  # type: ignore[attr-defined]
    for leak in ("Traceback", "Something went wrong", "/work/", ".py", "<script>"):
        assert leak not in body
    assert _rss_mb(process) < MAX_RSS_MB


def _saved_rows(download: object) -> list[list[str]]:
    text = Path(download.path()).read_bytes().decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text, newline="")))


def _toolbar_download(page: object, table: int = 0) -> list[list[str]]:
    """Save the table's data with st.dataframe's own toolbar button, and read it back."""
    frame = page.locator("[data-testid=stDataFrame]").nth(table)  # type: ignore[attr-defined]
    frame.scroll_into_view_if_needed()
    frame.hover()
    with page.expect_download() as waiting:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download as CSV").first.click()  # type: ignore[attr-defined]
    return _saved_rows(waiting.value)


def _check(rows: list[list[str]], column: str) -> set[str]:
    """No cell may run as a formula and every row reads back whole; the column's values."""
    header, body = rows[0], rows[1:]
    assert body and all(len(row) == len(header) for row in body)
    assert not [cell for row in rows for cell in row if is_formula_cell(cell)]
    return {row[header.index(column)] for row in body}


HOSTILE_CHANNELS = {neutralised(text) for text in CHANNELS.values()}


def test_the_explorers_downloads_carry_no_formula(
    hostile_server: tuple[str, subprocess.Popen[bytes]], page: object
) -> None:
    url, _ = hostile_server
    page.add_init_script(NO_SAVE_DIALOG)  # type: ignore[attr-defined]
    open_page(
        page,
        f"{url}/explorer?kpi=conversion_rate&grain=quarter&by=channel",
        "[data-testid=stDownloadButton]",
    )
    with page.expect_download() as waiting:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download this table (CSV)").click()  # type: ignore[attr-defined]
    button = _saved_rows(waiting.value)
    # The download is what kpis compute --format csv prints: the value under dimension_value.
    assert _check(button, "dimension_value") >= HOSTILE_CHANNELS
    toolbar = _toolbar_download(page)
    assert _check(toolbar, "channel") >= HOSTILE_CHANNELS
    assert len(toolbar) == len(button)


def test_the_before_after_breakdown_toolbar_download_carries_no_formula(
    hostile_server: tuple[str, subprocess.Popen[bytes]], page: object
) -> None:
    url, _ = hostile_server
    page.add_init_script(NO_SAVE_DIALOG)  # type: ignore[attr-defined]
    open_page(page, f"{url}/before-after?weeks=8&dim=channel", "[data-testid=stDataFrame]")
    rows = _toolbar_download(page)
    assert _check(rows, "value") >= HOSTILE_CHANNELS
    changes = _check(rows, "change")
    assert any(change.startswith(("'+", "'-")) for change in changes)  # "+1.5 pp", quoted


def test_the_upload_history_toolbar_download_carries_no_formula(
    hostile_server: tuple[str, subprocess.Popen[bytes]], page: object
) -> None:
    url, _ = hostile_server
    page.add_init_script(NO_SAVE_DIALOG)  # type: ignore[attr-defined]
    open_page(page, f"{url}/upload", "[data-testid=stDataFrame]")
    files = _check(_toolbar_download(page), "file_name")
    assert any(name.startswith("'=HYPERLINK(") for name in files)
