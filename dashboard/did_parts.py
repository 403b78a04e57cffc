"""The Before / after page's control group: its columns, its line on the charts, its sentences.

A scoped event (`scope: {warehouse: Lyon}`) is compared with the other values of its
dimension: the table gains the control group's change and the difference-in-differences,
each KPI's chart the control group's weekly series beside the treated one, and the page one
plain sentence per KPI ("Lyon improved Service rate (OTIF) by 10.4 pp more than Lille and
Marseille"). Every number and word comes from `kpis`, as on the rest of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

import kpis
from dashboard.chart_parts import hover
from kpis.formatting import verdict_word
from kpis.i18n import _

CONTROL_LINE = "rgba(128, 128, 128, 0.9)"


def _get(row: Mapping[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if value is None or (isinstance(value, float) and value != value) else value


def columns(kpi: kpis.Kpi, row: Mapping[str, Any]) -> dict[str, str]:
    """The table's control-group cells of one KPI's row (keys: before_after_parts.HEADERS)."""
    verdict = _get(row, "did_verdict")
    return {
        "control change": kpis.format_delta(kpi, _get(row, "control_delta")),
        "beyond control": kpis.format_delta(kpi, _get(row, "did_effect")),
        "beyond control 95% interval": kpis.format_interval(
            kpi, _get(row, "did_ci_low"), _get(row, "did_ci_high")
        ),
        "beyond control verdict": verdict_word(verdict) if verdict else "",
    }


def add_control(
    fig: go.Figure, kpi: kpis.Kpi, control: pd.DataFrame, treated: str, names: str
) -> None:
    """The control group's weekly series on a KPI's chart, dashed, both lines named."""
    if control.empty:
        return
    fig.update_traces(name=treated, showlegend=True, selector={"mode": "lines+markers"})
    fig.add_trace(
        go.Scatter(
            x=list(control["period_start"]),
            y=pd.to_numeric(control["value"], errors="coerce"),
            mode="lines",
            name=_("control: {names}").format(names=names),
            text=hover(kpi, control["value"]),
            hovertemplate="%{text}<extra></extra>",
            line={"color": CONTROL_LINE, "dash": "dot", "width": 2},
        )
    )
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.25, "yanchor": "top"},
    )


def sentences(definitions: kpis.Definitions, table: pd.DataFrame, treated: str) -> list[str]:
    """One sentence per KPI: its change beyond the control group, in words."""
    return [
        kpis.did_sentence(definitions.kpis[str(r["kpi"])], r, treated)
        for r in table.to_dict("records")
    ]


def explanation(table: pd.DataFrame, treated: str) -> str:
    """What the control group is and what the comparison assumes, for the page's caption."""
    names = next(
        (kpis.control_names(r) for r in table.to_dict("records") if _get(r, "control")), ""
    )
    if not names:
        return _(
            "No other value has data: there is no control group to compare {value} with."
        ).format(value=treated)
    return _(
        "**Beyond the control group.** Whatever moved every value at once (a season, a "
        "company-wide change) is taken out by comparing {value} with {names}: the change in "
        "{value} minus the change in {names}, from their weekly values (a regression with "
        "effects per value and per week; 95% intervals from a bootstrap over blocks of weeks). "
        "It assumes that without the event {value} would have moved as {names} did; the check "
        "moves the event back to the middle of the before window and flags the KPIs whose "
        "values already drifted apart."
    ).format(value=treated, names=names)
