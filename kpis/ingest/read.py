"""Turn whatever an analyst uploads into UTF-8 delimited text in the staging folder.

Exports arrive as UTF-8 (with or without BOM), Windows-1252 from older tools, UTF-16 from
Excel's "Unicode text", gzipped, or as .xlsx workbooks; and sometimes as something that is
not an export at all (an image, a zip, a PDF). This stage recognises which, refuses what
is not text with a sentence saying what the file really is, and stages everything else as
UTF-8 so the rest of the pipeline (and DuckDB) reads one kind of file. It reads the file
once, streaming, and computes its SHA-256 on the way.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kpis.errors import IngestError

CHUNK = 1 << 20
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
]


@dataclass(frozen=True)
class Staged:
    """The upload as UTF-8 text DuckDB may read, and what it was to begin with."""

    path: Path
    digest: str  # SHA-256 of the file as uploaded: the identical file is recognised
    encoding: str  # as uploaded: utf-8, utf-8 with BOM, windows-1252, utf-16...
    kind: str  # csv, csv.gz or xlsx
    sheet: str | None = None
    sheet_rows: tuple[int, ...] | None = None  # workbook row of each record (xlsx only)

    def describe(self) -> str:
        origin = f"sheet {self.sheet!r} of a workbook" if self.sheet else self.encoding
        return origin + (" (gzipped)" if self.kind == "csv.gz" else "")


def stage_upload(path: Path, staging: Path, shown: str, encoding: str | None = None) -> Staged:
    """Stage `path` as UTF-8 text; IngestError (nothing staged) when it cannot be read."""
    with path.open("rb") as handle:
        head = handle.read(8)
    name = path.name.lower()
    workbook_bytes = head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    if (name.endswith(EXCEL_SUFFIXES) and workbook_bytes) or (
        head.startswith(b"PK\x03\x04") and _is_workbook(path)
    ):
        return _stage_workbook(path, staging, shown)
    if head.startswith(b"\x1f\x8b"):
        raw = staging / f"{uuid.uuid4().hex}.raw"
        digest = _sha256(path)
        try:
            with gzip.open(path) as unzipped, raw.open("wb") as out:
                shutil.copyfileobj(unzipped, out, CHUNK)
        except (OSError, EOFError) as exc:
            raw.unlink(missing_ok=True)
            raise IngestError(
                f"{shown} is a damaged gzip file ({exc}); compress it again"
            ) from None
        try:
            staged = _stage_text(raw, staging, shown, encoding)
        finally:
            raw.unlink(missing_ok=True)
        return Staged(staged.path, digest.hexdigest(), staged.encoding, "csv.gz")  # type: ignore[attr-defined]
    sample = head + _peek(path, 512)
    stripped = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise IngestError(
            f"{shown} is a web page or XML, not a CSV export (often a login page saved instead "
            "of the export): download the export again"
        )
    if stripped[:1] in (b"{", b"["):
        raise IngestError(f"{shown} is JSON, not a CSV export: export the data as CSV")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            hint = (
                "unzip it first, or name a workbook .xlsx"
                if "ZIP" in what
                else "export the data as CSV"
            )
            raise IngestError(f"{shown} is {what}, not a CSV export: {hint}")
    return _stage_text(path, staging, shown, encoding)


def _peek(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(8)
        return handle.read(size)


def _sha256(path: Path) -> object:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest


def _is_workbook(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _stage_text(path: Path, staging: Path, shown: str, encoding: str | None) -> Staged:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
    if encoding is None:
        encoding = _bom_encoding(first) or _utf16_without_bom(first)
    if encoding is None:
        encoding = _scan_utf8(path, shown, digest)
        if encoding in ("utf-8", "utf-8-sig"):
            target = staging / f"{uuid.uuid4().hex}.csv"
            try:
                target.hardlink_to(path)
            except OSError:
                shutil.copyfile(path, target)
            label = "UTF-8 with BOM" if encoding == "utf-8-sig" else "UTF-8"
            return Staged(target, digest.hexdigest(), label, "csv")
    else:
        digest = _sha256(path)  # type: ignore[assignment]
    target = staging / f"{uuid.uuid4().hex}.csv"
    _transcode(path, target, encoding, shown)
    return Staged(target, digest.hexdigest(), _label(encoding), "csv")


def _bom_encoding(first: bytes) -> str | None:
    if first.startswith(codecs.BOM_UTF8):
        return None  # UTF-8 with BOM is read as it is; the scan below still checks it
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(first: bytes) -> str | None:
    """Excel sometimes writes UTF-16 without a BOM: every other byte of ASCII text is NUL."""
    sample = first[:4096]
    if len(sample) < 16:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.4 * len(sample) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(sample) / 2 and odd == 0:
        return "utf-16-be"
    return None


def _scan_utf8(path: Path, shown: str, digest: object) -> str:
    """Hash the file and decide its encoding from all of it: UTF-8, or Windows-1252.

    A file that is UTF-8 in places and something else in others was edited by two tools;
    reading it either way would corrupt some text, so it is refused.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, non_ascii, bom = 0, False, False
    invalid_at: int | None = None
    # Hashing runs beside the checks (hashlib lets go of the GIL): a large file is read once
    # and the two cost the time of the slower one. Lines are counted only to report one.
    with path.open("rb") as handle, ThreadPoolExecutor(1) as hasher:
        hashing = None
        while chunk := handle.read(CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(digest.update, chunk)  # type: ignore[attr-defined]
            if offset == 0:
                bom = chunk.startswith(codecs.BOM_UTF8)
            if b"\x00" in chunk:
                at = _line_at(path, offset + chunk.index(b"\x00"))
                raise IngestError(
                    f"{shown}: line {at}: the file contains NUL bytes, which no text export "
                    "has; it may be damaged or not a CSV: export it again"
                )
            # Plain ASCII is valid UTF-8 as it is, unless a character began in the last chunk.
            if invalid_at is None and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                    non_ascii = True
                except UnicodeDecodeError as exc:
                    invalid_at = offset + exc.start
                    non_ascii = non_ascii or not chunk[: exc.start].isascii()
            offset += len(chunk)
        if hashing is not None:
            hashing.result()
    if invalid_at is None:
        return "utf-8-sig" if bom else "utf-8"
    if non_ascii:
        at = _line_at(path, invalid_at)
        raise IngestError(
            f"{shown}: line {at}: the file mixes text encodings (UTF-8 before this "
            "line, something else here), so accented letters cannot all be read; save the "
            "whole file again as CSV UTF-8"
        )
    return "cp1252"


def _line_at(path: Path, position: int) -> int:
    """The line number of the byte at `position`: counted when a message needs it."""
    line, done = 1, 0
    with path.open("rb") as handle:
        while done < position and (chunk := handle.read(min(CHUNK, position - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def _label(encoding: str) -> str:
    return {
        "cp1252": "Windows-1252",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
    }.get(encoding, encoding)


def _transcode(path: Path, target: Path, encoding: str, shown: str) -> None:
    """Rewrite as UTF-8, streaming. Windows-1252 leaves five bytes undefined: as Latin-1."""
    errors = "strict"
    if encoding == "cp1252":
        codecs.register_error("kpis_latin1", _latin1_fallback)
        errors = "kpis_latin1"
    try:
        with (
            path.open("r", encoding=encoding, errors=errors, newline="") as source,
            target.open("w", encoding="utf-8", newline="") as out,
        ):
            while text := source.read(CHUNK):
                out.write(text)
    except (UnicodeDecodeError, LookupError) as exc:
        target.unlink(missing_ok=True)
        raise IngestError(f"{shown} cannot be read as {_label(encoding)} ({exc})") from None


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


def _cell(value: object) -> str:
    """A workbook cell as export text: ISO dates, whole numbers without '.0'."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    return str(value)


def _stage_workbook(path: Path, staging: Path, shown: str) -> Staged:
    """The first sheet with data, written as CSV; blank rows skipped, row numbers kept."""
    from python_calamine import CalamineWorkbook

    digest = _sha256(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [workbook.get_sheet_by_index(i) for i in range(len(workbook.sheet_names))]
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise IngestError(
            f"{shown} cannot be opened as a workbook ({exc}); save it again from Excel"
        ) from None
    sheet = next((s for s in sheets if s.height > 0), None)
    if sheet is None:
        raise IngestError(f"{shown} is empty: the workbook has no sheet with data")
    target = staging / f"{uuid.uuid4().hex}.csv"
    first_row = sheet.start[0] + 1 if sheet.start else 1
    rows: list[int] = []
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for offset, values in _rows(sheet):
            if all(v in ("", None) for v in values):
                continue
            writer.writerow([_cell(v) for v in values])
            rows.append(first_row + offset)
    return Staged(target, digest.hexdigest(), "UTF-8", "xlsx", sheet.name, tuple(rows[1:]))  # type: ignore[attr-defined]


def _rows(sheet: object) -> Iterator[tuple[int, list[object]]]:
    yield from enumerate(sheet.iter_rows())  # type: ignore[attr-defined]
