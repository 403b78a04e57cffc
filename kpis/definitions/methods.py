"""Which statistical method each KPI's before/after change gets, read from its definition.

The form of a KPI decides what its sampling error looks like: a ratio of two counts over
the same rows is a proportion (conversion, CSAT, OTIF: a two-proportion test with a
Newcombe interval); a median or a mean over rows is bootstrapped over those rows; a ratio of
sums, or a total, is bootstrapped over whole days (weeks when it is annualised or reads
snapshots, whose days are not independent). kpis.yaml can say so explicitly (`stats:`);
otherwise it is inferred here, and a KPI whose form fits no method is reported as such
rather than given a made-up interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp

from kpis.definitions.models import Kpi, Measure
from kpis.i18n import N_, _, translate

Kind = Literal["two_proportions", "bootstrap_rows", "bootstrap_units", "none"]
Unit = Literal["observation", "row", "day", "week"]
MIN_SAMPLE = {"observation": 30, "row": 30, "day": 14, "week": 4}
_AFFINE = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Paren, exp.Neg)


@dataclass(frozen=True)
class Method:
    """The test for one KPI: its kind, resampling unit and what it needs from the data."""

    kind: Kind
    unit: Unit
    min_sample: int
    statistic: str | None = None  # bootstrap_rows: median, mean or quantile
    quantile: float | None = None
    row_sql: str | None = None  # bootstrap_rows: per-row values whose statistic is the KPI
    combine: tuple[str, str] = ("sum", "sum")  # bootstrap_units: numerator, denominator
    # kind "none": why no interval can be given; English (data), marked for translation where
    # shown: translate(method.reason)
    reason: str | None = None

    def describe(self) -> str:
        """The method in words, as shown next to each interval."""
        if self.kind == "two_proportions":
            return "two-proportion z-test, Newcombe (Wilson) interval"
        if self.kind == "bootstrap_rows":
            return (
                f"bootstrap of the {self.statistic} over {self.unit}s, 2000 resamples "
                "(normal with rank-based spreads above 20,000 rows)"
            )
        if self.kind == "bootstrap_units":
            return f"bootstrap over whole {self.unit}s, 2000 resamples"
        return f"no interval: {self.reason}"

    def said(self) -> str:
        """`describe()` in the reader's language (describe() is data: compare's `method`)."""
        if self.kind == "two_proportions":
            return _("two-proportion z-test, Newcombe (Wilson) interval")
        units = translate(_UNITS.get(self.unit, self.unit))
        if self.kind == "bootstrap_rows":
            statistic = translate(_STATISTICS.get(str(self.statistic), str(self.statistic)))
            return _(
                "bootstrap of the {statistic} over {units}, 2000 resamples (normal with "
                "rank-based spreads above 20,000 rows)"
            ).format(statistic=statistic, units=units)
        if self.kind == "bootstrap_units":
            return _("bootstrap over whole {units}, 2000 resamples").format(units=units)
        return _("no interval: {reason}").format(reason=translate(self.reason or ""))


_UNITS = {
    "observation": N_("observations"),
    "row": N_("rows"),
    "day": N_("days"),
    "week": N_("weeks"),
}
_STATISTICS = {"median": N_("median"), "mean": N_("mean"), "quantile": N_("quantile")}


def _tree(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="duckdb")


def _is_count(node: exp.Expr) -> bool:
    if isinstance(node, exp.Filter):
        return isinstance(node.this, exp.Count)
    return isinstance(node, exp.Count | exp.CountIf)


def _is_additive(node: exp.Expr) -> bool:
    """A sum or a count, or one times or divided by a constant (`count(*) * 100`).

    A constant factor keeps a measure additive: the days' values still add up to the
    period's, so a bootstrap over days (per 100 orders, in thousands) stays exact.
    """
    if _is_count(node) or isinstance(node, exp.Sum):
        return True
    if isinstance(node, exp.Paren):
        return _is_additive(node.this)
    if isinstance(node, exp.Mul | exp.Div):
        left, right = node.this, node.expression
        if _is_constant(right):
            return _is_additive(left)
        return isinstance(node, exp.Mul) and _is_constant(left) and _is_additive(right)
    return False


def _is_constant(node: exp.Expr) -> bool:
    """A number written in the expression (no column, no aggregate)."""
    return not node.find(exp.Column, exp.AggFunc, exp.Star) and bool(node.find(exp.Literal))


def _aggregates(tree: exp.Expr) -> list[exp.Expr]:
    return [
        node
        for node in tree.walk()
        if isinstance(node, exp.AggFunc | exp.Filter) and not isinstance(node.parent, exp.Filter)
    ]


def _row_form(measure: Measure) -> tuple[str, float | None, str] | None:
    """(statistic, quantile, per-row SQL) when the measure is affine(median/avg/quantile(x))."""
    tree = _tree(measure.expr)
    found = _aggregates(tree)
    if len(found) != 1:
        return None
    aggregate = found[0]
    node, negative = aggregate, False
    while node is not tree:
        parent = node.parent
        if not isinstance(parent, _AFFINE):
            return None
        others = [c for c in parent.iter_expressions() if c is not node]
        if any(o.find(exp.Column, exp.AggFunc) for o in others):
            return None  # the other operand must be a constant
        if isinstance(parent, exp.Neg) or (
            isinstance(parent, exp.Mul | exp.Div) and any(o.sql().startswith("-") for o in others)
        ):
            negative = not negative
        node = parent
    if isinstance(aggregate, exp.Median):
        statistic, quantile = "median", None
    elif isinstance(aggregate, exp.Avg):
        statistic, quantile = "mean", None
    elif isinstance(aggregate, exp.PercentileCont | exp.Quantile) and not negative:
        level = aggregate.args.get("expression") or aggregate.args.get("quantile")
        if not isinstance(level, exp.Literal):
            return None
        statistic, quantile = "quantile", float(level.this)
    else:
        return None
    argument = aggregate.this
    # An affine map commutes with the median, the mean and (when increasing) quantiles, so
    # the statistic of the mapped rows is exactly the KPI.
    rows = tree.copy() if aggregate is not tree else argument.copy()
    if aggregate is not tree:
        target = next(n for n in rows.walk() if n == aggregate)
        target.replace(argument.copy())
    return statistic, quantile, rows.sql(dialect="duckdb", comments=False)


def method_for(kpi: Kpi) -> Method:
    """The method for `kpi`, honouring its `stats:` settings."""
    settings = kpi.stats
    if kpi.measure is not None:
        measure = kpi.measure
        form = _row_form(measure)
        additive = _is_additive(_tree(measure.expr)) and measure.over_time is None
        if settings.method == "two_proportions":
            return Method(
                "none", "observation", 0, reason=N_("a two-proportion test needs a ratio of counts")
            )
        if form is not None and settings.unit in (None, "row"):
            statistic, quantile, row_sql = form
            return Method("bootstrap_rows", "row", settings.min_sample or MIN_SAMPLE["row"],
                          statistic, quantile, row_sql)  # fmt: skip
        if additive or (form is not None and settings.unit in ("day", "week")):
            if not additive:
                return Method(
                    "none", "day", 0, reason=N_("only totals can be bootstrapped over days")
                )
            unit: Unit = "week" if settings.unit == "week" else "day"
            return Method(
                "bootstrap_units",
                unit,
                settings.min_sample or MIN_SAMPLE[unit],
                combine=("sum", "sum"),
            )
        return Method(
            "none", "row", 0, reason=N_("the expression is not a median, mean, quantile or total")
        )
    numerator, denominator = kpi.numerator, kpi.denominator
    assert numerator is not None and denominator is not None
    same_rows = (numerator.source, numerator.time, numerator.filter) == (
        denominator.source, denominator.time, denominator.filter,
    ) and numerator.over_time is None and denominator.over_time is None  # fmt: skip
    counts = _is_count(_tree(numerator.expr)) and _is_count(_tree(denominator.expr))
    if settings.method == "two_proportions" or (
        settings.method == "auto" and same_rows and counts and settings.unit is None
    ):
        if not (same_rows and counts):
            return Method(
                "none",
                "observation",
                0,
                reason=N_("a two-proportion test needs counts over the same rows"),
            )
        return Method(
            "two_proportions", "observation", settings.min_sample or MIN_SAMPLE["observation"]
        )
    parts = (numerator, denominator)
    if not all(_is_additive(_tree(m.expr)) for m in parts):
        return Method(
            "none", "day", 0, reason=N_("a ratio is bootstrapped from sums or counts only")
        )
    snapshot = any(m.over_time is not None for m in parts)
    default: Unit = "week" if (kpi.annualize or snapshot) else "day"
    unit = settings.unit if settings.unit in ("day", "week") else default
    combine = tuple("mean" if m.over_time else "sum" for m in parts)
    return Method("bootstrap_units", unit, settings.min_sample or MIN_SAMPLE[unit], combine=combine)  # type: ignore[arg-type]
