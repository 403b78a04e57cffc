"""End to end: `streamlit run` on localhost, driven by Debian's Chromium through Playwright.

With KPIS_SCREENSHOTS=1 (`make screenshots`) these tests also refresh the screenshots of
docs/screenshots/ shown in the README; a plain test run never rewrites them. Without
Chromium at /usr/bin/chromium they are skipped (`apt-get install chromium`; .ci/run does).
The server, browser and page come from tests/dashboard/served.py and conftest.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import kpis
from tests.conftest import CONFIG, ROOT
from tests.dashboard.served import MARKS, READY, open_page, serve

SHOTS = ROOT / "docs" / "screenshots"
pytestmark = MARKS


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard served by `streamlit run` on a copy of the demo database."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    with serve(db, folder) as (url, _):
        yield url, db


def _screenshot(page: object, name: str) -> None:
    """Render the page as a picture; written to docs/screenshots only when asked to."""
    page.wait_for_timeout(800)  # type: ignore[attr-defined]  # let plotly finish drawing
    picture = page.screenshot(full_page=True)  # type: ignore[attr-defined]
    assert picture.startswith(b"\x89PNG")
    if os.environ.get("KPIS_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.png").write_bytes(picture)


def _table(page: object) -> list[list[str]]:
    """The cells of the page's first st.table, row by row."""
    rows = page.locator("[data-testid=stTable] tr")  # type: ignore[attr-defined]
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()] for row in rows.all()
    ]


def _cards(page: object) -> dict[str, str]:
    labels = page.locator("[data-testid=stMetricLabel]").all_inner_texts()  # type: ignore[attr-defined]
    values = page.locator("[data-testid=stMetricValue]").all_inner_texts()  # type: ignore[attr-defined]
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def _expected_week(demo_db: Path, tmp_path: Path, week: str) -> dict[str, str]:
    definitions = kpis.load_definitions(CONFIG)
    shutil.copyfile(demo_db, tmp_path / "check.duckdb")
    window = kpis.week_of(week)
    with kpis.Store(tmp_path / "check.duckdb", definitions) as store:
        frame = kpis.compute(store, grain="week", start=window.start, end=window.end)
    return {
        definitions.kpis[r["kpi"]].label: kpis.format_value(definitions.kpis[r["kpi"]], r["value"])
        for r in frame.to_dict("records")
    }


def test_weekly_page_shows_every_card_with_the_demo_values(
    server, page, demo_db: Path, tmp_path: Path
) -> None:
    url, _ = server
    open_page(page, url, "[data-testid=stMetric] >> nth=5")
    assert _cards(page) == _expected_week(demo_db, tmp_path, "2026-W46")
    assert page.url.endswith("?week=2026-W46")  # pinned: the link keeps showing this week
    sources = page.locator("[data-testid=stImage] img").evaluate_all("els => els.map(e => e.src)")
    assert len(sources) == 11 and all(s.startswith("data:image/svg+xml") for s in sources)
    widths = page.locator("[data-testid=stImage] img").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert min(widths) > 200  # each sparkline spans its card
    _screenshot(page, "weekly")


def test_before_after_page_shows_the_event_table(server, page) -> None:
    url, _ = server
    open_page(page, f"{url}/before-after", "[data-testid=stTable]")
    texts = page.locator("[data-testid=stMarkdown]").all_inner_texts()
    assert (
        "All 11 KPIs improved significantly. Biggest: Lead conversion rate 2.0% → 3.5% "
        "(74.9% better). Fading in the last 4 weeks: Stock rotation."
        in [text.strip() for text in texts]
    )
    rows = _table(page)
    assert rows[0] == [
        "KPI", "before", "after", "improvement", "verdict", "last 4 weeks", "change", "change %",
        "95% interval", "p",
    ]  # fmt: skip
    assert [
        "Lead conversion rate", "2.0%", "3.5%", "74.9% better", "improved",
        "+1.6 pp (108% of the whole): holding", "+1.5 pp", "+74.9%", "+1.2 to +1.8 pp", "< 0.001",
    ] in rows  # fmt: skip
    assert [
        "Resolution time (median)", "19.8 hours", "12.0 hours", "39.3% better", "improved",
        "-7.9 hours (102% of the whole): holding", "-7.8 hours", "-39.3%", "-8.4 to -7.2 hours",
        "< 0.001",
    ] in rows  # fmt: skip
    rotation = next(row for row in rows if row[0] == "Stock rotation")
    assert rotation[5] == "+1.2 turns/year (29% of the whole): fading"
    # The newest event and the weeks "all the data covers" gave are in the link.
    assert page.url.endswith("/before-after?mode=event&event=ops-playbook&weeks=26")
    _screenshot(page, "before_after")


def test_the_url_holds_the_view(server, page) -> None:
    url, _ = server
    open_page(page, f"{url}/before-after?weeks=4&dim=warehouse", "[data-testid=stTable]")
    texts = page.locator("[data-testid=stMarkdown]").all_inner_texts()
    assert any("20 Apr 2026 – 17 May 2026 (28 days)" in text for text in texts)
    page.get_by_text("Lyon").first.wait_for()  # the breakdown by warehouse, from the URL


def test_explorer_download_is_the_table_shown(server, page, demo_db: Path, tmp_path: Path) -> None:
    url, _ = server
    open_page(
        page,
        f"{url}/explorer?kpi=cost_per_unit_shipped&grain=month&range=2026-01-01:2026-06-30",
        "[data-testid=stDownloadButton]",
    )
    _screenshot(page, "explorer")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download this table (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(waiting.value.path()).read_text())))
    assert [r["period_start"] for r in rows] == [f"2026-0{m}-01" for m in range(1, 7)]
    definitions = kpis.load_definitions(CONFIG)
    shutil.copyfile(demo_db, tmp_path / "check.duckdb")
    with kpis.Store(tmp_path / "check.duckdb", definitions) as store:
        frame = kpis.compute(
            store, ["cost_per_unit_shipped"], "month", dt.date(2026, 1, 1), dt.date(2026, 6, 30)
        )
    assert [float(r["value"]) for r in rows] == pytest.approx(frame["value"].tolist(), rel=1e-12)


def test_definitions_page(server, page) -> None:
    url, _ = server
    open_page(page, f"{url}/definitions", "[data-testid=stExpander]")
    assert "count_if(csat_score >= 4)" in page.inner_text("body")
    _screenshot(page, "definitions")


def test_uploading_a_csv_in_the_browser_changes_a_number(server, page, tmp_path: Path) -> None:
    url, _ = server
    open_page(page, url, "[data-testid=stMetric] >> nth=5")
    before = _cards(page)["Lead conversion rate"]
    export = tmp_path / "crm_week_46.csv"
    export.write_text(
        "lead_id,created_at,channel,converted\n"
        + "".join(f"W{i},2026-11-1{i % 5 + 1} 11:00,web,yes\n" for i in range(400))
    )
    open_page(page, f"{url}/upload", "[data-testid=stFileUploader]")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(export))
    page.get_by_text("Will load into CRM leads").wait_for(timeout=60_000)
    page.wait_for_selector(READY)
    _screenshot(page, "upload")  # the preview, before loading
    page.get_by_role("button", name="Load 1 file").click()
    page.get_by_text("400 rows loaded").wait_for(timeout=60_000)
    page.wait_for_selector(READY)
    open_page(page, url, "[data-testid=stMetric] >> nth=5")
    after = _cards(page)["Lead conversion rate"]
    assert after != before
