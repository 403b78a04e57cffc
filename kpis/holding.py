"""Is a change holding? The last 4 weeks of the after window against the same before window.

A change that was large in its first weeks and has since worn off still shows a fine
average over the whole after window, and a COO deciding whether to keep a new playbook needs
the effect now. So each KPI's change is also measured over the last 4 weeks of the after
window, against the same before window and with the KPI's own method (a two-proportion test,
a bootstrap over rows, days or weeks), and flagged as fading when that change is less than
half the whole window's, or when its interval includes no change at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kpis.definitions.methods import method_for
from kpis.periods import DateRange
from kpis.samples import Sample, draw
from kpis.store import Store

HOLDING_DAYS = 28  # the last 4 weeks
FADED_SHARE = 0.5  # under half of the whole window's change: faded
HOLDING_COLUMNS = [
    "recent_start", "recent_after", "recent_delta", "recent_delta_pct", "recent_ci_low",
    "recent_ci_high", "recent_p_value", "recent_share", "fading",
]  # fmt: skip


def recent_window(after: DateRange | None) -> DateRange | None:
    """The last 4 weeks of `after`; None when `after` is not longer than that (it is the whole)."""
    if after is None or after.days <= HOLDING_DAYS:
        return None
    return DateRange(after.end - dt.timedelta(days=HOLDING_DAYS - 1), after.end)


def fading(
    delta: float | None,
    verdict: object,
    recent_delta: float | None,
    ci_low: float | None,
    ci_high: float | None,
) -> bool | None:
    """Whether a significant change has faded over the last weeks; None with nothing to hold.

    Faded: the last weeks' change is less than half the whole window's (or the other way),
    or its interval includes 0, so the last weeks alone do not show the change any more.
    """
    if verdict not in ("improved", "worsened") or not delta or recent_delta is None:
        return None
    crosses = ci_low is not None and ci_high is not None and ci_low <= 0 <= ci_high
    return recent_delta / delta < FADED_SHARE or crosses


def recent_change(
    store: Store,
    name: str,
    before: Sample,
    recent: DateRange,
    values: Mapping[str, object],
    part: tuple[str, str] | None,
) -> dict[str, object]:
    """The holding columns of one comparison row (`values`: its before, delta and verdict).

    `before` is the sample the whole comparison used, so the before side is drawn once.
    """
    from kpis.inference import infer, seed_for  # scipy: only comparisons with statistics pay

    b, a = _number(values["before"]), _number(values["recent_after"])
    recent_delta = a - b if a is not None and b is not None else None
    found = infer(
        method_for(store.definitions.kpis[name]),
        before,
        draw(store, name, recent, part),
        recent_delta,
        seed_for(name),
    )
    delta = _number(values["delta"])
    # Like the whole window's, the interval is given even on a small sample; it only
    # decides when both sides reach the KPI's minimum sample.
    usable = (found.ci_low, found.ci_high) if found.enough else (None, None)
    return {
        "recent_start": recent.start,
        "recent_after": a,
        "recent_delta": recent_delta,
        "recent_delta_pct": recent_delta / b if recent_delta is not None and b else None,
        "recent_ci_low": found.ci_low,
        "recent_ci_high": found.ci_high,
        "recent_p_value": found.p_value,
        "recent_share": recent_delta / delta if recent_delta is not None and delta else None,
        "fading": fading(delta, values["verdict"], recent_delta, *usable),
    }


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number
