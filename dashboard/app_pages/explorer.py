"""KPI explorer: one KPI at any grain, over any range, optionally broken down.

The chart and the table show the same rows, and the CSV download is byte for byte what
`kpis compute --kpi K --grain G --start S --end E [--by D] --format csv` prints in the
reader's language: one answer everywhere (text a spreadsheet would run as a formula gets a
leading quote in both). In French that is the CSV a French Excel opens (`;`, decimal comma,
a byte-order mark); an .xlsx of the same rows holds real numbers and dates. The default range
is the KPI's own data, as the command's is.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import charts, context, tables, url_state
from kpis.downloads import XLSX_MIME, csv_download, xlsx_download
from kpis.formatting import format_day, number, reason_text
from kpis.i18n import _
from kpis.notes_text import say_note

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())


def _grain(grain: str) -> str:
    words = {"day": _("Day"), "week": _("Week"), "month": _("Month"), "quarter": _("Quarter")}
    return words.get(grain, grain)


def _counts(values: pd.Series) -> list[str]:
    """A numerator's or denominator's figures as text: whole counts, or sums to the cent."""
    whole = all(float(v).is_integer() for v in values.dropna())
    return [number(v if pd.notna(v) else None, 0 if whole else 2) for v in values]


st.title(_("KPI explorer"))
top = st.columns([2, 2, 3])
name = url_state.select(
    _("KPI"),
    list(definitions.kpis),
    "kpi",
    widget=top[0].selectbox,
    format_func=lambda n: definitions.kpis[n].label,
)
kpi = definitions.kpis[name]
grain = url_state.select(
    _("Grain"),
    list(kpis.GRAINS),
    "grain",
    default="week",
    widget=top[1].selectbox,
    format_func=_grain,
)
span = context.kpi_span(ctx, ctx.version, str(name)) or (first, through)
with top[2]:
    chosen = url_state.date_range(_("Range"), "range", span, (first, through), pinned=True)
if chosen is None:
    st.info(_("Choose the first and the last day of the range."))
    st.stop()
start, end = chosen
dimensions = definitions.dimensions_of(kpi)
picked = url_state.select(
    _("Break down by"), ["", *dimensions], "by", format_func=lambda d: d or _("(none)")
)
by = picked or None

st.caption(f"{kpi.description} · {format_day(start)} – {format_day(end)}")
frame = context.values(ctx, ctx.version, (str(name),), grain, start, end, by)
if "note" in frame.attrs:  # the engine cut a range beyond its limits to the data
    st.caption(_("Note: {note}").format(note=say_note(frame.attrs["note"])))
st.plotly_chart(
    charts.explorer(kpi, frame, by, context.events(ctx)), theme="streamlit", key="explorer"
)

# On screen: the value in the KPI's unit ("12.0 hours", "–" when there is none), why one is
# missing, figures in the reader's language; the downloads are the engine's own rows, unrounded.
shown = frame.drop(columns=["kpi", "dimension", "complete"], errors="ignore")
shown["value"] = [kpis.format_value(kpi, v) for v in frame["value"]]
if kpi.measure is not None:
    shown = shown.drop(columns=["numerator", "denominator"])
else:
    shown["numerator"] = _counts(frame["numerator"])
    shown["denominator"] = _counts(frame["denominator"])
shown = shown.rename(columns={"dimension_value": by or "dimension_value", "reason": "no value"})
shown["no value"] = [reason_text(r if isinstance(r, str) else None) for r in shown["no value"]]
tables.show(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "period_start": st.column_config.DateColumn(_("period start"), format=tables.date_format()),
        "period_end": st.column_config.DateColumn(_("period end"), format=tables.date_format()),
        "days": st.column_config.NumberColumn(_("days")),
        "value": st.column_config.TextColumn(kpi.label),
        "numerator": st.column_config.TextColumn(_("numerator")),
        "denominator": st.column_config.TextColumn(_("denominator")),
        "no value": st.column_config.TextColumn(_("no value")),
    },
)
stem = f"{name}_{grain}_{start}_{end}{'_by_' + by if by else ''}"
content, suffix, mime = csv_download(frame)
left, right = st.columns(2)
with left:
    tables.download_bytes(
        _("Download this table (CSV)"), content, stem + suffix, mime, key="download"
    )
with right:
    tables.download_bytes(
        _("Download this table (Excel .xlsx)"),
        xlsx_download(frame, sheet=kpi.label, definitions=definitions),
        f"{stem}.xlsx",
        XLSX_MIME,
        key="download_xlsx",
    )
