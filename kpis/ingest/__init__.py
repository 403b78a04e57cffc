"""Uploads: read an export, recognise its source, type and load it; list and undo uploads.

`ingest_file` is the one entry point for the CLI and the dashboard alike, so both give the
same results and the same messages. A file goes through these stages, each in its module:

    read      any file -> UTF-8 text in the staging folder (encodings, gzip, workbooks)
    sniff     delimiter, quoting, header
    mapping   header -> source and columns (aliases, mapping profiles)
    formats   how this file writes numbers and dates (decided once per file)
    load      type in DuckDB, reject bad rows, upsert by key: one transaction

A file is refused as a whole (IngestError, database unchanged) or loaded with its rejected
rows set aside. A file that changes while it is read (an export still being written) is
refused: its size, modification time and inode are compared before staging, after staging
and after DuckDB has read it, before the load commits.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpis.access import Actor, recorded, require
from kpis.definitions import MappingProfile
from kpis.errors import IngestError, StoreError, UsageError
from kpis.i18n import _
from kpis.ingest.formats import decide, default_date_order, sample_values
from kpis.ingest.history import rejected_rows, undo_upload, uploads
from kpis.ingest.lines import first_records
from kpis.ingest.load import load_text
from kpis.ingest.mapping import MissingColumns, recognise_source, suggest_columns
from kpis.ingest.profile_plan import build_plan, file_values, with_steps
from kpis.ingest.profiles import find_mapping, mapping_profiles, save_mapping
from kpis.ingest.read import Staged, stage_upload
from kpis.ingest.sniff import TextFormat, sniff
from kpis.ingest.upload import IngestResult, Progress, Upload
from kpis.names import normalise
from kpis.store import Store, quote

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FilePreview",
    "IngestResult",
    "MissingColumns",
    "Progress",
    "find_mapping",
    "ingest_file",
    "mapping_profiles",
    "normalise",
    "preview_file",
    "rejected_rows",
    "save_mapping",
    "suggest_columns",
    "undo_upload",
    "uploads",
]


DISTINCT_ROWS = 1000  # rows read for the distinct values a mapping editor offers


def _profile(store: Store, mapping: str | MappingProfile | None) -> MappingProfile | None:
    if mapping is None or isinstance(mapping, MappingProfile):
        return mapping
    return find_mapping(store, mapping)


def _check_source(store: Store, source: str | None) -> None:
    if source is not None and source not in store.definitions.sources:
        names = list(store.definitions.sources)
        close = difflib.get_close_matches(source, names, n=1)
        hint = (
            _("did you mean {name}?").format(name=repr(close[0]))
            if close
            else _("sources: {names}").format(names=", ".join(names))
        )
        raise UsageError(_("unknown source {name} ({hint})").format(name=repr(source), hint=hint))


def _prepare(
    store: Store, staged: Staged, shown: str, source: str | None, profile: MappingProfile | None,
    given: Mapping[str, str] | None = None,
) -> Upload:  # fmt: skip
    """Everything but the load: dialect, source, column map, number and date conventions.

    `given` holds values for the whole file (`--set`); the profile's `file_name` adds more.
    """
    definitions = store.definitions
    delimiter = _settings_for(store, source, profile).get("delimiter")
    text = _sniff(store, staged, shown, delimiter)
    name = source or recognise_source(text.header, definitions, shown, list(given or {}))
    declared = definitions.sources[name]
    settings = _settings_for(store, name, profile)
    values = file_values(profile, declared, given or {}, shown)
    cmap, plan = build_plan(text.header, name, declared, shown, profile, values)
    typed = [c for c, spec in declared.columns.items() if spec.type != "string"]
    try:
        samples = sample_values(store.cursor(), staged.path, text, cmap.positions, typed)
    except duckdb.Error as exc:
        raise _unreadable(shown, exc) from None
    fmt = decide(
        declared, samples, text.delimiter,
        default_date_order(definitions.calendar.timezone), staged.kind == "xlsx", settings,
    )  # fmt: skip
    timezone = definitions.calendar.timezone
    plan = with_steps(plan, profile, text.header, fmt, name, declared, timezone, shown)
    given_values = tuple(sorted(values.items()))
    return Upload(shown, staged, text, name, plan, fmt, cmap.dropped, file_values=given_values)


def _sniff(store: Store, staged: Staged, shown: str, delimiter: str | None) -> TextFormat:
    try:
        return sniff(
            store.cursor(), staged.path, shown, delimiter, store.definitions.limits.max_columns
        )
    except duckdb.Error as exc:
        raise _unreadable(shown, exc) from None


def _unreadable(shown: str, exc: duckdb.Error) -> IngestError:
    """DuckDB could not read the user's file: one sentence with the file, never "unexpected"."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return IngestError(
        _("{file} could not be read as CSV ({reason}); export it again as CSV").format(
            file=shown, reason=first
        )
    )


