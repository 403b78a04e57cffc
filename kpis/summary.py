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

from kpis.definitions import Definitions, Kpi
from kpis.definitions.methods import method_for
from kpis.formatting import format_improvement, format_value, verdict_text
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
        return "no data in either window"
    return f"no data in the {sides[0]} window"


def verdict_sentence(row: Row) -> str:
    """The one verdict of a row: no value and why, or the test's verdict with the trend's."""
    reason = missing_reason(row)
    if reason is not None:
        return f"no value: {reason}"
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
        return f"no interval: {method.reason}"
    n_before, n_after = _value(row, "n_before"), _value(row, "n_after")
    if n_before is None or n_after is None:
        return "no interval: no value to compare"
    noun = volume_noun(kpi) if method.kind != "bootstrap_units" else f"{method.unit}s"
    sample = f"{int(n_before):,} {noun} before and {int(n_after):,} after"
    if method.kind == "two_proportions":
        text = f"two-proportion test on {sample}"
    elif method.kind == "bootstrap_rows" and max(n_before, n_after) > ROW_CAP:
        text = f"normal interval of the {method.statistic} (rank-based spreads) on {sample}"
    elif method.kind == "bootstrap_rows":
        text = f"bootstrap of the {method.statistic} over {sample} ({RESAMPLES:,} resamples)"
    else:
        text = f"bootstrap over {sample} ({RESAMPLES:,} resamples)"
    if min(n_before, n_after) < method.min_sample:
        text += f"; a verdict needs {method.min_sample} {noun} a side"
    return text


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
        return "Nothing to compare."
    fading = [r for r in rows if _value(r, "fading")]
    tail = f" Fading in the last 4 weeks: {_names(definitions, fading)}." if fading else ""
    if len(rows) == 1:
        row = rows[0]
        kpi = definitions.kpis[str(row["kpi"])]
        shown = kpi.label if missing_reason(row) else _change(kpi, row)
        return f"{shown}: {verdict_sentence(row)}.{tail}"
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if missing_reason(row) is not None:
            group = "without a value"
        elif _value(row, "explained_by_trend"):
            group = "explained by the trend before"
        elif _value(row, "verdict") in ("improved", "worsened"):
            group = f"{row['verdict']} significantly"
        elif _value(row, "verdict") == "no significant change":
            group = "no clear change"
        else:
            group = "with too little data to tell"
        groups.setdefault(group, []).append(row)
    improved = groups.pop("improved significantly", [])
    if len(improved) == len(rows):
        first = f"All {len(rows)} KPIs improved significantly"
    elif improved:
        first = f"{len(improved)} of {len(rows)} KPIs improved significantly"
    else:
        first = "No KPI improved significantly"
    order = [
        "worsened significantly", "explained by the trend before", "no clear change",
        "with too little data to tell", "without a value",
    ]  # fmt: skip
    parts = [first] + [
        f"{len(groups[g])} {g}: {_names(definitions, groups[g])}" for g in order if g in groups
    ]
    sentence = "; ".join(parts) + "."
    worsened = groups.get("worsened significantly", [])
    if improved or worsened:
        label = "Biggest" if improved else "Worst"
        top = max(improved or worsened, key=_size)
        sentence += f" {label}: {_change(definitions.kpis[str(top['kpi'])], top)}."
    return sentence + tail
