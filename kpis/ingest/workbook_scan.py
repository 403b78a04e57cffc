"""Check a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) before a spreadsheet reader opens it.

A reader sizes what it allocates from what the file claims: python-calamine allocates 32
bytes for every position of the rectangle a sheet's cells span, so a 1.6 KB workbook with
one cell at XFD1048576 asks for 512 GB and the process aborts; a shared-strings part that
declares a hundred billion strings does the same. This pass reads the workbook's parts with
the standard library, streaming, and refuses before any reader allocates: a zip with too
many members, parts that really unpack (whatever sizes they declare) to more than a budget,
any XML document type or entity declaration, and a sheet whose cells with values span more
rows, columns or cells than allowed.

It imports nothing from kpis: the workbook reader's child process (workbook_child.py) runs
it first, under that process's memory and time limits, so even a flaw here cannot take the
server down.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
MAX_MEMBERS = 10_000  # a workbook has tens of parts; a zip of millions is built to hurt
MAX_DIRECTORY = 4 << 20  # bytes of zip directory parsed into memory
_CARRY = 1 << 20  # the longest tag kept across chunks; cell and row tags are short
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\s[^>]*?\buniqueCount\s*=\s*[\"'](\d+)")
# Fast path: a valued cell written the plain way (double-quoted attributes, an r reference).
_ATTR = rb'(?:\s[\w:.-]+="[^"<>]*")'
_PLAIN = re.compile(rb"<c" + _ATTR + rb'*?\sr="([A-Z]{1,3})([0-9]{1,10})"' + _ATTR + rb"*+\s*(/?)>")
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s/>]")
# Full path: every row and cell tag, attributes with any quoting, as the reader sees them.
_QUOTED_ATTRS = rb"((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)>"
_XLSX_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])" + _QUOTED_ATTRS)
_ODS_TAG = re.compile(
    rb"<(/?)(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])" + _QUOTED_ATTRS
)
_LONG_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:c|row|sst|table-row|table-cell|covered-table-cell)\s")
_REF = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]*)([0-9]*)[\"']")
_HUGE = 1 << 40  # stands for a number too long to be a real position or count
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d+)")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d+)")
_ODS_VALUE = re.compile(rb"value-type|formula")


class Refused(Exception):
    """The workbook is refused: `kind` says why, `details` hold the numbers found."""

    def __init__(self, kind: str, **details: int | str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class Bounds:
    max_unpacked: int  # bytes all parts may unpack to
    max_rows: int
    max_columns: int
    max_cells: int


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip's directory, read only once its end record shows a workbook's size of it."""
    _check_directory(path)
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # a hostile directory can break zipfile in many ways
        raise Refused("damaged", reason=str(exc) or type(exc).__name__) from None
    if len(archive.infolist()) > MAX_MEMBERS:
        archive.close()
        raise Refused("members", members=len(archive.infolist()))
    return archive


def is_workbook_zip(path: Path) -> bool:
    """Whether a zip file (named anything) is an .xlsx or .ods workbook."""
    try:
        with open_zip(path) as archive:
            names = set(archive.namelist())
    except Refused:
        return False
    return "xl/workbook.xml" in names or {"mimetype", "content.xml"} <= names


def prescan(path: Path, bounds: Bounds) -> None:
    """Refuse (Refused) a zip-based workbook that would make a reader allocate beyond bounds."""
    with open_zip(path) as archive, path.open("rb") as raw:
        members = archive.infolist()
        names = {info.filename for info in members}
        ods = "content.xml" in names and "xl/workbook.xml" not in names
        spent = [0]
        for info in members:
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels", ".bin")):
                continue  # images and the like: no reader of values opens them
            if name.endswith(".bin"):  # .xlsb parts: only their size can be checked
                for _ in _inflate(raw, info, spent, bounds.max_unpacked):
                    pass
            elif ods:
                sheet = _OdsCells(bounds) if name == "content.xml" else None
                _scan_part(raw, info, spent, bounds, sheet)
            else:
                before = spent[0]
                try:
                    _scan_part(raw, info, spent, bounds, _XlsxCells(bounds, fast=True))
                except _Unusual:  # a cell written unusually: read the part again, tag by tag
                    spent[0] = before
                    _scan_part(raw, info, spent, bounds, _XlsxCells(bounds, fast=False))