def _fingerprint(path: Path) -> tuple[int, int, int]:
    found = path.stat()
    return found.st_size, found.st_mtime_ns, found.st_ino


def _check_unchanged(path: Path, before: tuple[int, int, int], shown: str) -> None:
    """Refuse a file that changed since staging began (the UTF-8 path stages a hard link,
    so DuckDB reads the very file being written, and the hash would match neither version)."""
    try:
        unchanged = _fingerprint(path) == before
    except OSError:
        unchanged = False
    if not unchanged:
        raise IngestError(
            _(
                "{file} changed while it was being read (is it still being written?); wait "
                "until the export is complete and upload it again"
            ).format(file=shown)
        )


def _settings_for(
    store: Store, source: str | None, profile: MappingProfile | None
) -> dict[str, str]:
    name = source or (profile.source if profile else None)
    settings = dict(store.definitions.sources[name].format.overrides()) if name else {}
    if profile is not None:
        settings.update(profile.format.overrides())
    return settings


def _check_file(path: Path) -> None:
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


def ingest_file(
    store: Store,
    path: str | Path,
    source: str | None = None,
    shown_name: str | None = None,
    progress: Progress | None = None,
    mapping: str | MappingProfile | None = None,
    through: dt.date | None = None,
    actor: Actor | None = None,
    values: Mapping[str, str] | None = None,
) -> IngestResult:
    """Load one export file (CSV, gzipped CSV or workbook).

    `source` is recognised from the header when not given; `mapping` names a profile (or
    is one) mapping a tool's own headers and values. `shown_name` is the name used in
    messages and the uploads table (the dashboard passes the uploaded file's name).
    `progress` is called with (fraction done, stage) as the load goes on. `through` is the
    last day the export covers, when the analyst knows it (a week without orders on its
    last days still covers them): it counts towards the source's "data through". `actor`
    is who loads it (kpis.access; None for trusted local use): a viewer is refused before
    anything is read, and the upload records their e-mail. `values` gives a column one
    value for the whole file (the snapshot date of a dateless stock export).
    """
    require(actor, "upload")
    path = Path(path)
    shown = shown_name or path.name
    report: Progress = progress or (lambda fraction, stage: None)
    profile = _profile(store, mapping)
    source = source or (profile.source if profile else None)
    _check_source(store, source)
    if store.read_only:
        raise StoreError(
            _("{file} was opened read-only: nothing can be loaded into it").format(file=store.path)
        )
    _check_file(path)
    if through is not None and through > dt.date.today():
        raise UsageError(
            _("an export cannot cover days still to come ({day} is after today)").format(
                day=through
            )
        )
    report(0.0, _("reading the file"))
    settings = _settings_for(store, source, profile)
    before = _fingerprint(path)
    limits = store.definitions.limits
    staged = stage_upload(path, store.staging_dir, shown, settings.get("encoding"), limits)
    try:
        _check_unchanged(path, before, shown)
        report(0.1, _("reading the header"))
        prepared = _prepare(store, staged, shown, source, profile, values)
        upload = replace(prepared, through=through, by=recorded(actor))
        with store.transaction() as cur:
            result = load_text(cur, store.definitions, upload, upload.digest(), report)
            _check_unchanged(path, before, shown)  # raised here, the load rolls back
        report(1.0, _("done"))
        return result
    finally:
        staged.path.unlink(missing_ok=True)


