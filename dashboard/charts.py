"""Plotly figures for the pages: trends with events, before/after windows, breakdowns.

Every figure labels its value axis with the KPI's unit and formats hover values the way the
rest of the product does (kpis.format_value); a period without a value hovers as "–" with
the reason, never as nothing. Weekly series are ticked on ISO weeks (Mondays, "W46"), as the
COO counts them. Labels are placed where the data cannot cover them: a target's in the right
margin, events sharing a date stacked. Colours are mid-tone and translucent so the charts
read in Streamlit's light and dark themes alike (the pages pass theme="streamlit").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

import kpis
from dashboard.chart_parts import event_rows, hover, series, time_axis

BEFORE_FILL = "rgba(99, 110, 250, 0.14)"
AFTER_FILL = "rgba(255, 161, 90, 0.18)"
EVENT_LINE = "rgba(128, 128, 128, 0.9)"
TARGET_LINE = "rgba(0, 160, 110, 0.8)"
BETTER = "#1a9e5c"
WORSE = "#d9433b"


def value_axis(kpi: kpis.Kpi) -> dict[str, object]:
    """Y-axis settings: the unit as the title, ticks formatted like the KPI's values."""
    if kpi.format == "percent":
        return {"title": {"text": "%"}, "tickformat": f".{kpi.decimals}%"}
    return {"title": {"text": kpi.unit_label}, "tickformat": f",.{kpi.decimals}f"}


def _layout(fig: go.Figure, kpi: kpis.Kpi, height: int = 300) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="x unified",
        showlegend=False,
        yaxis=value_axis(kpi),
        xaxis={"title": None},
    )
    return fig


def _event_lines(
    fig: go.Figure, events: Sequence[kpis.Event], start: dt.date, end: dt.date
) -> None:
    """Events as labelled vertical lines (shapes and annotations: dates work on either)."""
    for event, row in event_rows(events, start, end):
        fig.add_shape(
            type="line",
            x0=event.date,
            x1=event.date,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": EVENT_LINE, "dash": "dot", "width": 1.5},
        )
        fig.add_annotation(
            x=event.date,
            y=1,
            yref="paper",
            yshift=-15 * row,
            text=event.name,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 11},
        )


def trend(
    kpi: kpis.Kpi, frame: pd.DataFrame, events: Sequence[kpis.Event], height: int = 280
) -> go.Figure:
    """Weekly values of one KPI, its target, and the events of the period."""
    fig = go.Figure(series(kpi, frame, kpi.label, "%{text}<extra></extra>"))
    if kpi.target is not None:
        # The label sits in the right margin, level with the line: no value can cover it. The
        # number only: the axis says the unit, and a narrow label leaves the plot its width.
        number = kpis.format_value(kpi, kpi.target).split(" ")[0]
        fig.add_hline(y=kpi.target, line={"color": TARGET_LINE, "dash": "dash", "width": 1})
        fig.add_annotation(
            x=1, xref="paper", xanchor="left", y=kpi.target, yref="y", showarrow=False,
            text=f"target<br>{number}", align="left", font={"size": 10, "color": TARGET_LINE},
        )  # fmt: skip
    _layout(fig, kpi, height)
    if kpi.target is not None:
        fig.update_layout(margin={"r": 14 + 6 * max(6, len(number))})
    if len(frame):
        _event_lines(fig, events, frame["period_start"].min(), frame["period_end"].max())
    time_axis(fig, frame)
    return fig


def before_after(
    kpi: kpis.Kpi,
    frame: pd.DataFrame,
    before: kpis.DateRange,
    after: kpis.DateRange,
    row: dict[str, object],
    events: Sequence[kpis.Event],
) -> go.Figure:
    """The weekly series with both windows shaded and their values drawn across them."""
    fig = trend(kpi, frame, events, height=260)
    fig.update_traces(showlegend=False)  # the KPI's line needs no legend, the projection does
    _trend_line(fig, row, before, after)
    for window, fill, label, side in (
        (before, BEFORE_FILL, "before", "before"),
        (after, AFTER_FILL, "after", "after"),
    ):
        end = window.end + dt.timedelta(days=1)
        fig.add_vrect(x0=window.start, x1=end, fillcolor=fill, line_width=0, layer="below")
        value = row.get(side)
        if value is not None and not pd.isna(value):
            fig.add_shape(
                type="line",
                x0=window.start,
                x1=end,
                y0=value,
                y1=value,
                line={"color": "rgba(128,128,128,0.9)", "width": 2},
            )
            middle = window.start + (end - window.start) / 2
            fig.add_annotation(
                x=middle,
                y=1,
                yref="paper",
                text=f"{label}: {kpis.format_value(kpi, float(value))}",
                showarrow=False,
                yanchor="bottom",
                font={"size": 12},
            )
    return fig


