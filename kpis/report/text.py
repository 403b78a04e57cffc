"""The weekly report as plain text: the e-mail's alternative to its HTML, the same content.

Mail clients that show no HTML (and people who prefer text) get every number and sentence of
the HTML page, in the same order, worded by kpis.report.words; colours become words already
present in the text ("met", "not met", "late").
"""

from __future__ import annotations

from kpis.definitions import Definitions
from kpis.i18n import _
from kpis.report import words
from kpis.report.headline import say_headline
from kpis.report.model import Report

RULE = "=" * 60


def _heading(text: str) -> list[str]:
    return ["", text, "-" * len(text)]


def plain_text(report: Report, definitions: Definitions, link: str | None = None) -> str:
    """The report in plain text, in the language in force; `link` to the dashboard if given."""
    title = words.subject(report.week)
    out = [title, words.period(report.week, report.start, report.end), RULE, ""]
    out.append(say_headline(definitions, report.headline))
    for row in report.kpis:
        kpi = definitions.kpis[row.kpi]
        out += ["", _("{kpi}: {value}").format(kpi=kpi.label, value=words.value(kpi, row))]
        for said in (
            words.previous_change(kpi, row),
            words.year_change(kpi, row),
            words.target(kpi, row),
            words.variation(kpi, row),
            words.trend(row),
        ):
            out.append(f"  {said.text}")
    out += _heading(_("What needs attention"))
    if not report.attention:
        out.append(_("Nothing needs attention: no KPI is off target or moved unusually."))
    rows = {r.kpi: r for r in report.kpis}
    for item in report.attention:
        kpi = definitions.kpis[item.kpi]
        out.append(_("{kpi}: {reasons}").format(kpi=kpi.label, reasons=words.reasons(item.reasons)))
        if item.kpi in rows:
            row = rows[item.kpi]
            facts = [words.value(kpi, row), words.previous_change(kpi, row).text,
                     words.target(kpi, row).text]  # fmt: skip
            out.append("  " + " · ".join(facts))
        for driver in item.drivers:
            out.append(f"  - {words.driver_line(kpi, driver)}")
        if not item.drivers:
            out.append("  " + _("No breakdown of this KPI explains the change."))
    out += _heading(_("Events"))
    if not report.events:
        out.append(_("No event in the last 13 weeks."))
    for event in report.events:
        title = words.event_title(definitions, event)
        if event.in_week:
            title = title + " · " + _("this week")
        out += [title, f"  {words.event_status(event)}"]
        for verdict in event.verdicts:
            label, said, detail = words.verdict(definitions, verdict)
            said_line = _("{kpi}: {value}").format(kpi=label, value=said.text)
            out.append(f"  - {said_line}" + (f" — {detail}" if detail else ""))
    out += _heading(_("Data freshness"))
    for source in report.freshness:
        name = words.source_name(definitions, source.source)
        out.append(_("{kpi}: {value}").format(kpi=name, value=words.freshness(source).text))
    for row in report.kpis:
        if row.value is None:
            kpi = definitions.kpis[row.kpi]
            out.append(_("{kpi}: {value}").format(kpi=kpi.label, value=words.value(kpi, row)))
    if link:
        out += ["", words.dashboard_words(report.week), link]
    out += ["", _("Operations KPIs — weekly report"), ""]
    return "\n".join(out)
