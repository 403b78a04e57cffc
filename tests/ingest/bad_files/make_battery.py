"""Write the battery of malformed exports in this folder (run: python -m tests.ingest.bad_files.make_battery).

The files are committed; this script says how each was made, so a new case is one more
function. manifest.yaml says what the product must answer for each.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).parent
LEADS = "lead_id,created_at,channel,converted\n"
TICKETS = "ticket_id,created_at,resolved_at,csat_score,channel,team\n"
ORDERS = "order_id,ordered_at,promised_date,delivered_at,qty_ordered,qty_delivered,warehouse\n"
SHIPMENTS = "shipment_id,shipped_at,units,shipping_cost,cogs,warehouse,carrier\n"
# A 1x1 PNG: a screenshot saved under the export's name.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000200010be6b3b10000000049454e44ae426082"
)


def leads(count: int, start: int = 1) -> str:
    """Good lead rows, so that one bad row stays under the 5 % rejection threshold."""
    return "".join(f"L{i},2026-01-05 09:00,web,true\n" for i in range(start, start + count))


def tickets(count: int) -> str:
    return "".join(
        f"T{i},2026-01-05 09:00,2026-01-05 11:00,4,chat,tech\n" for i in range(1, count + 1)
    )


def files() -> dict[str, bytes | str]:
    found: dict[str, bytes | str] = {
        "empty.csv": b"",
        "blank_lines.csv": "\n\n   \n\r\n\t\n",
        "bom_only.csv": b"\xef\xbb\xbf",
        "header_only.csv": LEADS,
        "header_blank_names.csv": ",,,\n1,2,3,4\n",
        "random_binary.csv": bytes(range(256)) * 8,
        "screenshot.csv": PNG,
        "report.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "data.csv": '[{"lead_id": "L1", "created_at": "2026-01-05", "channel": "web"}]\n',
        "login_page.csv": "<!DOCTYPE html>\n<html><body><form>Session expired, please log in</form></body></html>\n",
        "old_excel.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "nul_bytes.csv": (LEADS + leads(3)).encode() + b"L9,2026-01-05\x00,web,true\n",
        "mixed_encodings.csv": (LEADS + "L1,2026-01-05,télé,true\n").encode()
        + "L2,2026-01-05,télé,true\n".encode("cp1252"),
        "shipments_as_leads.csv": SHIPMENTS + "S1,2026-01-05 10:00,3,5.00,30.00,Lyon,DHL\n",
        "unknown_header.csv": "foo,bar,baz\n1,2,3\n",
        "missing_column.csv": "lead_id,created_at,channel\nL1,2026-01-05,web\n",
        "duplicate_columns.csv": "lead_id,created_at,Created At,channel,converted\nL1,2026-01-05,2026-01-06,web,1\n",
        "unterminated_quote.csv": LEADS + leads(40) + 'L99,2026-01-05,"web,true\n' + leads(5, 100),
        "too_many_fields.csv": LEADS + leads(40) + "L99,2026-01-05,web,true,extra\n",
        "too_few_fields.csv": LEADS + leads(40) + "L99,2026-01-05,web\n",
        "wrong_delimiter.csv": LEADS + "".join(f"L{i};2026-01-05;web;true\n" for i in range(10)),
        "footer_total.csv": LEADS + leads(40) + "Total: 40 leads\n",
        "unparseable_dates.csv": LEADS
        + "".join(f"L{i},le {i} janvier,web,true\n" for i in range(10)),
        "one_bad_date.csv": LEADS + leads(40) + "L99,2026-02-30,web,true\n",
        "bad_boolean.csv": LEADS + leads(40) + "L99,2026-01-05,web,maybe\n",
        "text_in_numbers.csv": SHIPMENTS
        + "".join(f"S{i},2026-01-05 10:00,3,5.00,30.00,Lyon,DHL\n" for i in range(40))
        + "S99,2026-01-05 10:00,twelve,5.00,30.00,Lyon,DHL\n",
        "csat_out_of_range.csv": TICKETS
        + tickets(40)
        + "T99,2026-01-05 09:00,2026-01-05 11:00,9,chat,tech\n",
        "negative_quantity.csv": ORDERS
        + "".join(
            f"O{i},2026-01-05 09:00,2026-01-08,2026-01-07 10:00,2,2,Lyon\n" for i in range(40)
        )
        + "O99,2026-01-05 09:00,2026-01-08,,-3,,Lyon\n",
        "resolved_before_created.csv": TICKETS
        + tickets(40)
        + "T99,2026-01-05 09:00,2026-01-04 11:00,4,chat,tech\n",
        "duplicate_keys.csv": LEADS + leads(40) + "L7,2026-01-06 09:00,partner,false\n",
        "empty_required_value.csv": LEADS + leads(40) + "L99,,web,true\n",
        "formula_cells.csv": LEADS
        + leads(40)
        + 'L99,2026-01-05,"=HYPERLINK(""http://x.example"",""click"")",true\n',
        "impossible_timestamp.csv": LEADS + leads(40) + "L99,2026-01-05T25:61:00+01:00,web,true\n",
        "multiline_then_bad.csv": TICKETS
        + tickets(40)
        + 'T98,2026-01-05 09:00,2026-01-05 11:00,4,"chat\nand phone",tech\n'
        + "T99,someday,2026-01-05 11:00,4,chat,tech\n",
        "csv_named_xlsx.xlsx": LEADS + leads(3),
        "damaged_workbook.xlsx": b"PK\x03\x04" + b"\x00" * 100,
    }
    # Values that look like data but are not (tests/ingest/test_hostile_values.py has more).
    found["impossible_dates.csv"] = (
        LEADS + leads(60) + "L91,0001-01-01,web,true\nL92,infinity,web,true\nL93,epoch,web,true\n"
    )
    found["clock_gap.csv"] = LEADS + leads(40) + "L99,2026-03-29 02:30,web,true\n"
    found["clock_repeat.csv"] = LEADS + leads(40) + "L99,2026-10-25 02:30,web,true\n"
    found["formula_injection.csv"] = (
        LEADS + leads(40) + "L99,2026-01-05,\"-2+3+cmd|' /C calc'!A0\",true\n"
    )
    found["look_alike_keys.csv"] = LEADS + leads(40) + "\u200bL7,2026-01-06 09:00,web,false\n"
    found["semicolon_thousands.csv"] = (
        SHIPMENTS.replace(",", ";") + "S1;2026-01-05 10:00;3;1.234;30;Lyon;DHL\n"
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("leads.csv", LEADS + leads(3))
    found["zipped_export.csv"] = archive.getvalue()
    field = "lorem ipsum dolor sit amet " * 200_000  # over 5 MB in one field
    found["huge_field.csv.gz"] = gzip.compress(
        (LEADS.replace("\n", ",notes\n") + f'L1,2026-01-05,web,true,"{field}"\n').encode(), mtime=0
    )
    return found


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def inline(ref: str, value: str) -> str:
    """An .xlsx cell holding text, as Excel's own writers put it."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_rows() -> str:
    """A leads header and one good row, as sheet XML."""
    names = ("lead_id", "created_at", "channel", "converted")
    values = ("L1", "2026-01-05", "web", "true")
    return "".join(
        f'<row r="{row}">'
        + "".join(inline(f"{c}{row}", v) for c, v in zip("ABCD", texts, strict=True))
        + "</row>"
        for row, texts in ((1, names), (2, values))
    )