def _trend_line(
    fig: go.Figure, row: dict[str, object], before: kpis.DateRange, after: kpis.DateRange
) -> None:
    """The pre-event trend, continued over the after window: what it would have been."""
    start, slope = row.get("trend_start"), row.get("trend_per_week")
    if not isinstance(start, float) or not isinstance(slope, float) or pd.isna(start):
        return
    weeks = (after.end - before.start).days // 7 + 1
    days = [before.start + dt.timedelta(weeks=w) for w in range(weeks)]
    fig.add_trace(go.Scatter(
        x=days, y=[start + slope * w for w in range(weeks)], mode="lines", name="trend before, continued",  # noqa: E501
        line={"color": "rgba(128,128,128,0.8)", "dash": "dash", "width": 1.5}, hoverinfo="skip",
        showlegend=True,
    ))  # fmt: skip
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.25, "yanchor": "top"},
    )


def intervals(definitions: kpis.Definitions, table: pd.DataFrame) -> go.Figure:
    """Each KPI's change in per cent of its before value, with its 95 % interval."""
    rows = [
        r for r in table.to_dict("records") if isinstance(r.get("ci_low"), float) and r["before"]
    ]
    labels, centers, lows, highs, colours, texts = [], [], [], [], [], []
    for row in rows:
        kpi = definitions.kpis[row["kpi"]]
        base = abs(float(row["before"]))
        labels.append(kpi.label)
        centers.append(float(row["delta"]) / base)
        lows.append((float(row["delta"]) - float(row["ci_low"])) / base)
        highs.append((float(row["ci_high"]) - float(row["delta"])) / base)
        colours.append(
            {"improved": BETTER, "worsened": WORSE}.get(
                str(row["verdict"]), "rgba(128,128,128,0.9)"
            )
        )
        interval = kpis.format_interval(kpi, row["ci_low"], row["ci_high"])
        texts.append(f"{kpis.format_delta(kpi, row['delta'])} ({interval}), {row['verdict']}")
    fig = go.Figure(go.Scatter(
        x=centers, y=labels, mode="markers", marker={"color": colours, "size": 10},
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows, "thickness": 2},  # noqa: E501
        text=texts, hovertemplate="%{y}: %{text}<extra></extra>",
    ))  # fmt: skip
    fig.add_vline(x=0, line={"color": EVENT_LINE, "width": 1})
    fig.update_layout(
        height=60 + 45 * len(labels), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": {"text": "change, % of before (95% interval)"}, "tickformat": "+.0%"},
        yaxis={"autorange": "reversed"}, showlegend=False,
    )  # fmt: skip
    return fig


def explorer(
    kpi: kpis.Kpi, frame: pd.DataFrame, by: str | None, events: Sequence[kpis.Event]
) -> go.Figure:
    """One line per dimension value (or one line), over the chosen grain."""
    if by is None:
        fig = trend(kpi, frame, events, height=420)
        return fig
    fig = go.Figure()
    for value, part in frame.groupby("dimension_value", sort=True):
        template = f"{value}: %{{text}}<extra></extra>"
        fig.add_traces(series(kpi, part.reset_index(drop=True), str(value), template))
    if len(frame):
        _event_lines(fig, events, frame["period_start"].min(), frame["period_end"].max())
    _layout(fig, kpi, 420)
    fig.update_layout(showlegend=True, legend={"title": {"text": by}})
    time_axis(fig, frame.drop_duplicates("period_start"))
    return fig


def breakdown(kpi: kpis.Kpi, table: pd.DataFrame, by: str) -> go.Figure:
    """Before and after per dimension value, side by side."""
    fig = go.Figure()
    for side, colour in (
        ("before", "rgba(99, 110, 250, 0.75)"),
        ("after", "rgba(255, 161, 90, 0.9)"),
    ):
        fig.add_trace(
            go.Bar(
                x=table["dimension_value"].astype(str),
                # A missing value is a bar of 0 drawn as nothing, so that it still hovers '–'.
                y=pd.to_numeric(table[side], errors="coerce").fillna(0.0),
                name=side,
                marker_color=colour,
                text=hover(kpi, table[side]),
                textposition="outside",
                hovertemplate=f"{side}: %{{text}}<extra></extra>",
            )
        )
    _layout(fig, kpi, 320)
    fig.update_layout(
        showlegend=True, barmode="group", hovermode="x", xaxis={"title": {"text": by}}
    )
    return fig
