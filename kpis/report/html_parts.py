"""The weekly report's HTML sections: KPI cards, what needs attention, events, freshness.

Written for mail clients as much as browsers: tables for layout, every style inline (Gmail
and Outlook drop or ignore most <style> rules), no script, no remote resource. Every text from
the data is escaped; the words come from kpis.report.words, so the plain text says the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from kpis.definitions import Definitions, Kpi
from kpis.formatting import format_delta
from kpis.i18n import _
from kpis.report import words
from kpis.report.model import Attention, EventReview, KpiWeek, Report
from kpis.report.words import Said

# Text colours of the tones: the weekly review's green and red, darkened a little for text.
TONE_TEXT = {words.BETTER: "#177245", words.WORSE: "#b3261e", words.NEUTRAL: "#6a737d"}
INK, MUTED, LINE, WAITING = "#24292f", "#57606a", "#d8dee4", "#9a6700"
FONT = "font-family:Arial,Helvetica,'DejaVu Sans',sans-serif;"
TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'
WIDE = f'{TABLE} width="100%"'  # with width:100% in its style too (WeasyPrint, Outlook)

# An <img> for a KPI's sparkline: (kpi name, alt text) -> the tag.
ImageTag = Callable[[str, str], str]


def coloured(said: Said, size: int = 13) -> str:
    """A toned text as a <span> in its colour."""
    return (
        f'<span style="{FONT}font-size:{size}px;color:{TONE_TEXT[said.tone]};">'
        f"{escape(said.text)}</span>"
    )


def line(content: str, top: int = 4) -> str:
    """One line of a card or section (already-escaped `content`)."""
    return f'<div style="{FONT}font-size:13px;color:{INK};margin-top:{top}px;">{content}</div>'


def block(title: str, body: str) -> str:
    """A titled section of the page (one row, so a page break cannot part title and body)."""
    return (
        f'<tr><td style="padding:20px 24px 4px 24px;"><h2 style="{FONT}font-size:17px;'
        f'margin:0 0 6px 0;color:{INK};border-bottom:2px solid {LINE};padding-bottom:4px;">'
        f"{escape(title)}</h2>{body}</td></tr>"
    )


def card(definitions: Definitions, row: KpiWeek, image: ImageTag) -> str:
    """One KPI's card: value, changes, target, normal variation, 12-week sparkline."""
    kpi = definitions.kpis[row.kpi]
    if row.value is not None:
        shown = (
            f'<div style="{FONT}font-size:24px;font-weight:bold;color:{INK};margin-top:4px;">'
            f"{escape(words.value(kpi, row))}</div>"
        )
    else:
        shown = (
            f'<div style="{FONT}font-size:14px;font-weight:bold;color:{WAITING};'
            f'margin-top:6px;">{escape(words.value(kpi, row))}</div>'
        )
    parts = [
        f'<div style="{FONT}font-size:14px;font-weight:bold;color:{MUTED};">'
        f"{escape(kpi.label)}</div>",
        shown,
        line(coloured(words.previous_change(kpi, row))),
        line(coloured(words.year_change(kpi, row))),
        line(coloured(words.target(kpi, row))),
        line(coloured(words.variation(kpi, row), 12)),
        f'<div style="margin-top:8px;">{image(row.kpi, words.sparkline_alt(kpi, row))}</div>',
        line(coloured(words.trend(row), 12), top=0),
    ]
    return (
        f'<td width="50%" valign="top" style="width:50%;padding:6px;">'
        f'<table {WIDE} style="width:100%;border:1px solid {LINE};border-radius:6px;">'
        f'<tr><td style="padding:10px 12px;">{"".join(parts)}</td></tr></table></td>'
    )


def cards(definitions: Definitions, rows: Sequence[KpiWeek], image: ImageTag) -> str:
    """The KPI cards two by two (a lone last card keeps its half width)."""
    body = []
    for i in range(0, len(rows), 2):
        pair = [card(definitions, row, image) for row in rows[i : i + 2]]
        if len(pair) == 1:
            pair.append('<td width="50%" style="width:50%;padding:6px;"></td>')
        body.append(f"<tr>{''.join(pair)}</tr>")
    return f'<tr><td style="padding:8px 18px;"><table {WIDE} style="width:100%;">{"".join(body)}</table></td></tr>'  # noqa: E501


