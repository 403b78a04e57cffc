"""Uploads: read an export, recognise its source, type and load it; list and undo uploads.

`ingest_file` is the one entry point for the CLI and the dashboard alike, so both give the
same results and the same messages. A file is refused as a whole (IngestError, database
unchanged) or loaded in one transaction with its rejected rows set aside.
"""

from __future__ import annotations

import difflib
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpis.errors import IngestError, StoreError, UsageError
from kpis.ingest.lines import first_records
from kpis.ingest.load import IngestResult, Progress, load_text
from kpis.ingest.mapping import map_columns, normalise, recognise_source
from kpis.ingest.sniff import sniff
from kpis.store import REJECTS, UPLOADS, Store, history_table, one, quote

__all__ = [
    "FilePreview",
    "IngestResult",
    "Progress",
    "ingest_file",
    "normalise",
    "preview_file",
    "rejected_rows",
    "undo_upload",
    "uploads",
]


def file_sha256(path: Path) -> str:
    """Content hash, so the identical file loaded twice is recognised."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(
    store: Store,
    path: str | Path,
    source: str | None = None,
    shown_name: str | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Load one export file; `source` is recognised from its header when not given.

    `shown_name` is the name used in messages and the uploads table (the dashboard passes
    the name of the uploaded file, which it saved under a temporary path). `progress` is
    called with (fraction done, stage) as the load goes on.
    """
    report: Progress = progress or (lambda fraction, stage: None)
    path = Path(path)
    shown = shown_name or path.name
    definitions = store.definitions
    if source is not None and source not in definitions.sources:
        close = difflib.get_close_matches(source, list(definitions.sources), n=1)
        hint = (
            f"did you mean {close[0]!r}?" if close else f"sources: {', '.join(definitions.sources)}"
        )
        raise UsageError(f"unknown source {source!r} ({hint})")
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    report(0.0, "checking the file")
    digest = file_sha256(path)
    suffix = ".csv.gz" if path.name.lower().endswith(".gz") else ".csv"
    staged = store.stage(path, f"{uuid.uuid4().hex}{suffix}")
    try:
        report(0.1, "reading the header")
        fmt = sniff(store.cursor(), staged, shown)
        name = source or recognise_source(fmt.header, definitions, shown)
        cmap = map_columns(fmt.header, name, definitions.sources[name], shown)
        with store.transaction() as cur:
            result = load_text(cur, definitions, staged, fmt, cmap, shown, digest, report)
        report(1.0, "done")
        return result
    finally:
        staged.unlink(missing_ok=True)


@dataclass(frozen=True)
class FilePreview:
    """What an upload would be, before loading it: format, source, first rows."""

    file: str
    format: str
    header: tuple[str, ...]
    rows: pd.DataFrame  # the first rows as text, under the file's own header
    source: str | None  # recognised or chosen; None when the header fits no single source
    problem: str | None  # why the file cannot be loaded as it is, in the upload's words
    dropped: tuple[str, ...] = ()  # columns that would not be stored


def preview_file(
    store: Store,
    path: str | Path,
    source: str | None = None,
    shown_name: str | None = None,
    rows: int = 5,
) -> FilePreview:
    """The first rows of a file and the source it would load into; nothing is stored."""
    path = Path(path)
    shown = shown_name or path.name
    staged = store.stage(path, f"{uuid.uuid4().hex}.csv")
    try:
        fmt = sniff(store.cursor(), staged, shown)
    except IngestError as exc:
        return FilePreview(shown, "", (), pd.DataFrame(), None, str(exc))
    finally:
        staged.unlink(missing_ok=True)
    first = first_records(path, fmt, rows)
    frame = (
        pd.DataFrame(
            [r + [""] * (len(fmt.header) - len(r)) for r in first],
            columns=pd.Index(_unique(fmt.header)),
        )
        if first
        else pd.DataFrame(columns=pd.Index(_unique(fmt.header)))
    )
    try:
        name = source or recognise_source(fmt.header, store.definitions, shown)
        cmap = map_columns(fmt.header, name, store.definitions.sources[name], shown)
    except IngestError as exc:
        return FilePreview(shown, fmt.describe(), fmt.header, frame, source, str(exc))
    return FilePreview(shown, fmt.describe(), fmt.header, frame, name, None, cmap.dropped)


def _unique(names: tuple[str, ...]) -> list[str]:
    """Column labels for display: repeated or blank header names made distinct."""
    seen: dict[str, int] = {}
    labels = []
    for index, name in enumerate(names):
        label = name or f"(column {index + 1})"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def uploads(store: Store) -> pd.DataFrame:
    """The upload history, newest first (one row per batch, undone ones included)."""
    return (
        store.cursor()
        .execute(
            f"SELECT batch_id, source, file_name, loaded_at, status, rows_read, rows_loaded, "
            f"rows_rejected, rows_inserted, rows_updated, dropped_columns, sha256 "
            f"FROM {UPLOADS} ORDER BY batch_id DESC"
        )
        .df()
    )


def rejected_rows(store: Store, batch_id: int) -> pd.DataFrame:
    """Every row rejected from a batch, with its line, column, value and reason."""
    return (
        store.cursor()
        .execute(
            f"SELECT line, column_name, value, reason FROM {REJECTS} WHERE batch_id = ? "
            "ORDER BY line NULLS LAST",
            [batch_id],
        )
        .df()
    )


def undo_upload(store: Store, batch_id: int) -> str:
    """Remove a batch's rows and bring back the rows it replaced; returns a summary.

    Only the latest loaded batch of its source can be undone: a later upload may have
    replaced the rows this one brought, so undoing out of order could not be exact.
    """
    with store.transaction() as cur:
        row = cur.execute(
            f"SELECT source, status, file_name FROM {UPLOADS} WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"there is no upload with batch id {batch_id}")
        source, status, file_name = row
        if status != "loaded":
            raise StoreError(f"batch {batch_id} ({file_name}) was already undone")
        later = one(
            cur,
            f"SELECT max(batch_id) FROM {UPLOADS} "
            "WHERE source = ? AND status = 'loaded' AND batch_id > ?",
            [source, batch_id],
        )[0]
        if later is not None:
            raise StoreError(
                f"batch {batch_id} ({file_name}) is not the latest upload of {source}: undo "
                f"batch {later} first"
            )
        table, history = quote(source), quote(history_table(source))
        columns = ", ".join(f'"{c}"' for c in store.definitions.sources[source].columns)
        removed = one(cur, f"DELETE FROM {table} WHERE _batch_id = ?", [batch_id])[0]
        cur.execute(
            f"INSERT INTO {table} ({columns}, _batch_id) SELECT {columns}, _batch_id "
            f"FROM {history} WHERE _superseded_by = ?",
            [batch_id],
        )
        restored = one(cur, f"DELETE FROM {history} WHERE _superseded_by = ?", [batch_id])[0]
        cur.execute(f"UPDATE {UPLOADS} SET status = 'undone' WHERE batch_id = ?", [batch_id])
    return (
        f"batch {batch_id} ({file_name}) undone: {removed} rows removed "
        f"from {source}, {restored} earlier rows restored"
    )
