"""The weekly report as an .xlsx workbook: the week, the 12-week series with charts, attention.

A COO forwards the numbers to a spreadsheet, so every value is a real number (a rate as a
fraction shown as a percentage, a cost in a currency format), every date a real date, and
each KPI's series has a native Excel chart that redraws when someone edits it. Headers and
words are in the language in force; text from data is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

from babel.numbers import get_currency_symbol

from kpis.definitions import Definitions, Kpi
from kpis.formatting import locale, reason_text
from kpis.i18n import _, language
from kpis.report.headline import say_headline
from kpis.report.model import OFF_TARGET, UNUSUAL_CHANGE, Attention, Report

TABLE_ROW = 6  # the week sheet's header row (0-based): a title, the week and the headline above
CHART_WIDTH, CHART_HEIGHT = 480, 260  # pixels: two charts side by side fit a laptop screen
WRITE_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def sheet_names() -> tuple[str, str, str]:
    """The three sheets' names in the language in force (Excel allows 31 characters)."""
    return (_("Week"), _("12 weeks"), _("Attention"))


def unit_of(kpi: Kpi) -> str:
    """The unit as the reader writes it: %, hours, € (French) or EUR, turns/year."""
    if kpi.format == "currency" and language() == "fr" and kpi.unit_label.isupper():
        return str(get_currency_symbol(kpi.unit_label, locale=locale()))
    return kpi.unit_label


def number_format(kpi: Kpi, signed: bool = False) -> str:
    """Excel's number format for the KPI's values (or, `signed`, its changes).

    Rates are fractions shown as percentages, with the KPI's decimals; a currency carries its
    symbol; other units sit in their own column, so the cells stay plain numbers. Excel puts
    the reader's own separators in place of `,` and `.`.
    """
    decimals = "." + "0" * kpi.decimals if kpi.decimals else ""
    if kpi.format == "percent":
        body = f"0{decimals}%"
    else:
        body = f"#,##0{decimals}"
        if kpi.format == "currency":
            body += ' "' + unit_of(kpi).replace('"', "") + '"'
    if signed:
        zero = body.replace("#,##", "")
        return f"+{body};-{body};{zero}"
    return body


def render_xlsx(report: Report, definitions: Definitions) -> bytes:
    """The report as .xlsx bytes, in the language in force (see the module)."""
    import xlsxwriter  # only the report's spreadsheet needs it

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, WRITE_OPTIONS) as book:
        book.set_properties({"title": _("Weekly operations review"), "subject": report.week})
        styles = _Styles(book)
        names = sheet_names()
        _week_sheet(book.add_worksheet(names[0]), styles, report, definitions)
        _series_sheet(book, book.add_worksheet(names[1]), styles, report, definitions)
        _attention_sheet(book.add_worksheet(names[2]), styles, report, definitions)
    return buffer.getvalue()


