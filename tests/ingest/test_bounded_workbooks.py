"""Hostile workbooks: refused with a sentence before the reader allocates, never a crash.

Each case is a small file that made (or could make) python-calamine allocate without bound,
or that only the child process's own limits can stop. Every one goes through the engine
(ingest_file and preview_file on a real Store holding data) and through the installed CLI.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from kpis import ingest_file
from tests.ingest.bad_files.make_battery import _MAIN, header_rows, inline, ods, ods_row, xlsx
from tests.ingest.bounded import assert_cli_refuses, assert_refused, config_with, limited_store

LEADS = ("lead_id", "created_at", "channel", "converted")


def _openpyxl_xfd() -> bytes:
    """The reported file: openpyxl, a header, a row, and one cell at XFD1048576."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(LEADS))
    sheet.append(["L1", "2026-01-05", "web", "true"])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(cells: str) -> bytes:
    """A header, a good row, then `cells` as sheet XML (rows included)."""
    return xlsx(header_rows() + cells)


def _rows(count: int, first: int = 3) -> str:
    return "".join(
        f'<row r="{r}">'
        + "".join(
            inline(f"{c}{r}", v)
            for c, v in zip("ABCD", (f"L{r}", "2026-01-05", "web", "1"), strict=True)
        )
        + "</row>"
        for r in range(first, first + count)
    )


def _patched(data: bytes, member: str, change: Callable[[bytearray, int, int], None]) -> bytes:
    """`data` with the local and central headers of `member` changed by `change`."""
    out = bytearray(data)
    name = member.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (found := out.find(signature, start)) >= 0:
            name_at = found + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(name)] == name:
                change(out, found, size_at)
            start = found + 4
    return bytes(out)


def _declares_less(out: bytearray, header: int, size_at: int) -> None:
    out[header + size_at : header + size_at + 4] = struct.pack("<I", 10)


def _encrypted(out: bytearray, header: int, size_at: int) -> None:
    flags_at = header + (6 if out[header + 2] == 3 else 8)
    out[flags_at] |= 1


def _many_members(count: int) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        with zipfile.ZipFile(io.BytesIO(xlsx(header_rows()))) as base:
            for info in base.infolist():
                zipped.writestr(info, base.read(info))
        for index in range(count):
            zipped.writestr(f"xl/media/pad{index}.xml", b"")
    return archive.getvalue()


def _shared_string_flood(rows: int) -> bytes:
    """Every row repeats one 1 MB shared string: a few KB of XML, a CSV of `rows` MB."""
    shared = f'<sst xmlns="{_MAIN}" count="{rows}" uniqueCount="1"><si><t>{"x" * 1_000_000}</t></si></sst>'
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c>{inline(f"B{r}", "2026-01-05")}{inline(f"C{r}", "web")}{inline(f"D{r}", "1")}</row>'
        for r in range(3, 3 + rows)
    )
    return xlsx(header_rows() + body, shared=shared)


def _ods_table(rows: str) -> bytes:
    return ods(ods_row(*LEADS) + ods_row("L1", "2026-01-05", "web", "true") + rows)


