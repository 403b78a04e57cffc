"""Plotly figures for the pages: trends with events, before/after windows, breakdowns.

Every figure labels its value axis with the KPI's unit and formats hover values the way the
rest of the product does (kpis.format_value); a period without a value hovers as "–" with
the reason, never as nothing. Weekly series are ticked on ISO weeks (Mondays, "W46"), as the
COO counts them. Every word is in the reader's language, and so are numbers and dates
(chart_parts says how French gets past plotly.js's English; pages pass `config()`). Labels
are placed where the data cannot cover them: a target's in the right margin, events sharing
a date stacked. Colours are mid-tone and translucent so the charts
read in Streamlit's light and dark themes alike (the pages pass theme="streamlit").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

import kpis
from dashboard.chart_parts import (
    event_rows,
    hover,
    percent_ticks,
    plotly_locale,
    separators,
    series,
    time_axis,
)
from kpis.formatting import verdict_word
from kpis.i18n import _, language

BEFORE_FILL = "rgba(99, 110, 250, 0.14)"
AFTER_FILL = "rgba(255, 161, 90, 0.18)"
EVENT_LINE = "rgba(128, 128, 128, 0.9)"
TARGET_LINE = "rgba(0, 160, 110, 0.8)"
BETTER = "#1a9e5c"
WORSE = "#d9433b"


def config() -> dict[str, object]:
    """st.plotly_chart's config: plotly.js's locale in French (its own texts and dates)."""
    if language() != "fr":
        return {}
    return {"locale": "fr", "locales": {"fr": plotly_locale()}}


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
        separators=separators(),
    )
    return fig


def _french_percent_axis(fig: go.Figure, kpi: kpis.Kpi) -> None:
    """In French, a rate's axis ticks made here: '3,5 %' (d3 would write '3,5%')."""
    if language() != "fr" or kpi.format != "percent":
        return
    values = [float(v) for trace in fig.data if trace.y is not None for v in trace.y]
    values += [float(y) for shape in fig.layout.shapes if shape.yref in (None, "y")
               for y in (shape.y0, shape.y1) if isinstance(y, int | float)]  # fmt: skip
    ticks, labels = percent_ticks(values, kpi.decimals)
    fig.update_yaxes(tickmode="array", tickvals=ticks, ticktext=labels)


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
        number = kpis.format_value(kpi, kpi.target)
        if kpi.format != "percent":  # "1.60 EUR", "1,60 €": the number without its unit
            number = number.replace("\u00a0", " ").split(" ")[0]
        fig.add_hline(y=kpi.target, line={"color": TARGET_LINE, "dash": "dash", "width": 1})
        word = _("target")
        fig.add_annotation(
            x=1, xref="paper", xanchor="left", y=kpi.target, yref="y", showarrow=False,
            text=f"{word}<br>{number}", align="left", font={"size": 10, "color": TARGET_LINE},
        )  # fmt: skip
    _layout(fig, kpi, height)
    if kpi.target is not None:
        fig.update_layout(margin={"r": 14 + 6 * max(len(word), len(number))})
    if len(frame):
        _event_lines(fig, events, frame["period_start"].min(), frame["period_end"].max())
    time_axis(fig, frame)
    _french_percent_axis(fig, kpi)
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
        (before, BEFORE_FILL, _("before: {value}"), "before"),
        (after, AFTER_FILL, _("after: {value}"), "after"),
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
                text=label.format(value=kpis.format_value(kpi, float(value))),
                showarrow=False,
                yanchor="bottom",
                font={"size": 12},
            )
    _french_percent_axis(fig, kpi)  # again: the continued trend may reach past the data
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
        x=days, y=[start + slope * w for w in range(weeks)], mode="lines", name=_("trend before, continued"),  # noqa: E501
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
        texts.append(
            _("{change} ({interval}), {verdict}").format(
                change=kpis.format_delta(kpi, row["delta"]),
                interval=interval,
                verdict=verdict_word(str(row["verdict"])),
            )
        )
    fig = go.Figure(go.Scatter(
        x=centers, y=labels, mode="markers", marker={"color": colours, "size": 10},
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows, "thickness": 2},  # noqa: E501
        text=texts, hovertemplate="%{y}: %{text}<extra></extra>",
    ))  # fmt: skip
    fig.add_vline(x=0, line={"color": EVENT_LINE, "width": 1})
    fig.update_layout(
        height=60 + 45 * len(labels), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": {"text": _("change, % of before (95% interval)")}, "tickformat": "+.0%"},
        yaxis={"autorange": "reversed"}, showlegend=False, separators=separators(),
    )  # fmt: skip
    if language() == "fr" and centers:  # "+10 %": d3's "+.0%" would write "+10%"
        reach = [c - low for c, low in zip(centers, lows, strict=True)]
        reach += [c + high for c, high in zip(centers, highs, strict=True)]
        ticks, texts = percent_ticks([*reach, 0.0], 0, sign=True)
        fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=texts)
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
    _french_percent_axis(fig, kpi)
    return fig


def breakdown(kpi: kpis.Kpi, table: pd.DataFrame, by: str) -> go.Figure:
    """Before and after per dimension value, side by side."""
    fig = go.Figure()
    for side, colour, name, said in (
        ("before", "rgba(99, 110, 250, 0.75)", _("before"), _("before: {value}")),
        ("after", "rgba(255, 161, 90, 0.9)", _("after"), _("after: {value}")),
    ):
        fig.add_trace(
            go.Bar(
                x=table["dimension_value"].astype(str),
                # A missing value is a bar of 0 drawn as nothing, so that it still hovers '–'.
                y=pd.to_numeric(table[side], errors="coerce").fillna(0.0),
                name=name,
                marker_color=colour,
                text=hover(kpi, table[side]),
                textposition="outside",
                hovertemplate=said.format(value="%{text}") + "<extra></extra>",
            )
        )
    _layout(fig, kpi, 320)
    fig.update_layout(
        showlegend=True, barmode="group", hovermode="x", xaxis={"title": {"text": by}}
    )
    _french_percent_axis(fig, kpi)
    return fig
