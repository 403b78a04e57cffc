"""A comparison in words: the headline over all KPIs, and each KPI's verdict and method.

The COO asks "did it work?" and reads the first line. So the answer is one sentence computed
here, from the same rows and with the same formatting as the table under it ("5 of 6 KPIs
improved significantly; 1 no clear change (Stock rotation). Biggest: Lead conversion rate
2.0% → 3.5% (74.9% better)."), and each row says in plain words what its verdict rests on
("two-proportion test on 30,836 leads before and 33,576 after") instead of method names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from kpis import i18n
from kpis.definitions import Definitions, Kpi
from kpis.definitions.methods import method_for
from kpis.formatting import format_improvement, format_value, number, verdict_text
from kpis.i18n import N_, _, ngettext
from kpis.mix import volume_noun

Row = Mapping[str, Any]


def _value(row: Row, key: str) -> Any:
    """A cell, with pandas' missing values (NaN, NA) as None."""
    value = row.get(key)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def missing_reason(row: Row) -> str | None:
    """Why a KPI has no before/after value, or None when it has both.

    The freshness note when a window reaches past the KPI's data ("the after window ends
    2026-11-22; orders data through 2026-11-15: ..."), otherwise the window without rows.
    """
    sides = [s for s in ("before", "after") if _value(row, s) is None]
    if not sides:
        return None
    note = _value(row, "note")
    if note:
        return str(note)
    if len(sides) == 2:
        return _("no data in either window")
    if sides[0] == "before":
        return _("no data in the before window")
    return _("no data in the after window")


def verdict_sentence(row: Row) -> str:
    """The one verdict of a row: no value and why, or the test's verdict with the trend's."""
    reason = missing_reason(row)
    if reason is not None:
        return _("no value: {reason}").format(reason=reason)
    return verdict_text(
        _value(row, "verdict"), _value(row, "explained_by_trend"), _value(row, "trend_verdict")
    )


def method_note(kpi: Kpi, row: Row) -> str:
    """How the row's interval was computed, in words, with the sample it rests on.

    "two-proportion test on 30,836 leads before and 33,576 after"; "bootstrap of the median
    over 6,285 tickets before and 6,850 after"; "bootstrap over 26 weeks before and 26 after".
    """
    from kpis.inference import RESAMPLES, ROW_CAP  # only pages with statistics ask

    method = method_for(kpi)
    if method.kind == "none":
        return _("no interval: {reason}").format(reason=i18n.translate(method.reason or ""))
    n_before, n_after = _value(row, "n_before"), _value(row, "n_after")
    if n_before is None or n_after is None:
        return _("no interval: no value to compare")
    if method.kind == "bootstrap_units":
        noun = i18n._(UNITS[method.unit]) if method.unit in UNITS else f"{method.unit}s"
    else:
        noun = volume_noun(kpi)
    sample = _("{before} {noun} before and {after} after").format(
        before=number(int(n_before), 0), noun=noun, after=number(int(n_after), 0)
    )
    statistic = str(method.statistic)
    of = i18n._(STATISTICS[statistic]) if statistic in STATISTICS else f"of the {statistic}"
    resamples = number(RESAMPLES, 0)
    if method.kind == "two_proportions":
        text = _("two-proportion test on {sample}").format(sample=sample)
    elif method.kind == "bootstrap_rows" and max(n_before, n_after) > ROW_CAP:
        text = _("normal interval {of_statistic} (rank-based spreads) on {sample}").format(
            of_statistic=of, sample=sample
        )
    elif method.kind == "bootstrap_rows":
        text = _("bootstrap {of_statistic} over {sample} ({resamples} resamples)").format(
            of_statistic=of, sample=sample, resamples=resamples
        )
    else:
        text = _("bootstrap over {sample} ({resamples} resamples)").format(
            sample=sample, resamples=resamples
        )
    if min(n_before, n_after) < method.min_sample:
        needs = _("a verdict needs {count} {noun} a side").format(
            count=number(method.min_sample, 0), noun=noun
        )
        text = _("{text}; {needs}").format(text=text, needs=needs)
    return text


# Words of the methods (kpis.definitions.methods), as a sample or a statistic is named.
UNITS = {"day": N_("days"), "week": N_("weeks")}
STATISTICS = {
    "median": N_("of the median"),
    "mean": N_("of the mean"),
    "quantile": N_("of the quantile"),
}


