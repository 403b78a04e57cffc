"""The Before / after page's tables and texts, built from kpis.compare()'s rows.

Kept out of the page so that it reads top to bottom as what the COO sees: the headline,
the table, how sure each row is, the series and the breakdown. Every number and word
comes from `kpis` (formatting and kpis.summary), so the CLI says the same things. Column
headers and the page's own sentences are said in the reader's language; the engine's rows
(verdict codes, notes) are English data, read here and said in that language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

import kpis
from dashboard import charts, did_parts
from dashboard.format import day
from kpis import i18n
from kpis.freshness import missing_note
from kpis.i18n import N_, _, ngettext, use_language

Row = Mapping[str, Any]
WEEKS = [0, 1, 2, 4, 8, 12, 26, 52]  # 0: all the weeks the data covers
CAVEAT = "#d9822b"  # orange: a verdict with a "but", a change that is fading

# The tables' columns, by the name the code uses, and their headers in the reader's language.
HEADERS = {
    "KPI": N_("KPI"), "value": N_("value"), "before": N_("before"), "after": N_("after"),
    "improvement": N_("improvement"), "verdict": N_("verdict"),
    "last 4 weeks": N_("last 4 weeks"), "change": N_("change"), "change %": N_("change %"),
    "95% interval": N_("95% interval"), "p": N_("p"),
    "share before": N_("share before"), "share after": N_("share after"),
    "volume before": N_("volume before"), "volume after": N_("volume after"),
    "control change": N_("control group change"), "beyond control": N_("beyond control"),
    "beyond control 95% interval": N_("beyond control: 95% interval"),
    "beyond control verdict": N_("beyond control: verdict"),
}  # fmt: skip
# Columns of text the engine formats ("+1.5 pp"): shown as written, downloaded with a quote.
FORMATTED = (
    "before", "after", "improvement", "change", "change %", "95% interval", "p",
    "last 4 weeks", "volume before", "volume after", "share before", "share after",
    "control change", "beyond control", "beyond control 95% interval",
)  # fmt: skip


def heading(column: str) -> str:
    """A column's header in the reader's language."""
    return i18n._(HEADERS[column])  # marked with N_ above


def formatted() -> list[str]:
    """The headers of FORMATTED's columns, as the tables show them."""
    return [heading(column) for column in FORMATTED]


def _headed(shown: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(shown).rename(columns=heading)


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


def notes(
    definitions: kpis.Definitions,
    table: pd.DataFrame,
    coverage: pd.DataFrame,
    windows: tuple[kpis.DateRange, kpis.DateRange],
) -> list[str]:
    """The freshness notes of the compared KPIs, once each, as sentences.

    The engine keeps each note in English (it is data); the page says it again in the
    reader's language (kpis.freshness.missing_note, from each source's data through).
    """
    through = {
        str(r["source"]): None if pd.isna(r["last_day"]) else r["last_day"]
        for r in coverage.to_dict("records")
    }
    said: dict[str, None] = {}
    for row in table.to_dict("records"):
        if not (isinstance(row["note"], str) and row["note"]):
            continue
        note = missing_note(definitions, through, str(row["kpi"]), *windows) or row["note"]
        said.setdefault(note, None)
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
            # A scoped event: the control group's change and the change beyond it.
            **(did_parts.columns(kpi, row) if "did_effect" in row else {}),
        })  # fmt: skip
    return _headed(shown)


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
    return _headed(shown)


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


def tone(row: Row) -> str | None:
    """The verdict's colour: green, red, orange when it has a "but", none otherwise.

    Read from the verdict's English sentence (kpis.verdict_sentence in English is the
    engine's own wording, whatever the page's language), so the colour always agrees with
    the words, and never depends on a translation.
    """
    with use_language("en"):
        verdict = kpis.verdict_sentence(row)
    if ", but " in verdict:
        return CAVEAT
    return {"improved": charts.BETTER, "worsened": charts.WORSE}.get(verdict)


def coloured(table: pd.DataFrame) -> Callable[[pd.DataFrame], Styler]:
    """The style of the rows shown for `table` (kpi_rows, breakdown_rows, in its order).

    Improvement and verdict coloured by the verdict; a fading last 4 weeks in orange.
    """
    records = table.to_dict("records")
    shades = [tone(r) for r in records]
    fading = [bool(_get(r, "fading")) for r in records]
    verdicts, last = {heading("improvement"), heading("verdict")}, heading("last 4 weeks")

    def colour(row: pd.Series) -> list[str]:
        at = int(row.name)  # the frame's position, 0, 1, ...
        shade = shades[at]
        style = f"color: {shade}; font-weight: 600" if shade else "color: gray"
        styles = []
        for column in row.index:
            if column in verdicts:
                styles.append(style)
            elif column == last and fading[at]:
                styles.append(f"color: {CAVEAT}; font-weight: 600")
            else:
                styles.append("")
        return styles

    return lambda frame: frame.style.apply(colour, axis=1)


def method_lines(definitions: kpis.Definitions, table: pd.DataFrame) -> list[str]:
    """Per KPI, how its interval was computed, in words: the footnote of its row."""
    return [
        _("{kpi}: {method}").format(
            kpi=definitions.kpis[r["kpi"]].label,
            method=kpis.method_note(definitions.kpis[r["kpi"]], r),
        )
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
    days = _(" or ").join(f"{day(start)} – {day(end)}" for start, end in spans)
    return _(
        "Last 4 weeks ({days}): the change over the after window's last 4 weeks against the "
        "same before window, with the KPI's own method; fading when it is less than half the "
        "whole window's, or when its 95% interval includes no change."
    ).format(days=days)


def chart_caption(kpi: kpis.Kpi, row: Row) -> str:
    """Under a KPI's series: its verdict (the table's words) and the trend check's numbers."""
    verdict = kpis.verdict_sentence(row)
    text = verdict[:1].upper() + verdict[1:] + "."
    beyond = _get(row, "effect_beyond_trend")
    if beyond is not None:
        interval = kpis.format_interval(
            kpi, _get(row, "effect_ci_low"), _get(row, "effect_ci_high")
        )
        text += " " + _("Beyond the trend before: {change} ({interval}).").format(
            change=kpis.format_delta(kpi, beyond), interval=interval
        )
    return text


def volume_line(definitions: kpis.Definitions, names: Sequence[str], dim: str) -> str:
    """What the breakdown's volumes count, per KPI, and how to read them against the rates."""
    counted = "; ".join(
        _("{kpi}: {volume}").format(
            kpi=definitions.kpis[n].label, volume=kpis.volume_noun(definitions.kpis[n])
        )
        for n in names
    )
    return _(
        "Volume: what each KPI is counted over ({counted}). Share: each {dimension}'s part of "
        "that volume, before and after. A KPI moves when its values' own results change "
        "(rate), or when volume moves towards a {dimension} that does better or worse (mix)."
    ).format(counted=counted, dimension=dim)


def days_text(count: int) -> str:
    """56 days / 56 jours."""
    return ngettext("{count} day", "{count} days", count).format(count=kpis.format_count(count))
