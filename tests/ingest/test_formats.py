"""French, Excel and other real-world exports: encodings, separators, number and date formats."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from kpis import IngestError, Store, compute, ingest_file, parse_definitions
from kpis.definitions import MappingProfile
from kpis.ingest import preview_file, save_mapping
from tests.conftest import CONFIG, table_rows


def _write(
    tmp_path: Path, name: str, text: str, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def _rows(store: Store, sql: str) -> list[tuple]:
    return store.cursor().execute(sql).fetchall()


FRENCH_TICKETS = (
    "N° ticket;Date de création;Date de résolution;Note de satisfaction;Canal;Équipe;Client\n"
    "T1;05/01/2026 09:30;05/01/2026 17:45;4;téléphone;Facturation;Mme Lefèvre\n"
    "T2;13/01/2026 08:00;;;e-mail;Support technique;M. Dupré\n"
    "T3;14/01/2026 10:15:30;16/01/2026 10:15;5;chat;Logistique;Mme Gaëlle\n"
)


def test_french_helpdesk_export_in_windows_1252(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "tickets_fr.csv", FRENCH_TICKETS, "cp1252", "\r\n")
    result = ingest_file(store, path)
    assert (result.source, result.rows_loaded, result.rows_rejected) == ("tickets", 3, 0)
    assert result.dropped_columns == ("Client",)  # personal data: not stored
    assert "Windows-1252" in result.format and "semicolon" in result.format
    rows = _rows(
        store,
        "SELECT ticket_id, created_at, resolved_at, csat_score, channel, team FROM tickets ORDER BY 1",
    )
    assert rows[0] == (
        "T1",
        dt.datetime(2026, 1, 5, 9, 30),
        dt.datetime(2026, 1, 5, 17, 45),
        4,
        "téléphone",
        "Facturation",
    )
    assert rows[2][1] == dt.datetime(2026, 1, 14, 10, 15, 30)


def test_french_amounts_with_no_break_spaces_and_euro_signs(store: Store, tmp_path: Path) -> None:
    text = (
        "N° expédition;Date d'expédition;Quantité;Frais de port;Coût des marchandises;Entrepôt;Transporteur\n"
        "E1;05/01/2026;12;1\u00a0234,50\u00a0€;10\u202f000,00 €;Lyon;Colissimo\n"
        "E2;06/01/2026;3;7,05 €;45;Lyon;DHL\n"
        "E3;07/01/2026;1;0,1;1.234,5;Lille;DHL\n"
    )
    result = ingest_file(store, _write(tmp_path, "expeditions.csv", text))
    assert (result.source, result.rows_loaded, result.rows_rejected) == ("shipments", 3, 0), (
        result.problems
    )
    rows = _rows(store, "SELECT shipment_id, units, shipping_cost, cogs FROM shipments ORDER BY 1")
    assert rows == [
        ("E1", 12, Decimal("1234.500000"), Decimal("10000.000000")),
        ("E2", 3, Decimal("7.050000"), Decimal("45.000000")),
        ("E3", 1, Decimal("0.100000"), Decimal("1234.500000")),
    ]
    assert "decimal comma" in result.format


def test_excel_unicode_text_is_utf16_and_tab_separated(store: Store, tmp_path: Path) -> None:
    text = "lead_id\tcreated_at\tchannel\tconverted\nL1\t2026-01-05 10:00\tsalon professionnel\tOUI\nL2\t2026-01-06\tweb\tNON\n"
    path = tmp_path / "leads_unicode.txt"
    path.write_bytes(text.encode("utf-16"))  # with its BOM, as Excel writes it
    result = ingest_file(store, path)
    assert (result.rows_loaded, result.format.split(",")[0]) == (2, "UTF-16")
    assert _rows(store, "SELECT lead_id, converted FROM leads ORDER BY 1") == [
        ("L1", True),
        ("L2", False),
    ]


def test_gzipped_export(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv.gz"
    path.write_bytes(gzip.compress(b"lead_id,created_at,channel,converted\nL1,2026-01-05,web,1\n"))
    result = ingest_file(store, path)
    assert result.rows_loaded == 1 and "gzipped" in result.format


def test_workbook_with_date_cells_serial_numbers_and_blank_rows(
    store: Store, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(["Lead ID", "Created At", "Channel", "Converted", "Email"])
    sheet.append(["L1", dt.datetime(2026, 1, 5, 9, 30), "web", True, "a@b.fr"])
    sheet.append(["L2", 46028, "web", "no", "c@d.fr"])  # a day count, not formatted as a date
    sheet.append([])
    sheet.append(["L3", dt.date(2026, 1, 7), "partner", 1, None])
    sheet.append(["L4", "last tuesday", "partner", 1, None])
    path = tmp_path / "crm.xlsx"
    book.save(path)
    # 1 rejected row of 4 would refuse the file: allow it for this test.
    definitions = parse_definitions(
        CONFIG.read_text().replace(
            "    dimensions: [channel]\n",
            "    dimensions: [channel]\n    max_rejected_share: 0.5\n",
        )
    )
    with Store(tmp_path / "wb.duckdb", definitions) as wb_store:
        result = ingest_file(wb_store, path)
        assert (result.rows_loaded, result.rows_rejected, result.dropped_columns) == (
            3,
            1,
            ("Email",),
        )
        assert "sheet 'Export'" in result.format
        assert str(result.problems[0]).startswith(
            'crm.xlsx:6: created_at: "last tuesday"'
        )  # row 6 of the sheet
        assert _rows(wb_store, "SELECT lead_id, created_at, converted FROM leads ORDER BY 1") == [
            ("L1", dt.datetime(2026, 1, 5, 9, 30), True),
            ("L2", dt.datetime(2026, 1, 6), False),
            ("L3", dt.datetime(2026, 1, 7), True),
        ]


@pytest.mark.parametrize(
    ("dates", "expected", "note"),
    [
        # A day above 12 decides for the whole file, even on rows that could be read both ways;
        # the decision is said with the value that took it.
        (
            ["13/01/2026", "02/03/2026"],
            [dt.date(2026, 1, 13), dt.date(2026, 3, 2)],
            "dates read as day/month/year, as dates such as '13/01/2026' show",
        ),
        (
            ["1/13/2026", "2/3/2026"],
            [dt.date(2026, 1, 13), dt.date(2026, 2, 3)],
            "dates read as month/day/year, as dates such as '1/13/2026' show",
        ),
        # Nothing decides: the calendar's region does (Europe/Paris: day first), and it is said.
        (
            ["01/02/2026", "03/04/2026"],
            [dt.date(2026, 2, 1), dt.date(2026, 4, 3)],
            "dates read as day/month/year: no day above 12",
        ),
    ],
)
def test_day_month_order_is_decided_per_file(
    store: Store, tmp_path: Path, dates, expected, note
) -> None:
    text = "snapshot_date,sku,warehouse,qty_on_hand,unit_cost\n" + "".join(
        f"{d},A{i},Lyon,1,1\n" for i, d in enumerate(dates)
    )
    result = ingest_file(store, _write(tmp_path, "stock.csv", text))
    assert sorted(r[0] for r in _rows(store, "SELECT snapshot_date FROM inventory")) == sorted(
        expected
    )
    assert any(note in n for n in result.notes), result.notes


def test_rows_written_the_other_way_are_rejected_with_the_reason(
    store: Store, tmp_path: Path
) -> None:
    rows = [f"{d:02d}/01/2026" for d in range(13, 31)] * 2 + ["01/13/2026"]
    text = "snapshot_date,sku,warehouse,qty_on_hand,unit_cost\n" + "".join(
        f"{d},S{i},Lyon,1,1\n" for i, d in enumerate(rows)
    )
    result = ingest_file(store, _write(tmp_path, "stock.csv", text))
    assert result.rows_rejected == 1
    assert (
        'snapshot_date: "01/13/2026" is not a date (YYYY-MM-DD or DD/MM/YYYY, as in the rest of this file)'
        in str(result.problems[0])
    )
    assert any("both day/month and month/day" in n for n in result.notes)


def test_a_source_format_setting_overrides_detection(tmp_path: Path) -> None:
    text = CONFIG.read_text().replace(
        "    kind: snapshot\n", "    kind: snapshot\n    format: {date_order: mdy}\n"
    )
    with Store(tmp_path / "x.duckdb", parse_definitions(text)) as store:
        ingest_file(
            store,
            _write(
                tmp_path,
                "s.csv",
                "snapshot_date,sku,warehouse,qty_on_hand,unit_cost\n01/02/2026,A,Lyon,1,1\n",
            ),
        )
        assert _rows(store, "SELECT snapshot_date FROM inventory") == [(dt.date(2026, 1, 2),)]


def test_percent_signs_are_shares(tmp_path: Path) -> None:
    text = CONFIG.read_text().replace(
        "      unit_cost: {type: decimal, min: 0,",
        "      discount: {type: number, nullable: true, optional: true}\n      unit_cost: {type: decimal, min: 0,",
    )
    with Store(tmp_path / "x.duckdb", parse_definitions(text)) as store:
        body = "snapshot_date;sku;warehouse;qty_on_hand;unit_cost;discount\n05/01/2026;A;Lyon;1;2,5;12,5 %\n05/01/2026;B;Lyon;1;2;7%\n"
        ingest_file(store, _write(tmp_path, "s.csv", body))
        assert _rows(store, "SELECT sku, discount FROM inventory ORDER BY 1") == [
            ("A", 0.125),
            ("B", 0.07),
        ]


def test_a_mixed_encoding_file_is_refused_at_its_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "lead_id,created_at,channel,converted\nL1,2026-01-05,télé,1\n".encode()
        + "L2,2026-01-05,télé,1\n".encode("cp1252")
    )
    with pytest.raises(IngestError, match=r"mixed.csv: line 3: the file mixes text encodings"):
        ingest_file(store, path)
    assert table_rows(store, "leads") == []


@pytest.mark.parametrize(
    ("title", "bad_line", "expected"),
    [
        ("a Windows-1252 line", "L9,2026-01-05,télé,1\n".encode("cp1252"), "mixes text encodings"),
        ("a NUL byte", b"L9,2026-01-05,web\x00,1\n", "contains NUL bytes"),
    ],
)
def test_a_bad_byte_megabytes_in_is_reported_at_its_line(
    store: Store, tmp_path: Path, title: str, bad_line: bytes, expected: str
) -> None:
    """The file is checked in 1 MB chunks; the line is counted over all chunks before."""
    good = "".join(f"L{i},2026-01-05,télé,1\n" for i in range(100_000)).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(b"lead_id,created_at,channel,converted\n" + good + bad_line + good)
    assert len(good) > 2 * 2**20, title
    with pytest.raises(IngestError, match=rf"big.csv: line 100002: the file {expected}"):
        ingest_file(store, path)
    assert table_rows(store, "leads") == []


def test_value_mapping_profile_from_the_database(store: Store, tmp_path: Path) -> None:
    save_mapping(store, "acme-helpdesk", MappingProfile(
        source="tickets",
        columns={"Case": "ticket_id", "Opened": "created_at", "Closed": "resolved_at", "Feedback": "csat_score", "Via": "channel"},
        values={"csat_score": {"good": "5", "bad": "1"}},
        constants={"team": "support"},
    ))  # fmt: skip
    text = "Case,Opened,Closed,Feedback,Via\nC1,2026-01-05 09:00,2026-01-05 12:00,good,chat\nC2,2026-01-05 09:00,2026-01-06 09:00,Bad,mail\n"
    preview = preview_file(store, _write(tmp_path, "acme.csv", text), source="tickets")
    assert preview.missing == (
        "ticket_id",
        "created_at",
        "resolved_at",
        "csat_score",
        "team",
    )  # without the profile
    result = ingest_file(store, _write(tmp_path, "acme.csv", text), mapping="acme-helpdesk")
    assert result.rows_loaded == 2
    assert _rows(store, "SELECT ticket_id, csat_score, team FROM tickets ORDER BY 1") == [
        ("C1", 5, "support"),
        ("C2", 1, "support"),
    ]
    csat = compute(store, ["csat"], "week")
    assert csat["value"].tolist() == [0.5]