def _names(definitions: Definitions, rows: Sequence[Row]) -> str:
    return ", ".join(definitions.kpis[str(r["kpi"])].label for r in rows)


def _change(kpi: Kpi, row: Row) -> str:
    """Lead conversion rate 2.0% → 3.5% (74.9% better)."""
    before, after = format_value(kpi, row["before"]), format_value(kpi, row["after"])
    better = format_improvement(kpi, _value(row, "delta_pct"), _value(row, "delta"))
    return f"{kpi.label} {before} → {after} ({better})"


def _size(row: Row) -> float:
    """How big a change reads: its relative size (a before of 0 ranks last)."""
    pct = _value(row, "delta_pct")
    return abs(float(pct)) if pct is not None else -1.0


def headline(definitions: Definitions, frame: pd.DataFrame) -> str:
    """The comparison in one sentence: how many KPIs improved, worsened or did not clearly
    change, which have no value, which are fading, and the biggest change.

    `frame` is compare()'s, one row per KPI. A change the trend before explains is not
    counted as the change's doing; a KPI without a value is named, never counted as flat.
    """
    rows = frame.to_dict("records")
    if not rows:
        return _("Nothing to compare.")
    fading = [r for r in rows if _value(r, "fading")]
    tail = (
        " "
        + ngettext(
            "Fading in the last 4 weeks: {names}.", "Fading in the last 4 weeks: {names}.",
            len(fading),
        ).format(names=_names(definitions, fading))
        if fading
        else ""
    )  # fmt: skip
    if len(rows) == 1:
        row = rows[0]
        kpi = definitions.kpis[str(row["kpi"])]
        shown = kpi.label if missing_reason(row) else _change(kpi, row)
        return _("{kpi}: {verdict}.").format(kpi=shown, verdict=verdict_sentence(row)) + tail
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(_group(row), []).append(row)
    improved = groups.pop("improved", [])
    count, total = len(improved), len(rows)
    if count == total:
        first = _("All {total} KPIs improved significantly").format(total=number(total, 0))
    elif improved:
        first = ngettext(
            "{count} of {total} KPIs improved significantly",
            "{count} of {total} KPIs improved significantly",
            count,
        ).format(count=number(count, 0), total=number(total, 0))
    else:
        first = _("No KPI improved significantly")
    parts = [first] + [
        _group_text(group, len(groups[group])).format(
            count=number(len(groups[group]), 0), names=_names(definitions, groups[group])
        )
        for group in GROUPS
        if group in groups
    ]
    sentence = "; ".join(parts) + "."
    worsened = groups.get("worsened", [])
    if improved or worsened:
        top = max(improved or worsened, key=_size)
        change = _change(definitions.kpis[str(top["kpi"])], top)
        biggest = _("Biggest: {change}.") if improved else _("Worst: {change}.")
        sentence += " " + biggest.format(change=change)
    return sentence + tail


# The headline's groups after the improved ones, in the order it names them.
GROUPS = ("worsened", "explained", "no change", "too little data", "no value")


def _group(row: Row) -> str:
    if missing_reason(row) is not None:
        return "no value"
    if _value(row, "explained_by_trend"):
        return "explained"
    if _value(row, "verdict") in ("improved", "worsened"):
        return str(row["verdict"])
    if _value(row, "verdict") == "no significant change":
        return "no change"
    return "too little data"


def _group_text(group: str, count: int) -> str:
    """'{count} worsened significantly: {names}', and the like, for `count` KPIs."""
    if group == "worsened":
        return ngettext(
            "{count} worsened significantly: {names}",
            "{count} worsened significantly: {names}",
            count,
        )
    if group == "explained":
        return ngettext(
            "{count} explained by the trend before: {names}",
            "{count} explained by the trend before: {names}",
            count,
        )
    if group == "no change":
        return ngettext(
            "{count} no clear change: {names}", "{count} no clear change: {names}", count
        )
    if group == "too little data":
        return ngettext(
            "{count} with too little data to tell: {names}",
            "{count} with too little data to tell: {names}",
            count,
        )
    return ngettext("{count} without a value: {names}", "{count} without a value: {names}", count)
