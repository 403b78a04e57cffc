"""Before/after comparisons: each KPI over two date ranges, with its change and direction.

This is the COO's question, "did the change work?", in the shape they already use:
KPI | before | after | change | improvement. `delta` is in the KPI's own unit (fractions
for percentages: 0.02 -> 0.035 is a delta of 0.015, i.e. 1.5 percentage points) and
`delta_pct` is relative ((after - before) / before). `improved` follows the KPI's direction.
Whether the change is holding is in holding.py; the volumes of a breakdown in mix.py.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from kpis.bounds import check_breakdown, check_window_days
from kpis.compute import compute_window, kpis_for_dimension, resolve_kpis
from kpis.control_group import DID_COLUMNS, did_row
from kpis.definitions import Event
from kpis.errors import IncompleteDataError, UsageError
from kpis.events import all_events
from kpis.formatting import number
from kpis.freshness import coverage, covered, data_through, missing_note
from kpis.holding import HOLDING_COLUMNS, recent_change, recent_window
from kpis.i18n import _
from kpis.mix import VOLUME_COLUMNS, Cut, volumes
from kpis.periods import DateRange, event_windows
from kpis.samples import draw
from kpis.significance import row_statistics, weekly_values
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


COLUMNS = [
    *COMPARE_COLUMNS[1:], "ci_low", "ci_high", "p_value", "n_before", "n_after", "method",
    "verdict", "trend_start", "trend_per_week", "counterfactual", "effect_beyond_trend",
    "effect_ci_low", "effect_ci_high", "effect_p_value", "explained_by_trend", "trend_verdict",
    *HOLDING_COLUMNS, "before_start", "before_end", "after_start", "after_end", "complete",
    "note",
]  # fmt: skip


def compare(
    store: Store,
    before: DateRange,
    after: DateRange,
    kpis: Sequence[str] | None = None,
    by: str | None = None,
    scope: tuple[str, str] | None = None,
    statistics: bool = True,
    strict: bool = False,
    holding: bool = True,
    control: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each KPI over `before` and `after`: one row per KPI (and dimension value with `by`).

    Columns: kpi, [dimension, dimension_value], before, after, delta, delta_pct, improved;
    with `statistics`, the 95 % interval of delta (ci_low, ci_high), p_value, the sample
    sizes in the method's unit (n_before, n_after), method and verdict, and the pre-trend
    analysis (trend_start: the trend in the first week, trend_per_week, counterfactual,
    effect_beyond_trend and its interval and p-value, explained_by_trend, and trend_verdict:
    the trend check's own verdict) when the windows are whole ISO weeks; with `holding` too
    (one row per KPI, an after window over 4 weeks), the change over its last 4 weeks
    (recent_*) and `fading` (see holding.py); then the windows, `complete` and `note`.
    With `by`, each value's volume and share before and after (see mix.py).
    `scope` (dimension, value) compares that value's rows only, for the KPIs that have it;
    with `statistics`, the rows also hold its control group's change (the other values, or
    those of `control`), the difference-in-differences and its placebo (see control_group.py).
    A KPI whose data stops before a window ends is compared over the covered days only
    (`before_end`/`after_end` say where, `note` says why); with `strict`, that is refused.
    """
    definitions = store.definitions
    names = resolve_kpis(definitions, kpis)
    for what, window in (("before", before), ("after", after)):
        check_window_days(window, what, definitions.limits)
    split = by or (scope[0] if scope else None)
    if split is not None:
        names = kpis_for_dimension(definitions, names, split, explicit=bool(kpis) and not scope)
    if by is not None:
        read = [(m.source, m.time or "") for n in names for m in definitions.kpis[n].measures]
        for window in (before, after):
            check_breakdown(store, read, by, window)
    keys = ["kpi"] + (["dimension", "dimension_value"] if by else [])
    through = data_through(store)
    cut = {name: covered(definitions, through, name, before, after) for name in names}
    notes = [note for _, _, note in cut.values() if note]
    if strict and notes:
        said = [missing_note(definitions, through, n, before, after) for n in names]
        raise IncompleteDataError(
            _(
                "the windows reach past the data, so some KPIs would be compared over fewer "
                "days (--strict): {notes}"
            ).format(notes="; ".join(note for note in said if note))
        )
    merged = _values(store, names, cut, keys, split, scope)
    weekly = weekly_values(store, names, before, after, split, through) if statistics else None
    recent = _recent_values(store, names, cut, keys, scope) if statistics and holding else {}
    mix = _volumes(store, names, cut, by) if by else {}
    rows = []
    for record in merged.to_dict("records"):
        name = str(record["kpi"])
        kpi = definitions.kpis[name]
        kept_before, kept_after, note = cut[name]
        b, a = _number(record["before"]), _number(record["after"])
        row: dict[str, object] = {**{k: record[k] for k in keys}, "before": b, "after": a}
        row.update(change(b, a, kpi.higher_is_better))
        if statistics and kept_before is not None and kept_after is not None:
            part = scope or ((by, str(record["dimension_value"])) if by else None)
            sample = draw(store, name, kept_before, part)
            windows = (kept_before, kept_after)
            row.update(row_statistics(store, name, sample, windows, row, part, weekly))
            if name in recent:
                window, row["recent_after"] = recent[name]
                row.update(recent_change(store, name, sample, window, row, part))
            if scope is not None and by is None:
                row.update(did_row(name, kpi, weekly, windows, scope, control))
        if by:
            row.update(mix.get((name, _key(record["dimension_value"])), {}))
        row.update(
            before_start=before.start, before_end=kept_before.end if kept_before else None,
            after_start=after.start, after_end=kept_after.end if kept_after else None,
            complete=note is None, note=note,
        )  # fmt: skip
        rows.append(row)
    order = {name: index for index, name in enumerate(names)}
    rows.sort(key=lambda r: order[str(r["kpi"])])
    extra = VOLUME_COLUMNS if by else (DID_COLUMNS if scope and statistics else [])
    return pd.DataFrame(rows, columns=[*keys, *COLUMNS, *extra])


