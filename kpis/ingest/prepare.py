"""Everything before an upload loads: the profile, the source, the dialect, the plan.

Shared by loading and previewing, so that a preview says exactly what the load will do.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

import duckdb

from kpis.definitions import MappingProfile
from kpis.errors import IngestError, UsageError
from kpis.i18n import _
from kpis.ingest.formats import decide, default_date_order, sample_values
from kpis.ingest.mapping import recognise_source
from kpis.ingest.profile_plan import build_plan, file_values, with_steps
from kpis.ingest.profiles import find_mapping
from kpis.ingest.read import Staged
from kpis.ingest.sniff import TextFormat, sniff
from kpis.ingest.upload import Upload
from kpis.store import Store


def profile_of(store: Store, mapping: str | MappingProfile | None) -> MappingProfile | None:
    if mapping is None or isinstance(mapping, MappingProfile):
        return mapping
    return find_mapping(store, mapping)


def check_source(store: Store, source: str | None) -> None:
    if source is not None and source not in store.definitions.sources:
        names = list(store.definitions.sources)
        close = difflib.get_close_matches(source, names, n=1)
        hint = (
            _("did you mean {name}?").format(name=repr(close[0]))
            if close
            else _("sources: {names}").format(names=", ".join(names))
        )
        raise UsageError(_("unknown source {name} ({hint})").format(name=repr(source), hint=hint))


def prepare(
    store: Store, staged: Staged, shown: str, source: str | None, profile: MappingProfile | None,
    given: Mapping[str, str] | None = None,
) -> Upload:  # fmt: skip
    """Everything but the load: dialect, source, column map, number and date conventions.

    `given` holds values for the whole file (`--set`); the profile's `file_name` adds more.
    """
    definitions = store.definitions
    delimiter = settings_for(store, source, profile).get("delimiter")
    text = sniff_file(store, staged, shown, delimiter)
    name = source or recognise_source(text.header, definitions, shown, list(given or {}))
    declared = definitions.sources[name]
    settings = settings_for(store, name, profile)
    values = file_values(profile, name, declared, given or {}, shown)
    cmap, plan = build_plan(text.header, name, declared, shown, profile, values)
    typed = [c for c, spec in declared.columns.items() if spec.type != "string"]
    try:
        samples = sample_values(store.cursor(), staged.path, text, cmap.positions, typed)
    except duckdb.Error as exc:
        raise unreadable(shown, exc) from None
    fmt = decide(
        declared, samples, text.delimiter,
        default_date_order(definitions.calendar.timezone), staged.kind == "xlsx", settings,
    )  # fmt: skip
    timezone = definitions.calendar.timezone
    plan = with_steps(plan, profile, text.header, fmt, declared, timezone, shown)
    given_values = tuple(sorted(values.items()))
    return Upload(shown, staged, text, name, plan, fmt, cmap.dropped, file_values=given_values)


def sniff_file(store: Store, staged: Staged, shown: str, delimiter: str | None) -> TextFormat:
    try:
        return sniff(
            store.cursor(), staged.path, shown, delimiter, store.definitions.limits.max_columns
        )
    except duckdb.Error as exc:
        raise unreadable(shown, exc) from None


def unreadable(shown: str, exc: duckdb.Error) -> IngestError:
    """DuckDB could not read the user's file: one sentence with the file, never "unexpected"."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return IngestError(
        _("{file} could not be read as CSV ({reason}); export it again as CSV").format(
            file=shown, reason=first
        )
    )


def settings_for(
    store: Store, source: str | None, profile: MappingProfile | None
) -> dict[str, str]:
    name = source or (profile.source if profile else None)
    settings = dict(store.definitions.sources[name].format.overrides()) if name else {}
    if profile is not None:
        settings.update(profile.format.overrides())
    return settings


def check_file(path: Path) -> None:
    """An upload is a regular file: a folder, a device or a pipe would never end or fail."""
    if not path.exists():
        raise IngestError(_("{file}: no such file").format(file=path))
    if not path.is_file():
        message = (
            _("{file} is a folder: give the export file itself")
            if path.is_dir()
            else _("{file} is not a regular file (a device or a pipe): give the export file itself")
        )
        raise IngestError(message.format(file=path))