def xlsx(sheet_data: str, shared: str | None = None, worksheet: str | None = None) -> bytes:
    """A minimal .xlsx (one sheet, written byte for byte here): hostile parts can be anything.

    `worksheet` replaces the whole sheet part; `shared` adds a shared-strings part.
    """
    overrides = [("/xl/workbook.xml", "sheet.main"), ("/xl/worksheets/sheet1.xml", "worksheet")]
    relations = [("worksheet", "worksheets/sheet1.xml")]
    if shared is not None:
        overrides.append(("/xl/sharedStrings.xml", "sharedStrings"))
        relations.append(("sharedStrings", "sharedStrings.xml"))
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PACKAGE}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(
            f'<Override PartName="{n}" ContentType="{_SHEET_TYPE}.{t}+xml"/>' for n, t in overrides
        )
        + "</Types>"
    )
    parts = {
        "[Content_Types].xml": types,
        "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/{t}" Target="{n}"/>'
            for i, (t, n) in enumerate(relations, 1)
        )
        + "</Relationships>",
        "xl/worksheets/sheet1.xml": worksheet
        or f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return _zip(parts)


def ods(table: str) -> bytes:
    """A minimal OpenDocument spreadsheet whose one table holds `table` (rows as XML)."""
    office = "urn:oasis:names:tc:opendocument:xmlns"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}:office:1.0" '
        f'xmlns:table="{office}:table:1.0" xmlns:text="{office}:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Export">{table}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        f'<manifest:manifest xmlns:manifest="{office}:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
        }
    )


