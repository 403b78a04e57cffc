"""KPI explorer: one KPI at any grain, over any range, optionally broken down.

The chart and the table show the same rows, and the CSV download is exactly that table:
what an analyst sees is what they take into a spreadsheet (text a spreadsheet would run as
a formula gets a leading quote, in the table and the file alike).
"""

from __future__ import annotations

import streamlit as st

import kpis
from dashboard import charts, context, tables, url_state
from dashboard.format import day

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())

st.title("KPI explorer")
top = st.columns([2, 2, 3])
name = url_state.select(
    "KPI",
    list(definitions.kpis),
    "kpi",
    widget=top[0].selectbox,
    format_func=lambda n: definitions.kpis[n].label,
)
kpi = definitions.kpis[name]
grain = url_state.select(
    "Grain",
    list(kpis.GRAINS),
    "grain",
    default="week",
    widget=top[1].selectbox,
    format_func=str.capitalize,
)
with top[2]:
    chosen = url_state.date_range("Range", "range", (first, through), (first, through))
if chosen is None:
    st.info("Choose the first and the last day of the range.")
    st.stop()
start, end = chosen
dimensions = definitions.dimensions_of(kpi)
picked = url_state.select(
    "Break down by", ["", *dimensions], "by", format_func=lambda d: d or "(none)"
)
by = picked or None

st.caption(f"{kpi.description} · {day(start)} – {day(end)}")
frame = context.values(ctx, ctx.version, (str(name),), grain, start, end, by)
if "note" in frame.attrs:  # the engine cut a range beyond its limits to the data
    st.caption(f"Note: {frame.attrs['note']}")
st.plotly_chart(
    charts.explorer(kpi, frame, by, context.events(ctx)), theme="streamlit", key="explorer"
)

shown = frame.drop(columns=["kpi", "dimension"], errors="ignore")
if kpi.measure is not None:
    shown = shown.drop(columns=["numerator", "denominator"])
shown = shown.rename(columns={"dimension_value": by or "dimension_value"})
number = "percent" if kpi.format == "percent" else f"%.{kpi.decimals}f"
tables.show(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "period_start": st.column_config.DateColumn("period start"),
        "period_end": st.column_config.DateColumn("period end"),
        "value": st.column_config.NumberColumn(
            f"{kpi.label} ({kpi.unit_label})" if kpi.unit_label else kpi.label, format=number
        ),
    },
)
tables.download(
    "Download this table (CSV)",
    shown,
    f"{name}_{grain}_{start}_{end}{'_by_' + by if by else ''}.csv",
    key="download",
)
