"""The report's texts for people, said once for its HTML (e-mail, browser, PDF) and plain text.

The e-mail's two alternatives and the PDF must not say different things, so each piece of a
card, an attention item, an event or a source's freshness is worded here, in the language in
force, numbers through kpis.formatting; the renderers only lay the pieces out. A piece that is
coloured comes with its tone ("better", "worse", "neutral"), read against the KPI's direction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpis import i18n
from kpis.definitions import Definitions, Kpi
from kpis.formatting import (
    format_count,
    format_day,
    format_days,
    format_delta,
    format_interval,
    format_value,
    format_week,
    number,
    reason_text,
    verdict_word,
)
from kpis.i18n import N_, _, ngettext
from kpis.notes_text import say_note
from kpis.report.model import OFF_TARGET, UNUSUAL_CHANGE, Driver, EventReview, KpiWeek, Verdict
from kpis.report.model import SourceFreshness as Freshness

BETTER, WORSE, NEUTRAL = "better", "worse", "neutral"

REASON_WORDS = {OFF_TARGET: N_("off target"), UNUSUAL_CHANGE: N_("unusual change")}
TREND_WORDS = {
    BETTER: N_("12 weeks: improving"),
    WORSE: N_("12 weeks: worsening"),
    NEUTRAL: N_("12 weeks: steady"),
}
TREND_ALT = {
    BETTER: N_("{label}, last 12 weeks: improving trend"),
    WORSE: N_("{label}, last 12 weeks: worsening trend"),
    NEUTRAL: N_("{label}, last 12 weeks: steady trend"),
}


@dataclass(frozen=True)
class Said:
    """A text and its colour's meaning: better (green), worse (red) or neutral (grey)."""

    text: str
    tone: str


def week_title(week: str) -> str:
    """2026-W46 -> 'W46 2026' / 'S46 2026'."""
    return f"{format_week(week)} {week[:4]}"


def subject(week: str) -> str:
    """The e-mail's subject and the page's title."""
    return _("Weekly operations review — {week}").format(week=week_title(week))


def period(week: str, start: dt.date, end: dt.date) -> str:
    """'Week 46 · 9 Nov – 15 Nov 2026'."""
    return _("Week {number} · {days}").format(number=week[-2:], days=format_days(start, end))


def value(kpi: Kpi, row: KpiWeek) -> str:
    """The week's value in the KPI's unit, or why there is none ('no data yet — …')."""
    if row.value is not None:
        return format_value(kpi, row.value)
    if not row.reason or row.reason == "no data":
        return _("no data")
    year = int(row.week[:4])
    return _("no data yet — {reason}").format(reason=reason_text(row.reason, year))


def tone_of(kpi: Kpi, change: float | None) -> str:
    """Green when `change` moves the KPI its good way, red otherwise, grey when it rounds to 0."""
    if change is None:
        return NEUTRAL
    shown = change * 100 if kpi.format == "percent" else change
    if round(shown, kpi.decimals) == 0:
        return NEUTRAL
    return BETTER if (change > 0) == kpi.higher_is_better else WORSE


def previous_change(kpi: Kpi, row: KpiWeek) -> Said:
    """'+0.4 pp vs previous week (3.1%)', or that there is nothing to compare."""
    if row.change is None:
        return Said(_("vs previous week: no comparison"), NEUTRAL)
    text = _("{change} vs previous week ({previous})").format(
        change=format_delta(kpi, row.change), previous=format_value(kpi, row.previous)
    )
    return Said(text, tone_of(kpi, row.change))


def year_change(kpi: Kpi, row: KpiWeek) -> Said:
    """'+0.2 pp vs W46 2025 (3.3%)', or that the data has no week a year earlier."""
    if row.year_change is None or row.year_ago_week is None:
        return Said(_("a year earlier: no data"), NEUTRAL)
    text = _("{change} vs {week} ({value})").format(
        change=format_delta(kpi, row.year_change),
        week=week_title(row.year_ago_week),
        value=format_value(kpi, row.year_ago),
    )
    return Said(text, tone_of(kpi, row.year_change))


def target(kpi: Kpi, row: KpiWeek) -> Said:
    """'Target ≥ 3.0% · met' (green) / '· not met' (red), or 'No target'."""
    if kpi.target is None:
        return Said(_("No target"), NEUTRAL)
    sign = "≥" if kpi.higher_is_better else "≤"
    goal = format_value(kpi, kpi.target)
    if row.target_met is None:
        return Said(_("Target {sign} {target}").format(sign=sign, target=goal), NEUTRAL)
    if row.target_met:
        return Said(_("Target {sign} {target} · met").format(sign=sign, target=goal), BETTER)
    return Said(_("Target {sign} {target} · not met").format(sign=sign, target=goal), WORSE)


