"""Operations KPIs: definitions in kpis.yaml, computed by DuckDB over uploaded exports.

The public API, used by the `kpis` CLI and the dashboard alike:

    definitions = load_definitions("kpis.yaml")
    with Store("data/ops.duckdb", definitions) as store:
        ingest_file(store, "tickets_2026-05.csv")
        weekly = compute(store, grain="week")
        table = compare(store, before, after)

Errors a user can cause are `KpisError` subclasses (see `kpis.errors`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpis.access import LOCAL, Actor, require
    from kpis.compare import Windows, compare, find_event, windows_around_event
    from kpis.compute import compute, compute_window
    from kpis.control_group import control_weekly
    from kpis.definitions import (
        Definitions,
        Event,
        Kpi,
        MappingProfile,
        Source,
        load_definitions,
        parse_definitions,
    )
    from kpis.did_words import control_names, did_sentence
    from kpis.errors import (
        DefinitionError,
        IngestError,
        KpisError,
        PermissionDenied,
        Problem,
        SourceNotRecognised,
        StoreError,
        UsageError,
    )
    from kpis.events import all_events, delete_event, make_event, save_event
    from kpis.formatting import (
        format_count,
        format_delta,
        format_holding,
        format_improvement,
        format_interval,
        format_p,
        format_relative,
        format_share,
        format_value,
        verdict_text,
    )
    from kpis.freshness import (
        complete_through,
        coverage,
        data_through,
        default_week,
        latest_complete_week,
        source_coverage,
    )
    from kpis.ingest import (
        FilePreview,
        IngestResult,
        ingest_file,
        mapping_profiles,
        preview_file,
        rejected_rows,
        save_mapping,
        suggest_columns,
        undo_upload,
        uploads,
    )
    from kpis.mix import volume_noun
    from kpis.periods import GRAINS, DateRange, Grain, iso_week, last_complete_week, week_of
    from kpis.sharing import data_stamp, reading, writing
    from kpis.spreadsheet import neutralise, neutralise_cell, spreadsheet_csv
    from kpis.store import Store
    from kpis.summary import headline, method_note, missing_reason, verdict_sentence
    from kpis.variation import (
        WeeklyTrend,
        WeeklyVariation,
        trend_tone,
        weekly_trend,
        weekly_variation,
        year_earlier,
    )

# Names are imported on first use: `kpis ingest` need not pay for pandas, scipy or plotly's
# neighbours at every start (see importtime in benchmarks/results.md).
_LOCATIONS = {
    "Actor": "kpis.access",
    "DateRange": "kpis.periods",
    "DefinitionError": "kpis.errors",
    "Definitions": "kpis.definitions",
    "Event": "kpis.definitions",
    "FilePreview": "kpis.ingest",
    "GRAINS": "kpis.periods",
    "Grain": "kpis.periods",
    "IngestError": "kpis.errors",
    "IngestResult": "kpis.ingest",
    "Kpi": "kpis.definitions",
    "KpisError": "kpis.errors",
    "LOCAL": "kpis.access",
    "MappingProfile": "kpis.definitions",
    "PermissionDenied": "kpis.errors",
    "Problem": "kpis.errors",
    "Source": "kpis.definitions",
    "SourceNotRecognised": "kpis.errors",
    "Store": "kpis.store",
    "StoreError": "kpis.errors",
    "UsageError": "kpis.errors",
    "WeeklyTrend": "kpis.variation",
    "WeeklyVariation": "kpis.variation",
    "Windows": "kpis.compare",
    "all_events": "kpis.events",
    "compare": "kpis.compare",
    "compute": "kpis.compute",
    "compute_window": "kpis.compute",
    "complete_through": "kpis.freshness",
    "coverage": "kpis.freshness",
    "data_stamp": "kpis.sharing",
    "data_through": "kpis.freshness",
    "default_week": "kpis.freshness",
    "latest_complete_week": "kpis.freshness",
    "delete_event": "kpis.events",
    "find_event": "kpis.compare",
    "format_count": "kpis.formatting",
    "format_delta": "kpis.formatting",
    "format_holding": "kpis.formatting",
    "format_improvement": "kpis.formatting",
    "format_interval": "kpis.formatting",
    "format_p": "kpis.formatting",
    "format_relative": "kpis.formatting",
    "format_share": "kpis.formatting",
    "format_value": "kpis.formatting",
    "headline": "kpis.summary",
    "ingest_file": "kpis.ingest",
    "iso_week": "kpis.periods",
    "make_event": "kpis.events",
    "last_complete_week": "kpis.periods",
    "load_definitions": "kpis.definitions",
    "mapping_profiles": "kpis.ingest",
    "method_note": "kpis.summary",
    "missing_reason": "kpis.summary",
    "neutralise": "kpis.spreadsheet",
    "neutralise_cell": "kpis.spreadsheet",
    "parse_definitions": "kpis.definitions",
    "preview_file": "kpis.ingest",
    "reading": "kpis.sharing",
    "rejected_rows": "kpis.ingest",
    "require": "kpis.access",
    "save_event": "kpis.events",
    "save_mapping": "kpis.ingest",
    "source_coverage": "kpis.freshness",
    "spreadsheet_csv": "kpis.spreadsheet",
    "suggest_columns": "kpis.ingest",
    "trend_tone": "kpis.variation",
    "undo_upload": "kpis.ingest",
    "uploads": "kpis.ingest",
    "verdict_sentence": "kpis.summary",
    "control_weekly": "kpis.control_group",
    "control_names": "kpis.did_words",
    "did_sentence": "kpis.did_words",
    "verdict_text": "kpis.formatting",
    "volume_noun": "kpis.mix",
    "week_of": "kpis.periods",
    "weekly_trend": "kpis.variation",
    "weekly_variation": "kpis.variation",
    "windows_around_event": "kpis.compare",
    "writing": "kpis.sharing",
    "year_earlier": "kpis.variation",
}


def __getattr__(name: str) -> Any:
    if name not in _LOCATIONS:
        raise AttributeError(f"module 'kpis' has no attribute {name!r}")  # i18n: ok (Python's own)
    value = getattr(importlib.import_module(_LOCATIONS[name]), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """The kpis package, whose API names win over its submodules of the same name.

    Importing a submodule sets it as an attribute of its package, so the first import of
    kpis.compute (from anywhere) would make `kpis.compute` the module instead of the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LOCATIONS and isinstance(value, types.ModuleType):
            return  # `kpis.compute` stays the function; the module is in sys.modules
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "GRAINS",
    "LOCAL",
    "Actor",
    "DateRange",
    "DefinitionError",
    "Definitions",
    "Event",
    "FilePreview",
    "Grain",
    "IngestError",
    "IngestResult",
    "Kpi",
    "KpisError",
    "MappingProfile",
    "PermissionDenied",
    "Problem",
    "Source",
    "SourceNotRecognised",
    "Store",
    "StoreError",
    "UsageError",
    "WeeklyTrend",
    "WeeklyVariation",
    "Windows",
    "all_events",
    "compare",
    "complete_through",
    "compute",
    "compute_window",
    "control_names",
    "control_weekly",
    "coverage",
    "data_stamp",
    "data_through",
    "default_week",
    "delete_event",
    "did_sentence",
    "find_event",
    "format_count",
    "format_delta",
    "format_holding",
    "format_improvement",
    "format_interval",
    "format_p",
    "format_relative",
    "format_share",
    "format_value",
    "headline",
    "ingest_file",
    "iso_week",
    "last_complete_week",
    "latest_complete_week",
    "load_definitions",
    "make_event",
    "mapping_profiles",
    "method_note",
    "missing_reason",
    "neutralise",
    "neutralise_cell",
    "parse_definitions",
    "preview_file",
    "reading",
    "rejected_rows",
    "require",
    "save_event",
    "save_mapping",
    "source_coverage",
    "spreadsheet_csv",
    "suggest_columns",
    "trend_tone",
    "undo_upload",
    "uploads",
    "verdict_sentence",
    "verdict_text",
    "volume_noun",
    "week_of",
    "weekly_trend",
    "weekly_variation",
    "windows_around_event",
    "writing",
    "year_earlier",
]
