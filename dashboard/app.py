"""The dashboard's router: every page of the product, behind one st.navigation.

Run with `make run` (or `streamlit run dashboard/app.py`). It reads the same settings as the
CLI: KPIS_DB for the database file and KPIS_CONFIG for kpis.yaml. Who is using it comes first
(dashboard.auth): nobody signed in, or nobody with a role, sees no page; a viewer sees no
Upload page.
"""

from __future__ import annotations

import streamlit as st

from dashboard import auth, errors, language
from kpis.i18n import _

lang = language.choose()  # first: every text below, the tab's title too, is in that language
st.set_page_config(
    page_title=_("Operations KPIs"), page_icon=":material/monitoring:", layout="wide"
)
language.switch(lang)  # before the gate: the login page is read in the chosen language too
actor = auth.gate()

pages = [
    st.Page(
        "app_pages/weekly.py",  # i18n: ok (a path)
        title=_("Weekly review"),
        icon=":material/calendar_view_week:",
        default=True,
    ),
    st.Page(
        "app_pages/report.py",  # i18n: ok (a path)
        title=_("Report"),
        icon=":material/mail:",
        url_path="report",
    ),
    st.Page(
        "app_pages/before_after.py",  # i18n: ok (a path)
        title=_("Before / after"),
        icon=":material/compare_arrows:",
        url_path="before-after",
    ),
    st.Page(
        "app_pages/explorer.py",  # i18n: ok (a path)
        title=_("KPI explorer"),
        icon=":material/query_stats:",
        url_path="explorer",
    ),
    st.Page(
        "app_pages/upload.py",  # i18n: ok (a path)
        title=_("Upload"),
        icon=":material/upload:",
        url_path="upload",
    ),
    st.Page(
        "app_pages/definitions.py",  # i18n: ok (a path)
        title=_("Definitions"),
        icon=":material/menu_book:",
        url_path="definitions",
    ),
]
if not actor.can("upload"):  # hidden, and its URL leads to the default page
    pages = [page for page in pages if page.url_path != "upload"]
errors.run(st.navigation(pages))
