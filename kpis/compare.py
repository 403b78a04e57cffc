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

from kpis.bounds import check_breakdown, check_window_days, period_count
from kpis.compute import compute_window, kpis_for_dimension, resolve_kpis
from kpis.definitions import Event
from kpis.definitions.methods import method_for
from kpis.errors import IncompleteDataError, UsageError
from kpis.events import all_events
from kpis.freshness import Through, coverage, covered, data_through, mark_complete
from kpis.periods import DateRange, event_windows
from kpis.samples import draw
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
    "effect_ci_low", "effect_ci_high", "effect_p_value", "explained_by_trend", "before_start",
    "before_end", "after_start", "after_end", "complete", "note",
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
) -> pd.DataFrame:
    """Each KPI over `before` and `after`: one row per KPI (and dimension value with `by`).

    Columns: kpi, [dimension, dimension_value], before, after, delta, delta_pct, improved;
    with `statistics`, the 95 % interval of delta (ci_low, ci_high), p_value, the sample
    sizes in the method's unit (n_before, n_after), method and verdict, and the pre-trend
    analysis (trend_start: the trend in the first week, trend_per_week, counterfactual,
    effect_beyond_trend and its interval and p-value, explained_by_trend) when the windows
    are whole ISO weeks; then the windows, `complete` and `note`.
    `scope` (dimension, value) compares that value's rows only, for the KPIs that have it.
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
        raise IncompleteDataError(
            "the windows reach past the data, so some KPIs would be compared over fewer "
            f"days (--strict): {'; '.join(notes)}"
        )
    merged = _values(store, names, cut, keys, split, scope)
    weekly = _weekly(store, names, before, after, split, through) if statistics else None
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
            row.update(_statistics(store, name, kept_before, kept_after, row, part, weekly))
        row.update(
            before_start=before.start, before_end=kept_before.end if kept_before else None,
            after_start=after.start, after_end=kept_after.end if kept_after else None,
            complete=note is None, note=note,
        )  # fmt: skip
        rows.append(row)
    order = {name: index for index, name in enumerate(names)}
    rows.sort(key=lambda r: order[str(r["kpi"])])
    return pd.DataFrame(rows, columns=[*keys, *COLUMNS])


def _values(
    store: Store,
    names: list[str],
    cut: dict[str, tuple[DateRange | None, DateRange | None, str | None]],
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


def _statistics(
    store: Store,
    name: str,
    before: DateRange,
    after: DateRange,
    row: dict[str, object],
    part: tuple[str, str] | None,
    weekly: pd.DataFrame | None,
) -> dict[str, object]:
    """The interval, p-value, verdict and trend check of one row of the comparison."""
    # scipy and statsmodels take a second or two to import: only statistics pay for them.
    from kpis.inference import infer, seed_for, verdict
    from kpis.trend import explained_by_trend, segmented

    kpi = store.definitions.kpis[name]
    delta = row["delta"] if isinstance(row["delta"], float) else None
    method = method_for(kpi)
    found = infer(
        method,
        draw(store, name, before, part),
        draw(store, name, after, part),
        delta,
        seed_for(name),
    )
    result: dict[str, object] = {
        "ci_low": found.ci_low, "ci_high": found.ci_high, "p_value": found.p_value,
        "n_before": found.n_before, "n_after": found.n_after, "method": found.method,
        "verdict": verdict(found, delta, kpi.higher_is_better),
    }  # fmt: skip
    fitted = None
    if weekly is not None:
        series = weekly[weekly["kpi"] == name]
        if part is not None:
            series = series[series["dimension_value"] == part[1]]
        dates = series["period_start"]
        fitted = segmented(
            [_number(v) for v in series[dates <= before.end]["value"]],
            [_number(v) for v in series[dates >= after.start]["value"]],
        )
    result.update(
        trend_start=fitted.start if fitted else None,
        trend_per_week=fitted.per_week if fitted else None,
        counterfactual=fitted.counterfactual if fitted else None,
        effect_beyond_trend=fitted.effect if fitted else None,
        effect_ci_low=fitted.effect_ci_low if fitted else None,
        effect_ci_high=fitted.effect_ci_high if fitted else None,
        effect_p_value=fitted.effect_p_value if fitted else None,
        explained_by_trend=explained_by_trend(fitted, delta, found.p_value),
    )
    return result


def _weekly(
    store: Store,
    names: list[str],
    before: DateRange,
    after: DateRange,
    by: str | None,
    through: Through,
) -> pd.DataFrame | None:
    """Weekly values over both windows, when they are whole ISO weeks in order; a week past
    a KPI's data has no value."""
    aligned = all(w.start.weekday() == 0 and w.days % 7 == 0 for w in (before, after))
    if not aligned or after.start <= before.end:
        return None
    span = DateRange(before.start, after.end)
    if period_count(span, "week") > store.definitions.limits.max_periods:
        return None  # windows years apart: no trend line can join them
    return mark_complete(compute_window(store, names, span, "week", by), store.definitions, through)


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
    store: Store,
    event_name: str,
    weeks: int | None = None,
    kpis: Sequence[str] | None = None,
    washout_days: int = 0,
    last_year: bool = False,
) -> Windows:
    """Equal whole-ISO-week windows around an event (see `periods.event_windows`).

    Without `weeks`, the most whole weeks that the data of every compared KPI covers.
    """
    event = find_event(all_events(store), event_name)
    most = store.definitions.limits.max_periods // 7
    if weeks is not None and not 1 <= weeks <= most:
        raise UsageError(
            f"--weeks must be between 1 and {most} (limits: max_periods in kpis.yaml is "
            f"{store.definitions.limits.max_periods:,} days)"
        )
    if not 0 <= washout_days <= 365:
        raise UsageError("--washout must be between 0 and 365 days")
    names = resolve_kpis(store.definitions, kpis)
    if event.scope_pair is not None:
        names = kpis_for_dimension(store.definitions, names, event.scope_pair[0], explicit=False)
    span = coverage(store, names, common=True)
    if span is None and weeks is None:
        raise UsageError("there is no data to compare yet: load exports first (kpis ingest)")
    span = span or DateRange(event.date, event.date)
    before, after = event_windows(event.date, span, weeks, washout_days, last_year)
    return Windows(before, after, event)
