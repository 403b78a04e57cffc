"""The Before / after page's tables and texts, built from kpis.compare()'s rows.

Kept out of the page so that it reads top to bottom as what the COO sees: the headline,
the table, how sure each row is, the series and the breakdown. Every number and word
comes from `kpis` (formatting and kpis.summary), so the CLI says the same things.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

import kpis
from dashboard import charts
from dashboard.format import day

Row = Mapping[str, Any]
WEEKS = [0, 1, 2, 4, 8, 12, 26, 52]  # 0: all the weeks the data covers
CAVEAT = "#d9822b"  # orange: a verdict with a "but", a change that is fading

# Columns of text the engine formats ("+1.5 pp"): shown as written, downloaded with a quote.
FORMATTED = (
    "before", "after", "improvement", "change", "change %", "95% interval", "p",
    "last 4 weeks", "volume before", "volume after", "share before", "share after",
)  # fmt: skip


def plain(text: str) -> str:
    """Text shown as it is in st.markdown: a unit '$' would otherwise start LaTeX."""
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~$:-])", r"\\\1", text)


def week_choices(text: str | None, most: int) -> list[int]:
    """The weeks offered: the usual ones, and a link's own number when it is a valid one.

    "All the data covers" is written to the URL as the number of weeks it gave (26), so a
    link keeps its windows when more data arrives; that number must then be a choice.
    """
    choices = [w for w in WEEKS if w <= most]
    number = int(text) if text and text.isascii() and text.isdigit() else None
    if number is not None and str(number) == text and 1 <= number <= most:
        choices = sorted({*choices, number})
    return choices


def summary(definitions: kpis.Definitions, table: pd.DataFrame) -> str:
    """The headline over every KPI (kpis.headline)."""
    return str(kpis.headline(definitions, table))


def notes(table: pd.DataFrame) -> list[str]:
    """The freshness notes of the compared KPIs, once each, as sentences."""
    said = dict.fromkeys(str(n) for n in table["note"] if isinstance(n, str) and n)
    return [f"{note[0].upper()}{note[1:]}." for note in said]


def kpi_rows(definitions: kpis.Definitions, table: pd.DataFrame) -> pd.DataFrame:
    """The COO's table: KPI | before | after | improvement | verdict | last 4 weeks | ..."""
    shown = []
    for row in table.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        shown.append({
            "KPI": kpi.label,
            **_values(kpi, row),
            "verdict": kpis.verdict_sentence(row),
            "last 4 weeks": kpis.format_holding(
                kpi, _get(row, "recent_delta"), _get(row, "recent_share"), _get(row, "fading")
            ),
            **_change(kpi, row),
        })  # fmt: skip
    return pd.DataFrame(shown)


def breakdown_rows(definitions: kpis.Definitions, table: pd.DataFrame) -> pd.DataFrame:
    """Each dimension value's volume and share beside its own before, after and change."""
    shown = []
    for row in table.to_dict("records"):
        kpi = definitions.kpis[row["kpi"]]
        # The value's own result (rate) beside its share of the volume (mix).
        shown.append({
            "KPI": kpi.label,
            "value": str(row["dimension_value"]),
            **_values(kpi, row),
            "share before": kpis.format_share(_get(row, "share_before")),
            "share after": kpis.format_share(_get(row, "share_after")),
            "volume before": kpis.format_count(_get(row, "volume_before")),
            "volume after": kpis.format_count(_get(row, "volume_after")),
            "verdict": kpis.verdict_sentence(row),
            **_change(kpi, row),
        })  # fmt: skip
    return pd.DataFrame(shown)


def _get(row: Row, key: str) -> Any:
    value = row.get(key)
    return None if value is None or (isinstance(value, float) and value != value) else value


def _values(kpi: kpis.Kpi, row: Row) -> dict[str, str]:
    return {
        "before": kpis.format_value(kpi, _get(row, "before")),
        "after": kpis.format_value(kpi, _get(row, "after")),
        "improvement": kpis.format_improvement(kpi, _get(row, "delta_pct"), _get(row, "delta")),
    }


def _change(kpi: kpis.Kpi, row: Row) -> dict[str, str]:
    """The raw signed change, in the KPI's unit and relative, its interval and p-value."""
    return {
        "change": kpis.format_delta(kpi, _get(row, "delta")),
        "change %": kpis.format_relative(_get(row, "delta_pct")),
        "95% interval": kpis.format_interval(kpi, _get(row, "ci_low"), _get(row, "ci_high")),
        "p": kpis.format_p(_get(row, "p_value")),
    }


def tone(verdict: str) -> str | None:
    """The verdict's colour: green, red, orange when it has a "but", none otherwise."""
    if ", but " in verdict:
        return CAVEAT
    return {"improved": charts.BETTER, "worsened": charts.WORSE}.get(verdict)


def coloured(frame: pd.DataFrame) -> Styler:
    """Improvement and verdict coloured by the verdict; a fading last 4 weeks in orange."""

    def colour(row: pd.Series) -> list[str]:
        shade = tone(str(row["verdict"]))
        style = f"color: {shade}; font-weight: 600" if shade else "color: gray"
        styles = []
        for column in row.index:
            if column in ("improvement", "verdict"):
                styles.append(style)
            elif column == "last 4 weeks" and str(row[column]).endswith("fading"):
                styles.append(f"color: {CAVEAT}; font-weight: 600")
            else:
                styles.append("")
        return styles

    return frame.style.apply(colour, axis=1)


def method_lines(definitions: kpis.Definitions, table: pd.DataFrame) -> list[str]:
    """Per KPI, how its interval was computed, in words: the footnote of its row."""
    return [
        f"{definitions.kpis[r['kpi']].label}: {kpis.method_note(definitions.kpis[r['kpi']], r)}"
        for r in table.to_dict("records")
    ]


def holding_line(table: pd.DataFrame) -> str | None:
    """What "last 4 weeks" means, with its days; None when no KPI has it."""
    spans = dict.fromkeys(
        (r["recent_start"], r["after_end"])
        for r in table.to_dict("records")
        if isinstance(r["recent_start"], dt.date)
    )
    if not spans:
        return None
    days = " or ".join(f"{day(start)} – {day(end)}" for start, end in spans)
    return (
        f"Last 4 weeks ({days}): the change over the after window's last 4 weeks against the "
        "same before window, with the KPI's own method; fading when it is less than half the "
        "whole window's, or when its 95% interval includes no change."
    )


def chart_caption(kpi: kpis.Kpi, row: Row) -> str:
    """Under a KPI's series: its verdict (the table's words) and the trend check's numbers."""
    text = kpis.verdict_sentence(row).capitalize() + "."
    beyond = _get(row, "effect_beyond_trend")
    if beyond is not None:
        interval = kpis.format_interval(
            kpi, _get(row, "effect_ci_low"), _get(row, "effect_ci_high")
        )
        text += f" Beyond the trend before: {kpis.format_delta(kpi, beyond)} ({interval})."
    return text


def volume_line(definitions: kpis.Definitions, names: Sequence[str], dim: str) -> str:
    """What the breakdown's volumes count, per KPI, and how to read them against the rates."""
    counted = "; ".join(
        f"{definitions.kpis[n].label}: {kpis.volume_noun(definitions.kpis[n])}" for n in names
    )
    return (
        f"Volume: what each KPI is counted over ({counted}). Share: each {dim}'s part of that "
        "volume, before and after. A KPI moves when its values' own results change (rate), or "
        f"when volume moves towards a {dim} that does better or worse (mix)."
    )
