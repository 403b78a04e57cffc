"""What the read stage hands on: an upload as UTF-8 text in the staging folder (`Staged`).

Its own module so that each way of staging a file (read.py for text and gzip, workbook.py
for workbooks) can build one without importing the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Staged:
    """The upload as UTF-8 text DuckDB may read, and what it was to begin with."""

    path: Path
    digest: str  # SHA-256 of the file as uploaded: the identical file is recognised
    encoding: str  # as uploaded: utf-8, utf-8 with BOM, windows-1252, utf-16...
    kind: str  # csv, csv.gz or xlsx
    sheet: str | None = None
    # The sheet row of each record (workbooks only): 4 bytes a row, not a tuple of ints.
    sheet_rows: Sequence[int] | None = None

    def describe(self) -> str:
        origin = f"sheet {self.sheet!r} of a workbook" if self.sheet else self.encoding
        return origin + (" (gzipped)" if self.kind == "csv.gz" else "")
