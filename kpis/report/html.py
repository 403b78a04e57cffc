"""The weekly report as one HTML page, for the e-mail's body, a browser and the PDF.

Self-contained so it reads the same everywhere: inline styles, the sparklines embedded as
PNG data: URIs (or, in an e-mail, `cid:` references to the message's inline images, which
mail clients show without fetching anything), no script, no remote resource; the only link
goes to the dashboard's weekly review of the same week. Laid out with tables, 640 pixels
wide, because that is what mail clients render reliably. In the language in force.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import escape

from kpis.definitions import Definitions
from kpis.i18n import _, language
from kpis.report import html_parts as parts
from kpis.report import words
from kpis.report.headline import say_headline
from kpis.report.model import Report
from kpis.report.sparkline import sparkline_png
from kpis.report.text import plain_text

WIDTH = 640
# An addition only: clients that drop <style> still get the inline styles.
_STYLE = "<style>body{margin:0;padding:0;}</style>"


@dataclass(frozen=True)
class Rendered:
    """The report ready to send or save: subject, HTML, its inline images, the plain text."""

    subject: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)  # Content-ID -> PNG bytes
    text: str = ""


def image_id(index: int, kpi: str) -> str:
    """A Content-ID for a KPI's sparkline (letters, digits, '.', '-' only, as mail wants)."""
    return f"spark-{index}-{re.sub(r'[^A-Za-z0-9.-]', '-', kpi)}"[:100]


def dashboard_link(dashboard_url: str, week: str) -> str:
    """The dashboard's weekly review of `week`, in the language in force."""
    return f"{dashboard_url.rstrip('/')}/?week={week}&lang={language()}"


def render_html(
    report: Report,
    definitions: Definitions,
    *,
    dashboard_url: str | None = None,
    for_email: bool = False,
) -> Rendered:
    """The report's page; images as data: URIs, or `cid:` references when `for_email`.

    `images` holds the same PNGs either way, keyed by the Content-ID the e-mail uses.
    """
    images = {image_id(i, row.kpi): sparkline_png([p.value for p in row.series], row.tone)
              for i, row in enumerate(report.kpis)}  # fmt: skip
    ids = {row.kpi: image_id(i, row.kpi) for i, row in enumerate(report.kpis)}

    def image(kpi: str, alt: str) -> str:
        cid = ids[kpi]
        if for_email:
            source = f"cid:{cid}"
        else:
            source = "data:image/png;base64," + base64.b64encode(images[cid]).decode("ascii")
        return (
            f'<img src="{source}" width="140" height="36" alt="{escape(alt)}" '
            'style="display:block;width:140px;height:36px;border:0;">'
        )

    title = words.subject(report.week)
    link = None if not dashboard_url else dashboard_link(dashboard_url, report.week)
    body = [
        f'<tr><td style="padding:22px 24px 4px 24px;"><h1 style="{parts.FONT}font-size:22px;'
        f'margin:0;color:{parts.INK};">{escape(title)}</h1>'
        f'<div style="{parts.FONT}font-size:13px;color:{parts.MUTED};margin-top:4px;">'
        f"{escape(words.period(report.week, report.start, report.end))}</div></td></tr>",
        f'<tr><td style="padding:10px 24px;"><p style="{parts.FONT}font-size:15px;'
        f"line-height:1.45;margin:0;color:{parts.INK};background:#f6f8fa;padding:10px 12px;"
        f'border-left:4px solid #0969da;">{escape(say_headline(definitions, report.headline))}'
        "</p></td></tr>",
        parts.cards(definitions, report.kpis, image),
        parts.block(_("What needs attention"), parts.attention(definitions, report)),
        parts.block(_("Events"), parts.events(definitions, report)),
        parts.block(_("Data freshness"), parts.freshness(definitions, report)),
    ]
    if link is not None:
        body.append(
            f'<tr><td style="padding:18px 24px 4px 24px;"><a href="{escape(link)}" '
            f'style="{parts.FONT}font-size:14px;color:#0969da;">'
            f"{escape(words.dashboard_words(report.week))}</a></td></tr>"
        )
    body.append(
        f'<tr><td style="padding:14px 24px 20px 24px;{parts.FONT}font-size:11px;'
        f'color:{parts.MUTED};">{escape(_("Operations KPIs — weekly report"))}</td></tr>'
    )
    page = (
        f'<!DOCTYPE html><html lang="{language()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>{_STYLE}</head>"
        '<body style="margin:0;padding:0;background:#ffffff;">'
        f'<table {parts.WIDE} style="width:100%;">'
        '<tr><td align="center" style="padding:12px 0;">'
        f'<table {parts.WIDE} style="width:100%;max-width:{WIDTH}px;'
        f'background:#ffffff;text-align:left;">{"".join(body)}</table>'
        "</td></tr></table></body></html>"
    )
    text = plain_text(report, definitions, link)
    return Rendered(subject=title, html=page, images=images, text=text)
