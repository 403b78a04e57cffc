"""Validation rules for kpis.yaml: small named functions, each yielding every issue it finds.

The models check the shape of each entry; these rules check what only the whole file can
tell (references between sources and KPIs, SQL over declared columns, units). Each issue
carries its key path so the loader can point at the line. All rules always run, so a user
fixing the file sees every problem at once rather than one per attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kpis.definitions.binding import sql_binds_in_duckdb
from kpis.definitions.engine_rules import expressions_render_on_the_engine
from kpis.definitions.kpi_rules import (
    event_names_are_unique,
    event_scopes_name_dimensions,
    kpi_has_one_form,
    measure_sql_is_one_aggregate,
    measures_read_declared_sources,
    percent_targets_are_fractions,
    snapshot_measures_roll_up_over_time,
    stats_settings_fit_the_kpi,
)
from kpis.definitions.language_rules import texts_give_the_same_languages
from kpis.definitions.mapping_rules import PROFILE_RULES
from kpis.definitions.parsed import Issue, Parsed
from kpis.definitions.source_rules import (
    aliases_are_unambiguous,
    column_settings_fit_types,
    names_are_identifiers,
    promise_columns_are_time_columns,
    snapshot_sources_are_keyed_by_date,
    source_checks_are_row_rules,
    source_columns_are_declared,
)

__all__ = ["RULES", "Issue", "Parsed", "run_rules"]


RULES: tuple[Callable[[Parsed], Iterator[Issue]], ...] = (
    names_are_identifiers,
    source_columns_are_declared,
    column_settings_fit_types,
    snapshot_sources_are_keyed_by_date,
    source_checks_are_row_rules,
    kpi_has_one_form,
    measures_read_declared_sources,
    measure_sql_is_one_aggregate,
    sql_binds_in_duckdb,
    snapshot_measures_roll_up_over_time,
    percent_targets_are_fractions,
    event_names_are_unique,
    aliases_are_unambiguous,
    *PROFILE_RULES,
    stats_settings_fit_the_kpi,
    event_scopes_name_dimensions,
    promise_columns_are_time_columns,
    texts_give_the_same_languages,
    expressions_render_on_the_engine,
)


def run_rules(parsed: Parsed) -> list[Issue]:
    """Every issue from every rule, in rule order."""
    return [issue for rule in RULES for issue in rule(parsed)]
