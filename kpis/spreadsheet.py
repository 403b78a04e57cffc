"""Text that a spreadsheet would run as a formula gets a leading quote on its way out.

Every CSV this product writes is opened in Excel or LibreOffice sooner or later, and the
text in it comes from uploaded exports (a channel, a warehouse, a file name): a cell such as
`=cmd|' /C calc'!A0` or `-1+HYPERLINK(...)` would run when the file is opened. Following
OWASP's CSV-injection rule, a text cell starting with = + - @, a tab, a carriage return or |
is prefixed with a single quote, which spreadsheets read as "this is text". Numbers, dates and
missing values are left as they are, and so is text that is a plain number ("-1.5"): a
spreadsheet reads it as that number and nothing else.

A carriage return (CR) inside text becomes a line feed (LF). The csv module and pandas (with
lines ending in LF) and st.dataframe's own CSV export leave a cell holding a bare CR
unquoted, and spreadsheets take that CR for the end of the row: "web<CR>=cmd|..." would
start a new row with a formula that no rule on the first character sees. Every one of them
quotes a cell holding an LF, which reads back as the same line break.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# OWASP's list, plus | (DDE payloads), line feed and NUL (OWASP ASVS 1.2.10 names NUL).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "|")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (a plain number cannot be one)."""
    return text.startswith(TRIGGERS) and _PLAIN_NUMBER.fullmatch(text) is None


def neutralise_cell(value: object) -> object:
    """`value` with a leading single quote when it is text a spreadsheet would run, and its
    carriage returns made line feeds (see the module).

    A list is neutralised item by item: its items are user text too (the columns an upload
    did not store), and a table widget's CSV export writes them out as text.
    """
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
        return "'" + text if is_formula(text) else text
    if isinstance(value, list | tuple | np.ndarray):
        return [neutralise_cell(item) for item in value]
    return value


def _may_hold_text(dtype: object) -> bool:
    # Object columns can mix text with numbers: every one of their cells is looked at.
    return (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are neutralised (see the module).

    Only text columns are touched, so numbers stay numbers and dates stay dates.
    """
    safe = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if _may_hold_text(values.dtype):
            safe.isetitem(position, values.map(neutralise_cell))
    safe.columns = pd.Index([neutralise_cell(column) for column in frame.columns])
    return safe


def _missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _cell(value: object, decimal: str) -> object:
    if _missing(value):
        return ""
    if isinstance(value, float) and decimal != ".":
        # A number is written after the rule on text, so "-0,15" is never taken for a formula.
        return repr(value).replace(".", decimal)
    return neutralise_cell(value)


def csv_text(
    columns: Sequence[object],
    rows: Iterable[Sequence[object]],
    delimiter: str = ",",
    decimal: str = ".",
) -> str:
    """CSV of `rows` under `columns`: cells neutralised, missing ones empty, lines ending in LF.

    A French Excel reads `;` between cells and a decimal comma (kpis.downloads).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for row in [list(columns), *rows]:
        writer.writerow([_cell(v, decimal) for v in row])
    return buffer.getvalue()


def spreadsheet_csv(frame: pd.DataFrame) -> str:
    """`frame` as CSV for a spreadsheet (csv_text), without its index.

    Cells go out as Python values (numpy's float64 would print as `np.float64(0.5)`).
    """
    plain = frame.astype(object)
    return csv_text(list(frame.columns), plain.itertuples(index=False, name=None))
