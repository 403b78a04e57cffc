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
from dashboard import auth, charts, context, did_parts, events_editor, tables, url_state
from dashboard import before_after_parts as parts
from dashboard.format import day
from kpis import i18n
from kpis.formatting import format_count, format_input_date
from kpis.i18n import N_, _

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions
first, through = min(coverage["first_day"].dropna()), max(coverage["last_day"].dropna())

st.title(_("Before / after"))
# Newest first; on one day, a company-wide event before those scoped to one value.
events = sorted(context.events(ctx), key=lambda e: (e.date, e.scope is None), reverse=True)
modes = ["event", "ranges"] if events else ["ranges"]
MODES = {"event": N_("Around an event"), "ranges": N_("Two date ranges")}
BASELINES = {"before": N_("the weeks before"), "last-year": N_("the same weeks a year earlier")}
# Pinned: without events the page compares ranges, so a link must say which it shows.
mode = url_state.select(
    _("Compare"), modes, "mode", widget=st.radio, horizontal=True,
    format_func=lambda m: i18n._(MODES[m]), pinned=True,
)  # fmt: skip

event = None
scope = None
control: tuple[str, ...] | None = None
if mode == "event":
    pick, weeks_box, washout_box, yoy_box = st.columns([3, 2, 2, 2])
    # Pinned: the default is the newest event, and a newer one must not change the link.
    name = url_state.select(
        _("Event"), [e.name for e in events], "event", widget=pick.selectbox, pinned=True,
        format_func=lambda n: f"{n} ({day(kpis.find_event(events, n).date)})",
    )  # fmt: skip
    most = definitions.limits.max_periods // 7
    weeks = url_state.select(
        _("Weeks on each side"), parts.week_choices(st.query_params.get("weeks"), most), "weeks",
        widget=weeks_box.selectbox,
        format_func=lambda w: _("all the data covers") if w == 0 else format_count(w),
    )  # fmt: skip
    washout = url_state.select(
        _("Settling-in days left out"), [0, 3, 7, 14, 28], "washout",
        widget=washout_box.selectbox, format_func=format_count,
    )  # fmt: skip
    baseline = url_state.select(
        _("Compare with"), ["before", "last-year"], "baseline", widget=yoy_box.selectbox,
        format_func=lambda b: i18n._(BASELINES[b]),
    )  # fmt: skip
    event = kpis.find_event(events, name)
    scope = event.scope_pair
    control = tuple(event.control) if event.control else None
    where = (
        _("Only {dimension} {value}.").format(dimension=scope[0], value=scope[1]) if scope else ""
    )
    st.caption(" ".join(part for part in (event.description, where) if part))
    try:
        windows = kpis.windows_around_event(
            ctx.store, event.name, weeks or None, None, washout, baseline == "last-year",
            events=events,
        )  # fmt: skip
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
            _("Before"), "before", default_before, (first, through), pinned=True,
            format=format_input_date(),
        )  # fmt: skip
    with right:
        chosen_after = url_state.date_range(
            _("After"), "after", default_after, (first, through), pinned=True,
            format=format_input_date(),
        )  # fmt: skip
    if chosen_before is None or chosen_after is None:
        st.info(_("Choose a first and a last day for both ranges."))
        st.stop()
    before, after = kpis.DateRange(*chosen_before), kpis.DateRange(*chosen_after)

st.markdown(
    _("**Before:** {before} ({before_days}) · **After:** {after} ({after_days})").format(
        before=f"{day(before.start)} – {day(before.end)}",
        after=f"{day(after.start)} – {day(after.end)}",
        before_days=parts.days_text(before.days),
        after_days=parts.days_text(after.days),
    )
)
with st.spinner(_("Computing the changes and their intervals...")):
    table = context.comparison(
        ctx, ctx.version, (before.start, before.end), (after.start, after.end), None, scope,
        control,
    )  # fmt: skip