class FilePreview:
    """What an upload would be, before loading it: format, source, first rows, problem."""

    def __init__(
        self, file: str, header: tuple[str, ...], rows: pd.DataFrame, upload: Upload | None,
        problem: IngestError | None, source: str | None = None,
    ) -> None:  # fmt: skip
        self.file = file
        self.header = header
        self.rows = rows
        self.upload = upload
        self.problem = problem
        self.source = upload.source if upload else source
        self.format = upload.describe() if upload else ""
        self.dropped = upload.dropped if upload else ()
        self.notes = upload.values.notes if upload else ()
        self.missing = problem.missing if isinstance(problem, MissingColumns) else ()
        self.distinct: dict[str, list[str]] = {}  # header -> a few of its values, for mapping
        # With check_rows: what loading the whole file would do (nothing kept), or None.
        self.check: IngestResult | None = None
        # With check_rows: the first rows as they would be stored (typed, mapped), or None.
        self.mapped: pd.DataFrame | None = None


def preview_file(
    store: Store, path: str | Path, source: str | None = None, shown_name: str | None = None,
    rows: int = 5, mapping: str | MappingProfile | None = None, check_rows: bool = False,
    values: Mapping[str, str] | None = None,
) -> FilePreview:  # fmt: skip
    """The first rows of a file and how it would load; nothing is stored.

    With `check_rows`, every row goes through the same checks as a load, in a transaction
    that is rolled back: `check` then says how many rows would load and why the others would
    be rejected, and a file the load would refuse has that refusal as its `problem`. The
    preview then says what loading will do, rather than "loads" before a refusal.
    """
    import pandas as pd

    path = Path(path)
    shown = shown_name or path.name
    profile = _profile(store, mapping)
    source = source or (profile.source if profile else None)
    settings = _settings_for(store, source, profile)
    limits = store.definitions.limits
    try:
        _check_file(path)
        staged = stage_upload(path, store.staging_dir, shown, settings.get("encoding"), limits)
    except IngestError as exc:
        return FilePreview(shown, (), pd.DataFrame(), None, exc)
    try:
        text = _sniff(store, staged, shown, settings.get("delimiter"))
        first = first_records(staged.path, text, max(rows, DISTINCT_ROWS))
        labels = _unique(text.header)
        distinct = {
            name: sorted({r[i].strip() for r in first if i < len(r) and r[i].strip()})[:20]
            for i, name in enumerate(text.header)
        }
        first = first[:rows]
        frame = pd.DataFrame(
            [r[: len(labels)] + [""] * (len(labels) - len(r)) for r in first],
            columns=pd.Index(labels),
        )
        try:
            upload = _prepare(store, staged, shown, source, profile, values)
        except IngestError as exc:
            missing_source = exc.source if isinstance(exc, MissingColumns) else source
            preview = FilePreview(shown, text.header, frame, None, exc, missing_source)
        else:
            preview = FilePreview(shown, text.header, frame, upload, None)
            if check_rows and not store.read_only:
                try:
                    with store.dry_run() as cur:
                        preview.check = load_text(cur, store.definitions, upload, upload.digest())
                        preview.mapped = _mapped_rows(cur, preview.check, rows)
                except IngestError as exc:
                    preview.problem = exc
        preview.distinct = distinct
        return preview
    except IngestError as exc:
        return FilePreview(shown, (), pd.DataFrame(), None, exc)
    finally:
        staged.path.unlink(missing_ok=True)


def _mapped_rows(
    cur: duckdb.DuckDBPyConnection, check: IngestResult, rows: int
) -> pd.DataFrame | None:
    """The first rows a dry-run load stored, as stored: what the mapping makes of the file."""
    if check.status != "loaded" or check.batch_id is None:
        return None
    table = quote(check.source)
    frame = cur.execute(
        f"SELECT * EXCLUDE (_batch_id) FROM {table} WHERE _batch_id = ? LIMIT ?",
        [check.batch_id, max(rows, 1)],
    ).df()
    return frame


def _unique(names: tuple[str, ...]) -> list[str]:
    """Column labels for display: repeated or blank header names made distinct."""
    seen: dict[str, int] = {}
    labels = []
    for index, name in enumerate(names):
        label = name or f"(column {index + 1})"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels
