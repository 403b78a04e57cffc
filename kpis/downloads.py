"""Tables as files to download, in the reader's language: CSV for a spreadsheet, and .xlsx.

`kpis compute --format csv` and the dashboard's download buttons must give the same bytes, so
both come from kpis.render.as_csv, which asks this module for the French form. English CSV
stays plain CSV for scripts (comma, decimal point, raw column names). French CSV is what a
French Excel opens cleanly: `;` between cells, a decimal comma, a UTF-8 byte-order mark (or
Excel guesses Windows-1252 and mangles "é"), headers and verdict words in French, dates ISO
(which Excel reads as dates in every locale). Both keep kpis.spreadsheet's rule against
formulas.

The .xlsx holds real numbers and dates, so nobody converts text back: a column is formatted
as a percentage when its name says it is a fraction (`*_pct`, `share*`, `*_share`), and, when
the KPI definitions are given, the value columns of a rate KPI's rows too.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kpis import i18n
from kpis.definitions import Definitions
from kpis.formatting import reason_text, verdict_word
from kpis.i18n import N_, _, language
from kpis.spreadsheet import csv_text

CSV_SUFFIX = ".csv"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# Engine column -> its header for people (French CSV and .xlsx). Unknown columns keep their name.
COLUMN_TITLES: dict[str, str] = {
    "kpi": N_("KPI"),
    "period_start": N_("period start"),
    "period_end": N_("period end"),
    "days": N_("days"),
    "dimension": N_("dimension"),
    "dimension_value": N_("dimension value"),
    "value": N_("value"),
    "numerator": N_("numerator"),
    "denominator": N_("denominator"),
    "complete": N_("complete"),
    "reason": N_("reason"),
    "before": N_("before"),
    "after": N_("after"),
    "delta": N_("change"),
    "delta_pct": N_("relative change"),
    "improved": N_("improved"),
    "ci_low": N_("95% interval low"),
    "ci_high": N_("95% interval high"),
    "p_value": N_("p-value"),
    "n_before": N_("sample before"),
    "n_after": N_("sample after"),
    "method": N_("method"),
    "verdict": N_("verdict"),
    "trend_start": N_("trend start"),
    "trend_per_week": N_("trend per week"),
    "counterfactual": N_("expected from the trend"),
    "effect_beyond_trend": N_("change beyond the trend"),
    "effect_ci_low": N_("beyond the trend, 95% interval low"),
    "effect_ci_high": N_("beyond the trend, 95% interval high"),
    "effect_p_value": N_("beyond the trend, p-value"),
    "explained_by_trend": N_("explained by the trend"),
    "trend_verdict": N_("verdict against the trend"),
    "recent_start": N_("last 4 weeks start"),
    "recent_after": N_("last 4 weeks value"),
    "recent_delta": N_("last 4 weeks change"),
    "recent_delta_pct": N_("last 4 weeks relative change"),
    "recent_ci_low": N_("last 4 weeks, 95% interval low"),
    "recent_ci_high": N_("last 4 weeks, 95% interval high"),
    "recent_p_value": N_("last 4 weeks, p-value"),
    "recent_share": N_("last 4 weeks, share of the change"),
    "fading": N_("fading"),
    "before_start": N_("before start"),
    "before_end": N_("before end"),
    "after_start": N_("after start"),
    "after_end": N_("after end"),
    "note": N_("note"),
    "volume_before": N_("volume before"),
    "volume_after": N_("volume after"),
    "share_before": N_("share before"),
    "share_after": N_("share after"),
    "control": N_("control group"),
    "control_note": N_("control group, in words"),
    "control_before": N_("control group before"),
    "control_after": N_("control group after"),
    "control_delta": N_("control group change"),
    "did_effect": N_("beyond control"),
    "did_ci_low": N_("beyond control, 95% interval low"),
    "did_ci_high": N_("beyond control, 95% interval high"),
    "did_p_value": N_("beyond control, p-value"),
    "did_verdict": N_("beyond control: verdict"),
    "did_method": N_("beyond control, method"),
    "placebo_effect": N_("placebo effect"),
    "placebo_p_value": N_("placebo p-value"),
    "parallel_trends_doubtful": N_("parallel trends doubtful"),
    "batch_id": N_("upload"),
    "source": N_("source"),
    "file_name": N_("file"),
    "loaded_at": N_("loaded at"),
    "status": N_("status"),
    "rows_read": N_("rows read"),
    "rows_loaded": N_("rows loaded"),
    "rows_rejected": N_("rows rejected"),
    "rows_inserted": N_("rows inserted"),
    "rows_updated": N_("rows updated"),
    "dropped_columns": N_("columns not kept"),
    "data_through": N_("data through"),
    "uploaded_by": N_("uploaded by"),
    "undone_by": N_("undone by"),
    "line": N_("line"),
    "column_name": N_("column"),
}
VERDICT_COLUMNS = ("verdict", "trend_verdict", "did_verdict")
STATUSES = {"loaded": N_("loaded"), "undone": N_("undone")}  # an upload's status
# A KPI's values (in its unit): a fraction for a rate KPI, so a percentage in a spreadsheet.
VALUE_COLUMNS = (
    "value", "before", "after", "delta", "ci_low", "ci_high", "trend_start", "trend_per_week",
    "counterfactual", "effect_beyond_trend", "effect_ci_low", "effect_ci_high", "recent_after",
    "recent_delta", "recent_ci_low", "recent_ci_high",
)  # fmt: skip
_FRACTION = re.compile(r"(_pct$|^share|_share$)")


def column_title(column: object) -> str:
    """A column's header for people: the engine's name in English, its French title in French.

    English keeps the raw names, so that English CSV stays what scripts already read.
    """
    name = str(column)
    if language() == "en" or name not in COLUMN_TITLES:
        return name
    return i18n._(COLUMN_TITLES[name])  # marked with N_ above


def shown_value(column: object, value: Any) -> Any:
    """A cell in the language in force: verdicts and reasons in words, everything else as is."""
    if language() == "en" or not isinstance(value, str):
        return value
    if column in VERDICT_COLUMNS:
        return verdict_word(value)
    if column == "reason":
        return reason_text(value)
    if column == "status" and value in STATUSES:
        return i18n._(STATUSES[value])
    return value


def excel_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """French CSV for Excel (see the module): BOM, `;`, decimal comma, words in French.

    `rows` are kpis.render.records (dates already ISO text, missing values None).
    """

    def cell(column: str, value: Any) -> Any:
        if isinstance(value, bool):
            return _("TRUE") if value else _("FALSE")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return shown_value(column, value)

    body = csv_text(
        [column_title(c) for c in columns],
        ([cell(c, row[c]) for c in columns] for row in rows),
        delimiter=";",
        decimal=",",
    )
    return BOM + body


def csv_download(frame: pd.DataFrame) -> tuple[bytes, str, str]:
    """(content, file-name suffix, MIME type) of `frame` as CSV in the language in force.

    Exactly the bytes `kpis compute --format csv` prints in that language (kpis.render.as_csv).
    """
    from kpis.render import as_csv

    return as_csv(frame).encode("utf-8"), CSV_SUFFIX, CSV_MIME


def xlsx_download(
    frame: pd.DataFrame, sheet: str = "KPIs", definitions: Definitions | None = None
) -> bytes:
    """`frame` as an .xlsx workbook: one sheet, headers as in the CSV, the header row frozen.

    Numbers are numbers, dates and times are Excel dates, booleans are booleans, text is text
    (never a formula: strings are written as strings whatever they start with), missing values
    are empty. Fractions are shown as percentages (see the module); `definitions` lets rate
    KPIs' values be shown as percentages too.
    """
    import xlsxwriter  # only downloads need it

    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    french = language() == "fr"
    with xlsxwriter.Workbook(buffer, options) as book:
        sheet_ = book.add_worksheet(_sheet_name(sheet))
        header = book.add_format({"bold": True, "bottom": 1})
        day = book.add_format({"num_format": "dd/mm/yyyy" if french else "yyyy-mm-dd"})
        moment = book.add_format(
            {"num_format": "dd/mm/yyyy hh:mm" if french else "yyyy-mm-dd hh:mm"}
        )
        percent = book.add_format({"num_format": "0.0%"})
        columns = list(frame.columns)
        widths = [len(column_title(c)) for c in columns]
        for j, column in enumerate(columns):
            sheet_.write_string(0, j, column_title(column), header)
        rates = _rate_rows(frame, definitions)
        values = frame.astype(object).itertuples(index=False, name=None)
        for i, row in enumerate(values, start=1):
            for j, (column, value) in enumerate(zip(columns, row, strict=True)):
                as_percent = bool(_FRACTION.search(str(column))) or (
                    column in VALUE_COLUMNS and rates[i - 1]
                )
                shown = _write(sheet_, i, j, column, value, (day, moment, percent, as_percent))
                widths[j] = max(widths[j], shown)
        for j, width in enumerate(widths):
            sheet_.set_column(j, j, min(max(width, 6), 60) + 2)
        sheet_.freeze_panes(1, 0)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    """Excel refuses []:*?/\\ in a sheet name and more than 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip("' ")[:31]
    return cleaned or "KPIs"


