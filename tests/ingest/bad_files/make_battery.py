"""Write the battery of malformed exports in this folder (run: python -m tests.ingest.bad_files.make_battery).

The files are committed; this script says how each was made, so a new case is one more
function. manifest.yaml says what the product must answer for each.
"""

from __future__ import annotations

import gzip
import io
import zipfile
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
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("leads.csv", LEADS + leads(3))
    found["zipped_export.csv"] = archive.getvalue()
    field = "lorem ipsum dolor sit amet " * 200_000  # over 5 MB in one field
    found["huge_field.csv.gz"] = gzip.compress(
        (LEADS.replace("\n", ",notes\n") + f'L1,2026-01-05,web,true,"{field}"\n').encode(), mtime=0
    )
    return found


def main() -> None:
    for name, content in files().items():
        data = content.encode() if isinstance(content, str) else content
        (HERE / name).write_bytes(data)
    import openpyxl  # a test dependency: only this script needs it

    book = openpyxl.Workbook()
    book.active.title = "Export"
    book.save(HERE / "empty_workbook.xlsx")


if __name__ == "__main__":
    main()
