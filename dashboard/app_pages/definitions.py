"""Definitions: what each KPI means and how it is computed, straight from kpis.yaml.

The COO reads the description; the analyst checks the formula, the sources and the time
columns. If kpis.yaml is invalid, this page (like every other) lists its problems instead.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import access_editor, context, events_editor, tables
from kpis.definitions.methods import method_for

ctx = context.load()
definitions = ctx.definitions

st.title("Definitions")
st.caption(
    f"From {definitions.file} · calendar: ISO weeks from Monday, {definitions.calendar.timezone}"
)


def _measure(measure: kpis.definitions.Measure) -> str:
    text = f"`{measure.expr.strip()}` over **{measure.source}**, dated by `{measure.time}`"
    if measure.filter:
        text += f", where `{measure.filter}`"
    if measure.over_time:
        text += f", per snapshot date then {measure.over_time} over the period"
    return text


for name, kpi in definitions.kpis.items():
    with st.expander(f"**{kpi.label}** · `{name}`", expanded=True):
        st.markdown(kpi.description)
        lines = []
        if kpi.measure is not None:
            lines.append(f"- **Value:** {_measure(kpi.measure)}")
        else:
            assert kpi.numerator is not None and kpi.denominator is not None
            lines.append(f"- **Numerator:** {_measure(kpi.numerator)}")
            lines.append(f"- **Denominator:** {_measure(kpi.denominator)}")
            lines.append(
                "- Computed per period as numerator / denominator (a ratio of sums); "
                "no value when the denominator is 0."
            )
        if kpi.annualize:
            lines.append("- Scaled to a year: × 365 / days in the period.")
        direction = "higher is better" if kpi.higher_is_better else "lower is better"
        unit = kpi.unit_label or "no unit"
        shape = f"{kpi.format}, {kpi.decimals} decimal{'' if kpi.decimals == 1 else 's'}"
        lines.append(f"- **Unit:** {unit} ({shape}) · **Direction:** {direction}")
        target = kpis.format_value(kpi, kpi.target) if kpi.target is not None else "none"
        lines.append(
            f"- **Target:** {target} · **Sources:** {', '.join(definitions.sources_of(kpi))}"
        )
        dims = definitions.dimensions_of(kpi)
        lines.append(f"- **Breakdowns:** {', '.join(dims) if dims else 'none'}")
        method = method_for(kpi)
        minimum = f"verdict from {method.min_sample} {method.unit}s a side"
        lines.append(f"- **Before/after test:** {method.describe()}, {minimum}")
        st.markdown("\n".join(lines))

st.subheader("Sources")
for name, source in definitions.sources.items():
    with st.expander(f"**{source.label or name}** · `{name}`"):
        if source.description:
            st.markdown(source.description)
        st.markdown(
            f"Key: `{', '.join(source.key)}` · time columns: `{', '.join(source.time_columns)}` · "
            f"dimensions: {', '.join(source.dimensions) or 'none'}"
            + (" · snapshots (not additive over time)" if source.kind == "snapshot" else "")
        )
        tables.show(
            pd.DataFrame(
                [
                    {
                        "column": c,
                        "type": s.type,
                        "required": not s.nullable,
                        "in every file": not s.optional,
                        "description": s.description or "",
                    }
                    for c, s in source.columns.items()
                ]
            ),
            hide_index=True,
            width="stretch",
        )

st.subheader("Events")
events = context.events(ctx)
if events:
    events_editor.table(ctx, events, "the Before / after page")
else:
    st.caption("No events yet: add them in kpis.yaml or on the Before / after page.")

access_editor.manage()  # admins only: who has which role