class _Styles:
    """The workbook's formats, made once each (XlsxWriter keeps every format it is given)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.label = book.add_format({"bold": True})
        self.day = book.add_format(
            {"num_format": "dd/mm/yyyy" if language() == "fr" else "yyyy-mm-dd", "align": "left"}
        )
        self.count = book.add_format({"num_format": "#,##0"})
        self.percent = book.add_format({"num_format": "0.0%"})
        self._kpi: dict[str, Any] = {}

    def kpi(self, kpi: Kpi, signed: bool = False) -> Any:
        text = number_format(kpi, signed)
        if text not in self._kpi:
            self._kpi[text] = self.book.add_format({"num_format": text})
        return self._kpi[text]


def _number(sheet: Any, row: int, col: int, value: float | None, style: Any) -> None:
    if value is None or math.isnan(value):
        sheet.write_blank(row, col, None)
    else:
        sheet.write_number(row, col, value, style)


def _boolean(sheet: Any, row: int, col: int, value: bool | None) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    else:
        sheet.write_boolean(row, col, value)


def _headers(sheet: Any, row: int, titles: list[str], style: Any) -> None:
    for col, title in enumerate(titles):
        sheet.write_string(row, col, title, style)


def _week_sheet(sheet: Any, styles: _Styles, report: Report, definitions: Definitions) -> None:
    """One row per KPI: value, previous week, change, a year earlier, target, completeness."""
    sheet.write_string(0, 0, _("Weekly operations review"), styles.title)
    sheet.write_string(1, 0, _("Week"), styles.label)
    sheet.write_string(1, 1, report.week)
    sheet.write_string(2, 0, _("From"), styles.label)
    sheet.write_datetime(2, 1, dt.datetime.combine(report.start, dt.time()), styles.day)
    sheet.write_string(3, 0, _("To"), styles.label)
    sheet.write_datetime(3, 1, dt.datetime.combine(report.end, dt.time()), styles.day)
    sheet.write_string(4, 0, say_headline(definitions, report.headline))
    titles = [
        _("KPI"), _("Value"), _("Previous week"), _("Change"), _("Same week a year earlier"),
        _("Change vs a year earlier"), _("Target"), _("Target met"), _("Unusual change"),
        _("Unit"), _("Complete"), _("Why there is no value"),
    ]  # fmt: skip
    _headers(sheet, TABLE_ROW, titles, styles.header)
    for i, row in enumerate(report.kpis, start=TABLE_ROW + 1):
        kpi = definitions.kpis[row.kpi]
        plain, signed = styles.kpi(kpi), styles.kpi(kpi, signed=True)
        sheet.write_string(i, 0, kpi.label)
        _number(sheet, i, 1, row.value, plain)
        _number(sheet, i, 2, row.previous, plain)
        _number(sheet, i, 3, row.change, signed)
        _number(sheet, i, 4, row.year_ago, plain)
        _number(sheet, i, 5, row.year_change, signed)
        _number(sheet, i, 6, row.target, plain)
        _boolean(sheet, i, 7, row.target_met)
        _boolean(sheet, i, 8, row.unusual if row.value is not None else None)
        sheet.write_string(i, 9, unit_of(kpi))
        sheet.write_boolean(i, 10, row.complete)
        if row.reason:
            sheet.write_string(i, 11, reason_text(row.reason, report.end.year))
    widths = [max(len(kpi.label) for kpi in definitions.kpis.values()) + 2, 12, 12, 12, 14,
              14, 12, 10, 10, 12, 10, 36]  # fmt: skip
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(TABLE_ROW, 30)
    sheet.freeze_panes(TABLE_ROW + 1, 1)


def _series_sheet(
    book: Any, sheet: Any, styles: _Styles, report: Report, definitions: Definitions
) -> None:
    """Weeks as rows (ISO label, Monday), one column per KPI, then targets; a chart per KPI.

    One chart per KPI rather than one for all: the KPIs have different units and scales,
    and a COO compares each with its target, drawn as a dashed line.
    """
    rows = report.kpis
    weeks = [point.week for point in rows[0].series] if rows else []
    with_target = [r for r in rows if r.target is not None]
    titles = [_("ISO week"), _("Monday")]
    titles += [_header(definitions.kpis[r.kpi]) for r in rows]
    titles += [_("{kpi}: target").format(kpi=definitions.kpis[r.kpi].label) for r in with_target]
    _headers(sheet, 0, titles, styles.header)
    for i, week in enumerate(weeks, start=1):
        sheet.write_string(i, 0, week)
        monday = dt.datetime.strptime(week + "-1", "%G-W%V-%u")
        sheet.write_datetime(i, 1, monday, styles.day)
    target_col = {r.kpi: 2 + len(rows) + n for n, r in enumerate(with_target)}
    for j, row in enumerate(rows, start=2):
        style = styles.kpi(definitions.kpis[row.kpi])
        for i, point in enumerate(row.series, start=1):
            _number(sheet, i, j, point.value, style)
            if row.kpi in target_col:
                _number(sheet, i, target_col[row.kpi], row.target, style)
    sheet.set_column(0, 1, 11)
    sheet.set_column(2, len(titles) - 1, 16)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 2)
    last = len(weeks)
    for n, row in enumerate(rows):
        kpi = definitions.kpis[row.kpi]
        chart = book.add_chart({"type": "line"})
        chart.add_series({
            "name": kpi.label,
            "categories": [sheet.name, 1, 0, last, 0],
            "values": [sheet.name, 1, 2 + n, last, 2 + n],
            "marker": {"type": "circle", "size": 4},
            "line": {"width": 2.25, "color": "#1F4E79"},
        })  # fmt: skip
        if row.kpi in target_col:
            col = target_col[row.kpi]
            chart.add_series({
                "name": _("Target"),
                "categories": [sheet.name, 1, 0, last, 0],
                "values": [sheet.name, 1, col, last, col],
                "line": {"width": 1.5, "color": "#7F7F7F", "dash_type": "dash"},
            })  # fmt: skip
        chart.set_title({"name": _header(kpi), "name_font": {"size": 11, "bold": True}})
        axis = "0%" if kpi.format == "percent" else number_format(kpi)
        chart.set_y_axis({"num_format": axis, "major_gridlines": {"visible": True}})
        chart.set_x_axis({"num_font": {"rotation": -45}})
        chart.set_legend({"position": "bottom"} if row.kpi in target_col else {"none": True})
        chart.show_blanks_as("gap")
        chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        sheet.insert_chart(last + 3 + (n // 2) * 14, (n % 2) * 7, chart)


def _header(kpi: Kpi) -> str:
    """A KPI's column title: its label and unit ("Resolution time (hours)")."""
    return _("{kpi} ({unit})").format(kpi=kpi.label, unit=unit_of(kpi))


