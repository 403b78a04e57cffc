"""Preview an upload before loading it: its first rows, how it would load, the mapped rows.

The Upload page shows what a file will do before anyone presses Load: the format decided,
the source recognised, and, with `check_rows`, the whole load run in a transaction that is
rolled back, so its counts, rejects and first stored rows are exactly the load's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpis.definitions import MappingProfile
from kpis.errors import IngestError
from kpis.ingest.lines import first_records
from kpis.ingest.load import load_text
from kpis.ingest.mapping import MissingColumns
from kpis.ingest.prepare import check_file, prepare, profile_of, settings_for, sniff_file
from kpis.ingest.read import stage_upload
from kpis.ingest.upload import IngestResult, Upload
from kpis.store import Store, quote

if TYPE_CHECKING:
    import pandas as pd

DISTINCT_ROWS = 1000  # rows read for the distinct values a mapping editor offers


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
    profile = profile_of(store, mapping)
    source = source or (profile.source if profile else None)
    settings = settings_for(store, source, profile)
    limits = store.definitions.limits
    try:
        check_file(path)
        staged = stage_upload(path, store.staging_dir, shown, settings.get("encoding"), limits)
    except IngestError as exc:
        return FilePreview(shown, (), pd.DataFrame(), None, exc)
    try:
        text = sniff_file(store, staged, shown, settings.get("delimiter"))
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
            upload = prepare(store, staged, shown, source, profile, values)
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
