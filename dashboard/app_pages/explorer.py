"""KPI explorer: one KPI at any grain, over any range, optionally broken down.

The chart and the table show the same rows, and the CSV download is byte for byte what
`kpis compute --kpi K --grain G --start S --end E [--by D] --format csv` prints: one answer
everywhere (text a spreadsheet would run as a formula gets a leading quote in both). The
default range is the KPI's own data, as the command's is.
"""

from __future__ import annotations

import streamlit as st

import kpis
from dashboard import charts, context, tables, url_state
from dashboard.format import day
from kpis.render import as_csv

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
span = context.kpi_span(ctx, ctx.version, str(name)) or (first, through)
with top[2]:
    chosen = url_state.date_range("Range", "range", span, (first, through), pinned=True)
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

# On screen: the value in the KPI's unit ("12.0 hours", "–" when there is none) and why one
# is missing; the download is the engine's own rows, unrounded.
shown = frame.drop(columns=["kpi", "dimension", "complete"], errors="ignore")
shown["value"] = [kpis.format_value(kpi, v) for v in frame["value"]]
if kpi.measure is not None:
    shown = shown.drop(columns=["numerator", "denominator"])
shown = shown.rename(columns={"dimension_value": by or "dimension_value", "reason": "no value"})
shown["no value"] = shown["no value"].fillna("")
tables.show(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "period_start": st.column_config.DateColumn("period start"),
        "period_end": st.column_config.DateColumn("period end"),
        "value": st.column_config.TextColumn(kpi.label),
    },
)
tables.download_text(
    "Download this table (CSV)",
    as_csv(frame),
    f"{name}_{grain}_{start}_{end}{'_by_' + by if by else ''}.csv",
    key="download",
)
