"""Weekly review: the COO's Monday page. One card per KPI for an ISO week, and the trends.

It opens on the latest week complete for every KPI (dashboard/review_week.py). Each card
(dashboard/cards.py) gives the week's value, or why there is none yet; the change against
the previous week (green when it goes the KPI's good way) and whether it is within the KPI's
normal weekly variation; the same week a year earlier when the data has it; a 12-week
sparkline coloured by its trend read against the KPI's direction; and the target status.
A "data through" line per source makes a stale export obvious.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import kpis
from dashboard import cards, charts, context, review_week
from dashboard.format import day, is_missing
from kpis.i18n import _

HISTORY = 13  # weeks before the one shown: 12 week-over-week changes, a 12-week sparkline

ctx = context.load()
coverage = context.require_data(ctx)
definitions = ctx.definitions

st.title(_("Weekly review"))
week = review_week.choose(ctx, coverage)
window = kpis.week_of(week)

lines = []
for row in coverage.to_dict("records"):
    if row["last_day"] is None or is_missing(row["last_day"]):
        lines.append(":orange[" + _("{source}: no data").format(source=row["label"]) + "]")
    elif row["last_day"] < window.end:
        text = _("{source}: data through {day} (older than this week)")
        lines.append(":orange[" + text.format(source=row["label"], day=day(row["last_day"])) + "]")
    else:
        text = _("{source}: data through {day}")
        lines.append(text.format(source=row["label"], day=day(row["last_day"])))
st.caption(" · ".join(lines))

names = tuple(definitions.kpis)
start = window.start - dt.timedelta(weeks=HISTORY)
frame = context.values(ctx, ctx.version, names, "week", start, window.end)
series = {name: part.sort_values("period_start") for name, part in frame.groupby("kpi")}

# A KPI's data starts when every source it reads starts: weeks before (a first week with
# days missing) are not history to read this week against, nor a year earlier to show.
firsts = dict(zip(coverage["source"], coverage["first_day"], strict=True))
starts: dict[str, dt.date | None] = {}
for name, kpi in definitions.kpis.items():
    days = [firsts.get(source) for source in definitions.sources_of(kpi)]
    starts[name] = None if any(is_missing(d) for d in days) else max(days)

earlier_week = kpis.year_earlier(week)
earlier: dict[str, object] = {}
if earlier_week is not None:
    then = kpis.week_of(earlier_week)
    if any(s is not None and s <= then.start for s in starts.values()):
        past = context.values(ctx, ctx.version, names, "week", then.start, then.end)
        earlier = {
            row["kpi"]: row["value"]
            for row in past.to_dict("records")
            if (begins := starts[row["kpi"]]) is not None and begins <= then.start
        }

built = []
for name, kpi in definitions.kpis.items():
    part = series.get(name)
    rows = [] if part is None else part.to_dict("records")
    begins = starts[name]
    history: list[object] = [
        None if begins is None or (r["period_start"] < begins and i < len(rows) - 1) else r["value"]
        for i, r in enumerate(rows)
    ]
    reason = rows[-1]["reason"] if rows else None
    ago = (earlier_week, earlier[name]) if earlier_week and name in earlier else None
    built.append(cards.build(kpi, week, history, reason, ago))

# Rows of three: a card keeps its place, and its row's height, whatever it shows.
for first in range(0, len(built), 3):
    for column, card in zip(st.columns(3), built[first : first + 3], strict=False):
        with column:
            cards.show(card)

st.subheader(_("Last 12 weeks"))
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
            charts.trend(kpi, shown, context.events(ctx)),
            theme="streamlit",
            key=f"trend_{name}",
            config=charts.config(),
        )