def _check_directory(path: Path) -> None:
    """Refuse a zip whose end record announces more members or directory than a workbook's."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) - end < 22:
            return  # not a zip this code can size: zipfile reports it damaged
        members, directory = struct.unpack("<HI", tail[end + 10 : end + 16])
        locator = tail[end - 20 : end] if end >= 20 else b""
        if (members == 0xFFFF or directory == 0xFFFFFFFF) and locator[:4] == b"PK\x06\x07":
            handle.seek(struct.unpack("<Q", locator[8:16])[0])
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                members, directory = struct.unpack("<QQ", record[32:48])
    if members > MAX_MEMBERS or directory > MAX_DIRECTORY:
        raise Refused("members", members=members)


def _inflate(
    raw: BinaryIO, info: zipfile.ZipInfo, spent: list[int], budget: int
) -> Iterator[bytes]:
    """A member's bytes as they really unpack, counted against the budget as they come.

    The sizes a zip declares can lie, and a reader may trust the compressed stream rather
    than them: this unpacks the stream itself, to its end, and refuses a size mismatch.
    """
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise Refused("damaged", reason=f"no local header for {info.filename}")
    if info.flag_bits & 1:
        raise Refused("damaged", reason=f"{info.filename} is encrypted")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        left = info.compress_size
        while left > 0:
            data = raw.read(min(CHUNK, left))
            if not data:
                raise Refused("damaged", reason=f"{info.filename} is truncated")
            left -= len(data)
            produced += len(data)
            _spend(spent, len(data), budget)
            yield data
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater, pending = zlib.decompressobj(-15), b""
        while not inflater.eof:
            pending = pending or raw.read(CHUNK)
            if not pending:
                raise Refused("damaged", reason=f"{info.filename} is truncated")
            try:
                data = inflater.decompress(pending, CHUNK)
            except zlib.error as exc:
                raise Refused("damaged", reason=f"{info.filename}: {exc}") from None
            pending = inflater.unconsumed_tail
            produced += len(data)
            _spend(spent, len(data), budget)
            if data:
                yield data
    else:
        method = info.compress_type
        raise Refused("damaged", reason=f"{info.filename} uses compression method {method}")
    if produced != info.file_size:
        raise Refused("damaged", reason=f"{info.filename} unpacks to another size than declared")


def _spend(spent: list[int], size: int, budget: int) -> None:
    spent[0] += size
    if spent[0] > budget:
        raise Refused("unpacked", limit=budget)


class _Unusual(Exception):
    """A part the fast path cannot read exactly: scan it again tag by tag."""


class _Extent:
    """The rectangle cells with values span, refused once it exceeds the bounds."""

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.reset()

    def reset(self) -> None:
        self.top = self.left = 1 << 62
        self.bottom = self.right = -1

    def add(self, top: int, bottom: int, left: int, right: int) -> None:
        self.top, self.bottom = min(self.top, top), max(self.bottom, bottom)
        self.left, self.right = min(self.left, left), max(self.right, right)
        rows, columns = self.bottom - self.top + 1, self.right - self.left + 1
        b = self.bounds
        if rows > b.max_rows or columns > b.max_columns or rows * columns > b.max_cells:
            span = f"{_ref(self.top, self.left)}:{_ref(self.bottom, self.right)}"
            raise Refused("extent", rows=rows, columns=columns, span=span)


class _XlsxCells(_Extent):
    """Cell positions as python-calamine reads them: an r reference, or the row's next cell."""

    def __init__(self, bounds: Bounds, fast: bool) -> None:
        super().__init__(bounds)
        self.fast, self.row, self.column = fast, 0, 0

    def feed(self, body: bytes) -> None:
        found = _SST.search(body) if b"sst" in body else None  # a plain find first: faster
        if found and _number(found.group(1)) > self.bounds.max_cells:
            raise Refused("strings", strings=_number(found.group(1)))
        if self.fast:
            self._plain(body)
            return
        for closing, name, attributes in _XLSX_TAG.findall(body):
            ends = closing or attributes.endswith(b"/")
            if name == b"row":
                if not closing and (ref := _REF.search(attributes)) and ref.group(2):
                    self.row = _number(ref.group(2)) - 1
                if ends:
                    self.row, self.column = self.row + 1, 0
                continue
            if closing:
                continue
            row = self.row
            refs = _REF.findall(attributes)
            if len(refs) > 1:  # not well-formed XML; readers differ on which one counts
                raise Refused("damaged", reason="a cell with two r attributes")
            if refs:
                letters, digits = refs[0]
                self.column = _column(letters) if letters else self.column
                row = _number(digits) - 1 if digits else row
            if not ends:  # <c .../> holds no value: the reader skips it
                self.add(row, row, self.column, self.column)
            self.column += 1

    def _plain(self, body: bytes) -> None:
        # Plain finds first (memchr speed), the regular expressions only when they may match.
        if b":c" in body and _PREFIXED_CELL.search(body):
            raise _Unusual
        cells = body.count(b"<c ")
        if body.count(b"<c") != cells:  # <cols>, <cfRule>... or a cell written <c>, <c/>
            cells += sum(body.count(b"<c" + end) for end in (b">", b"/", b"\t", b"\n", b"\r"))
        if cells == 0:
            return
        found = _PLAIN.findall(body)
        # Every cell tag plain, and no second r attribute hiding in one (counted, cheaply).
        if len(found) != cells or body.count(b' r="') != cells + body.count(b'<row r="'):
            raise _Unusual
        digits = {number for _, number, slash in found if not slash}  # <c .../> holds nothing
        if digits:
            rows = [int(number) - 1 for number in digits]
            columns = [_column(name) for name in {name for name, _, slash in found if not slash}]
            self.add(min(rows), max(rows), min(columns), max(columns))


