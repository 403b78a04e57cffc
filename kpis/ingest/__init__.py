"""Uploads: read an export, recognise its source, type and load it; list and undo uploads.

`ingest_file` is the one entry point for the CLI and the dashboard alike, so both give the
same results and the same messages. A file goes through these stages, each in its module:

    read      any file -> UTF-8 text in the staging folder (encodings, gzip, workbooks)
    sniff     delimiter, quoting, header
    mapping   header -> source and columns (aliases, mapping profiles)
    formats   how this file writes numbers and dates (decided once per file)
    profile   a mapping profile's expressions, values maps, roll-up and filter as SQL
    load      type in DuckDB, reject bad rows, upsert by key: one transaction

(`prepare` runs the stages before the load, for a load and a preview alike.)

A file is refused as a whole (IngestError, database unchanged) or loaded with its rejected
rows set aside. A file that changes while it is read (an export still being written) is
refused: its size, modification time and inode are compared before staging, after staging
and after DuckDB has read it, before the load commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from kpis.access import Actor, recorded, require
from kpis.definitions import MappingProfile
from kpis.errors import IngestError, StoreError, UsageError
from kpis.i18n import _
from kpis.ingest.history import rejected_rows, undo_upload, uploads
from kpis.ingest.load import load_text
from kpis.ingest.mapping import MissingColumns, suggest_columns
from kpis.ingest.prepare import check_file, check_source, prepare, profile_of, settings_for
from kpis.ingest.preview import FilePreview, preview_file
from kpis.ingest.profiles import find_mapping, mapping_profiles, save_mapping
from kpis.ingest.read import stage_upload
from kpis.ingest.upload import IngestResult, Progress
from kpis.names import normalise
from kpis.store import Store

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
    profile = profile_of(store, mapping)
    source = source or (profile.source if profile else None)
    check_source(store, source)
    if store.read_only:
        raise StoreError(
            _("{file} was opened read-only: nothing can be loaded into it").format(file=store.path)
        )
    check_file(path)
    if through is not None and through > dt.date.today():
        raise UsageError(
            _("an export cannot cover days still to come ({day} is after today)").format(
                day=through
            )
        )
    report(0.0, _("reading the file"))
    settings = settings_for(store, source, profile)
    before = _fingerprint(path)
    limits = store.definitions.limits
    staged = stage_upload(path, store.staging_dir, shown, settings.get("encoding"), limits)
    try:
        _check_unchanged(path, before, shown)
        report(0.1, _("reading the header"))
        prepared = prepare(store, staged, shown, source, profile, values)
        upload = replace(prepared, through=through, by=recorded(actor))
        with store.transaction() as cur:
            result = load_text(cur, store.definitions, upload, upload.digest(), report)
            _check_unchanged(path, before, shown)  # raised here, the load rolls back
        report(1.0, _("done"))
        return result
    finally:
        staged.path.unlink(missing_ok=True)
