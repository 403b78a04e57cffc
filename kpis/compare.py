"""Before/after comparisons: each KPI over two date ranges, with its change and direction.

This is the COO's question, "did the change work?", in the shape they already use:
KPI | before | after | change | improvement. `delta` is in the KPI's own unit (fractions
for percentages: 0.02 -> 0.035 is a delta of 0.015, i.e. 1.5 percentage points) and
`delta_pct` is relative ((after - before) / before). `improved` follows the KPI's direction.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from kpis.compute import compute_window, coverage, kpis_for_dimension, resolve_kpis
from kpis.definitions import Event
from kpis.errors import UsageError
from kpis.periods import DateRange, event_windows
from kpis.store import Store

COMPARE_COLUMNS = ["kpi", "before", "after", "delta", "delta_pct", "improved"]


@dataclass(frozen=True)
class Windows:
    """The two ranges compared, and the event they surround when there is one."""

    before: DateRange
    after: DateRange
    event: Event | None = None


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def change(before: float | None, after: float | None, higher_is_better: bool) -> dict[str, object]:
    """delta, delta_pct and improved for one KPI; null where a side is missing."""
    if before is None or after is None:
        return {"delta": None, "delta_pct": None, "improved": None}
    delta = after - before
    return {
        "delta": delta,
        "delta_pct": delta / before if before != 0 else None,
        "improved": (delta > 0) == higher_is_better if delta != 0 else False,
    }


def compare(
    store: Store,
    before: DateRange,
    after: DateRange,
    kpis: Sequence[str] | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Each KPI over `before` and `after`: one row per KPI (and dimension value with `by`).

    Columns: kpi, [dimension, dimension_value], before, after, delta, delta_pct, improved,
    n_before, n_after (the denominators, or null for one-measure KPIs), and the windows.
    """
    definitions = store.definitions
    names = resolve_kpis(definitions, kpis)
    if by is not None:
        names = kpis_for_dimension(definitions, names, by, explicit=bool(kpis))
    keys = ["kpi"] + (["dimension", "dimension_value"] if by else [])
    sides = []
    for label, window in (("before", before), ("after", after)):
        frame = compute_window(store, names, window, None, by)
        frame = frame[[*keys, "value", "denominator"]].rename(
            columns={"value": label, "denominator": f"n_{label}"}
        )
        sides.append(frame)
    merged = sides[0].merge(sides[1], on=keys, how="outer", sort=False)
    rows = []
    for record in merged.to_dict("records"):
        kpi = definitions.kpis[str(record["kpi"])]
        b, a = _number(record["before"]), _number(record["after"])
        rows.append(
            {
                **{k: record[k] for k in keys},
                "before": b,
                "after": a,
                **change(b, a, kpi.higher_is_better),
                "n_before": _number(record["n_before"]),
                "n_after": _number(record["n_after"]),
                "before_start": before.start,
                "before_end": before.end,
                "after_start": after.start,
                "after_end": after.end,
            }
        )
    order = {name: index for index, name in enumerate(names)}
    rows.sort(key=lambda r: order[str(r["kpi"])])
    return pd.DataFrame(
        rows,
        columns=[
            *keys,
            *COMPARE_COLUMNS[1:],
            "n_before",
            "n_after",
            "before_start",
            "before_end",
            "after_start",
            "after_end",
        ],
    )


def find_event(events: Sequence[Event], name: str) -> Event:
    """The event called `name`, or a UsageError with the closest names."""
    for event in events:
        if event.name == name:
            return event
    names = [e.name for e in events]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"events: {', '.join(names) or 'none'}"
    raise UsageError(f"unknown event {name!r} ({hint})")


def windows_around_event(
    store: Store, event_name: str, weeks: int | None = None, kpis: Sequence[str] | None = None
) -> Windows:
    """Equal whole-ISO-week windows on each side of an event (see `periods.event_windows`).

    Without `weeks`, the most whole weeks that the data of every compared KPI covers.
    """
    event = find_event(store.definitions.events, event_name)
    names = resolve_kpis(store.definitions, kpis)
    span = coverage(store, names, common=True)
    if span is None and weeks is None:
        raise UsageError("there is no data to compare yet: load exports first (kpis ingest)")
    span = span or DateRange(event.date, event.date)
    before, after = event_windows(event.date, span, weeks)
    return Windows(before, after, event)