def _rate_rows(frame: pd.DataFrame, definitions: Definitions | None) -> list[bool]:
    if definitions is None or "kpi" not in frame:
        return [False] * len(frame)
    kpis = definitions.kpis
    return [name in kpis and kpis[name].format == "percent" for name in frame["kpi"]]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _write(sheet: Any, i: int, j: int, column: object, value: Any, formats: tuple[Any, ...]) -> int:
    """Write one cell with its type; return how wide it reads (for the column's width)."""
    day, moment, percent, as_percent = formats
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray | list | tuple):
        value = ", ".join(str(item) for item in value)
    if _missing(value):
        sheet.write_blank(i, j, None)
        return 0
    if isinstance(value, bool):
        sheet.write_boolean(i, j, value)
        return 5
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isinf(value):
            sheet.write_string(i, j, str(value))
            return 4
        sheet.write_number(i, j, value, percent if as_percent else None)
        return min(len(f"{value:.4g}") + 2, 14)
    if isinstance(value, dt.datetime):
        sheet.write_datetime(i, j, value, moment)  # a time zone is dropped (remove_timezone)
        return 16
    if isinstance(value, dt.date):
        sheet.write_datetime(i, j, value, day)
        return 10
    text = str(shown_value(column, value))
    sheet.write_string(i, j, text)
    return len(text)
