"""The weekly review's week: the weeks offered, the one it opens on, and the one a link asks for.

It opens on the latest week complete for every KPI (kpis.latest_complete_week), not the last
week of the freshest export: a week some sources have not reached yet would show their KPIs
empty. Later weeks some sources reach are still offered. The week shown is always in the
URL, so a link shows the same week next Monday.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import kpis
from dashboard import context, url_state
from dashboard.format import week_label
from kpis.i18n import _

KEY = "week"


@st.cache_data(show_spinner=False, max_entries=64)
def complete_week(_ctx: context.Context, version: tuple[object, ...]) -> kpis.DateRange | None:
    """The week the review opens on (kpis.default_week, shared with the weekly report), cached.

    The latest week complete for every KPI, or for every KPI with some data when a source was
    never loaded: one missing export must not leave the page without a default.
    """
    return kpis.default_week(_ctx.store)


def offered(coverage: pd.DataFrame, most: int) -> list[str]:
    """ISO weeks, newest first, from the last whole week any source reaches to the first.

    At most `most` weeks (limits.max_periods days): a database holding a stray year-1000
    date must not make a list of fifty thousand weeks.
    """
    through = max(coverage["last_day"].dropna())
    first = min(coverage["first_day"].dropna())
    weeks = []
    monday = kpis.last_complete_week(through).start
    while monday + dt.timedelta(days=6) >= first and len(weeks) < most:
        weeks.append(kpis.iso_week(monday))
        monday -= dt.timedelta(days=7)
    return weeks or [kpis.iso_week(through)]  # less than a whole week: the week in progress


def choose(ctx: context.Context, coverage: pd.DataFrame) -> str:
    """The week selector, kept in the URL (pinned: the default week moves with the data).

    A link's week that is not offered (malformed, or without data here) gets url_state's
    message naming it and the week shown instead.
    """
    weeks = offered(coverage, ctx.definitions.limits.max_periods // 7)
    complete = complete_week(ctx, ctx.version)
    opening = complete and kpis.iso_week(complete.start)
    default = opening if opening in weeks else weeks[0]
    return url_state.select(
        _("Week"), weeks, KEY, default=default, format_func=week_label, pinned=True
    )
