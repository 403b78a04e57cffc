"""Before / after: did the operational change work? KPI | before | after | improvement.

Compare equal whole-ISO-week windows around an event (optionally leaving out settling-in
days, or against the same weeks a year earlier), or two date ranges. The answer comes first,
in one sentence (kpis.headline); then one row per KPI: its improvement read against its
direction, one verdict (the plain test and the trend check together), whether the change
holds over the last 4 weeks, the raw change with its 95 % interval and p-value, and below,
in words, what each interval rests on. Each KPI's weekly series shows both windows, the event
and the trend continued; a breakdown shows each value's volume and share beside its change
(mix versus rate). Events are managed here. Every choice is in the URL, and values that
depend on the data (the newest event, "all the weeks the data covers", the default ranges)
are written there once shown, so a link shows the same view next month.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import kpis
from dashboard import auth, charts, context, events_editor, tables, url_state
from dashboard import before_after_parts as parts
from dashboard.format import day

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())

st.title("Before / after")
events = sorted(context.events(ctx), key=lambda e: e.date, reverse=True)
modes = ["event", "ranges"] if events else ["ranges"]
MODES = {"event": "Around an event", "ranges": "Two date ranges"}
# Pinned: without events the page compares ranges, so a link must say which it shows.
mode = url_state.select(
    "Compare", modes, "mode", widget=st.radio, horizontal=True, format_func=MODES.__getitem__,
    pinned=True,
)  # fmt: skip

event = None
scope = None
if mode == "event":
    pick, weeks_box, washout_box, yoy_box = st.columns([3, 2, 2, 2])
    # Pinned: the default is the newest event, and a newer one must not change the link.
    name = url_state.select(
        "Event", [e.name for e in events], "event", widget=pick.selectbox, pinned=True,
        format_func=lambda n: f"{n} ({kpis.find_event(events, n).date:%d %b %Y})",
    )  # fmt: skip
    most = definitions.limits.max_periods // 7
    weeks = url_state.select(
        "Weeks on each side", parts.week_choices(st.query_params.get("weeks"), most), "weeks",
        widget=weeks_box.selectbox,
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
    if weeks == 0:
        # "All the data covers" grows with every upload: the link keeps the weeks shown.
        st.query_params["weeks"] = str(after.days // 7)
else:
    default_after = (through - dt.timedelta(days=27), through)
    default_before = (
        default_after[0] - dt.timedelta(days=28),
        default_after[0] - dt.timedelta(days=1),
    )
    left, right = st.columns(2)
    # Pinned: the default ranges are the data's last 8 weeks, which move with every upload.
    with left:
        chosen_before = url_state.date_range(
            "Before", "before", default_before, (first, through), pinned=True
        )
    with right:
        chosen_after = url_state.date_range(
            "After", "after", default_after, (first, through), pinned=True
        )
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

# The answer first, in one sentence, then what it rests on.
st.markdown(f"#### {parts.plain(parts.summary(definitions, table))}")
for note in parts.notes(table):
    st.info(parts.plain(note), icon=":material/schedule:")
# A plain table: a COO reads, prints and pastes these rows into a deck as they are.
st.table(parts.coloured(parts.kpi_rows(definitions, table)).hide(axis="index"))
how = "\n".join(f"- {parts.plain(line)}" for line in parts.method_lines(definitions, table))
st.caption(
    "**How sure each change is.** The 95% interval and p-value of each row come from: "
    f"\n{how}\n\nA verdict needs p < 0.05 and enough data on both sides. The change is "
    "after − before in the KPI's unit (pp: percentage points), the change % relative to before."
)
holding = parts.holding_line(table)
if holding:
    st.caption(parts.plain(holding))
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
        st.markdown(f"**{parts.plain(kpi.label)}**")
        figure = charts.before_after(kpi, part, before, after, row, [event] if event else events)
        st.plotly_chart(figure, theme="streamlit", key=f"series_{row['kpi']}")
        # The table's verdict, word for word, with the trend check's numbers behind it.
        caption = parts.plain(parts.chart_caption(kpi, row))
        shade = parts.tone(kpis.verdict_sentence(row))
        st.caption(f":orange[{caption}]" if shade == parts.CAVEAT else caption)

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
            parts.breakdown_rows(definitions, split),
            style=parts.coloured,
            as_written=parts.FORMATTED,
            hide_index=True,
            width="stretch",
        )
        st.caption(parts.plain(parts.volume_line(definitions, able, dim)))
elif scope is not None:
    st.caption(f"This event concerns {scope[0]} {scope[1]} only.")

with st.expander("Events: add, change or remove" if auth.actor().can("events") else "Events"):
    events_editor.manage(ctx)