def ods_row(*values: str, repeated: int = 1) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values
    )
    repeat = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{repeat}>{cells}</table:table-row>"


def _zip(parts: dict[str, str | bytes]) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            zipped.writestr(
                zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=method
            )
    return archive.getvalue()


def gzip_of_lines(first: bytes, line: bytes, count: int) -> bytes:
    """A gzip file of `first` then `line` repeated `count` times, compressed as it is built."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    per_block = max(1, (1 << 20) // len(line))  # about 1 MB at a time
    block = line * per_block
    parts = [packer.compress(first)]
    for _ in range(count // per_block):
        parts.append(packer.compress(block))
    parts.append(packer.compress(line * (count % per_block)))
    return b"".join(parts) + packer.flush()


def bounded_reader_files() -> dict[str, bytes | str]:
    """Files that made a reader allocate without bound, or DuckDB stop mid-way."""
    mixed = LEADS.replace("\n", "\r\n") + "".join(
        f"L{i},2026-01-05 09:00,web,true" + ("\n", "\r\n", "\r")[i % 3] for i in range(1, 41)
    )
    billion_laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{_MAIN}"><sheetData>{header_rows()}</sheetData></worksheet>'
    )
    return {
        # One cell at the last position Excel has: the reader allocated 512 GB and aborted.
        "xfd_cell.xlsx": xlsx(
            header_rows() + f'<row r="1048576">{inline("XFD1048576", "x")}</row>'
        ),
        # One cell repeated across every column of a thousand rows, in a few hundred bytes.
        "repeated_cells.ods": ods(
            ods_row("lead_id", "created_at", "channel", "converted")
            + '<table:table-row table:number-rows-repeated="1000"><table:table-cell '
            'table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
            "</table:table-cell></table:table-row>"
        ),
        # A shared-strings part announcing 10^11 texts: the reader reserved them up front.
        "shared_strings_claim.xlsx": xlsx(
            header_rows(),
            shared=f'<sst xmlns="{_MAIN}" count="1" uniqueCount="100000000000"><si><t>x</t></si></sst>',
        ),
        "entity_workbook.xlsx": xlsx("", worksheet=billion_laughs),
        # 20 million rows in 160 KB: refused while it is scanned, before DuckDB reads it.
        "rows_bomb.csv.gz": gzip_of_lines(LEADS.encode(), b"1,2,3,4\n", 20_000_001),
        "wide_header.csv": ",".join(f"c{i}" for i in range(1_001))
        + "\n"
        + ",".join("1" * 1_001)
        + "\n",
        # LF, CRLF and CR in one file: DuckDB stopped with "state machine ... invalid state".
        "mixed_line_ends.csv": mixed + "L99,2026-02-30,web,true\n" + leads(3, 100),
        "cr_line_ends.csv": (
            LEADS + leads(40) + "L99,2026-02-30,web,true\n" + leads(3, 100)
        ).replace("\n", "\r"),
        # Line breaks inside cells come out of the workbook reader as CR: DuckDB stopped too.
        "line_breaks_in_cells.xlsx": xlsx(
            header_rows()
            + '<row r="3">'
            + "".join(
                inline(f"{c}3", v)
                for c, v in zip(
                    "ABCD", ("L2", "2026-01-05", "web&#13;&#10;and\rphone", "true"), strict=True
                )
            )
            + "</row>"
        ),
    }


def main() -> None:
    for name, content in {**files(), **bounded_reader_files()}.items():
        data = content.encode() if isinstance(content, str) else content
        (HERE / name).write_bytes(data)
    import openpyxl  # a test dependency: only this script needs it

    book = openpyxl.Workbook()
    book.active.title = "Export"
    book.save(HERE / "empty_workbook.xlsx")


if __name__ == "__main__":
    main()
