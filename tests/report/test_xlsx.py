"""The report's .xlsx read back with openpyxl: real numbers and dates, formats per KPI, charts.

The workbook is written from the demo's report of 2026-W46 and every cell is compared with
the report model it came from (itself checked against the plain-Python oracle in
test_content.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kpis import Definitions, Store
from kpis.i18n import use_language
from kpis.report import Report, build_report
from kpis.report.xlsx import TABLE_ROW, render_xlsx


@pytest.fixture(scope="module")
def report(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory, definitions: Definitions
) -> Iterator[Report]:
    target = tmp_path_factory.mktemp("xlsx") / "ops.duckdb"
    shutil.copyfile(demo_db, target)
    with Store(target, definitions, read_only=True) as store:
        yield build_report(store, "2026-W46")


def _book(report: Report, definitions: Definitions, lang: str = "en") -> Any:
    with use_language(lang):
        data = render_xlsx(report, definitions)
    return openpyxl.load_workbook(io.BytesIO(data))


def _approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value, rel=1e-12)


def test_the_week_sheet_holds_the_models_numbers_and_dates(
    report: Report, definitions: Definitions
) -> None:
    sheet = _book(report, definitions).worksheets[0]
    assert sheet.title == "Week"
    assert sheet["B2"].value == "2026-W46"
    assert sheet["B3"].value == dt.datetime(2026, 11, 9) and sheet["B3"].is_date
    assert sheet["B4"].value == dt.datetime(2026, 11, 15) and sheet["B4"].is_date
    assert sheet.cell(TABLE_ROW + 1, 1).value == "KPI"
    for i, row in enumerate(report.kpis, start=TABLE_ROW + 2):
        kpi = definitions.kpis[row.kpi]
        cells = [c.value for c in sheet[i]]
        assert cells[0] == kpi.label
        assert cells[1:7] == [_approx(row.value), _approx(row.previous), _approx(row.change),
                              _approx(row.year_ago), _approx(row.year_change),
                              _approx(row.target)]  # fmt: skip
        assert all(isinstance(v, float | int) for v in cells[1:4])  # numbers, not text
        assert cells[7] is row.target_met and cells[8] is row.unusual and cells[10] is True
    assert len(report.kpis) == 11 and sheet.max_row == TABLE_ROW + 1 + 11


def test_number_formats_follow_each_kpi(report: Report, definitions: Definitions) -> None:
    books = {lang: _book(report, definitions, lang).worksheets[0] for lang in ("en", "fr")}
    formats = {}
    for i, row in enumerate(report.kpis, start=TABLE_ROW + 2):
        formats[row.kpi] = {lang: (s.cell(i, 2).number_format, s.cell(i, 4).number_format,
                                   s.cell(i, 10).value) for lang, s in books.items()}  # fmt: skip
    assert formats["conversion_rate"]["en"] == ("0.0%", "+0.0%;-0.0%;0.0%", "%")
    assert formats["resolution_time"]["en"] == ("#,##0.0", "+#,##0.0;-#,##0.0;0.0", "hours")
    assert formats["resolution_time"]["fr"][2] == "h"
    assert formats["stock_rotation"]["fr"][2] == "rotations/an"
    assert formats["cost_per_unit_shipped"]["en"][0] == '#,##0.00 "EUR"'
    assert formats["cost_per_unit_shipped"]["fr"][0] == '#,##0.00 "€"'


def test_the_series_sheet_and_its_charts(report: Report, definitions: Definitions) -> None:
    with use_language("en"):
        data = render_xlsx(report, definitions)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[1]
    assert sheet.title == "12 weeks"
    assert [c.value for c in sheet[1]][:3] == ["ISO week", "Monday", "Lead conversion rate (%)"]
    for i, point in enumerate(report.kpis[0].series, start=2):
        monday = dt.date.fromisocalendar(int(point.week[:4]), int(point.week[-2:]), 1)
        assert sheet.cell(i, 1).value == point.week
        assert sheet.cell(i, 2).value == dt.datetime.combine(monday, dt.time())
        for j, row in enumerate(report.kpis, start=3):
            assert sheet.cell(i, j).value == _approx(row.series[i - 2].value)
    assert sheet.max_row == 13  # 12 weeks, the last the report's
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = sorted(n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
        first = archive.read("xl/charts/chart1.xml").decode()
        cost = archive.read("xl/charts/chart6.xml").decode()
    assert len(charts) == 11  # one line chart per KPI
    assert "<c:lineChart>" in first and "'12 weeks'!$C$2:$C$13" in first
    assert 'formatCode="0%"' in first  # a rate on a percentage axis
    # The first KPI's target, dashed: the column after the 11 KPIs' (C to M).
    assert "Target" in first and "'12 weeks'!$N$2:$N$13" in first
    assert 'formatCode="#,##0.00 &quot;EUR&quot;"' in cost


def test_attention_sheet_lists_each_driver(report: Report, definitions: Definitions) -> None:
    sheet = _book(report, definitions).worksheets[2]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    # A KPI without a dimension (contacts per 100 orders) has its row, without a driver.
    expected = [(item, d) for item in report.attention for d in item.drivers or (None,)]
    assert len(rows) == len(expected) > 0
    for cells, (item, driver) in zip(rows, expected, strict=True):
        assert cells[0] == definitions.kpis[item.kpi].label
        assert cells[2] == _approx(item.change)
        if driver is None:
            assert cells[3:6] == [None, None, None]
            continue
        assert cells[3:6] == [driver.dimension, driver.value, _approx(driver.contribution)]
        assert cells[8:10] == [driver.volume, driver.volume_previous]
        assert cells[10] == _approx(driver.share)
    assert rows[0][1] == "off target, unusual change"  # conversion fell beyond its usual range


def test_french_headers_and_sheet_names(report: Report, definitions: Definitions) -> None:
    book = _book(report, definitions, "fr")
    assert book.sheetnames == ["Semaine", "12 semaines", "Points d'attention"]
    week = book.worksheets[0]
    assert week.cell(TABLE_ROW + 1, 2).value == "Valeur"
    assert week["B3"].number_format == "dd/mm/yyyy"
    assert book.worksheets[2]["B2"].value == "objectif non atteint, variation inhabituelle"


def test_a_missing_value_says_why_and_data_stays_text(
    report: Report, definitions: Definitions
) -> None:
    late = dataclasses.replace(
        report.kpis[0], value=None, change=None, target_met=None, complete=False,
        reason="leads data through 2026-11-12", year_ago=0.031,
    )  # fmt: skip
    driver = dataclasses.replace(report.attention[0].drivers[0], value="=HYPERLINK(1)")
    item = dataclasses.replace(report.attention[0], drivers=(driver,))
    changed = dataclasses.replace(
        report, kpis=(late, *report.kpis[1:]), attention=(item,), events=()
    )
    book = _book(changed, definitions, "fr")
    row = [c.value for c in book.worksheets[0][TABLE_ROW + 2]]
    assert row[1] is None and row[4] == pytest.approx(0.031) and row[7] is None
    assert row[10] is False and row[11] == "données leads jusqu'au 12 nov."
    cell = book.worksheets[2]["E2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"  # never a formula


def test_nothing_needs_attention(report: Report, definitions: Definitions) -> None:
    quiet = dataclasses.replace(report, attention=())
    sheet = _book(quiet, definitions).worksheets[2]
    assert sheet["A2"].value == "Nothing needs attention this week."
