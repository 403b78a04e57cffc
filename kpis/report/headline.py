"""The report's headline: how many KPIs met their target and which moved unusually.

The COO reads one sentence first, so it is said here once, from the report's rows: the
counts and names are data (the JSON's `headline`), the sentence is in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from kpis.definitions import Definitions
from kpis.formatting import number
from kpis.i18n import _, ngettext
from kpis.report.model import Headline, KpiWeek


def make_headline(definitions: Definitions, rows: Sequence[KpiWeek]) -> Headline:
    """The headline of the report's KPI rows, its sentence in the language in force."""
    met = tuple(r.kpi for r in rows if r.target_met is True)
    missed = tuple(r.kpi for r in rows if r.target_met is False)
    unusual = tuple(r.kpi for r in rows if r.unusual)
    missing = tuple(r.kpi for r in rows if r.value is None)
    headline = Headline(met, missed, unusual, missing, "")
    return Headline(met, missed, unusual, missing, say_headline(definitions, headline))


def _names(definitions: Definitions, names: Sequence[str]) -> str:
    return ", ".join(definitions.kpis[name].label for name in names)


def say_headline(definitions: Definitions, headline: Headline) -> str:
    """'Target met by 4 of 6 KPIs (missed: CSAT). Unusual change this week: Stock rotation.'

    In the language in force: the JSON says it in English, the HTML in the reader's.
    """
    parts = []
    judged = len(headline.met) + len(headline.missed)
    if judged:
        first = ngettext(
            "Target met by {count} of {total} KPI",
            "Target met by {count} of {total} KPIs",
            judged,
        ).format(count=number(len(headline.met), 0), total=number(judged, 0))
        if headline.missed:
            first = _("{sentence} (missed: {names})").format(
                sentence=first, names=_names(definitions, headline.missed)
            )
        parts.append(first + ".")
    if headline.unusual:
        parts.append(
            ngettext(
                "Beyond its normal weekly variation: {names}.",
                "Beyond their normal weekly variation: {names}.",
                len(headline.unusual),
            ).format(names=_names(definitions, headline.unusual))
        )
    else:
        parts.append(_("No KPI moved beyond its normal weekly variation."))
    if headline.missing:
        parts.append(
            _("No value this week: {names}.").format(names=_names(definitions, headline.missing))
        )
    return " ".join(parts)
