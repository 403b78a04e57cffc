"""Which KPIs an upload's rejected rows would have counted in, said as a warning.

Rejecting 1.9 % of a file is within a source's threshold, so the file loads; but when the
rows are rejected for the very column a KPI counts (HubSpot contacts with no lifecycle
stage, so `converted` is empty), the KPI is computed without them and is biased, not just
smaller. The upload then says so, naming the column and the KPIs, rather than exit 0 alone.
"""

from __future__ import annotations

import duckdb

from kpis.definitions import Definitions
from kpis.definitions.sql_check import check_aggregate, check_predicate
from kpis.formatting import format_percent, number
from kpis.i18n import ngettext


def kpis_counting(definitions: Definitions, source: str, column: str) -> list[str]:
    """The KPIs with a measure over `source` that reads `column` (in its SQL, filter or time)."""
    found = []
    columns = list(definitions.sources[source].columns)
    for name, kpi in definitions.kpis.items():
        for measure in kpi.measures:
            if measure.source != source:
                continue
            used = {measure.time} if measure.time else set()
            used |= set(check_aggregate(measure.expr, columns).columns)
            if measure.filter:
                used |= set(check_predicate(measure.filter, columns).columns)
            if column in used:
                found.append(name)
                break
    return found


def bias_warnings(
    cur: duckdb.DuckDBPyConnection,
    definitions: Definitions,
    source: str,
    typed: str,
    rows_read: int,
) -> tuple[str, ...]:
    """One sentence per column whose rejected rows some KPI would have counted."""
    counts = cur.execute(
        f"SELECT _column, count(*) FROM {typed} WHERE _reason IS NOT NULL AND _column IS NOT NULL "
        "GROUP BY _column ORDER BY count(*) DESC, _column"
    ).fetchall()
    by_column: dict[str, int] = {}
    for names, count in counts:
        for column in str(names).split(", "):
            if column in definitions.sources[source].columns:
                by_column[column] = by_column.get(column, 0) + int(count)
    warnings = []
    for column, count in by_column.items():
        kpis = kpis_counting(definitions, source, column)
        if not kpis:
            continue
        warnings.append(
            ngettext(
                "{count} row ({share}) rejected for {column}, a column counted by {kpis}: they "
                "leave it out, and may be biased; fix the row or the mapping and upload again",
                "{count} rows ({share}) rejected for {column}, a column counted by {kpis}: they "
                "leave them out, and may be biased; fix the rows or the mapping and upload again",
                count,
            ).format(
                count=number(count, 0),
                share=format_percent(count / max(rows_read, 1), 1),
                column=column,
                kpis=", ".join(kpis),
            )
        )
    return tuple(warnings)
