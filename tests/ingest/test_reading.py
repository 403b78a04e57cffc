"""Reading exports: source recognition, header mapping, typing, and messages with lines."""

from __future__ import annotations

import datetime as dt

import pytest

from kpis import IngestError, SourceNotRecognised, Store, UsageError, ingest_file, parse_definitions
from tests.conftest import CONFIG, WriteCsv, table_rows

LEADS = "lead_id,created_at,channel,converted\n"


def test_source_is_recognised_from_the_header(store: Store, write_csv: WriteCsv) -> None:
    result = ingest_file(
        store, write_csv("export.csv", text=LEADS + "L1,2026-01-05 09:00,web,true\n")
    )
    assert result.source == "leads" and result.rows_loaded == 1


def test_headers_match_whatever_their_case_spacing_and_accents(
    store: Store, write_csv: WriteCsv
) -> None:
    text = "Lead ID;Créated At;CHANNEL;converted\nL1;2026-01-05 09:00;web;oui\n"
    result = ingest_file(store, write_csv("crm.csv", text=text))
    assert result.source == "leads"
    assert table_rows(store, "leads") == [("L1", dt.datetime(2026, 1, 5, 9), "web", True, None, 1)]


def test_columns_not_declared_are_not_stored_and_are_listed(
    store: Store, write_csv: WriteCsv
) -> None:
    text = (
        "lead_id,email,created_at,channel,converted,Full Name\nL1,a@b.fr,2026-01-05,web,1,Ann Lee\n"
    )
    result = ingest_file(store, write_csv("crm.csv", text=text))
    assert result.dropped_columns == ("email", "Full Name")
    assert "not stored: email, Full Name" in result.summary()
    columns = [r[0] for r in store.cursor().execute("DESCRIBE leads").fetchall()]
    assert "email" not in columns and "Full Name" not in columns


def test_unknown_header_names_the_closest_source(store: Store, write_csv: WriteCsv) -> None:
    with pytest.raises(SourceNotRecognised, match="closest is leads, which also needs converted"):
        ingest_file(
            store, write_csv("x.csv", text="lead_id,created_at,channel\nL1,2026-01-05,web\n")
        )


def test_ambiguous_header_asks_for_the_source(write_csv: WriteCsv, tmp_path) -> None:
    text = CONFIG.read_text().replace(
        "  tickets:\n",
        "  leads_copy:\n    key: [lead_id]\n    time_columns: [created_at]\n    columns:\n      lead_id: {type: string}\n      created_at: {type: timestamp}\n  tickets:\n",
        1,
    )
    definitions = parse_definitions(text)
    with Store(tmp_path / "x.duckdb", definitions) as store:
        path = write_csv("x.csv", text=LEADS + "L1,2026-01-05,web,true\n")
        with pytest.raises(
            SourceNotRecognised,
            match=r"fits several sources \(leads, leads_copy\); say which with --source",
        ):
            ingest_file(store, path)
        assert ingest_file(store, path, source="leads_copy").rows_loaded == 1


def test_naming_an_unknown_source(store: Store, write_csv: WriteCsv) -> None:
    with pytest.raises(UsageError, match="unknown source 'lead' \\(did you mean 'leads'\\?\\)"):
        ingest_file(store, write_csv("x.csv", text=LEADS), source="lead")


def test_missing_required_column_is_named(store: Store, write_csv: WriteCsv) -> None:
    with pytest.raises(
        IngestError, match="x.csv: line 1: the leads export must have the column converted"
    ):
        ingest_file(store, write_csv("x.csv", text="lead_id,created_at,channel\n"), source="leads")


def test_two_columns_for_one(store: Store, write_csv: WriteCsv) -> None:
    text = "lead_id,created_at,Created At,channel,converted\n"
    with pytest.raises(
        IngestError,
        match="columns 3 \\('Created At'\\) and 2 \\('created_at'\\) both hold leads.created_at",
    ):
        ingest_file(store, write_csv("x.csv", text=text))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "x.csv is empty"),
        ("blank.csv", b"\n\n  \n", "x.csv is empty"),
        (
            "binary.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "x.csv is a PNG image, not a CSV export",
        ),
        ("header_only.csv", LEADS.encode(), "x.csv has a header but no rows"),
    ],
)
def test_whole_file_problems_refuse_the_file(
    store: Store, write_csv: WriteCsv, name: str, content: bytes, message: str
) -> None:
    path = write_csv(name, text="")
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message):
        ingest_file(store, path, source="leads", shown_name="x.csv")
    assert table_rows(store, "leads") == [] and table_rows(store, "_kpis_uploads") == []


