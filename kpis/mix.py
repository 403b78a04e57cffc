"""Each dimension value's volume and share, before and after: mix beside rate in a breakdown.

A KPI can move because each of its parts changed (every carrier got cheaper: rate) or because
the volume moved between parts (shipments went to the cheaper regional carrier: mix). A
breakdown that shows only each value's KPI cannot tell the two apart, so each value also gets
the rows its KPI is counted over, before and after, and its share of the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import sqlglot
from sqlglot import exp

from kpis.definitions import Kpi, Measure
from kpis.errors import DefinitionError
from kpis.i18n import _
from kpis.kpi_query import kpi_query
from kpis.periods import DateRange
from kpis.store import Store

VOLUME_COLUMNS = ["volume_before", "volume_after", "share_before", "share_after"]
Cut = Mapping[str, tuple[DateRange | None, DateRange | None, str | None]]  # see compare()


def _counts_rows(expr: str) -> bool:
    tree = sqlglot.parse_one(expr, read="duckdb")
    if isinstance(tree, exp.Filter):
        tree = tree.this
    return isinstance(tree, exp.Count | exp.CountIf)


def counted(kpi: Kpi) -> Measure:
    """What a KPI is counted over: the rows of its denominator (or of its measure).

    A denominator that counts rows is its own volume (leads, rated tickets, orders promised);
    one that sums (units, stock value) or a median counts the rows it reads (shipments,
    stock lines per snapshot day, resolved tickets), with the same time column and filter.
    """
    base = kpi.denominator or kpi.measure
    assert base is not None
    return base if _counts_rows(base.expr) else base.model_copy(update={"expr": "count(*)"})


def volume_noun(kpi: Kpi) -> str:
    """The volume in words: 'leads', 'tickets with csat_score known', 'inventory rows a day'.

    Words for people (a summary, a chart's label), in the reader's language.
    """
    measure = counted(kpi)
    tree = sqlglot.parse_one(measure.expr, read="duckdb")
    noun = measure.source
    if isinstance(tree, exp.Count) and not isinstance(tree.this, exp.Star):
        noun = _("{source} with {column} known").format(
            source=noun, column=tree.this.sql(dialect="duckdb")
        )
    elif not isinstance(tree, exp.Count):
        noun = _("{source} counted by {expr}").format(source=noun, expr=measure.expr)
    if measure.over_time == "average":
        return _("{noun} rows a day (average)").format(noun=noun)
    return noun


def _key(value: object) -> str | None:
    """A dimension value as rows of a comparison are matched on it (NULL stays None)."""
    return None if value is None or value != value else str(value)


def volumes(store: Store, names: Sequence[str], cut: Cut, by: str) -> pd.DataFrame:
    """Per KPI and value of `by`: volume_before, volume_after, share_before, share_after.

    Over each KPI's own covered windows (`cut`, as compare() cuts them); a side wholly past
    the data has no volume, and a value without rows on a side has a volume of 0.
    """
    definitions = store.definitions
    rows: list[dict[str, object]] = []
    for name in names:
        kpi = definitions.kpis[name]
        rows_of = kpi.model_copy(
            update={"measure": counted(kpi), "numerator": None, "denominator": None,
                    "annualize": False}
        )  # fmt: skip
        sides: dict[str, dict[str | None, float]] = {}
        for label, window in zip(("before", "after"), cut[name][:2], strict=True):
            if window is None:
                continue
            try:
                tree = kpi_query(definitions, rows_of, window, None, by, store.engine)
                found = list(store.query(tree).itertuples(index=False))
            except store.engine_errors as exc:
                first = str(exc).strip().splitlines()[0]
                raise DefinitionError(
                    _("the volumes of {kpi} could not be counted ({reason})").format(
                        kpi=name, reason=first
                    )
                ) from None
            # Columns: period_start, period_end, days, the dimension value, the volume.
            sides[label] = {_key(row[3]): float(row[4] or 0.0) for row in found}
        values = dict.fromkeys(v for side in sides.values() for v in side)
        totals = {label: sum(side.values()) for label, side in sides.items()}
        for value in values:
            row: dict[str, object] = {"kpi": name, "dimension_value": value}
            for label in ("before", "after"):
                volume = sides[label].get(value, 0.0) if label in sides else None
                total = totals.get(label)
                row[f"volume_{label}"] = volume
                row[f"share_{label}"] = volume / total if volume is not None and total else None
            rows.append(row)
    return pd.DataFrame(rows, columns=["kpi", "dimension_value", *VOLUME_COLUMNS])
