"""The weekly report as an A4 PDF: the report's HTML page laid out by WeasyPrint.

The PDF is the HTML page (kpis.report.html, images as data: URIs), so the two cannot differ.
WeasyPrint lays out HTML and CSS for print in Python over Pango (no browser to install or
drive), writes real text (selectable, searchable, extractable) and embeds the fonts it used.
It is imported on first use: it is slow to import and only the PDF needs it.
"""

from __future__ import annotations

from kpis.definitions import Definitions
from kpis.report.html import render_html
from kpis.report.model import Report

# A4 with print margins; the 640-pixel page fits the 180 mm between them (170 mm ~ 642 px).
PAGE_CSS = """
@page { size: A4; margin: 14mm 12mm 14mm 12mm; }
html, body { background: #ffffff; }
table { page-break-inside: auto; }
tr, img { page-break-inside: avoid; break-inside: avoid; }
h2 { page-break-after: avoid; break-after: avoid; }
"""


def render_pdf(
    report: Report, definitions: Definitions, *, dashboard_url: str | None = None
) -> bytes:
    """The report as PDF bytes, A4, in the language in force."""
    import weasyprint  # type: ignore[import-untyped]

    page = render_html(report, definitions, dashboard_url=dashboard_url, for_email=False)
    document = weasyprint.HTML(string=page.html, base_url=None)
    # presentational_hints: the width="…" attributes mail clients need are read too.
    css = weasyprint.CSS(string=PAGE_CSS)
    pdf: bytes = document.write_pdf(stylesheets=[css], presentational_hints=True)
    return pdf
