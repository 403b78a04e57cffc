"""Render engine results as text tables, JSON or CSV for the command line.

JSON and CSV are for automation and keep raw numbers (fractions for rates, ISO dates,
null for missing); tables are for people and use each KPI's formatting.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from kpis.definitions import Definitions
from kpis.formatting import (
    MISSING,
    format_days,
    format_delta,
    format_improvement,
    format_interval,
    format_p,
    format_value,
    number,
    reason_text,
)
from kpis.i18n import _, language, ngettext
from kpis.periods import DateRange
from kpis.spreadsheet import csv_text


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; numbers-like cells right-aligned."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, width in zip(cells, widths, strict=True):
            numeric = cell[:1] in "+-0123456789" or cell == MISSING
            out.append(cell.rjust(width) if numeric else cell.ljust(width))
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _plain(value: Any) -> Any:
    """A JSON-ready value: NaN to null, dates to ISO, numpy scalars to Python."""
    if value is None:
        return None
    if isinstance(value, list | tuple) or getattr(value, "ndim", 0) == 1:
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def as_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), indent=2)


def as_csv(frame: pd.DataFrame) -> str:
    """CSV for a spreadsheet (kpis.spreadsheet.csv_text): no cell can run as a formula.

    Dimension values come from uploaded exports, so any of them may be `=cmd|...`. In French,
    the CSV a French Excel opens (kpis.downloads.excel_csv); English CSV is plain CSV.
    """
    if language() == "fr":
        from kpis.downloads import excel_csv

        return excel_csv([str(c) for c in frame.columns], records(frame))
    return csv_text(list(frame.columns), (list(row.values()) for row in records(frame)))


def compute_table(definitions: Definitions, frame: pd.DataFrame) -> str:
    """One row per period (and dimension value), one column per KPI, formatted."""
    if frame.empty:
        return _("No data in this range.")
    keys = ["period_start"] + (["dimension_value"] if "dimension_value" in frame else [])
    kpis = list(dict.fromkeys(frame["kpi"]))
    cells: dict[tuple[Any, ...], dict[str, str]] = {}
    for row in frame.to_dict("records"):
        key = tuple(row[k] for k in keys)
        kpi = definitions.kpis[row["kpi"]]
        cells.setdefault(key, {})[row["kpi"]] = format_value(kpi, _plain(row["value"]))
    headers = [_("period"), *([str(frame["dimension"].iloc[0])] if len(keys) > 1 else []), *kpis]
    rows = [
        [str(k) for k in key] + [values.get(name, MISSING) for name in kpis]
        for key, values in sorted(cells.items(), key=lambda item: tuple(map(str, item[0])))
    ]
    return text_table(headers, rows) + _footnote(frame)


def _footnote(frame: pd.DataFrame) -> str:
    """Why values are missing, once per reason: "– service_rate: orders data through ..."."""
    if "complete" not in frame:
        return ""
    lagging = frame[~frame["complete"].astype(bool)]
    reasons: dict[str, list[str]] = {}
    for row in lagging.to_dict("records"):
        reasons.setdefault(str(row["reason"]), []).append(str(row["kpi"]))
    lines = [
        _("{dash} {kpis}: {reason} (periods after it have no value)").format(
            dash=MISSING, kpis=", ".join(dict.fromkeys(names)), reason=_reason(reason)
        )
        for reason, names in reasons.items()
    ]
    return "\n\n" + "\n".join(lines) if lines else ""


def _reason(reason: str) -> str:
    # English keeps the engine's own words, ISO date included, as this table always showed.
    return reason if language() == "en" else reason_text(reason)


def compare_table(definitions: Definitions, frame: pd.DataFrame) -> str:
    """KPI | before | after | change | 95 % interval | improvement | p | verdict.

    The improvement reads against each KPI's direction ("39.3% better" for a resolution time
    that fell), and the verdict is the one sentence the dashboard shows (kpis.summary).
    """
    from kpis.summary import verdict_sentence

    if frame.empty:
        return _("Nothing to compare.")
    by = "dimension_value" in frame
    headers = [_("KPI"), *([_("value")] if by else []), _("before"), _("after"), _("change")]
    headers += [_("95% interval"), _("improvement"), _("p"), _("verdict")]
    rows = []
    for row in records(frame):
        kpi = definitions.kpis[row["kpi"]]
        rows.append(
            [
                kpi.label,
                *([str(row["dimension_value"])] if by else []),
                format_value(kpi, row["before"]),
                format_value(kpi, row["after"]),
                format_delta(kpi, row["delta"]),
                format_interval(kpi, row.get("ci_low"), row.get("ci_high")),
                format_improvement(kpi, row["delta_pct"], row["delta"]),
                format_p(row.get("p_value")),
                verdict_sentence(row),
            ]
        )
    return text_table(headers, rows)


def did_lines(definitions: Definitions, frame: pd.DataFrame, treated: str) -> str:
    """Each KPI's change beyond the control group, one sentence a line (a scoped event)."""
    import textwrap

    from kpis.did_words import did_sentence

    lines = [_("Beyond the control group (difference-in-differences):")]
    for row in records(frame):
        sentence = did_sentence(definitions.kpis[row["kpi"]], row, treated)
        lines.append(
            textwrap.fill(sentence, width=100, initial_indent="- ", subsequent_indent="  ")
        )
    return "\n".join(lines)


def compare_header(before: DateRange, after: DateRange, scope: tuple[str, str] | None) -> str:
    """The windows compared: "before 2025-11-17:2026-05-17 (182 days)  after ...", and where."""
    sides = {"before": _window(before), "after": _window(after)}
    if scope:
        return _("before {before}  after {after} in {dimension} {value}").format(
            **sides, dimension=scope[0], value=scope[1]
        )
    return _("before {before}  after {after}").format(**sides)


def _window(window: DateRange) -> str:
    """2025-11-17:2026-05-17 (182 days); in French 17 nov. 2025 – 17 mai 2026 (182 jours).

    English keeps the form it always printed, which is also what --before and --after take.
    """
    span = str(window) if language() == "en" else format_days(window.start, window.end)
    return ngettext("{range} ({count} day)", "{range} ({count} days)", window.days).format(
        range=span, count=number(window.days, 0)
    )


def uploads_table(frame: pd.DataFrame) -> str:
    """The upload history or a batch's rejected rows (kpis.ingest), for people."""
    from kpis.downloads import column_title, shown_value

    shown = frame.drop(columns=["sha256"], errors="ignore")
    rows = [[_cell(shown_value(k, v)) for k, v in r.items()] for r in shown.to_dict("records")]
    return text_table([column_title(c) for c in shown.columns], rows)


def _cell(value: object) -> str:
    """A history cell for people: lists as words, times to the minute, nothing as blank."""
    import pandas as pd

    if hasattr(value, "tolist"):  # a numpy array (a list column) or a numpy scalar
        value = value.tolist()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