def test_rejected_rows_point_at_physical_lines(store: Store, write_csv: WriteCsv) -> None:
    good = "".join(f"L{i},2026-01-05 09:00,web,true\n" for i in range(100))
    text = (
        LEADS
        + 'M1,2026-01-05 09:00,"web\nand more",true\n'  # a quoted field over two lines: 2-3
        + "\n"  # a blank line: 4
        + good  # lines 5-104
        + "B1,yesterday,web,true\n"  # line 105
        + "B2,2026-01-05,web,maybe,extra\n"  # line 106: one field too many
        + "B3,2026-01-05,,true\n"  # line 107
    )
    result = ingest_file(store, write_csv("leads.csv", text=text))
    assert [str(p) for p in result.problems] == [
        'leads.csv:105: created_at: "yesterday" is not a date and time (YYYY-MM-DD or DD/MM/YYYY, as in the rest of this file)',
        "leads.csv:106: too many fields (expected 4, found 5)",  # never the line: all its columns
        "leads.csv:107: channel: empty, but a value is required",
    ]
    assert result.rows_loaded == 101


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        ("csat_score", "4.5", 'csat_score: "4.5" is not a whole number'),
        ("csat_score", "9", "csat_score: 9 is above the maximum 5"),
        ("csat_score", "0", "csat_score: 0 is below the minimum 1"),
        ("csat_score", "five", 'csat_score: "five" is not a whole number'),
        ("created_at", "2026-13-01 10:00", 'created_at: "2026-13-01 10:00" is not a date and time'),
        ("team", "", "team: empty, but a value is required"),
        ("resolved_at", "2026-01-01 08:00", "resolved before it was created"),
    ],
)
def test_row_problems_say_what_is_wrong(
    store: Store, write_csv: WriteCsv, column: str, text: str, reason: str
) -> None:
    header = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
    good = [
        [f"T{i}", "2026-01-05 09:00", "2026-01-05 10:00", "5", "chat", "tech"] for i in range(25)
    ]
    bad = dict(
        zip(header, ["X", "2026-01-05 09:00", "2026-01-05 10:00", "5", "chat", "tech"], strict=True)
    )
    bad[column] = text
    result = ingest_file(store, write_csv("t.csv", header, [*good, list(bad.values())]))
    assert result.rows_rejected == 1
    assert reason in result.problems[0].message
    assert result.problems[0].line == 27


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2026-01-05 09:30:00", dt.datetime(2026, 1, 5, 9, 30)),
        ("2026-01-05T09:30:00", dt.datetime(2026, 1, 5, 9, 30)),
        ("2026-01-05 09:30", dt.datetime(2026, 1, 5, 9, 30)),
        ("2026-01-05", dt.datetime(2026, 1, 5)),
        ("2026-07-05T09:30:00Z", dt.datetime(2026, 7, 5, 11, 30)),  # Paris is UTC+2 in summer
        ("2026-01-05T09:30:00+01:00", dt.datetime(2026, 1, 5, 9, 30)),
        ("2026-01-05 09:30:00-0500", dt.datetime(2026, 1, 5, 15, 30)),
        ("  2026-01-05 09:30  ", dt.datetime(2026, 1, 5, 9, 30)),
    ],
)
def test_timestamps_are_read_in_the_calendar_time_zone(
    store: Store, write_csv: WriteCsv, text: str, stored: dt.datetime
) -> None:
    ingest_file(
        store,
        write_csv(
            "l.csv",
            ["lead_id", "created_at", "channel", "converted"],
            [["L1", text, "web", "true"]],
        ),
    )
    assert store.cursor().execute("SELECT created_at FROM leads").fetchall() == [(stored,)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("y", True),
        ("1", True),
        ("oui", True),
        ("false", False),
        ("No", False),
        ("n", False),
        ("0", False),
        ("Non", False),
        ("faux", False),
    ],
)
def test_booleans_in_the_usual_spellings(
    store: Store, write_csv: WriteCsv, text: str, value: bool
) -> None:
    ingest_file(
        store,
        write_csv(
            "l.csv",
            ["lead_id", "created_at", "channel", "converted"],
            [["L1", "2026-01-05", "web", text]],
        ),
    )
    assert store.cursor().execute("SELECT converted FROM leads").fetchall() == [(value,)]
