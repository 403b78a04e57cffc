"""A scoped event's difference-in-differences in one plain sentence, in the reader's language.

The CLI prints it under the comparison table and the before/after page under its table, so
the COO reads "Lyon improved Service rate (OTIF) by 6.1 pp more than Lille and Marseille"
rather than a regression coefficient.
"""

from __future__ import annotations

from collections.abc import Mapping

from kpis.definitions import Kpi
from kpis.formatting import format_amount, format_delta, format_interval, format_p
from kpis.i18n import _


def _present(value: object) -> bool:
    return isinstance(value, float | int) and value == value


def control_names(row: Mapping[str, object]) -> str:
    """The control units, as "Lille and Marseille" or "Lille, Marseille and Paris"."""
    names = [n for n in str(row.get("control") or "").split(", ") if n]
    if len(names) <= 1:
        return "".join(names)
    return _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


def did_sentence(kpi: Kpi, row: Mapping[str, object], treated: str) -> str:
    """The DiD of one KPI's row in words, with its interval and the parallel-trends flag."""
    controls = control_names(row)
    effect = row.get("did_effect")
    if not controls:
        return _("{kpi}: no other value to compare {value} with.").format(
            kpi=kpi.label, value=treated
        )
    if not _present(effect):
        return _(
            "{kpi}: not enough weekly data in {value} and {controls} to compare their changes."
        ).format(kpi=kpi.label, value=treated, controls=controls)
    assert isinstance(effect, float | int)
    low, high = row.get("did_ci_low"), row.get("did_ci_high")
    assert isinstance(low, float | int) and isinstance(high, float | int)
    verdict = row.get("did_verdict")
    if verdict in ("improved", "worsened"):
        # The size of the difference and its interval, unsigned: "by 4.9 pp (3.9 to 5.9 pp)".
        low, high = sorted((abs(low), abs(high)))
        interval = format_interval(kpi, low, high).replace("+", "")
    else:
        interval = format_interval(kpi, low, high)
    fields = {
        "kpi": kpi.label,
        "value": treated,
        "controls": controls,
        "amount": format_amount(kpi, abs(effect)),
        "effect": format_delta(kpi, effect),
        "interval": interval,
    }
    if verdict == "improved":
        text = _(
            "{value} improved {kpi} by {amount} more than {controls} (95% interval {interval})."
        ).format(**fields)
    elif verdict == "worsened":
        text = _(
            "{value} did worse than {controls} on {kpi} by {amount} (95% interval {interval})."
        ).format(**fields)
    else:
        text = _(
            "{value} changed {kpi} no differently from {controls} (difference {effect}, 95% "
            "interval {interval})."
        ).format(**fields)
    if row.get("parallel_trends_doubtful") is True:
        text += " " + _(
            "But they already drifted apart before the event (placebo p = {p}): the "
            "comparison may not hold."
        ).format(p=format_p(row.get("placebo_p_value")))  # type: ignore[arg-type]
    return text
