"""Before / after: did the operational change work? KPI | before | after | change | improvement.

Compare equal whole-ISO-week windows around an event, or two date ranges; see each KPI's
weekly series with both windows shaded, and break the change down by a dimension to see
where it came from. Every choice is kept in the URL, so the link shows the same view.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import kpis
from dashboard import charts, context, url_state
from dashboard.format import day, verdict

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())

st.title("Before / after")
events = sorted(definitions.events, key=lambda e: e.date, reverse=True)
modes = ["event", "ranges"] if events else ["ranges"]
MODES = {"event": "Around an event", "ranges": "Two date ranges"}
mode = url_state.select(
    "Compare", modes, "mode", widget=st.radio, horizontal=True, format_func=MODES.__getitem__
)

before = after = None
event = None
if mode == "event":
    left, right = st.columns([2, 1])
    name = url_state.select(
        "Event",
        [e.name for e in events],
        "event",
        widget=left.selectbox,
        format_func=lambda n: f"{n} ({kpis.find_event(events, n).date:%d %b %Y})",
    )
    weeks = url_state.select(
        "Weeks on each side",
        [0, 1, 2, 4, 8, 12, 26, 52],
        "weeks",
        widget=right.selectbox,
        format_func=lambda w: "all the data covers" if w == 0 else str(w),
    )
    event = kpis.find_event(events, name)
    st.caption(event.description)
    try:
        windows = kpis.windows_around_event(ctx.store, event.name, weeks or None)
    except kpis.KpisError as exc:
        st.warning(str(exc))
        st.stop()
    before, after = windows.before, windows.after
else:
    default_after = kpis.DateRange(through - dt.timedelta(days=27), through)
    default_before = kpis.DateRange(
        default_after.start - dt.timedelta(days=28), default_after.start - dt.timedelta(days=1)
    )
    left, right = st.columns(2)
    with left:
        chosen_before = url_state.date_range(
            "Before", "before", (default_before.start, default_before.end)
        )
    with right:
        chosen_after = url_state.date_range(
            "After", "after", (default_after.start, default_after.end)
        )
    if chosen_before is None or chosen_after is None:
        st.info("Choose a first and a last day for both ranges.")
        st.stop()
    before, after = kpis.DateRange(*chosen_before), kpis.DateRange(*chosen_after)

st.markdown(
    f"**Before:** {day(before.start)} – {day(before.end)} ({before.days} days) · "
    f"**After:** {day(after.start)} – {day(after.end)} ({after.days} days)"
)
table = context.comparison(ctx, ctx.version, (before.start, before.end), (after.start, after.end))


def _rows(frame: pd.DataFrame, with_value: bool = False) -> pd.DataFrame:
    shown = []
    for row in frame.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        shown.append(
            {
                "KPI": kpi.label,
                **({"value": str(row["dimension_value"])} if with_value else {}),
                "before": kpis.format_value(kpi, row["before"]),
                "after": kpis.format_value(kpi, row["after"]),
                "change": kpis.format_delta(kpi, row["delta"]),
                "improvement": kpis.format_relative(row["delta_pct"]),
                "verdict": verdict(row["improved"], row["delta"]),
            }
        )
    return pd.DataFrame(shown)


def _coloured(frame: pd.DataFrame) -> object:
    def colour(row: pd.Series) -> list[str]:
        tone = {"better": charts.BETTER, "worse": charts.WORSE}.get(str(row["verdict"]))
        style = f"color: {tone}; font-weight: 600" if tone else ""
        return [style if c in ("change", "improvement", "verdict") else "" for c in row.index]

    return frame.style.apply(colour, axis=1)


# A plain table: six rows a COO reads, prints and pastes into a deck as they are.
st.table(_coloured(_rows(table)).hide(axis="index"))

st.subheader("Weekly series")
span_start = max(first, before.start - dt.timedelta(weeks=4))
span_end = min(through, after.end + dt.timedelta(weeks=4))
weekly = context.values(ctx, ctx.version, tuple(definitions.kpis), "week", span_start, span_end)
grid = st.columns(2)
for index, row in enumerate(table.to_dict("records")):
    kpi = definitions.kpis[row["kpi"]]
    part = weekly[weekly["kpi"] == row["kpi"]]
    with grid[index % 2]:
        st.markdown(f"**{kpi.label}**")
        figure = charts.before_after(
            kpi, part, before, after, row, [event] if event else definitions.events
        )
        st.plotly_chart(figure, theme="streamlit", key=f"series_{row['kpi']}")

st.subheader("Where the change came from")
dimensions = sorted({d for k in definitions.kpis.values() for d in definitions.dimensions_of(k)})
if dimensions:
    dim = url_state.select("Break down by", dimensions, "dim")
    split = context.comparison(
        ctx, ctx.version, (before.start, before.end), (after.start, after.end), dim
    )
    able = list(dict.fromkeys(split["kpi"]))
    if able:
        focus = url_state.select(
            "KPI", able, "dim_kpi", format_func=lambda n: definitions.kpis[n].label
        )
        focused = split[split["kpi"] == focus]
        st.plotly_chart(
            charts.breakdown(definitions.kpis[str(focus)], focused, dim),
            theme="streamlit",
            key="breakdown",
        )
        st.dataframe(_coloured(_rows(split, with_value=True)), hide_index=True, width="stretch")
