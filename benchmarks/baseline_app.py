"""The dashboard's floor: the weekly page's widgets with made-up numbers and no data work.

Six st.metric cards with sparklines and six 12-week plotly charts in two pages behind
st.navigation, as the weekly page has: whatever this costs to draw in Chromium is Streamlit's
and plotly's share of our page's time, not ours.
"""

import plotly.graph_objects as go
import streamlit as st


def weekly() -> None:
    st.title("Weekly review")
    columns = st.columns(3)
    for index in range(6):
        with columns[index % 3]:
            st.metric(
                f"KPI {index}",
                f"{index}.0%",
                delta="+0.1 pp",
                border=True,
                chart_data=[1, 3, 2, 4, 5, 3, 4, 5, 6, 5, 7, 6],
            )
    charts = st.columns(2)
    for index in range(6):
        figure = go.Figure(go.Scatter(x=list(range(12)), y=[i % 5 for i in range(12)]))
        with charts[index % 2]:
            st.plotly_chart(figure, key=f"chart_{index}")


def other() -> None:
    st.title("Definitions")
    st.write("Another page, to navigate back from.")


st.navigation(
    [
        st.Page(weekly, title="Weekly review", default=True),
        st.Page(other, title="Definitions", url_path="definitions"),
    ]
).run()
