"""Downloads (kpis.downloads): the CSV the CLI prints, in each language, and an .xlsx of real
numbers and dates, read back with openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpis.compare import compare, windows_around_event
from kpis.compute import compute
from kpis.definitions import Definitions
from kpis.downloads import BOM, csv_download, xlsx_download
from kpis.i18n import use_language
from kpis.store import Store

NBSP = "\u00a0"


@pytest.fixture
def computed(demo_store: Store) -> pd.DataFrame:
    return compute(demo_store, ["conversion_rate", "service_rate"], "week", None, None, None)


@pytest.fixture
def compared(demo_store: Store) -> pd.DataFrame:
    windows = windows_around_event(demo_store, "ops-playbook", 8, None, 0, False)
    return compare(demo_store, windows.before, windows.after, None, None, None)


def test_english_csv_is_plain_csv(computed: pd.DataFrame) -> None:
    content, suffix, mime = csv_download(computed)
    text = content.decode("utf-8")
    assert (suffix, mime) == (".csv", "text/csv")
    assert text.startswith("kpi,period_start,period_end,days,value,")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert float(rows[0]["value"]) == pytest.approx(computed["value"].iloc[0])
    assert rows[0]["complete"] == "True"


def test_french_csv_is_for_a_french_excel(computed: pd.DataFrame) -> None:
    with use_language("fr"):
        content, suffix, mime = csv_download(computed)
    assert (suffix, mime) == (".csv", "text/csv")
    assert content.startswith(BOM.encode("utf-8"))
    text = content.decode("utf-8-sig")
    header, first, *rest = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:5] == ["KPI", "début de période", "fin de période", "jours", "valeur"]
    assert first[0] == "conversion_rate" and first[1] == "2025-11-17"  # codes and ISO dates
    assert first[4] == repr(float(computed["value"].iloc[0])).replace(".", ",")
    assert first[7] == "VRAI"
    late = [row for row in rest if row[7] == "FAUX"]
    assert late[-1][0] == "service_rate" and late[-1][4] == ""
    assert late[-1][8] == "données orders jusqu'au 15 nov. 2026"


def test_french_csv_translates_verdicts_and_keeps_formulas_out(compared: pd.DataFrame) -> None:
    hostile = compared.copy()
    hostile.loc[0, "note"] = "=cmd|' /C calc'!A0"
    hostile.loc[1, "delta"] = -0.15
    with use_language("fr"):
        text = csv_download(hostile)[0].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["verdict"] == "amélioré" and rows[0]["note"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["variation"] == "-0,15"  # a number, not text to neutralise
    with use_language("en"):
        english = csv_download(hostile)[0].decode("utf-8")
    assert "'=cmd|" in english and ",improved," in english


def test_xlsx_holds_numbers_dates_and_percentages(
    computed: pd.DataFrame, definitions: Definitions, tmp_path: Path
) -> None:
    path = tmp_path / "kpis.xlsx"
    with use_language("fr"):
        path.write_bytes(xlsx_download(computed, definitions=definitions))
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "KPIs" and sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["KPI", "début de période", "fin de période", "jours", "valeur"]
    kpi, start, _end, days, value, numerator, _den, complete, reason = (c for c in sheet[2])
    assert kpi.value == "conversion_rate"
    assert start.value == dt.datetime(2025, 11, 17) and start.is_date
    assert start.number_format == "dd/mm/yyyy"
    assert days.value == 7 and isinstance(value.value, float)
    assert value.value == pytest.approx(computed["value"].iloc[0])
    assert value.number_format == "0.0%"  # a rate KPI's value
    assert isinstance(numerator.value, int | float) and numerator.number_format == "General"
    assert complete.value is True and reason.value is None
    assert sheet.column_dimensions["B"].width > 10
    reasons = [row[8].value for row in sheet.iter_rows(min_row=2) if row[8].value]
    assert "données orders jusqu'au 15 nov. 2026" in reasons


def test_xlsx_never_writes_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "channel": ["=1+1", "@SUM(A1)", "http://example.com", "0042"],
            "delta_pct": [0.1, None, -0.2, 0.0],
            "loaded_at": pd.to_datetime(["2026-11-15 10:20"] * 4),
        }
    )
    path = tmp_path / "plain.xlsx"
    path.write_bytes(xlsx_download(frame, sheet="a/b:c"))
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "a b c"
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "=1+1", "@SUM(A1)", "http://example.com", "0042",
    ]  # fmt: skip
    assert all(row[0].data_type == "s" for row in sheet.iter_rows(min_row=2))
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [0.1, None, -0.2, 0]
    assert sheet["B2"].number_format == "0.0%"  # a fraction by its name
    assert sheet["C2"].value == dt.datetime(2026, 11, 15, 10, 20)
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert [cell.value for cell in sheet[1]] == ["channel", "delta_pct", "loaded_at"]
