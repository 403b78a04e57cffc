"""The dashboard with KPIS_ENGINE=spark: the weekly page computed by a real local Spark.

The demo database is exported as a lake; the real app (AppTest) reads it through Spark and
must show DuckDB's cards. Uploads still go to the database, and the Upload page says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpis import load_definitions
from kpis.lake import export_lake
from kpis.sharing import reading
from kpis.spark_engine import spark_available
from tests.conftest import CONFIG, ROOT
from tests.dashboard.conftest import APP
from tests.dashboard.test_pages import _weekly_expected

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(spark_available() is not None, reason=str(spark_available())),
]


@pytest.fixture
def on_spark(demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo copy exported as a lake, and the app's environment pointing Spark at it."""
    with reading(demo_copy, load_definitions(CONFIG)) as store:
        export_lake(store, tmp_path / "lake")
    monkeypatch.setenv("KPIS_DB", str(demo_copy))
    monkeypatch.setenv("KPIS_CONFIG", str(CONFIG))
    monkeypatch.setenv("KPIS_ENGINE", "spark")
    monkeypatch.setenv("KPIS_LAKE", str(tmp_path / "lake"))
    monkeypatch.chdir(ROOT)
    return tmp_path / "lake"


def _run(page: str | None = None) -> AppTest:
    # Spark answers each query in about a second here: the weekly page asks a few dozen.
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_weekly_page_on_spark_shows_duckdbs_cards(on_spark: Path, demo_copy: Path) -> None:
    app = _run()
    assert app.selectbox(key="week").value == "2026-W46"
    cards = {m.label: m.value for m in app.metric}
    assert len(cards) == 11
    assert cards == _weekly_expected(demo_copy, "2026-W46")
    assert "CRM leads: data through 15 Nov 2026" in " ".join(c.value for c in app.caption)


def test_upload_page_says_where_uploads_go(on_spark: Path, demo_copy: Path) -> None:
    app = _run("app_pages/upload.py")
    said = " ".join(i.value for i in app.info)
    assert f"computed by Spark from the lake {on_spark}" in said
    assert f"Uploads go to the database {demo_copy}" in said


def test_an_event_added_on_the_page_is_compared_on_spark(on_spark: Path, demo_copy: Path) -> None:
    """Events added on the Before / after page live in the database; Spark's page finds them."""
    from kpis import Event
    from kpis.events import save_event
    from kpis.sharing import writing

    with writing(demo_copy, load_definitions(CONFIG)) as store:
        save_event(store, Event(name="new-carrier", date="2026-06-01", description="A carrier"))
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.query_params.update({"event": "new-carrier", "weeks": "4"})
    app.run()
    app.switch_page("app_pages/before_after.py").run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.warning, [w.value for w in app.warning]
    assert app.table and len(app.table[0].value) == 11
    shown = " ".join(m.value for m in app.markdown)
    assert "4 May 2026 – 31 May 2026" in shown and "1 Jun 2026 – 28 Jun 2026" in shown, shown
