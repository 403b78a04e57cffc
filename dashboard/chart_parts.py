"""Parts of the charts: hovers for missing values, ISO-week ticks, event label rows, French.

Kept apart from charts.py (the figures) so each stays short; charts.py says why they look
as they do. plotly.js speaks English: its number separators, month names and "3.5%" ticks.
So in French every figure says its separators (layout.separators: decimal comma, U+202F
between thousands), date axes get tick labels made here with Babel and hover dates in
numbers (no month name for plotly.js to write in English), percent axes get ticks made here
("3,5 %", which d3's "%" format cannot write), and `config()` hands plotly.js a French
locale for what it still writes itself (ticks after a zoom, the toolbar's tooltips).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date, get_day_names, get_month_names

import kpis
from dashboard.format import is_missing, why_missing
from kpis import formatting, i18n
from kpis.i18n import N_, _, language

NBSP = "\u00a0"
# plotly.js's toolbar and zoom texts (its own English message ids), said in French via config().
PLOTLY_TEXTS = (
    N_("Zoom"), N_("Pan"), N_("Zoom in"), N_("Zoom out"), N_("Autoscale"), N_("Reset axes"),
    N_("Box Select"), N_("Lasso Select"), N_("Toggle Spike Lines"),
    N_("Show closest data on hover"), N_("Compare data on hover"),
    N_("Download plot as a PNG"), N_("Download plot"), N_("Double-click to zoom back out"),
)  # fmt: skip


def hover(kpi: kpis.Kpi, values: Iterable[object]) -> list[str]:
    """Values as the product shows them, '–' for none."""
    return [kpis.format_value(kpi, None if pd.isna(v) else float(v)) for v in values]


def _missing_text(kpi: kpis.Kpi, frame: pd.DataFrame, index: int) -> str:
    """'–', with why when the engine says (kpis.compute's `reason`)."""
    text = kpis.format_value(kpi, None)
    reason = frame["reason"].iloc[index] if "reason" in frame else None
    if is_missing(reason):
        return text
    first, why = why_missing(reason, frame["period_start"].iloc[index].year)
    if not why:
        return f"{text} ({first})"
    return _("{value} ({missing}: {why})").format(value=text, missing=first, why=why)


def series(kpi: kpis.Kpi, frame: pd.DataFrame, name: str, template: str) -> list[go.Scatter]:
    """A KPI's line, and invisible points where it has no value, hovering as '–'.

    Plotly hovers nothing where a value is missing, so a week without data would look like
    no week at all; the points sit where the line would pass (interpolated), unseen.
    """
    x, y = list(frame["period_start"]), pd.to_numeric(frame["value"], errors="coerce")
    line = go.Scatter(
        x=x, y=y, mode="lines+markers", name=name, text=hover(kpi, frame["value"]),
        hovertemplate=template,
    )  # fmt: skip
    gaps = [i for i, v in enumerate(y) if math.isnan(v)]
    if not gaps:
        return [line]
    known = [i for i, v in enumerate(y) if not math.isnan(v)]
    where = np.interp(gaps, known, y.iloc[known]) if known else np.zeros(len(gaps))
    hole = go.Scatter(
        x=[x[i] for i in gaps], y=where, mode="markers", name=name, showlegend=False,
        marker={"opacity": 0}, text=[_missing_text(kpi, frame, i) for i in gaps],
        hovertemplate=template,
    )  # fmt: skip
    return [line, hole]


def _weekly(frame: pd.DataFrame) -> bool:
    """Whether the rows are ISO weeks: periods starting on Mondays, up to 7 days long."""
    if not len(frame):
        return False
    starts, ends = frame["period_start"], frame["period_end"]
    spans = [(e - s).days for s, e in zip(starts, ends, strict=True)]
    return all(s.weekday() == 0 for s in starts) and max(spans) <= 6 and max(spans) >= 1


def week_ticks(first: dt.date, last: dt.date, most: int = 13) -> tuple[list[dt.date], list[str]]:
    """The Mondays from `first` to `last` as ticks labelled 'W46'.

    The first tick, and the first of each ISO year, carry the year under the week. With more
    than `most` weeks, every n-th is ticked, counted back from the last (the week shown).
    """
    mondays = []
    monday = last - dt.timedelta(days=last.weekday())
    while monday >= first - dt.timedelta(days=first.weekday()):
        mondays.append(monday)
        monday -= dt.timedelta(days=7)
    step = max(1, math.ceil(len(mondays) / most))
    ticks = sorted(mondays[::step])
    labels = []
    for index, tick in enumerate(ticks):
        year, week, _ = tick.isocalendar()
        new_year = index == 0 or ticks[index - 1].isocalendar()[0] != year
        name = formatting.format_week(f"{year}-W{week:02d}")  # W46 / S46
        labels.append(f"{name}<br>{year}" if new_year else name)
    return ticks, labels


def date_ticks(
    first: dt.date, last: dt.date, months: bool = False, most: int = 12
) -> tuple[list[dt.date], list[str]]:
    """Ticks for days or months, labelled with Babel: 'nov.', the year under the first of each.

    Monthly rows, or more than two months of days: the first day of each month (every n-th);
    otherwise days.
    """
    if months or (last - first).days > 62:
        days, month = [], dt.date(first.year, first.month, 1)
        while month <= last:
            days.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        pattern = "LLL"
    else:
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        pattern = "d MMM"
    ticks = days[:: max(1, math.ceil(len(days) / most))]
    labels = []
    for index, tick in enumerate(ticks):
        text = str(format_date(tick, pattern, locale=formatting.locale()))
        new_year = index == 0 or ticks[index - 1].year != tick.year
        labels.append(f"{text}<br>{tick.year}" if new_year else text)
    return ticks, labels


def time_axis(fig: go.Figure, frame: pd.DataFrame) -> None:
    """ISO-week ticks for a weekly series; hovers name the week and its Monday.

    In French, other grains get Babel's month names too, and hovers write dates in numbers:
    plotly.js would write its own month names, in English.
    """
    french = language() == "fr"
    if not _weekly(frame):
        if french and len(frame):
            spans = frame["period_end"] - frame["period_start"]
            monthly = min(spans).days >= 27
            ticks, labels = date_ticks(
                min(frame["period_start"]), max(frame["period_start"]), monthly
            )
            fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=labels)
        fig.update_xaxes(hoverformat="%d/%m/%Y" if french else "%-d %b %Y")
        return
    ticks, labels = week_ticks(min(frame["period_start"]), max(frame["period_start"]))
    fig.update_xaxes(
        tickmode="array",
        tickvals=ticks,
        ticktext=labels,
        hoverformat="S%V · %d/%m/%Y" if french else "W%V · %-d %b %Y",
    )


