"""Placeholder page until the dashboard lands: the before/after table of the demo event.

It reads the same settings as the CLI (KPIS_DB, KPIS_CONFIG) and calls only `kpis`.
"""

from __future__ import annotations

import os

import streamlit as st

import kpis

st.set_page_config(page_title="Operations KPIs", layout="wide")
st.title("Operations KPIs")
try:
    definitions = kpis.load_definitions(os.environ.get("KPIS_CONFIG", "kpis.yaml"))
    with kpis.Store(os.environ.get("KPIS_DB", "data/ops.duckdb"), definitions) as store:
        windows = kpis.windows_around_event(store, definitions.events[0].name)
        table = kpis.compare(store, windows.before, windows.after)
except kpis.KpisError as exc:
    st.error(str(exc))
    st.stop()
event = windows.event.name if windows.event else ""
st.caption(f"{event}: before {windows.before}, after {windows.after}")
rows = []
for row in table.to_dict("records"):
    kpi = definitions.kpis[row["kpi"]]
    rows.append(
        {
            "KPI": kpi.label,
            "before": kpis.format_value(kpi, row["before"]),
            "after": kpis.format_value(kpi, row["after"]),
            "change": kpis.format_delta(kpi, row["delta"]),
            "improvement": kpis.format_relative(row["delta_pct"]),
        }
    )
st.table(rows)