def _reasons(item: Attention) -> str:
    words = {OFF_TARGET: _("off target"), UNUSUAL_CHANGE: _("unusual change")}
    return ", ".join(words.get(code, code) for code in item.reasons)


def _attention_sheet(sheet: Any, styles: _Styles, report: Report, definitions: Definitions) -> None:
    """One row per driver of each KPI that needs attention: what moved it, with volumes."""
    titles = [
        _("KPI"), _("Why"), _("Change"), _("Dimension"), _("Dimension value"),
        _("Contribution to the change"), _("KPI this week"), _("KPI previous week"),
        _("Volume this week"), _("Volume previous week"), _("Share this week"),
        _("Share previous week"),
    ]  # fmt: skip
    _headers(sheet, 0, titles, styles.header)
    row = 1
    if not report.attention:
        sheet.write_string(row, 0, _("Nothing needs attention this week."))
    for item in report.attention:
        kpi = definitions.kpis[item.kpi]
        plain, signed = styles.kpi(kpi), styles.kpi(kpi, signed=True)
        for driver in item.drivers or (None,):
            sheet.write_string(row, 0, kpi.label)
            sheet.write_string(row, 1, _reasons(item))
            _number(sheet, row, 2, item.change, signed)
            if driver is not None:
                sheet.write_string(row, 3, driver.dimension)
                sheet.write_string(row, 4, driver.value or _("(no value)"))
                _number(sheet, row, 5, driver.contribution, signed)
                _number(sheet, row, 6, driver.kpi_value, plain)
                _number(sheet, row, 7, driver.kpi_previous, plain)
                _number(sheet, row, 8, driver.volume, styles.count)
                _number(sheet, row, 9, driver.volume_previous, styles.count)
                _number(sheet, row, 10, driver.share, styles.percent)
                _number(sheet, row, 11, driver.share_previous, styles.percent)
            row += 1
    sheet.set_column(0, 0, max((len(k.label) for k in definitions.kpis.values()), default=10) + 2)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, len(titles) - 1, 14)
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 1)