def separators() -> str:
    """layout.separators: the decimal sign, then the thousands separator (plotly's order)."""
    return "," + "\u202f" if language() == "fr" else ".,"


def percent_ticks(
    values: Iterable[float], decimals: int, sign: bool = False
) -> tuple[list[float], list[str]]:
    """Ticks over `values` (fractions) at a round step, labelled '3,5 %' (or '+10 %').

    d3's "%" format writes "3,5%": French wants a no-break space before the sign. About five
    ticks, a step of 1, 2, 2.5 or 5 times a power of ten, one beyond each end of the data.
    """
    known = [v for v in values if v is not None and math.isfinite(v)]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = low - max(abs(low) * 0.05, 0.01), high + max(abs(high) * 0.05, 0.01)
    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= raw * 0.999)
    shown = decimals
    while shown < 6 and abs(round(step * 100, shown) - step * 100) > 1e-9:
        shown += 1
    first, last = math.floor(low / step) - 1, math.ceil(high / step) + 1
    ticks = [round(i * step, 12) for i in range(first, last + 1)]
    labels = [f"{formatting.number(t * 100, shown, sign=sign)}{NBSP}%" for t in ticks]
    return ticks, labels


def plotly_locale() -> dict[str, object]:
    """plotly.js's locale for the language in force (config's `locales`), from Babel's data."""
    where = formatting.locale()
    months, short = (
        get_month_names("wide", locale=where),
        get_month_names("abbreviated", locale=where),
    )
    days, short_days = (
        get_day_names("wide", locale=where),
        get_day_names("abbreviated", locale=where),
    )
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # plotly.js (d3) counts days from Sunday
    decimal, thousands = separators()[0], separators()[1]
    return {
        "dictionary": {text: i18n._(text) for text in PLOTLY_TEXTS},
        "format": {
            "days": [days[d] for d in sunday_first],
            "shortDays": [short_days[d] for d in sunday_first],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [short[m] for m in range(1, 13)],
            "periods": ["AM", "PM"],
            "dateTime": "%A %e %B %Y, %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["", f"{NBSP}€"],
            "year": "%Y",
            "month": "%b %Y",
            "dayMonth": "%-d %b",
            "dayMonthYear": "%-d %b %Y",
        },
    }


def event_rows(
    events: Sequence[kpis.Event], start: dt.date, end: dt.date
) -> list[tuple[kpis.Event, int]]:
    """The events of the period, each with the row of its label (0 at the top).

    A label that would overprint an earlier one (same date, or too close for its text) goes
    one row down. A label's width is estimated in days from its length (about 7 px a
    character on a chart about 600 px wide), which is enough to keep two names apart.
    """
    shown = sorted((e for e in events if start <= e.date <= end), key=lambda e: (e.date, e.name))
    span = max((end - start).days, 1)
    ends: list[float] = []  # per row, the day its last label reaches
    placed = []
    for event in shown:
        at = float((event.date - start).days)
        row = next((r for r, reach in enumerate(ends) if reach < at), len(ends))
        reach = at + (len(event.name) + 1) * 7 / 600 * span
        if row == len(ends):
            ends.append(reach)
        else:
            ends[row] = reach
        placed.append((event, row))
    return placed
