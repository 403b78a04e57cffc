"""Validation for an engine other than DuckDB: each expression renders faithfully, or is refused.

`kpis validate --engine spark` runs this rule too: an expression Spark would compute
otherwise than DuckDB (a date_diff that counts differently, a strftime format) is refused at
its KPI and line, before any number is computed with it (kpis/dialects.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from kpis.definitions.kpi_rules import measures_of
from kpis.definitions.parsed import Issue, Parsed


def expressions_render_on_the_engine(p: Parsed) -> Iterator[Issue]:
    """Each measure's expr and filter can be computed by `p.engine` as DuckDB computes it."""
    if p.engine == "duckdb":
        return
    from kpis.dialects import portability_problem

    for path, m in measures_of(p):
        columns = p.columns_of(m.source)
        if columns is None:
            continue
        for key, text, aggregate in (("expr", m.expr, True), ("filter", m.filter, False)):
            if text is None:
                continue
            problem = portability_problem(text, columns, aggregate, p.engine)
            if problem is not None:
                yield Issue((*path, key), problem)