def _recent_values(
    store: Store,
    names: list[str],
    cut: Cut,
    keys: list[str],
    scope: tuple[str, str] | None,
) -> dict[str, tuple[DateRange, float | None]]:
    """Each KPI's last 4 weeks of its covered after window and its value over them.

    Only for one row per KPI (a breakdown would pay for a second test per value).
    """
    if len(keys) > 1:
        return {}
    windows = {n: w for n in names if (w := recent_window(cut[n][1])) is not None}
    if not windows:
        return {}
    asked = {n: (None, w, None) for n, w in windows.items()}
    found = _values(store, list(windows), asked, keys, scope[0] if scope else None, scope)
    values = dict(zip(found["kpi"], found["after"], strict=True))
    return {n: (w, _number(values.get(n))) for n, w in windows.items()}


def _key(value: object) -> str | None:
    return None if value is None or value != value else str(value)


def _volumes(
    store: Store,
    names: list[str],
    cut: Cut,
    by: str,
) -> dict[tuple[str, str | None], dict[str, object]]:
    """Each (KPI, dimension value)'s volumes and shares, ready to join its row."""
    found = volumes(store, names, cut, by)
    return {
        (str(r["kpi"]), _key(r["dimension_value"])): {c: r[c] for c in VOLUME_COLUMNS}
        for r in found.to_dict("records")
    }


def _values(
    store: Store,
    names: list[str],
    cut: Cut,
    keys: list[str],
    split: str | None,
    scope: tuple[str, str] | None,
) -> pd.DataFrame:
    """Each KPI's value before and after, over its own covered windows.

    KPIs sharing windows are computed together; a side wholly past the data has no value.
    """
    groups: dict[tuple[DateRange | None, DateRange | None], list[str]] = {}
    for name in names:
        groups.setdefault(cut[name][:2], []).append(name)
    parts = []
    for windows, group in groups.items():
        sides: dict[str, pd.DataFrame] = {}
        for label, window in zip(("before", "after"), windows, strict=True):
            if window is not None:
                frame = compute_window(store, group, window, None, split)
                if scope is not None:
                    frame = frame[frame["dimension_value"] == scope[1]]
                sides[label] = frame[[*keys, "value"]].rename(columns={"value": label})
        rows = (
            next(iter(sides.values()))[keys]
            if sides
            else pd.DataFrame({key: group if key == "kpi" else None for key in keys})
        )
        for label in ("before", "after"):
            sides.setdefault(label, rows.assign(**{label: None}))
        parts.append(sides["before"].merge(sides["after"], on=keys, how="outer", sort=False))
    return pd.concat(parts, ignore_index=True)


def find_event(events: Sequence[Event], name: str) -> Event:
    """The event called `name`, or a UsageError with the closest names."""
    for event in events:
        if event.name == name:
            return event
    names = [e.name for e in events]
    close = difflib.get_close_matches(name, names, n=1)
    hint = (
        _("did you mean {name}?").format(name=repr(close[0]))
        if close
        else _("events: {names}").format(names=", ".join(names) or _("none"))
    )
    raise UsageError(_("unknown event {name} ({hint})").format(name=repr(name), hint=hint))


def windows_around_event(
    store: Store,
    event_name: str,
    weeks: int | None = None,
    kpis: Sequence[str] | None = None,
    washout_days: int = 0,
    last_year: bool = False,
    events: Sequence[Event] | None = None,
) -> Windows:
    """Equal whole-ISO-week windows around an event (see `periods.event_windows`).

    Without `weeks`, the most whole weeks that the data of every compared KPI covers.
    `events` are where to find it (default: the store's; a lake knows only kpis.yaml's).
    """
    event = find_event(all_events(store) if events is None else events, event_name)
    most = store.definitions.limits.max_periods // 7
    if weeks is not None and not 1 <= weeks <= most:
        raise UsageError(
            _(
                "--weeks must be between 1 and {most} (limits: max_periods in kpis.yaml is "
                "{days} days)"
            ).format(most=number(most, 0), days=number(store.definitions.limits.max_periods, 0))
        )
    if not 0 <= washout_days <= 365:
        raise UsageError(_("--washout must be between 0 and 365 days"))
    names = resolve_kpis(store.definitions, kpis)
    if event.scope_pair is not None:
        names = kpis_for_dimension(store.definitions, names, event.scope_pair[0], explicit=False)
    span = coverage(store, names, common=True)
    if span is None and weeks is None:
        raise UsageError(_("there is no data to compare yet: load exports first (kpis ingest)"))
    span = span or DateRange(event.date, event.date)
    before, after = event_windows(event.date, span, weeks, washout_days, last_year)
    return Windows(before, after, event)
