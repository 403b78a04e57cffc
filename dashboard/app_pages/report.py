"""Report: the weekly report of an ISO week as it will be sent, and its HTML, PDF and XLSX.

The same report as `kpis report` and the Monday e-mail (kpis.report: the engine builds it,
kpis.report.html, .pdf and .xlsx write it), for the week chosen as on the weekly review (the
latest week complete for every KPI by default, the week kept in the link), in the page's
language; without the e-mail's link back to the dashboard (the reader is on it). Sending is
the command's job: nothing is sent from here.

The report is shown in a frame, not with st.html: st.html puts it in the page itself, where
its stylesheet (body, tables, headings) would restyle the whole app. The frame keeps it
apart, at a fixed height with its own scroll bar, since fitting it to its content would take
a script, and the copy on screen allows none (dashboard.report_files.POLICY).
"""

from __future__ import annotations

import streamlit as st

from dashboard import context, report_files, review_week, tables
from kpis.i18n import _

HEIGHT = 1100  # pixels: the headline, the KPI table and what needs attention at first sight

ctx = context.load()
coverage = context.require_data(ctx)

st.title(_("Weekly report"))
week = review_week.choose(ctx, coverage)
with st.spinner(_("Preparing the report...")):
    built = report_files.built(ctx, ctx.version, week)
report, rendered = built.report, built.rendered

st.caption(_("E-mail subject: {subject}").format(subject=rendered.subject))
row = st.container(horizontal=True)
tables.download_bytes(
    _("Download HTML"),
    rendered.html.encode("utf-8"),
    file_name=report_files.file_name(report.week, "html"),
    mime="text/html",
    icon=":material/code:",
    on_click="ignore",
    where=row,
    key="report_html",
)
tables.download_bytes(
    _("Download PDF"),
    report_files.on_click("pdf", ctx.version, report, ctx.definitions),
    file_name=report_files.file_name(report.week, "pdf"),
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
    where=row,
    key="report_pdf",
)
tables.download_bytes(
    _("Download Excel (.xlsx)"),
    report_files.on_click("xlsx", ctx.version, report, ctx.definitions),
    file_name=report_files.file_name(report.week, "xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
    where=row,
    key="report_xlsx",
)
st.caption(_("The PDF and the Excel workbook are made when you download them (a few seconds)."))
st.iframe(report_files.on_screen(rendered.html), height=HEIGHT, alt=rendered.subject)
