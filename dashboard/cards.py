"""The weekly review's KPI cards: value, change, normal variation, a year earlier, sparkline.

A card is built from plain values (`build`) and then drawn (`show`), so what it says is
tested without a browser. Every card has the same parts in the same places, whatever is
missing, so a grid of them reads at a glance: a blank slot, never a shifted card.

The sparkline is drawn here (an SVG image) rather than by st.metric, because st.metric
colours its chart with its delta's colour: the week's change and the 12-week trend often
disagree, and each must be read in its own colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

import kpis
from dashboard.charts import BETTER, WORSE
from dashboard.format import is_missing, target_status, week_short, why_missing
from kpis import i18n
from kpis.i18n import N_, _
from kpis.variation import WEEKS, Tone

NEUTRAL = "#8c8c8c"
TONE_COLOURS = {"better": BETTER, "worse": WORSE, "neutral": NEUTRAL}
# Said where shown, in the reader's language (N_ marks them for the catalog).
TREND_WORDS = {
    "better": N_("12 weeks: :green[improving]"),
    "worse": N_("12 weeks: :red[worsening]"),
    "neutral": N_("12 weeks: steady"),
}
TREND_ALT = {
    "better": N_("{label}, last 12 weeks: improving trend"),
    "worse": N_("{label}, last 12 weeks: worsening trend"),
    "neutral": N_("{label}, last 12 weeks: steady trend"),
}
BLANK = " "  # an empty caption keeps its line
VARIATION_HELP = N_(
    "Normal: within the mean ± 2 standard deviations of the 12 week-over-week changes before "
    "this week."
)
TREND_HELP = N_(
    "The least-squares line through the 12 weeks: improving or worsening when its slope is "
    "significantly different from 0 (p < 0.05) and it moves the KPI by at least 2 % of its "
    "mean; steady otherwise."
)


@dataclass(frozen=True)
class Card:
    """What one KPI's card says for a week, ready to draw."""

    label: str
    help: str
    value: str
    delta: str | None  # the change vs the previous week, or "no data yet" / "no data"
    delta_color: str
    delta_description: str | None
    variation: str  # whether the change is usual, or why there is no value yet
    year_earlier: str
    sparkline: tuple[float | None, ...]
    tone: Tone
    trend: str
    target: str


def _number(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def _signed(kpi: kpis.Kpi, change: float) -> str:
    """A change in the KPI's unit, green the good way and red the bad way (grey when none)."""
    text = kpis.format_delta(kpi, change)
    if not text.startswith(("+", "-")):  # rounds to zero
        return text
    good = (change > 0) == kpi.higher_is_better
    return f":{'green' if good else 'red'}[{text}]"


def build(
    kpi: kpis.Kpi,
    week: str,
    history: Sequence[object],
    reason: object,
    earlier: tuple[str, object] | None = None,
) -> Card:
    """The card of `kpi` for ISO `week`.

    `history`: the KPI's weekly values up to and including `week`, oldest first (14 weeks:
    the sparkline shows the last 12, the normal variation learns from the 12 changes before
    the week's). `reason`: kpis.compute's reason for the week when it has no value.
    `earlier`: the week a year earlier and its value, when the data covers that week.
    """
    values = [_number(v) for v in history]
    current = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    year = kpis.week_of(week).start.year
    delta, colour, description, variation = None, "off", None, BLANK
    if current is None:
        delta, why = why_missing(reason, year)
        colour = "orange" if why else "gray"
        variation = f":orange[{why}]" if why else BLANK
    elif previous is not None:
        delta = kpis.format_delta(kpi, current - previous)
        rounds_to_zero = not delta.startswith(("+", "-"))
        colour = "off" if rounds_to_zero else ("normal" if kpi.higher_is_better else "inverse")
        description = _("vs previous week")
    found = kpis.weekly_variation(values)
    if found is not None:
        usual = kpis.format_interval(kpi, found.low, found.high)
        variation = (
            _("within normal variation (usual: {interval})")
            if found.usual
            else _(":orange[**unusual change**] (usual: {interval})")
        ).format(interval=usual)
    year_earlier = BLANK
    then = _number(earlier[1]) if earlier else None
    if earlier and then is not None and current is not None:
        shown = kpis.format_value(kpi, then)
        year_earlier = _("{change} vs a year earlier ({week}: {value})").format(
            change=_signed(kpi, current - then), week=week_short(earlier[0]), value=shown
        )
    shown_weeks = tuple(values[-WEEKS:])
    trend = kpis.weekly_trend(shown_weeks)
    tone = kpis.trend_tone(trend, kpi.higher_is_better)
    return Card(
        label=kpi.label,
        help=kpi.description,
        value=kpis.format_value(kpi, current),
        delta=delta,
        delta_color=colour,
        delta_description=description,
        variation=variation,
        year_earlier=year_earlier,
        sparkline=shown_weeks,
        tone=tone,
        trend=BLANK if trend is None else i18n._(TREND_WORDS[tone]),
        target=target_status(kpi, current) or BLANK,
    )


def sparkline_svg(values: Sequence[float | None], colour: str) -> str:
    """A line through the weeks with a value, broken where one is missing; the last week dotted.

    Drawn in a 240 x 44 box that the image stretches to the card's width (the stroke keeps
    its width), scaled to the values' own range as st.metric's sparkline is.
    """
    width, height, pad = 240.0, 44.0, 4.0
    known = [v for v in values if v is not None]
    if not known:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="44" viewBox="0 0 {width:g} {height:g}"/>'  # noqa: E501
    low, high = min(known), max(known)
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> str:
        share = 0.5 if high == low else (high - v) / (high - low)
        return f"{pad + i * step:.1f},{pad + share * (height - 2 * pad):.1f}"

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(point(i, v))
    style = f'fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"'
    parts = [
        f'<polyline points="{" ".join(run)}" {style} vector-effect="non-scaling-stroke"/>'
        for run in runs
        if len(run) > 1
    ]
    for run in runs:  # a week alone between gaps is a dot
        if len(run) == 1:
            x, y = run[0].split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
    if values[-1] is not None:
        x, y = point(len(values) - 1, values[-1]).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="44" '
        f'viewBox="0 0 {width:g} {height:g}" preserveAspectRatio="none">{"".join(parts)}</svg>'
    )


def show(card: Card) -> None:
    """Draw a card in a bordered box as tall as the others of its row."""
    with st.container(border=True, height="stretch"):
        st.metric(
            card.label,
            card.value,
            delta=card.delta,
            delta_color=card.delta_color,  # type: ignore[arg-type]
            delta_arrow="off" if card.delta_description is None else "auto",
            delta_description=card.delta_description,
            help=card.help,
        )
        said = card.delta_description is not None and card.variation != BLANK
        st.caption(card.variation, help=i18n._(VARIATION_HELP) if said else None)
        st.caption(card.year_earlier)
        svg = sparkline_svg(card.sparkline, TONE_COLOURS[card.tone])
        alt = i18n._(TREND_ALT[card.tone]).format(label=card.label)
        st.image(svg, width="stretch", alt=alt)
        st.caption(card.trend, help=i18n._(TREND_HELP) if card.trend != BLANK else None)
        st.caption(card.target)