def _cell(content: str, align: str = "left", bold: bool = False) -> str:
    weight = "font-weight:bold;" if bold else ""
    if align == "right" and not bold:  # numbers with their unit stay on one line
        weight += "white-space:nowrap;"
    return (
        f'<td align="{align}" style="{FONT}font-size:12px;color:{INK};{weight}'
        f'padding:3px 6px;border-bottom:1px solid {LINE};">{content}</td>'
    )


def contribution(kpi: Kpi, change: float) -> Said:
    """A driver's contribution in the KPI's unit, toned by the KPI's direction."""
    return Said(format_delta(kpi, change), words.tone_of(kpi, change))


def attention_item(definitions: Definitions, item: Attention, row: KpiWeek | None) -> str:
    """A KPI that needs attention: why, its change, and the dimension values that moved it."""
    kpi = definitions.kpis[item.kpi]
    title = _("{kpi}: {reasons}").format(kpi=kpi.label, reasons=words.reasons(item.reasons))
    parts = [f'<div style="{FONT}font-size:14px;font-weight:bold;color:{INK};margin-top:10px;">'
             f"{escape(title)}</div>"]  # fmt: skip
    if row is not None:
        facts = [words.value(kpi, row), words.previous_change(kpi, row).text,
                 words.target(kpi, row).text]  # fmt: skip
        parts.append(line(escape(" · ".join(facts))))
    if item.drivers:
        head = "".join(
            _cell(escape(text), align, bold=True)
            for text, align in (
                (_("Top driver by dimension"), "left"),
                (_("Contribution"), "right"),
                (_("Volume, previous → this week"), "right"),
            )
        )
        body = "".join(
            "<tr>"
            + _cell(escape(words.driver_value(d)))
            + _cell(coloured(contribution(kpi, d.contribution), 12), "right")
            + _cell(escape(words.driver_volumes(d)), "right")
            + "</tr>"
            for d in item.drivers
        )
        parts.append(
            f'<table {WIDE} style="width:100%;margin-top:6px;"><tr>{head}</tr>{body}</table>'
        )
    else:
        parts.append(line(escape(_("No breakdown of this KPI explains the change."))))
    return "".join(parts)


def attention(definitions: Definitions, report: Report) -> str:
    if not report.attention:
        return line(escape(_("Nothing needs attention: no KPI is off target or moved unusually.")))
    rows = {r.kpi: r for r in report.kpis}
    return "".join(attention_item(definitions, a, rows.get(a.kpi)) for a in report.attention)


def event(definitions: Definitions, found: EventReview) -> str:
    """An event of the last 13 weeks and its KPIs' verdicts so far."""
    title = escape(words.event_title(definitions, found))
    if found.in_week:
        title += f' <span style="color:{WAITING};">· {escape(_("this week"))}</span>'
    parts = [
        f'<div style="{FONT}font-size:14px;font-weight:bold;color:{INK};margin-top:10px;">'
        f"{title}</div>",
        line(escape(words.event_status(found))),
    ]
    if found.verdicts:
        body = []
        for verdict in found.verdicts:
            label, said, detail = words.verdict(definitions, verdict)
            body.append(
                "<tr>" + _cell(escape(label)) + _cell(coloured(said, 12))
                + _cell(escape(detail), "right") + "</tr>"
            )  # fmt: skip
        rows = "".join(body)
        parts.append(f'<table {WIDE} style="width:100%;margin-top:4px;">{rows}</table>')
    return "".join(parts)


def events(definitions: Definitions, report: Report) -> str:
    if not report.events:
        return line(escape(_("No event in the last 13 weeks.")))
    return "".join(event(definitions, e) for e in report.events)


def freshness(definitions: Definitions, report: Report) -> str:
    """Each source: how far its data reaches, red when it stops before the week's end."""
    body = "".join(
        "<tr>"
        + _cell(escape(words.source_name(definitions, f.source)))
        + _cell(coloured(words.freshness(f), 12), "right")
        + "</tr>"
        for f in report.freshness
    )
    waiting = [r for r in report.kpis if r.value is None]
    notes = "".join(
        line(
            escape(
                _("{kpi}: {value}").format(
                    kpi=definitions.kpis[r.kpi].label,
                    value=words.value(definitions.kpis[r.kpi], r),
                )
            )
        )
        for r in waiting
    )
    return f'<table {WIDE} style="width:100%;">{body}</table>{notes}'
