"""Turn whatever an analyst uploads into UTF-8 delimited text in the staging folder.

Exports arrive as UTF-8, Windows-1252 or UTF-16 text (text.py), gzipped, or as workbooks
(workbook.py); and sometimes as something that is not an export at all (an image, a zip, a
PDF). This stage recognises which, refuses what is not text with a sentence saying what the
file really is, and stages everything else as UTF-8 so the rest of the pipeline (and
DuckDB) reads one kind of file, computing its SHA-256 on the way.

Every reader here is bounded before it allocates (kpis.yaml `limits:`): a gzip file unpacks
to at most max_unpacked_mb, a text file has at most max_rows lines after its header, and a
workbook is read in a child process whose memory and time are capped.
"""

from __future__ import annotations

import gzip
import uuid
import zlib
from pathlib import Path

from kpis.definitions import Limits
from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import N_, _, translate
from kpis.ingest.staged import Staged
from kpis.ingest.text import CHUNK, sha256, stage_text
from kpis.ingest.workbook import stage_workbook
from kpis.ingest.workbook_scan import is_workbook_zip

__all__ = ["Staged", "stage_upload"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_MAGIC = [
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
    (b"GIF8", N_("a GIF image")),
    (b"%PDF", N_("a PDF document")),
    (b"\xd0\xcf\x11\xe0", N_("an old-style Excel (.xls) or Office file")),
    (b"PK\x03\x04", N_("a ZIP archive")),
    (b"7z\xbc\xaf", N_("a 7-Zip archive")),
    (b"Rar!", N_("a RAR archive")),
]


def stage_upload(
    path: Path,
    staging: Path,
    shown: str,
    encoding: str | None = None,
    limits: Limits | None = None,
) -> Staged:
    """Stage `path` as UTF-8 text; IngestError (nothing staged) when it cannot be read."""
    limits = limits or Limits()
    with path.open("rb") as handle:
        head = handle.read(8)
    name = path.name.lower()
    zipped = head.startswith(b"PK\x03\x04")
    if (name.endswith(EXCEL_SUFFIXES) and (zipped or head.startswith(b"\xd0\xcf\x11\xe0"))) or (
        zipped and is_workbook_zip(path)
    ):
        return stage_workbook(path, staging, shown, limits, zipped)
    if head.startswith(b"\x1f\x8b"):
        return _stage_gzip(path, staging, shown, encoding, limits)
    sample = head + _peek(path, 512)
    stripped = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise IngestError(
            _(
                "{file} is a web page or XML, not a CSV export (often a login page saved instead "
                "of the export): download the export again"
            ).format(file=shown)
        )
    if stripped[:1] in (b"{", b"["):
        raise IngestError(
            _("{file} is JSON, not a CSV export: export the data as CSV").format(file=shown)
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            hint = (
                _("unzip it first, or name a workbook .xlsx")
                if "ZIP" in what
                else _("export the data as CSV")
            )
            raise IngestError(
                _("{file} is {what}, not a CSV export: {hint}").format(
                    file=shown, what=translate(what), hint=hint
                )
            )
    return stage_text(path, staging, shown, encoding, limits.max_rows)


def _peek(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(8)
        return handle.read(size)


def _stage_gzip(
    path: Path, staging: Path, shown: str, encoding: str | None, limits: Limits
) -> Staged:
    """Unpack within limits.max_unpacked_mb, then stage the text as any other."""
    raw = staging / f"{uuid.uuid4().hex}.raw"
    digest = sha256(path)
    try:
        _gunzip(path, raw, shown, limits)
        staged = stage_text(raw, staging, shown, encoding, limits.max_rows)
    finally:
        raw.unlink(missing_ok=True)
    return Staged(staged.path, digest.hexdigest(), staged.encoding, "csv.gz")


def _gunzip(path: Path, raw: Path, shown: str, limits: Limits) -> None:
    """Unpack, counting the bytes that really come out: a bomb stops at the budget.

    The size a gzip file declares (its last four bytes) is the size modulo 4 GB and may lie;
    only the bytes unpacked count. Memory stays at one chunk.
    """
    budget, written = limits.max_unpacked_bytes, 0
    try:
        with gzip.open(path) as unzipped, raw.open("wb") as out:
            while chunk := unzipped.read(CHUNK):
                written += len(chunk)
                if written > budget:
                    raise IngestError(
                        _(
                            "{file} unpacks to more than {size} MB (limits: max_unpacked_mb in "
                            "kpis.yaml); split the export into smaller files, or raise the limit"
                        ).format(file=shown, size=number(limits.max_unpacked_mb, 0))
                    )
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(
            _("{file} is a damaged gzip file ({reason}); compress it again").format(
                file=shown, reason=exc
            )
        ) from None
