"""Before / after: did the operational change work? KPI | before | after | change | improvement.

Compare equal whole-ISO-week windows around an event (optionally leaving out settling-in
days, or against the same weeks a year earlier), or two date ranges. Every change comes with
its 95 % interval, p-value, method and a verdict in words; a change the trend before the
event already explains is flagged. Each KPI's weekly series shows both windows, the event
and the trend continued; a breakdown shows where the change came from. Events are managed
here, and every choice is kept in the URL.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import kpis
from dashboard import charts, context, events_editor, tables, url_state
from dashboard.format import day

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())

st.title("Before / after")
events = sorted(context.events(ctx), key=lambda e: e.date, reverse=True)
modes = ["event", "ranges"] if events else ["ranges"]
MODES = {"event": "Around an event", "ranges": "Two date ranges"}
mode = url_state.select(
    "Compare", modes, "mode", widget=st.radio, horizontal=True, format_func=MODES.__getitem__
)

event = None
scope = None
if mode == "event":
    pick, weeks_box, washout_box, yoy_box = st.columns([3, 2, 2, 2])
    name = url_state.select(
        "Event", [e.name for e in events], "event", widget=pick.selectbox,
        format_func=lambda n: f"{n} ({kpis.find_event(events, n).date:%d %b %Y})",
    )  # fmt: skip
    weeks = url_state.select(
        "Weeks on each side", [0, 1, 2, 4, 8, 12, 26, 52], "weeks", widget=weeks_box.selectbox,
        format_func=lambda w: "all the data covers" if w == 0 else str(w),
    )  # fmt: skip
    washout = url_state.select(
        "Settling-in days left out", [0, 3, 7, 14, 28], "washout", widget=washout_box.selectbox
    )
    baseline = url_state.select(
        "Compare with", ["before", "last-year"], "baseline", widget=yoy_box.selectbox,
        format_func={"before": "the weeks before", "last-year": "the same weeks a year earlier"}.__getitem__,  # noqa: E501
    )  # fmt: skip
    event = kpis.find_event(events, name)
    scope = event.scope_pair
    where = f"Only {scope[0]} {scope[1]}." if scope else ""
    st.caption(" ".join(part for part in (event.description, where) if part))
    try:
        windows = kpis.windows_around_event(
            ctx.store, event.name, weeks or None, None, washout, baseline == "last-year"
        )
    except kpis.KpisError as exc:
        st.warning(str(exc))
        st.stop()
    before, after = windows.before, windows.after
else:
    default_after = (through - dt.timedelta(days=27), through)
    default_before = (
        default_after[0] - dt.timedelta(days=28),
        default_after[0] - dt.timedelta(days=1),
    )
    left, right = st.columns(2)
    with left:
        chosen_before = url_state.date_range("Before", "before", default_before, (first, through))
    with right:
        chosen_after = url_state.date_range("After", "after", default_after, (first, through))
    if chosen_before is None or chosen_after is None:
        st.info("Choose a first and a last day for both ranges.")
        st.stop()
    before, after = kpis.DateRange(*chosen_before), kpis.DateRange(*chosen_after)

st.markdown(
    f"**Before:** {day(before.start)} – {day(before.end)} ({before.days} days) · "
    f"**After:** {day(after.start)} – {day(after.end)} ({after.days} days)"
)
with st.spinner("Computing the changes and their intervals..."):
    table = context.comparison(
        ctx, ctx.version, (before.start, before.end), (after.start, after.end), None, scope
    )


# Columns of text the engine formats ("+1.5 pp"): shown as written, downloaded with a quote.
FORMATTED = ("before", "after", "change", "95% interval", "improvement", "p")


def _rows(frame: pd.DataFrame, with_value: bool = False) -> pd.DataFrame:
    shown = []
    for row in frame.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        shown.append({
            "KPI": kpi.label,
            **({"value": str(row["dimension_value"])} if with_value else {}),
            "before": kpis.format_value(kpi, row["before"]),
            "after": kpis.format_value(kpi, row["after"]),
            "change": kpis.format_delta(kpi, row["delta"]),
            "95% interval": kpis.format_interval(kpi, row["ci_low"], row["ci_high"]),
            "improvement": kpis.format_relative(row["delta_pct"]),
            "p": kpis.format_p(row["p_value"]),
            "verdict": kpis.verdict_text(row["verdict"], row["explained_by_trend"]),
        })  # fmt: skip
    return pd.DataFrame(shown)


def _coloured(frame: pd.DataFrame) -> object:
    def colour(row: pd.Series) -> list[str]:
        verdict = str(row["verdict"])
        tone = (
            charts.BETTER
            if verdict.startswith("improved")
            else charts.WORSE
            if verdict.startswith("worsened")
            else None
        )
        style = f"color: {tone}; font-weight: 600" if tone else "color: gray"
        return [style if c in ("change", "improvement", "verdict") else "" for c in row.index]

    return frame.style.apply(colour, axis=1)


# A plain table: a COO reads, prints and pastes these rows into a deck as they are.
st.table(_coloured(_rows(table)).hide(axis="index"))
st.caption(
    "Change: after - before, in the KPI's unit (pp: percentage points). 95% interval and p: "
    "how sure the change is (" + "; ".join(sorted({str(m) for m in table["method"]})) + "). "
    "A verdict needs p < 0.05 and enough data on both sides."
)
st.plotly_chart(charts.intervals(definitions, table), theme="streamlit", key="intervals")

st.subheader("Weekly series")
span_start = max(first, before.start - dt.timedelta(weeks=4))
span_end = min(through, after.end + dt.timedelta(weeks=4))
# With a scoped event, only the KPIs that have its dimension are in the table.
weekly = context.values(
    ctx,
    ctx.version,
    tuple(table["kpi"]),
    "week",
    span_start,
    span_end,
    scope[0] if scope else None,
)
if scope:
    weekly = weekly[weekly["dimension_value"] == scope[1]]
grid = st.columns(2)
for index, row in enumerate(table.to_dict("records")):
    kpi = definitions.kpis[row["kpi"]]
    part = weekly[weekly["kpi"] == row["kpi"]]
    with grid[index % 2]:
        st.markdown(f"**{kpi.label}**")
        figure = charts.before_after(kpi, part, before, after, row, [event] if event else events)
        st.plotly_chart(figure, theme="streamlit", key=f"series_{row['kpi']}")
        if row["explained_by_trend"]:
            st.caption(":orange[It was already moving this way: the trend alone explains it.]")
        elif isinstance(row["effect_beyond_trend"], float):
            beyond = kpis.format_delta(kpi, row["effect_beyond_trend"])
            interval = kpis.format_interval(kpi, row["effect_ci_low"], row["effect_ci_high"])
            st.caption(f"Beyond the trend before: {beyond} ({interval}).")

st.subheader("Where the change came from")
dimensions = sorted({d for k in definitions.kpis.values() for d in definitions.dimensions_of(k)})
if dimensions and scope is None:
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
            charts.breakdown(definitions.kpis[focus], focused, dim),
            theme="streamlit",
            key="breakdown",
        )
        tables.show(
            _rows(split, with_value=True),
            style=_coloured,
            as_written=FORMATTED,
            hide_index=True,
            width="stretch",
        )
elif scope is not None:
    st.caption(f"This event concerns {scope[0]} {scope[1]} only.")

with st.expander("Events: add, change or remove"):
    events_editor.manage(ctx)