# The answer first, in one sentence, then what it rests on.
st.markdown(f"#### {parts.plain(parts.summary(definitions, table))}")
for note in parts.notes(definitions, table, coverage, (before, after)):
    st.info(parts.plain(note), icon=":material/schedule:")
# A plain table: a COO reads, prints and pastes these rows into a deck as they are.
st.table(parts.coloured(table)(parts.kpi_rows(definitions, table)).hide(axis="index"))
how = "\n".join(f"- {parts.plain(line)}" for line in parts.method_lines(definitions, table))
st.caption(
    _(
        "**How sure each change is.** The 95% interval and p-value of each row come from: "
        "\n{methods}\n\nA verdict needs p < 0.05 and enough data on both sides. The change is "
        "after − before in the KPI's unit (pp: percentage points), the change % relative to "
        "before."
    ).format(methods=how)
)
if scope is not None and "did_effect" in table:
    # The answer beyond the control group, one sentence per KPI, then what it assumes.
    st.markdown(
        "\n".join(f"- {parts.plain(s)}" for s in did_parts.sentences(definitions, table, scope[1]))
    )
    st.caption(did_parts.explanation(table, scope[1]))
holding = parts.holding_line(table)
if holding:
    st.caption(parts.plain(holding))
st.plotly_chart(
    charts.intervals(definitions, table), theme="streamlit", key="intervals",
    config=charts.config(),
)  # fmt: skip

st.subheader(_("Weekly series"))
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
by_value = weekly
if scope:
    weekly = weekly[weekly["dimension_value"] == scope[1]]
grid = st.columns(2)
for index, row in enumerate(table.to_dict("records")):
    kpi = definitions.kpis[row["kpi"]]
    part = weekly[weekly["kpi"] == row["kpi"]]
    with grid[index % 2]:
        st.markdown(f"**{parts.plain(kpi.label)}**")
        figure = charts.before_after(kpi, part, before, after, row, [event] if event else events)
        if scope is not None and "did_effect" in row:
            # Treated and control on one chart: the gap between them is what the DiD reads.
            group = kpis.control_weekly(
                kpi, by_value[by_value["kpi"] == row["kpi"]], scope[1], control
            )
            did_parts.add_control(figure, kpi, group, scope[1], kpis.control_names(row))
        st.plotly_chart(
            figure, theme="streamlit", key=f"series_{row['kpi']}", config=charts.config()
        )
        # The table's verdict, word for word, with the trend check's numbers behind it.
        caption = parts.plain(parts.chart_caption(kpi, row))
        shade = parts.tone(row)
        st.caption(f":orange[{caption}]" if shade == parts.CAVEAT else caption)

st.subheader(_("Where the change came from"))
dimensions = sorted({d for k in definitions.kpis.values() for d in definitions.dimensions_of(k)})
if dimensions and scope is None:
    dim = url_state.select(_("Break down by"), dimensions, "dim")
    split = context.comparison(
        ctx, ctx.version, (before.start, before.end), (after.start, after.end), dim
    )
    able = list(dict.fromkeys(split["kpi"]))
    if able:
        focus = url_state.select(
            _("KPI"), able, "dim_kpi", format_func=lambda n: definitions.kpis[n].label
        )
        focused = split[split["kpi"] == focus]
        st.plotly_chart(
            charts.breakdown(definitions.kpis[focus], focused, dim),
            theme="streamlit",
            key="breakdown",
            config=charts.config(),
        )
        tables.show(
            parts.breakdown_rows(definitions, split),
            style=parts.coloured(split),
            as_written=parts.formatted(),
            hide_index=True,
            width="stretch",
        )
        st.caption(parts.plain(parts.volume_line(definitions, able, dim)))
elif scope is not None:
    st.caption(
        _("This event concerns {dimension} {value} only.").format(
            dimension=scope[0], value=scope[1]
        )
    )

with st.expander(_("Events: add, change or remove") if auth.actor().can("events") else _("Events")):
    events_editor.manage(ctx)
