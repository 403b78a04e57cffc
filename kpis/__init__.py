"""Operations KPIs: definitions in kpis.yaml, computed by DuckDB over uploaded exports.

The public API, used by the `kpis` CLI and the dashboard alike:

    definitions = load_definitions("kpis.yaml")
    with Store("data/ops.duckdb", definitions) as store:
        ingest_file(store, "tickets_2026-05.csv")
        weekly = compute(store, grain="week")
        table = compare(store, before, after)

Errors a user can cause are `KpisError` subclasses (see `kpis.errors`).
"""

from kpis.compare import Windows, compare, find_event, windows_around_event
from kpis.compute import compute, compute_window, coverage, source_coverage
from kpis.definitions import (
    Definitions,
    Event,
    Kpi,
    MappingProfile,
    Source,
    load_definitions,
    parse_definitions,
)
from kpis.errors import (
    DefinitionError,
    IngestError,
    KpisError,
    Problem,
    SourceNotRecognised,
    StoreError,
    UsageError,
)
from kpis.events import all_events, delete_event, save_event
from kpis.formatting import (
    format_delta,
    format_interval,
    format_p,
    format_relative,
    format_value,
    verdict_text,
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
from kpis.periods import GRAINS, DateRange, Grain, iso_week, last_complete_week, week_of
from kpis.store import Store

__all__ = [
    "GRAINS",
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
    "Problem",
    "Source",
    "SourceNotRecognised",
    "Store",
    "StoreError",
    "UsageError",
    "Windows",
    "all_events",
    "compare",
    "compute",
    "compute_window",
    "coverage",
    "delete_event",
    "find_event",
    "format_delta",
    "format_interval",
    "format_p",
    "format_relative",
    "format_value",
    "ingest_file",
    "iso_week",
    "last_complete_week",
    "load_definitions",
    "mapping_profiles",
    "parse_definitions",
    "preview_file",
    "rejected_rows",
    "save_event",
    "save_mapping",
    "source_coverage",
    "suggest_columns",
    "undo_upload",
    "uploads",
    "verdict_text",
    "week_of",
    "windows_around_event",
]
