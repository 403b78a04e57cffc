"""No table the dashboard shows or hands out carries a formula a spreadsheet would run.

On a copy of the demo database whose channels, an upload's file name and an event hold
formulas (tests/dashboard/hostile.py): the Explorer's download, read back byte for byte, and
every st.dataframe of every page (whose toolbar downloads its data as CSV).
"""

from __future__ import annotations

import ast
import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

import kpis
from tests.conftest import CONFIG, ROOT, run_cli
from tests.dashboard.conftest import OpenApp
from tests.dashboard.hostile import (
    CHANNELS,
    FORMULAS,
    HOSTILE_COLUMN,
    HOSTILE_EVENT,
    HOSTILE_FILE,
    is_formula_cell,
    neutralised,
    poison,
)

QUOTED = {neutralised(text) for text in FORMULAS.values()}


@pytest.fixture
def poisoned(demo_db: Path, tmp_path: Path) -> Path:
    return poison(demo_db, tmp_path / "poisoned" / "ops.duckdb")


def _text_cells(frame: pd.DataFrame) -> list[str]:
    cells = [str(c) for c in frame.columns]
    for column in frame.columns:
        for value in frame[column]:
            items = value if isinstance(value, list | tuple) or hasattr(value, "ndim") else [value]
            cells += [item for item in items if isinstance(item, str)]
    return cells


def _no_formula(frame: pd.DataFrame) -> None:
    assert not [cell for cell in _text_cells(frame) if is_formula_cell(cell)]


def _cli_csv(db: Path, tmp_path: Path, *args: str) -> tuple[bytes, kpis.DateRange]:
    """`kpis compute ... --format csv` over conversion's own days, and those days."""
    check = tmp_path / "check.duckdb"
    shutil.copyfile(db, check)
    with kpis.Store(check, kpis.load_definitions(CONFIG), read_only=True) as store:
        span = kpis.coverage(store, ["conversion_rate"])
    assert span is not None
    out = run_cli(
        "--db", str(check), "compute", "--kpi", "conversion_rate", *args, "--start",
        str(span.start), "--end", str(span.end), "--format", "csv",
    )  # fmt: skip
    return out.stdout.encode("utf-8"), span


def test_the_explorer_download_is_the_clis_csv_and_carries_no_formula(
    open_app: OpenApp, poisoned: Path, tmp_path: Path
) -> None:
    """One answer everywhere: the Explorer's file is, byte for byte, what the CLI prints."""
    app = open_app(
        poisoned, page="app_pages/explorer.py", kpi="conversion_rate", grain="quarter",
        by="channel",
    )  # fmt: skip
    shown = app.dataframe[0].value
    _no_formula(shown)
    assert {neutralised(text) for text in CHANNELS.values()} <= set(shown["channel"])
    expected, span = _cli_csv(poisoned, tmp_path, "--grain", "quarter", "--by", "channel")
    # AppTest keeps no download, but the button's URL is the hash of its bytes: these bytes.
    name = f"conversion_rate_quarter_{span.start}_{span.end}_by_channel.csv"
    button = app.get("download_button")[0].proto
    assert button.url.endswith(f"/{_calculate_file_id(expected, 'text/csv', name)}.csv")
    rows = list(csv.DictReader(io.StringIO(expected.decode("utf-8"), newline="")))
    assert len(rows) == len(shown)
    assert not [c for row in rows for c in [*row, *row.values()] if is_formula_cell(c)]
    assert {row["dimension_value"] for row in rows} == set(shown["channel"])
    # Counts are whole numbers, values unrounded.
    assert all(row["denominator"].isdigit() for row in rows if row["denominator"])


def _display(app: AppTest, index: int) -> pd.DataFrame:
    """The text a styled st.dataframe shows on screen (its data is what the toolbar saves)."""
    styler = app.dataframe[index].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_pandas()


def test_the_before_after_breakdown_shows_figures_as_written(
    open_app: OpenApp, poisoned: Path
) -> None:
    app = open_app(
        poisoned, page="app_pages/before_after.py", weeks="8", dim="channel",
        dim_kpi="conversion_rate",
    )  # fmt: skip
    data, shown = app.dataframe[0].value, _display(app, 0)
    _no_formula(data)
    assert set(data["value"]) >= QUOTED
    signed = data["change"].str.startswith(("'+", "'-"))
    assert signed.any()  # "+1.5 pp" is a formula to a spreadsheet: quoted in the data...
    assert list(shown["change"][signed]) == [c[1:] for c in data["change"][signed]]  # not shown


def test_upload_history_and_events_carry_no_formula(open_app: OpenApp, poisoned: Path) -> None:
    app = open_app(poisoned, page="app_pages/upload.py")
    history = app.dataframe[0].value
    _no_formula(history)
    assert "'" + HOSTILE_FILE in set(history["file_name"])
    assert ["'" + HOSTILE_COLUMN] in [list(v) for v in history["dropped_columns"]]
    app.switch_page("app_pages/definitions.py").run()
    for table in app.dataframe:
        _no_formula(table.value)
    events = app.dataframe[-1].value
    assert "'" + HOSTILE_EVENT in set(events["description"])


def test_an_uploaded_files_preview_carries_no_formula(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["lead_id", "created_at", "channel", "converted"])
    writer.writerows(
        [f"F{i}", "2026-11-10 10:00", f, "true"] for i, f in enumerate(FORMULAS.values())
    )
    upload = ("formulas.csv", text.getvalue().encode(), "text/csv")
    app.file_uploader[0].set_value(upload).run()
    preview = app.dataframe[0].value
    _no_formula(preview)
    assert set(preview["channel"]) & QUOTED


def test_every_value_of_every_channel_is_in_the_hostile_database(poisoned: Path) -> None:
    """The database the tests above read holds every payload, as written."""
    definitions = kpis.load_definitions(CONFIG)
    check = poisoned.with_name("check.duckdb")
    shutil.copyfile(poisoned, check)
    with kpis.Store(check, definitions) as store:
        found = {
            r[0] for r in store.cursor().execute("SELECT DISTINCT channel FROM leads").fetchall()
        }
    assert set(CHANNELS.values()) <= found


TABLE_CALLS = {"dataframe", "data_editor", "download_button"}


def test_only_the_tables_module_calls_streamlits_table_widgets() -> None:
    """Every table goes through dashboard/tables.py, where its text is neutralised."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        if path.name == "tables.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in TABLE_CALLS | {"to_csv"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
    assert offenders == []
