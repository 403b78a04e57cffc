"""Every table the dashboard shows or hands out goes through here, spreadsheet-safe.

st.dataframe has a toolbar that downloads its data as CSV, and the Explorer has a download
button: the text in them comes from uploaded exports (a channel, a file name, a column name),
so any cell may be a formula that Excel would run on opening the file. Both get the data
through kpis.neutralise; a test checks that no page calls st.dataframe, st.data_editor or
st.download_button other than through this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

import kpis
from kpis.i18n import language
from kpis.spreadsheet import is_formula


def _as_written(value: object) -> object:
    """The text before neutralisation, for columns whose text the engine wrote."""
    if isinstance(value, str) and value.startswith("'") and is_formula(value[1:]):
        return value[1:]
    return value


def show(
    frame: pd.DataFrame,
    *,
    style: Callable[[pd.DataFrame], Styler] | None = None,
    as_written: Sequence[str] = (),
    **kwargs: Any,
) -> None:
    """st.dataframe of `frame` with its text neutralised (what its toolbar downloads).

    `style` colours the neutralised frame. `as_written` names columns of engine-formatted
    text ("+1.5 pp"): those show as written, while the data behind them, which the toolbar
    downloads, keeps its quote.
    """
    safe = kpis.neutralise(frame)
    if style is None and not as_written:
        st.dataframe(safe, **kwargs)
        return
    styled = style(safe) if style is not None else safe.style
    if as_written:
        styled = styled.format(_as_written, subset=[c for c in as_written if c in safe.columns])
    st.dataframe(styled, **kwargs)


def date_format() -> str | None:
    """A date column's format: Streamlit's own (2026-11-15) in English, 15/11/2026 in French."""
    return "DD/MM/YYYY" if language() == "fr" else None


def datetime_format() -> str:
    """A date-and-time column's format: 2026-11-15 09:30 / 15/11/2026 09:30."""
    return "DD/MM/YYYY HH:mm" if language() == "fr" else "YYYY-MM-DD HH:mm"


def editor(frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """st.data_editor of `frame` neutralised; map edited rows back by position, not text."""
    edited: pd.DataFrame = st.data_editor(kpis.neutralise(frame), **kwargs)
    return edited


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV download of `frame`: the table as shown, text neutralised, UTF-8."""
    return kpis.spreadsheet_csv(frame).encode("utf-8")


def download_bytes(
    label: str,
    data: bytes | Callable[[], bytes],
    file_name: str,
    mime: str,
    where: Any = None,
    **kwargs: Any,
) -> None:
    """A button downloading a file the engine made spreadsheet-safe.

    kpis.downloads' tables, and the weekly report's files (kpis.report: its workbook writes
    text as text, never as a formula). `data` may be a function, called only when the button
    is pressed (a PDF takes seconds to make); `where` is the container to draw in.
    """
    (where or st).download_button(label, data, file_name=file_name, mime=mime, **kwargs)


def download(label: str, frame: pd.DataFrame, file_name: str, **kwargs: Any) -> None:
    """A button downloading `frame` as CSV (csv_bytes)."""
    st.download_button(label, csv_bytes(frame), file_name=file_name, mime="text/csv", **kwargs)
