"""Parts of the charts: hovers for missing values, ISO-week ticks, event label rows.

Kept apart from charts.py (the figures) so each stays short; charts.py says why they look
as they do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import kpis
from dashboard.format import is_missing, why_missing


def hover(kpi: kpis.Kpi, values: Iterable[object]) -> list[str]:
    """Values as the product shows them, '–' for none."""
    return [kpis.format_value(kpi, None if pd.isna(v) else float(v)) for v in values]


def _missing_text(kpi: kpis.Kpi, frame: pd.DataFrame, index: int) -> str:
    """'–', with why when the engine says (kpis.compute's `reason`)."""
    text = kpis.format_value(kpi, None)
    reason = frame["reason"].iloc[index] if "reason" in frame else None
    if is_missing(reason):
        return text
    first, why = why_missing(reason, frame["period_start"].iloc[index].year)
    return f"{text} ({first}: {why})" if why else f"{text} ({first})"


def series(kpi: kpis.Kpi, frame: pd.DataFrame, name: str, template: str) -> list[go.Scatter]:
    """A KPI's line, and invisible points where it has no value, hovering as '–'.

    Plotly hovers nothing where a value is missing, so a week without data would look like
    no week at all; the points sit where the line would pass (interpolated), unseen.
    """
    x, y = list(frame["period_start"]), pd.to_numeric(frame["value"], errors="coerce")
    line = go.Scatter(
        x=x, y=y, mode="lines+markers", name=name, text=hover(kpi, frame["value"]),
        hovertemplate=template,
    )  # fmt: skip
    gaps = [i for i, v in enumerate(y) if math.isnan(v)]
    if not gaps:
        return [line]
    known = [i for i, v in enumerate(y) if not math.isnan(v)]
    where = np.interp(gaps, known, y.iloc[known]) if known else np.zeros(len(gaps))
    hole = go.Scatter(
        x=[x[i] for i in gaps], y=where, mode="markers", name=name, showlegend=False,
        marker={"opacity": 0}, text=[_missing_text(kpi, frame, i) for i in gaps],
        hovertemplate=template,
    )  # fmt: skip
    return [line, hole]


def _weekly(frame: pd.DataFrame) -> bool:
    """Whether the rows are ISO weeks: periods starting on Mondays, up to 7 days long."""
    if not len(frame):
        return False
    starts, ends = frame["period_start"], frame["period_end"]
    spans = [(e - s).days for s, e in zip(starts, ends, strict=True)]
    return all(s.weekday() == 0 for s in starts) and max(spans) <= 6 and max(spans) >= 1


def week_ticks(first: dt.date, last: dt.date, most: int = 13) -> tuple[list[dt.date], list[str]]:
    """The Mondays from `first` to `last` as ticks labelled 'W46'.

    The first tick, and the first of each ISO year, carry the year under the week. With more
    than `most` weeks, every n-th is ticked, counted back from the last (the week shown).
    """
    mondays = []
    monday = last - dt.timedelta(days=last.weekday())
    while monday >= first - dt.timedelta(days=first.weekday()):
        mondays.append(monday)
        monday -= dt.timedelta(days=7)
    step = max(1, math.ceil(len(mondays) / most))
    ticks = sorted(mondays[::step])
    labels = []
    for index, tick in enumerate(ticks):
        year, week, _ = tick.isocalendar()
        new_year = index == 0 or ticks[index - 1].isocalendar()[0] != year
        labels.append(f"W{week:02d}<br>{year}" if new_year else f"W{week:02d}")
    return ticks, labels


def time_axis(fig: go.Figure, frame: pd.DataFrame) -> None:
    """ISO-week ticks for a weekly series; hovers name the week and its Monday."""
    if not _weekly(frame):
        fig.update_xaxes(hoverformat="%-d %b %Y")
        return
    ticks, labels = week_ticks(min(frame["period_start"]), max(frame["period_start"]))
    fig.update_xaxes(
        tickmode="array", tickvals=ticks, ticktext=labels, hoverformat="W%V · %-d %b %Y"
    )


def event_rows(
    events: Sequence[kpis.Event], start: dt.date, end: dt.date
) -> list[tuple[kpis.Event, int]]:
    """The events of the period, each with the row of its label (0 at the top).

    A label that would overprint an earlier one (same date, or too close for its text) goes
    one row down. A label's width is estimated in days from its length (about 7 px a
    character on a chart about 600 px wide), which is enough to keep two names apart.
    """
    shown = sorted((e for e in events if start <= e.date <= end), key=lambda e: (e.date, e.name))
    span = max((end - start).days, 1)
    ends: list[float] = []  # per row, the day its last label reaches
    placed = []
    for event in shown:
        at = float((event.date - start).days)
        row = next((r for r, reach in enumerate(ends) if reach < at), len(ends))
        reach = at + (len(event.name) + 1) * 7 / 600 * span
        if row == len(ends):
            ends.append(reach)
        else:
            ends[row] = reach
        placed.append((event, row))
    return placed