def variation(kpi: Kpi, row: KpiWeek) -> Said:
    """Whether the week's change is unusual, with the range the 12 changes before make normal."""
    found = row.variation
    if found is None or row.change is None:
        return Said(_("Too little history to judge the change"), NEUTRAL)
    normal = format_interval(kpi, found.low, found.high)
    if row.unusual:
        return Said(
            _("Unusual change (normal: {range})").format(range=normal), tone_of(kpi, row.change)
        )
    return Said(_("Within normal variation ({range})").format(range=normal), NEUTRAL)


def trend(row: KpiWeek) -> Said:
    tone = row.tone if row.tone in TREND_WORDS else NEUTRAL
    return Said(i18n.translate(TREND_WORDS[tone]), tone)


def sparkline_alt(kpi: Kpi, row: KpiWeek) -> str:
    tone = row.tone if row.tone in TREND_ALT else NEUTRAL
    return i18n.translate(TREND_ALT[tone]).format(label=kpi.label)


def reasons(codes: tuple[str, ...]) -> str:
    """'off target, unusual change'."""
    return ", ".join(i18n.translate(REASON_WORDS[c]) if c in REASON_WORDS else c for c in codes)


def driver_value(driver: Driver) -> str:
    """'channel = web' ('(no value)' for the rows without one)."""
    shown = driver.value if driver.value is not None else _("(no value)")
    return f"{driver.dimension} = {shown}"


def driver_volumes(driver: Driver) -> str:
    """'1,204 → 1,310 rows'."""
    return ngettext(
        "{before} → {after} row", "{before} → {after} rows", round(driver.volume)
    ).format(before=format_count(driver.volume_previous), after=format_count(driver.volume))


def driver_line(kpi: Kpi, driver: Driver) -> str:
    """'channel = web: +0.3 pp (1,204 → 1,310 rows)'."""
    return _("{who}: {contribution} ({volumes})").format(
        who=driver_value(driver),
        contribution=format_delta(kpi, driver.contribution),
        volumes=driver_volumes(driver),
    )


def event_title(definitions: Definitions, event: EventReview) -> str:
    """'new-carrier · 14 Oct 2026 · warehouse = Lyon' (the label kpis.yaml gives, if any)."""
    declared = definitions.event(event.name)
    parts = [(declared.label if declared is not None else None) or event.name]
    parts.append(format_day(event.date))
    if event.scope is not None:
        parts.append(f"{event.scope[0]} = {event.scope[1]}")
    return " · ".join(parts)


def event_status(event: EventReview) -> str:
    """How far the comparison goes: '4 weeks before and after (…)' or why there is none yet."""
    if event.before is None or event.after is None or event.weeks < 1:
        why = i18n.translate(event.reason) if event.reason else _("no verdict yet")
        return _("No verdict yet: {reason}").format(reason=why)
    return ngettext(
        "{weeks} week before and after: {before} vs {after}",
        "{weeks} weeks before and after: {before} vs {after}",
        event.weeks,
    ).format(
        weeks=number(event.weeks, 0),
        before=format_days(event.before.start, event.before.end),
        after=format_days(event.after.start, event.after.end),
    )


def verdict(definitions: Definitions, found: Verdict) -> tuple[str, Said, str]:
    """One KPI's verdict so far: (label, verdict word and its tone, 'before → after (change)')."""
    kpi = definitions.kpis.get(found.kpi)
    label = kpi.label if kpi is not None else found.kpi
    tone = {"improved": BETTER, "worsened": WORSE}.get(found.verdict or "", NEUTRAL)
    word = verdict_word(found.verdict) if found.verdict else _("no verdict")
    if kpi is None:
        return label, Said(word, tone), ""
    detail = _("{before} → {after} ({change})").format(
        before=format_value(kpi, found.before),
        after=format_value(kpi, found.after),
        change=format_delta(kpi, found.delta),
    )
    if found.note:
        detail = f"{detail} — {say_note(found.note)}"
    return label, Said(word, tone), detail


def source_name(definitions: Definitions, name: str) -> str:
    source = definitions.sources.get(name)
    label = source.label if source is not None else None
    return label or name


def freshness(source: Freshness) -> Said:
    """'data through 15 Nov 2026' (grey), '… · late' (red), or 'no data' (red)."""
    if source.data_through is None:
        return Said(_("no data"), WORSE)
    through = _("data through {day}").format(day=format_day(source.data_through))
    if source.late:
        return Said(_("{through} · late").format(through=through), WORSE)
    return Said(through, NEUTRAL)


def dashboard_words(week: str) -> str:
    return _("Open the weekly review of {week} in the dashboard").format(week=week_title(week))