class _OdsCells(_Extent):
    """Cell positions in an OpenDocument sheet, where repeat counts stand for many cells."""

    def __init__(self, bounds: Bounds) -> None:
        super().__init__(bounds)
        self.row = self.column = 0
        self.repeat = 1

    def feed(self, body: bytes) -> None:
        for closing, name, attributes in _ODS_TAG.findall(body):
            empty = attributes.endswith(b"/")
            if name == b"table":
                # Each sheet is its own rectangle; the reader ends a sheet at the first end
                # tag and ignores a table opened inside it, so only an end tag starts afresh.
                if closing:
                    self.row = self.column = 0
                    self.reset()
            elif name == b"table-row":
                if not closing:
                    found = _ROWS_REPEATED.search(attributes)
                    self.repeat, self.column = _number(found.group(1)) if found else 1, 0
                if closing or empty:
                    self.row += self.repeat
                    self.repeat = 1
            elif not closing:
                found = _COLUMNS_REPEATED.search(attributes)
                count = _number(found.group(1)) if found else 1
                if not empty or _ODS_VALUE.search(attributes):
                    last_row = self.row + self.repeat - 1
                    self.add(self.row, last_row, self.column, self.column + count - 1)
                self.column += count


def _scan_part(
    raw: BinaryIO,
    info: zipfile.ZipInfo,
    spent: list[int],
    bounds: Bounds,
    cells: _XlsxCells | _OdsCells | None,
) -> None:
    """Stream one XML part: no document type, and its cells (if any) within bounds.

    Chunks are cut before their last '<', so every tag reaches the scanner whole.
    """
    carry = b""
    for data in _inflate(raw, info, spent, bounds.max_unpacked):
        buffer = carry + data
        if b"<!" in buffer and _DOCTYPE.search(buffer):
            raise Refused("doctype", part=info.filename)
        cut = buffer.rfind(b"<")
        if cut < 0:
            carry = b""
            continue
        body, carry = buffer[:cut], buffer[cut:]
        if len(carry) > _CARRY:
            if _LONG_TAG.match(carry):
                raise Refused("damaged", reason=f"a tag of {info.filename} never ends")
            carry = b""  # text after some other tag: it holds no tag the scan needs
        if cells is not None:
            cells.feed(body)
    if cells is not None and carry:
        cells.feed(carry)


def _number(digits: bytes) -> int:
    """A decimal number from the file; a longer one than any position stands for a huge one."""
    return int(digits) if len(digits) <= 12 else _HUGE


def _column(letters: bytes) -> int:
    """0-based column of A, B, ..., XFD; lower case as the reader accepts it."""
    if len(letters) > 6:
        return _HUGE
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number - 1


def _ref(row: int, column: int) -> str:
    letters, number = "", column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"
