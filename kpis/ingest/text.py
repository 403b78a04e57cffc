"""Stage a text export as UTF-8 with one kind of line end, counting its lines on the way.

Exports arrive as UTF-8 (with or without BOM), Windows-1252 from older tools or UTF-16
from Excel's "Unicode text". The file is read once, streaming: its SHA-256, its encoding,
its lines (a file over limits.max_rows is refused before DuckDB reads any of it) and its
line ends. DuckDB's reader stops with "state machine reached an invalid state" on a file
mixing LF, CRLF and CR, so such a file (and a CR-only one) is staged as a copy with every
line end an LF: one line end for one, so line numbers stay those an editor shows. A plain
UTF-8 file is staged as a hard link, without copying.
"""

from __future__ import annotations

import codecs
import hashlib
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import _
from kpis.ingest.staged import Staged

CHUNK = 1 << 20


class LineEnds:
    """Counts LF, CR and CRLF line ends as chunks of a file go by."""

    def __init__(self) -> None:
        self.lf = self.cr = self.crlf = 0
        self._after_cr = False  # the last chunk ended with CR: a CRLF may straddle chunks
        self.open_last_line = False  # the file does not end with a line end

    def feed(self, chunk: bytes) -> None:
        self.lf += chunk.count(b"\n")
        if b"\r" in chunk:
            self.cr += chunk.count(b"\r")
            self.crlf += chunk.count(b"\r\n")
        if self._after_cr and chunk.startswith(b"\n"):
            self.crlf += 1
        self._after_cr = chunk.endswith(b"\r")
        self.open_last_line = not chunk.endswith((b"\n", b"\r"))

    @property
    def lines(self) -> int:
        """Line ends so far, a CRLF counting once, as an editor counts them."""
        return self.lf + self.cr - self.crlf

    @property
    def mixed(self) -> bool:
        """Whether DuckDB's reader needs them made one kind: mixed kinds, or CR alone."""
        kinds = (self.lf > self.crlf) + (self.crlf > 0) + (self.cr > self.crlf)
        return kinds > 1 or self.cr > self.crlf

    def check_rows(self, shown: str, max_rows: int, done: bool = False) -> None:
        """Refuse a file with more lines after its header than max_rows (rows <= lines)."""
        lines = self.lines + (done and self.open_last_line)
        if lines - 1 > max_rows:
            raise IngestError(too_many_rows(shown, max_rows))


def too_many_rows(shown: str, max_rows: int) -> str:
    return _(
        "{file} has more lines than the {limit} rows allowed (limits: max_rows in kpis.yaml); "
        "split the export into smaller files, or raise the limit"
    ).format(file=shown, limit=number(max_rows, 0))


def stage_text(
    path: Path, staging: Path, shown: str, encoding: str | None, max_rows: int
) -> Staged:
    """Stage a text file as UTF-8 with LF or CRLF line ends; IngestError when it cannot be."""
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
    if encoding is None:
        encoding = _bom_encoding(first) or _utf16_without_bom(first)
    target = staging / f"{uuid.uuid4().hex}.csv"
    if encoding is None:
        digest = hashlib.sha256()
        encoding, ends = _scan_utf8(path, shown, digest, max_rows)
        if encoding in ("utf-8", "utf-8-sig"):
            label = "UTF-8 with BOM" if encoding == "utf-8-sig" else "UTF-8"
            if ends.mixed:
                _transcode(path, target, "utf-8", shown, max_rows)
                return Staged(target, digest.hexdigest(), label, "csv")
            try:
                target.hardlink_to(path)
            except OSError:
                shutil.copyfile(path, target)
            return Staged(target, digest.hexdigest(), label, "csv")
    else:
        digest = sha256(path)
    _transcode(path, target, encoding, shown, max_rows)
    return Staged(target, digest.hexdigest(), _label(encoding), "csv")


def sha256(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest


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


def _scan_utf8(
    path: Path, shown: str, digest: hashlib._Hash, max_rows: int
) -> tuple[str, LineEnds]:
    """Hash the file, count its lines and decide its encoding: UTF-8, or Windows-1252.

    A file that is UTF-8 in places and something else in others was edited by two tools;
    reading it either way would corrupt some text, so it is refused.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, non_ascii, bom = 0, False, False
    invalid_at: int | None = None
    ends = LineEnds()
    # Hashing runs beside the checks (hashlib lets go of the GIL): a large file is read once
    # and the two cost the time of the slower one.
    with path.open("rb") as handle, ThreadPoolExecutor(1) as hasher:
        hashing = None
        while chunk := handle.read(CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(digest.update, chunk)
            if offset == 0:
                bom = chunk.startswith(codecs.BOM_UTF8)
            if b"\x00" in chunk:
                at = _line_at(path, offset + chunk.index(b"\x00"))
                raise IngestError(
                    _(
                        "{file}: line {line}: the file contains NUL bytes, which no text export "
                        "has; it may be damaged or not a CSV: export it again"
                    ).format(file=shown, line=at)
                )
            ends.feed(chunk)
            ends.check_rows(shown, max_rows)  # before reading gigabytes more of it
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
    ends.check_rows(shown, max_rows, done=True)
    if invalid_at is None:
        return ("utf-8-sig" if bom else "utf-8"), ends
    if non_ascii:
        at = _line_at(path, invalid_at)
        raise IngestError(
            _(
                "{file}: line {line}: the file mixes text encodings (UTF-8 before this line, "
                "something else here), so accented letters cannot all be read; save the whole "
                "file again as CSV UTF-8"
            ).format(file=shown, line=at)
        )
    return "cp1252", ends


def _line_at(path: Path, position: int) -> int:
    """The line number of the byte at `position`: counted when a message needs it."""
    ends, done = LineEnds(), 0
    with path.open("rb") as handle:
        while done < position and (chunk := handle.read(min(CHUNK, position - done))):
            ends.feed(chunk)
            done += len(chunk)
    return ends.lines + 1


def _label(encoding: str) -> str:
    return {
        "cp1252": "Windows-1252",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16",
        "utf-16-be": "UTF-16",
    }.get(encoding, encoding)


def _transcode(path: Path, target: Path, encoding: str, shown: str, max_rows: int) -> None:
    """Rewrite as UTF-8 with LF line ends, streaming; Windows-1252's five holes as Latin-1.

    Reading with universal newlines turns each CRLF, CR or LF into one LF, so a line stays
    a line; counting LFs counts the lines.
    """
    errors = "strict"
    if encoding == "cp1252":
        codecs.register_error("kpis_latin1", _latin1_fallback)
        errors = "kpis_latin1"
    lines, last = 0, ""
    try:
        with (
            path.open("r", encoding=encoding, errors=errors, newline=None) as source,
            target.open("w", encoding="utf-8", newline="") as out,
        ):
            while text := source.read(CHUNK):
                lines += text.count("\n")
                if lines - 1 > max_rows:
                    raise IngestError(too_many_rows(shown, max_rows))
                out.write(text)
                last = text[-1]
        if lines + (last not in ("", "\n")) - 1 > max_rows:
            raise IngestError(too_many_rows(shown, max_rows))
    except (UnicodeDecodeError, LookupError) as exc:
        target.unlink(missing_ok=True)
        raise IngestError(
            _("{file} cannot be read as {encoding} ({reason})").format(
                file=shown, encoding=_label(encoding), reason=exc
            )
        ) from None
    except IngestError:
        target.unlink(missing_ok=True)
        raise


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end