def _rewritten(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip `data` with one member's content changed."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped, zipfile.ZipFile(io.BytesIO(data)) as base:
        for info in base.infolist():
            content = base.read(info)
            zipped.writestr(info, change(content) if info.filename == member else content)
    return archive.getvalue()


def _prefixed() -> bytes:
    """The header and a far cell, every tag with a namespace prefix (x:row, x:c)."""
    body = header_rows() + f'<row r="3">{inline("XFD3", "x")}</row>'
    for tag in ("row", "c", "is", "t"):
        body = body.replace(f"<{tag} ", f"<x:{tag} ").replace(f"<{tag}>", f"<x:{tag}>")
        body = body.replace(f"</{tag}>", f"</x:{tag}>")
    root = f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData>{body}</x:sheetData></x:worksheet>'
    return xlsx("", worksheet=f'<?xml version="1.0"?>{root}')


DOCTYPE = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
SHEET = "xl/worksheets/sheet1.xml"
SPAN = "a sheet's cells span at least"
# id, file name, contents, limits (kpis.yaml), fragments of the refusal
CASES: list[tuple[str, str, Callable[[], bytes], dict[str, int], tuple[str, ...]]] = [
    ("openpyxl-XFD1048576", "export.xlsx", _openpyxl_xfd, {}, ("export.xlsx: " + SPAN + " 1,048,576 rows by 16,384 columns (A1:XFD1048576)", "more than the 1,000 columns allowed (limits: max_columns in kpis.yaml)")),
    ("last-excel-row", "far_row.xlsx", lambda: _sheet(f'<row r="1048576">{inline("D1048576", "x")}</row>'), {"max_rows": 100_000}, (SPAN + " 1,048,576 rows by 4 columns (A1:D1048576)", "more than a header and the 100,000 rows allowed (limits: max_rows in kpis.yaml)")),
    ("row-beyond-excel", "row_4e9.xlsx", lambda: _sheet(f'<row r="4000000000">{inline("A4000000000", "x")}</row>'), {}, (SPAN + " 4,000,000,000 rows", "max_rows")),
    ("reference-of-20-digits", "digits.xlsx", lambda: _sheet(f'<row r="3">{inline("A99999999999999999999", "x")}</row>'), {}, (SPAN, "max_rows")),
    ("cells-over-max_cells", "cells.xlsx", lambda: _sheet(_rows(300)), {"max_cells": 1_000}, (SPAN + " 302 rows by 4 columns", "more than the 1,000 cells allowed (limits: max_cells")),
    ("cells-without-r-in-a-far-row", "implicit.xlsx", lambda: _sheet('<row r="5000"><c t="inlineStr"><is><t>x</t></is></c></row>'), {"max_rows": 1_000}, (SPAN + " 5,000 rows by 4 columns", "max_rows")),
    ("rows-without-r", "implicit_rows.xlsx", lambda: _sheet('<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1_500), {"max_rows": 1_000}, (SPAN + " 1,002 rows", "max_rows")),
    ("namespace-prefixed-cells", "prefixed.xlsx", _prefixed, {}, (SPAN + " 3 rows by 16,384 columns", "max_columns")),
    ("single-quoted-reference", "quotes.xlsx", lambda: _sheet("<row r='3'><c r='XFD3' t='inlineStr'><is><t>x</t></is></c></row>"), {}, (SPAN + " 3 rows by 16,384 columns", "max_columns")),
    ("greater-than-inside-a-value", "gt.xlsx", lambda: _sheet('<row r="3"><c x=">" r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'), {}, (SPAN + " 3 rows by 16,384 columns", "max_columns")),
    ("fake-self-closing", "slash.xlsx", lambda: _sheet('<row r="3"><c r="XFD3" x="/>" t="inlineStr"><is><t>x</t></is></c></row>'), {}, (SPAN + " 3 rows by 16,384 columns", "max_columns")),
    ("lower-case-reference", "lower.xlsx", lambda: _sheet(f'<row r="3">{inline("xfd3", "x")}</row>'), {}, (SPAN + " 3 rows by 16,384 columns", "max_columns")),
    ("two-r-attributes", "two_refs.xlsx", lambda: _sheet('<row r="3"><c r="A3" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'), {}, ("two_refs.xlsx cannot be opened as a workbook (a cell with two r attributes)", "save it again from Excel")),
    ("shared-strings-count", "strings.xlsx", lambda: xlsx(header_rows(), shared=f'<sst xmlns="{_MAIN}" uniqueCount="99999999999"><si><t>x</t></si></sst>'), {}, ("strings.xlsx declares 99,999,999,999 different texts, more than the 20,000,000 cells allowed (limits: max_cells",)),
    ("doctype-in-the-workbook-part", "doctype.xlsx", lambda: _rewritten(xlsx(header_rows()), "xl/workbook.xml", lambda xml: DOCTYPE + xml), {}, ("doctype.xlsx holds an XML document type declaration (xl/workbook.xml)", "save it again from Excel")),
    ("entity-in-the-sheet", "entity.xlsx", lambda: _rewritten(xlsx(header_rows()), SHEET, lambda xml: xml.replace(b"?>", b'?><!ENTITY x "y">', 1)), {}, ("entity.xlsx holds an XML document type declaration (xl/worksheets/sheet1.xml)",)),
    ("doctype-split-across-chunks", "split.xlsx", lambda: _rewritten(xlsx(header_rows()), SHEET, lambda xml: b" " * (1_048_576 - 3) + DOCTYPE + xml), {}, ("split.xlsx holds an XML document type declaration",)),
    ("sheet-unpacking-to-30-MB", "padded.xlsx", lambda: xlsx(header_rows() + " " * 30_000_000), {"max_unpacked_mb": 5}, ("padded.xlsx unpacks to more than 5 MB (limits: max_unpacked_mb in kpis.yaml)",)),
    ("size-declared-smaller", "declared.xlsx", lambda: _patched(xlsx(header_rows()), SHEET, _declares_less), {}, ("declared.xlsx cannot be opened as a workbook (xl/worksheets/sheet1.xml unpacks to another size than declared)",)),
    ("encrypted-member", "encrypted.xlsx", lambda: _patched(xlsx(header_rows()), SHEET, _encrypted), {}, ("encrypted.xlsx cannot be opened as a workbook (xl/worksheets/sheet1.xml is encrypted)",)),
    ("ten-thousand-members", "members.xlsx", lambda: _many_members(10_001), {}, ("members.xlsx is a zip of 10,006 parts, far more than any workbook has", "save it again from Excel")),
    ("one-shared-string-in-every-row", "flood.xlsx", lambda: _shared_string_flood(30), {"max_unpacked_mb": 5}, ("flood.xlsx holds more text than that: it unpacks to more than 5 MB (limits: max_unpacked_mb",)),
    ("ods-cell-repeated-over-columns", "columns.ods", lambda: _ods_table('<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>'), {}, (SPAN + " 3 rows by 16,384 columns (A1:XFD3)", "max_columns")),
    ("ods-row-repeated", "rows.ods", lambda: _ods_table(ods_row("L2", "2026-01-05", "web", "true", repeated=2_000_000)), {"max_cells": 1_000_000}, (SPAN + " 2,000,002 rows by 4 columns", "max_cells")),
    ("ods-empty-rows-then-a-value", "far.ods", lambda: _ods_table('<table:table-row table:number-rows-repeated="30000000"><table:table-cell/></table:table-row>' + ods_row("x")), {}, (SPAN + " 30,000,003 rows", "max_rows")),
    ("ods-empty-cells-then-a-value", "wide.ods", lambda: _ods_table('<table:table-row><table:table-cell table:number-columns-repeated="5000"/><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'), {}, (SPAN + " 3 rows by 5,001 columns", "max_columns")),
    ("ods-repeat-of-25-digits", "huge.ods", lambda: _ods_table(ods_row("x", repeated=10**24)), {}, (SPAN, "max_rows")),
    ("ods-doctype", "doctype.ods", lambda: _rewritten(ods(ods_row(*LEADS)), "content.xml", lambda xml: xml.replace(b"?>", b"?>" + DOCTYPE, 1)), {}, ("doctype.ods holds an XML document type declaration (content.xml)",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "build", "limits", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_hostile_workbook_is_refused_before_the_reader_allocates(
    tmp_path: Path,
    name: str,
    build: Callable[[], bytes],
    limits: dict[str, int],
    fragments: tuple[str, ...],
) -> None:
    path = tmp_path / "files" / name
    path.parent.mkdir()
    path.write_bytes(build())
    with limited_store(tmp_path, **limits) as store:
        message = assert_refused(store, path, *fragments)
    assert "\n" not in message


def test_the_cli_refuses_every_hostile_workbook_in_one_line_each(tmp_path: Path) -> None:
    groups: dict[tuple[tuple[str, int], ...], list[tuple[Path, tuple[str, ...]]]] = {}
    for index, (_id, name, build, limits, fragments) in enumerate(CASES):
        path = tmp_path / "files" / str(index) / name
        path.parent.mkdir(parents=True)
        path.write_bytes(build())
        groups.setdefault(tuple(sorted(limits.items())), []).append((path, fragments))
    for number, (limits, cases) in enumerate(groups.items()):
        folder = tmp_path / f"run{number}"
        assert_cli_refuses(folder, config_with(folder, **dict(limits)), cases)


def _slow_sheet() -> bytes:
    """Six million empty cells without references: seconds of reading, 25 KB of file."""
    return _sheet('<row r="3">' + "<c/>" * 6_000_000 + "</row>")


# What only the reader process's own limits stop (the pre-scan is told to let these by).
BACKSTOPS = [
    ("memory", "xfd.xlsx", lambda: _sheet(f'<row r="1048576">{inline("XFD1048576", "x")}</row>'), {"max_columns": 16_384, "max_cells": 10**12},
     "xfd.xlsx needs more memory than the workbook reader may use (2,048 MB, limits: workbook_memory_mb in kpis.yaml): it may claim far more cells than it holds; save it again as CSV"),
    ("time", "slow.xlsx", _slow_sheet, {"workbook_seconds": 1},
     "slow.xlsx takes longer to read than the workbook reader may take (1 s, limits: workbook_seconds in kpis.yaml); save it again as CSV"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "build", "limits", "message"),
    [c[1:] for c in BACKSTOPS],
    ids=[c[0] for c in BACKSTOPS],
)
def test_the_reader_process_is_stopped_not_the_server(
    tmp_path: Path, name: str, build: Callable[[], bytes], limits: dict[str, int], message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    with limited_store(tmp_path, **limits) as store:
        assert assert_refused(store, path) == message
        assert ingest_file(store, tmp_path / "base_leads.csv").status == "unchanged"  # still up


# Real exports that must still load: the bounds count what a reader allocates, no more.
FITTING = [
    ("styled-empty-cell-at-XFD1048576", "styled.xlsx", lambda: _sheet('<row r="1048576"><c r="XFD1048576" s="1"/></row>'), {}, 1),
    ("rows-exactly-at-max_rows", "rows.xlsx", lambda: _sheet(_rows(99)), {"max_rows": 100}, 100),
    ("cells-exactly-at-max_cells", "cells.xlsx", lambda: _sheet(_rows(248)), {"max_cells": 1_000}, 249),
    ("libreoffice-trailing-empty-repeats", "calc.ods", lambda: _ods_table('<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'), {}, 1),
    ("line-breaks-in-cells", "breaks.xlsx", lambda: _sheet(f'<row r="3">{inline("A3", "L3")}{inline("B3", "2026-01-05")}{inline("C3", "web&#13;&#10;phone&#13;mail")}{inline("D3", "1")}</row>'), {}, 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "build", "limits", "rows"), [c[1:] for c in FITTING], ids=[c[0] for c in FITTING]
)
def test_a_workbook_within_the_limits_loads(
    tmp_path: Path, name: str, build: Callable[[], bytes], limits: dict[str, int], rows: int
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    with limited_store(tmp_path, **limits) as store:
        result = ingest_file(store, path)
        assert (result.rows_read, result.rows_rejected) == (rows, 0), result.problems
        assert list(store.staging_dir.iterdir()) == []
