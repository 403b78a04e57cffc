"""Everyone at once: the dashboard serving a browser while loads and reads run from the CLI.

The issue's test: while Chromium uses the dashboard, 4 `kpis ingest` of different files
and 8 `kpis compute` / `kpis compare` run at the same time, twice over. Every command must
exit 0, every upload must be in the history, the KPIs afterwards must equal a sequential
load of the same files, and the browser must never show an error, then the new data.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
from pathlib import Path

import kpis
from tests.conftest import CONFIG, KPIS, run_cli
from tests.dashboard.served import MARKS, READY, open_page, serve

pytestmark = MARKS
ROUNDS, LOADS, READS = 2, 4, 8
ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"


def _exports(folder: Path) -> list[Path]:
    """Eight leads exports of week 46, with keys of their own: each moves conversion."""
    paths = []
    for number in range(ROUNDS * LOADS):
        path = folder / f"leads_extra_{number}.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["lead_id", "created_at", "channel", "converted"])
            for index in range(3_000):
                day = 9 + index % 7  # 9 to 15 November 2026
                converted = "true" if (index + number) % 9 == 0 else "false"
                writer.writerow(
                    [f"X{number}-{index}", f"2026-11-{day:02d} 10:00", "web", converted]
                )
        paths.append(path)
    return paths


def _start(*args: str) -> subprocess.Popen[str]:
    # Output to nowhere: a full pipe nobody reads yet would stop the command.
    return subprocess.Popen(
        [KPIS, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _weekly(db: Path) -> dict[str, object]:
    """Every KPI, every week, as the CLI gives them (what "the same numbers" means)."""
    return json.loads(run_cli("--db", str(db), "compute", "--format", "json").stdout)


def _conversion_card(page: object) -> str:
    labels = page.locator("[data-testid=stMetricLabel]").all_inner_texts()  # type: ignore[attr-defined]
    values = page.locator("[data-testid=stMetricValue]").all_inner_texts()  # type: ignore[attr-defined]
    return dict(zip([t.strip() for t in labels], [v.strip() for v in values], strict=True))[
        "Lead conversion rate"
    ]


def test_the_dashboard_commands_and_loads_at_once(
    demo_db: Path, tmp_path: Path, page: object
) -> None:
    served, sequential = tmp_path / "served" / "ops.duckdb", tmp_path / "seq" / "ops.duckdb"
    for db in (served, sequential):
        db.parent.mkdir()
        shutil.copyfile(demo_db, db)
    files = _exports(tmp_path)
    for path in files:  # the same files, one after the other, into the other copy
        run_cli("--db", str(sequential), "ingest", str(path))

    with serve(served, served.parent) as (url, _):
        open_page(page, url, "[data-testid=stMetric] >> nth=5")
        before = _conversion_card(page)
        for round_ in range(ROUNDS):
            loads = [
                _start("--db", str(served), "ingest", str(path))
                for path in files[round_ * LOADS : (round_ + 1) * LOADS]
            ]
            reads = [
                _start("--db", str(served), "compute", "--format", "json")
                if n % 2
                else _start("--db", str(served), "compare", "--event", "ops-playbook")
                for n in range(READS)
            ]
            # The COO keeps using the dashboard meanwhile: every view must come back whole.
            views = 0
            while any(p.poll() is None for p in loads + reads) or views < 2:
                for path in ("", "/explorer?kpi=conversion_rate", "/before-after?weeks=8"):
                    page.goto(url + path)  # type: ignore[attr-defined]
                    page.wait_for_selector(READY, timeout=120_000)  # type: ignore[attr-defined]
                    assert page.locator(ERRORS).count() == 0, page.inner_text("body")  # type: ignore[attr-defined]
                    views += 1
            for process in loads + reads:
                _, err = process.communicate(timeout=300)
                assert process.returncode == 0, err
                assert "Traceback" not in err
        # The next interaction shows the loads made elsewhere.
        open_page(page, url, "[data-testid=stMetric] >> nth=5")
        after = _conversion_card(page)
        assert page.locator(ERRORS).count() == 0  # type: ignore[attr-defined]

    history = json.loads(run_cli("--db", str(served), "uploads", "--format", "json").stdout)
    loaded = {Path(row["file_name"]).name for row in history if row["status"] == "loaded"}
    assert {path.name for path in files} <= loaded
    assert _weekly(served) == _weekly(sequential)
    definitions = kpis.load_definitions(CONFIG)
    week = kpis.week_of("2026-W46")
    with kpis.reading(sequential, definitions) as store:
        value = kpis.compute(store, ["conversion_rate"], "week", week.start, week.end)
    expected = kpis.format_value(definitions.kpis["conversion_rate"], value["value"].iloc[0])
    assert (before != after, after) == (True, expected)


def test_a_load_from_elsewhere_shows_at_the_next_interaction(
    demo_db: Path, tmp_path: Path, page: object
) -> None:
    """No restart, no cache to clear: the page keys its results on the file's stamp."""
    db = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    extra = _exports(tmp_path)[0]
    with serve(db, tmp_path) as (url, _):
        open_page(page, url, "[data-testid=stMetric] >> nth=5")
        first = _conversion_card(page)
        started = time.monotonic()
        assert run_cli("--db", str(db), "ingest", str(extra)).returncode == 0
        assert time.monotonic() - started < 60  # the open dashboard did not hold the file
        open_page(page, url, "[data-testid=stMetric] >> nth=5")  # the COO's next view
        assert _conversion_card(page) != first
