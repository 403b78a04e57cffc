"""The Streamlit dashboard: a thin UI over the `kpis` engine."""
