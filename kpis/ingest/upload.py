"""What an upload is before it is loaded (`Upload`) and what it did (`IngestResult`).

The stages before loading (read, sniff, map, decide formats) each add to an `Upload`; the
load runs from it alone, inside one transaction, and reports an `IngestResult` that the CLI
and the Upload page show in the same words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kpis.errors import Problem
from kpis.formatting import number
from kpis.i18n import _, language, ngettext
from kpis.ingest.formats import FileFormat
from kpis.ingest.parse import Plan
from kpis.ingest.read import Staged
from kpis.ingest.sniff import TextFormat

Progress = Callable[[float, str], None]  # (fraction done, what is happening now)


@dataclass(frozen=True)
class Upload:
    """A file ready to load: where it is staged, how it is written, what goes where."""

    shown: str
    staged: Staged
    text: TextFormat
    source: str
    plan: Plan
    values: FileFormat
    dropped: tuple[str, ...]
    through: dt.date | None = None  # the last day the export covers, when an analyst says so
    by: str | None = None  # who loads it: an e-mail (kpis.access.recorded), None from the CLI
    # Values for the whole file (--set, the profile's file_name): part of what was loaded.
    file_values: tuple[tuple[str, str], ...] = ()

    def digest(self) -> str:
        """What recognises the same upload again: the file's bytes and its per-file values.

        The same stock table loaded for another snapshot date is another upload.
        """
        if not self.file_values:
            return self.staged.digest
        given = json.dumps(sorted(self.file_values))
        return hashlib.sha256(f"{self.staged.digest}\n{given}".encode()).hexdigest()

    def describe(self) -> str:
        parts = (self.staged.describe(), self.text.describe(), self.values.describe())
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class IngestResult:
    """What an upload did. `status` is "loaded", or "unchanged" for a file loaded before."""

    file: str
    source: str
    status: str
    batch_id: int | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    dropped_columns: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    format: str = ""
    previous_upload: str | None = None
    notes: tuple[str, ...] = ()  # how ambiguous values were read, in words
    reasons: tuple[tuple[str, int], ...] = ()  # every kind of rejection, with its row count
    warnings: tuple[str, ...] = ()  # rejected rows a KPI would have counted (ingest/bias.py)

    def summary(self) -> str:
        """One line for people: what happened to the file."""
        if self.status == "unchanged":
            when = self.previous_upload or ""
            found = re.fullmatch(r"on (\S+ \S+) \(batch (\d+)\)", when)
            if found:  # previous_upload is data ("on 2026-11-16 09:12 (batch 3)"): say it
                when = _("on {time} (batch {batch})").format(time=found[1], batch=found[2])
            return _("{file}: identical to the file loaded {when}; nothing changed").format(
                file=self.file, when=when
            )
        text = ngettext(
            "{file} -> {source} (batch {batch}): {loaded} row loaded ({new} new, {updated} "
            "updated, {unchanged} unchanged), {rejected} rejected",
            "{file} -> {source} (batch {batch}): {loaded} rows loaded ({new} new, {updated} "
            "updated, {unchanged} unchanged), {rejected} rejected",
            self.rows_loaded,
        ).format(
            file=self.file,
            source=self.source,
            batch=self.batch_id,
            loaded=_count(self.rows_loaded),
            new=_count(self.rows_inserted),
            updated=_count(self.rows_updated),
            unchanged=_count(self.rows_unchanged),
            rejected=_count(self.rows_rejected),
        )
        if self.dropped_columns:
            text += _("; not stored: {columns}").format(columns=", ".join(self.dropped_columns))
        return text


def _count(value: int) -> str:
    # The English line has always written 20000, not 20,000 (scripts read it): keep it so.
    return str(value) if language() == "en" else number(value, 0)
