"""Weekly review: the COO's Monday page. One card per KPI for an ISO week, and the trends.

Each card gives the week's value, the change against the previous week (percentage points
for rates, green when it goes the KPI's good way), a 12-week sparkline and the target status.
A "data through" line per source makes a stale export obvious.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import kpis
from dashboard import charts, context, url_state
from dashboard.format import day, is_missing, target_status, week_label

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions

through = max(coverage["last_day"].dropna())
first = min(coverage["first_day"].dropna())
latest = kpis.last_complete_week(through)
weeks = []
monday = latest.start
# At most ten years of weeks to choose from (limits.max_periods days): a database holding a
# stray year-1000 date must not make a list of fifty thousand weeks.
most = definitions.limits.max_periods // 7
while monday + dt.timedelta(days=6) >= first and len(weeks) < most:
    weeks.append(kpis.iso_week(monday))
    monday -= dt.timedelta(days=7)
if not weeks:  # less than a whole week of data: show the week in progress
    weeks = [kpis.iso_week(through)]

st.title("Weekly review")
week = url_state.select("Week", weeks, "week", format_func=week_label)
window = kpis.week_of(week)

lines = []
for row in coverage.to_dict("records"):
    if row["last_day"] is None or is_missing(row["last_day"]):
        lines.append(f":orange[{row['label']}: no data]")
    elif row["last_day"] < window.end:
        lines.append(
            f":orange[{row['label']}: data through {day(row['last_day'])} (older than this week)]"
        )
    else:
        lines.append(f"{row['label']}: data through {day(row['last_day'])}")
st.caption(" · ".join(lines))

start = window.start - dt.timedelta(weeks=12)
frame = context.values(ctx, ctx.version, tuple(definitions.kpis), "week", start, window.end)
series = {name: part.sort_values("period_start") for name, part in frame.groupby("kpi")}

columns = st.columns(3)
for index, (name, kpi) in enumerate(definitions.kpis.items()):
    part = series.get(name)
    values = [] if part is None else [None if is_missing(v) else float(v) for v in part["value"]]
    current = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    delta = None
    if current is not None and previous is not None:
        delta = kpis.format_delta(kpi, current - previous)
    with columns[index % 3]:
        st.metric(
            kpi.label,
            kpis.format_value(kpi, current),
            delta=delta,
            delta_color="off"
            if current == previous
            else ("normal" if kpi.higher_is_better else "inverse"),
            delta_description="vs previous week" if delta else None,
            chart_data=[v for v in values[1:] if v is not None] or None,
            border=True,
            help=kpi.description,
        )
        status = target_status(kpi, current)
        st.caption(status or " ")

st.subheader("Last 12 weeks")
trend_start = window.start - dt.timedelta(weeks=11)
charts_columns = st.columns(2)
for index, (name, kpi) in enumerate(definitions.kpis.items()):
    part = series.get(name)
    if part is None:
        continue
    shown = part[part["period_start"] >= trend_start]
    with charts_columns[index % 2]:
        st.markdown(f"**{kpi.label}**")
        st.plotly_chart(
            charts.trend(kpi, shown, context.events(ctx)), theme="streamlit", key=f"trend_{name}"
        )
