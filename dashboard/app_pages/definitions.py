"""Definitions: what each KPI means and how it is computed, straight from kpis.yaml.

The COO reads the description; the analyst checks the formula, the sources and the time
columns. If kpis.yaml is invalid, this page (like every other) lists its problems instead.
SQL, column and source names are shown as kpis.yaml writes them, in every language.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import access_editor, context, events_editor, tables
from kpis.definitions.methods import method_for
from kpis.formatting import number
from kpis.i18n import _, ngettext

ctx = context.load()
definitions = ctx.definitions

st.title(_("Definitions"))
st.caption(
    _("From {file} · calendar: ISO weeks from Monday, {timezone}").format(
        file=definitions.file, timezone=definitions.calendar.timezone
    )
)


def _measure(measure: kpis.definitions.Measure) -> str:
    text = _("`{expr}` over **{source}**, dated by `{time}`").format(
        expr=measure.expr.strip(), source=measure.source, time=measure.time
    )
    if measure.filter:
        text += _(", where `{filter}`").format(filter=measure.filter)
    if measure.over_time == "average":
        text += _(", per snapshot date then average over the period")
    elif measure.over_time == "last":
        text += _(", per snapshot date then last over the period")
    return text


def _shape(kpi: kpis.Kpi) -> str:
    """'percent, 1 decimal': the KPI's format and its decimals."""
    formats = {
        "percent": _("percent"),
        "hours": _("hours"),
        "currency": _("currency"),
        "number": _("number"),
    }
    decimals = ngettext("{count} decimal", "{count} decimals", kpi.decimals).format(
        count=number(kpi.decimals, 0)
    )
    return f"{formats.get(kpi.format, kpi.format)}, {decimals}"


def _minimum(unit: str, count: int) -> str:
    """'verdict from 30 days a side': the sample each side needs before a verdict."""
    shown = number(count, 0)
    if unit == "row":
        return ngettext(
            "verdict from {count} row a side", "verdict from {count} rows a side", count
        ).format(count=shown)
    if unit == "week":
        return ngettext(
            "verdict from {count} week a side", "verdict from {count} weeks a side", count
        ).format(count=shown)
    return ngettext(
        "verdict from {count} day a side", "verdict from {count} days a side", count
    ).format(count=shown)


def _kpi_lines(kpi: kpis.Kpi) -> list[str]:
    lines = []
    if kpi.measure is not None:
        lines.append(_("- **Value:** {measure}").format(measure=_measure(kpi.measure)))
    else:
        assert kpi.numerator is not None and kpi.denominator is not None
        lines.append(_("- **Numerator:** {measure}").format(measure=_measure(kpi.numerator)))
        lines.append(_("- **Denominator:** {measure}").format(measure=_measure(kpi.denominator)))
        lines.append(
            _(
                "- Computed per period as numerator / denominator (a ratio of sums); "
                "no value when the denominator is 0."
            )
        )
    if kpi.annualize:
        lines.append(_("- Scaled to a year: × 365 / days in the period."))
    direction = _("higher is better") if kpi.higher_is_better else _("lower is better")
    lines.append(
        _("- **Unit:** {unit} ({shape}) · **Direction:** {direction}").format(
            unit=kpi.unit_label or _("no unit"), shape=_shape(kpi), direction=direction
        )
    )
    target = kpis.format_value(kpi, kpi.target) if kpi.target is not None else _("none")
    lines.append(
        _("- **Target:** {target} · **Sources:** {sources}").format(
            target=target, sources=", ".join(definitions.sources_of(kpi))
        )
    )
    dims = definitions.dimensions_of(kpi)
    lines.append(
        _("- **Breakdowns:** {dimensions}").format(
            dimensions=", ".join(dims) if dims else _("none")
        )
    )
    method = method_for(kpi)
    lines.append(
        _("- **Before/after test:** {method}, {minimum}").format(
            method=method.said(), minimum=_minimum(method.unit, method.min_sample)
        )
    )
    return lines


for name, kpi in definitions.kpis.items():
    with st.expander(f"**{kpi.label}** · `{name}`", expanded=True):
        st.markdown(kpi.description)
        st.markdown("\n".join(_kpi_lines(kpi)))

st.subheader(_("Sources"))
for name, source in definitions.sources.items():
    with st.expander(f"**{source.label or name}** · `{name}`"):
        if source.description:
            st.markdown(source.description)
        text = _("Key: `{key}` · time columns: `{time}` · dimensions: {dimensions}").format(
            key=", ".join(source.key),
            time=", ".join(source.time_columns),
            dimensions=", ".join(source.dimensions) or _("none"),
        )
        if source.kind == "snapshot":
            text += _(" · snapshots (not additive over time)")
        st.markdown(text)
        column, kind, required = _("column"), _("type"), _("required")
        everywhere, description = _("in every file"), _("description")
        tables.show(
            pd.DataFrame(
                [
                    {
                        column: c,
                        kind: s.type,
                        required: not s.nullable,
                        everywhere: not s.optional,
                        description: s.description or "",
                    }
                    for c, s in source.columns.items()
                ]
            ),
            hide_index=True,
            width="stretch",
        )

st.subheader(_("Events"))
events = context.events(ctx)
if events:
    events_editor.table(ctx, events, _("the Before / after page"))
else:
    st.caption(_("No events yet: add them in kpis.yaml or on the Before / after page."))

access_editor.manage()  # admins only: who has which role
