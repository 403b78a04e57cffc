"""The fast path (DuckDB's reader types the columns) reads every value as the full reading does.

When the first 20,000 rows of a column are plain ISO dates or plain numbers, DuckDB's CSV
reader types the column itself. A value further down that it cannot read sends the file the
slow way; one it reads must give what the slow way gives. Each case puts one odd value after
20,000 plain rows (fast path) and before them (slow path), and compares the stored row and
the rejection messages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kpis import Store, ingest_file
from kpis.definitions import Definitions
from kpis.ingest.formats import decide
from tests.oracle import HEADERS

PLAIN_ROWS = 20_001  # one more than the sample the reading is decided on
# A plain row of each source after its key: what the reader types itself.
PLAIN = {
    "shipments": ["2026-01-05 10:00:00", "3", "4.50", "12.00", "Lyon", "DHL"],
    "leads": ["2026-01-05 10:00:00", "web", "false"],
}


def _load(
    folder: Path, definitions: Definitions, source: str, rows: list[list[str]], odd: str
) -> tuple[tuple[Any, ...] | None, list[str]]:
    """Load the file; return the odd row as stored (None if rejected) and the messages."""
    folder.mkdir(parents=True)
    header = HEADERS[source]
    path = folder / f"{source}.csv"
    lines = [",".join(header)] + [",".join(f'"{v}"' for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(folder / "ops.duckdb", definitions) as store:
        result = ingest_file(store, path)
        columns = ", ".join(header[1:])
        found = (
            store.cursor()
            .execute(f"SELECT {columns} FROM {source} WHERE {header[0]} = ?", [odd])
            .fetchall()
        )
    messages = sorted(p.message for p in result.problems)
    return (found[0] if found else None), messages


def _both_ways(
    tmp_path: Path, definitions: Definitions, source: str, odd_row: list[str]
) -> tuple[tuple[tuple[Any, ...] | None, list[str]], tuple[tuple[Any, ...] | None, list[str]]]:
    rows = [[f"P{i}", *PLAIN[source]] for i in range(PLAIN_ROWS)]
    fast = _load(tmp_path / "fast", definitions, source, [*rows, odd_row], odd_row[0])
    slow = _load(tmp_path / "slow", definitions, source, [odd_row, *rows], odd_row[0])
    return fast, slow


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("shipped_at", "2026-03-29 02:30:00"),  # skipped by the spring clock change in Paris
        ("shipped_at", "2026-10-25 02:30:00"),  # happens twice in the autumn
        ("shipped_at", "0001-01-01 00:00:00"),  # outside the valid dates
        ("shipped_at", "9999-12-31 23:59:59"),
        ("shipped_at", "1969-12-31 23:59:59"),
        ("shipped_at", "2101-01-01 00:00:00"),
        ("shipped_at", "epoch"),  # DuckDB's own cast reads these words
        ("shipped_at", "infinity"),
        ("shipped_at", "-infinity"),
        ("shipped_at", "10000-01-01 00:00:00"),
        ("shipped_at", "2026-06-01T10:00:00Z"),
        ("shipped_at", "2026-06-01 10:00:00+02:00"),
        ("shipped_at", "2026-01-05 10:00:00-05"),
        ("shipped_at", " 2026-06-01 10:00:00 "),
        ("shipped_at", "2026-6-1 10:00"),
        ("shipped_at", "01/06/2026 10:00"),
        ("shipped_at", "2026-06-01"),
        ("shipped_at", "2026-06-01 10:00"),
        ("shipped_at", "2026-06-01T10:00:00"),
        ("shipped_at", "2026-06-01 10:00:00.250"),
        ("shipped_at", "2026-02-30 10:00:00"),
        ("shipped_at", "not a date"),
        ("shipped_at", ""),
        ("units", "4.0"),
        ("units", "4.5"),
        ("units", "1e3"),
        ("units", "+7"),
        ("units", " 12 "),
        ("units", "1 000"),
        ("units", "1,000"),
        ("units", "-1"),
        ("units", "12abc"),
        ("units", "99999999999999999999"),
        ("units", ""),
        ("shipping_cost", "1.2345678"),
        ("shipping_cost", "3,5"),
        ("shipping_cost", "1e2"),
        ("shipping_cost", "€5.00"),
        ("shipping_cost", "12.5 %"),
        ("shipping_cost", "-0.01"),
        ("shipping_cost", ".5"),
        ("shipping_cost", "5."),
        ("shipping_cost", "1234567890123.5"),
        ("shipping_cost", "NaN"),
        ("shipping_cost", "=1+1"),
    ],
)
def test_shipment_value_reads_the_same_after_the_sample(
    tmp_path: Path, definitions: Definitions, column: str, value: str
) -> None:
    odd = ["ODD", *PLAIN["shipments"]]
    odd[HEADERS["shipments"].index(column)] = value
    fast, slow = _both_ways(tmp_path, definitions, "shipments", odd)
    assert fast == slow


@pytest.mark.parametrize("value", ["TRUE", "True", "1", "0", "yes", "t", "oui", "maybe", ""])
def test_boolean_reads_the_same_after_the_sample(
    tmp_path: Path, definitions: Definitions, value: str
) -> None:
    fast, slow = _both_ways(
        tmp_path, definitions, "leads", ["ODD", PLAIN["leads"][0], "web", value]
    )
    assert fast == slow


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2026-10-25 02:30:00", dt.datetime(2026, 10, 25, 2, 30)),  # happened twice: as written
        ("2026-06-01T10:00:00Z", dt.datetime(2026, 6, 1, 12, 0)),  # Paris is UTC+2 in June
        ("2026-01-05 10:00:00-05", dt.datetime(2026, 1, 5, 16, 0)),
    ],
)
def test_times_are_the_calendars_wall_clock(
    tmp_path: Path, definitions: Definitions, value: str, stored: dt.datetime
) -> None:
    assert definitions.calendar.timezone == "Europe/Paris"
    odd = ["ODD", value, *PLAIN["shipments"][1:]]
    fast, slow = _both_ways(tmp_path, definitions, "shipments", odd)
    assert fast[0] is not None and fast[0][0] == stored
    assert slow == fast


def test_plain_rows_are_exact_on_the_fast_path(tmp_path: Path, definitions: Definitions) -> None:
    odd = ["ODD", "2026-01-05 10:00:00", "7", "0.10", "1234567.123456", "Lyon", "DHL"]
    fast, slow = _both_ways(tmp_path, definitions, "shipments", odd)
    assert fast == slow
    assert fast[0] == (
        dt.datetime(2026, 1, 5, 10),
        7,
        Decimal("0.10"),
        Decimal("1234567.123456"),
        "Lyon",
        "DHL",
    )


@pytest.mark.parametrize(
    ("title", "samples", "delimiter", "native"),
    [
        (
            "plain ISO values: every typed column",
            {"shipped_at": ["2026-01-05 10:00:00"], "units": ["3"], "shipping_cost": ["4.50"]},
            ",",
            {"shipped_at", "units", "shipping_cost"},
        ),
        (
            "a French date in the sample: that column the full way",
            {"shipped_at": ["2026-01-05 10:00:00", "05/01/2026 10:00"], "units": ["3"]},
            ",",
            {"units"},
        ),
        (
            "decimal commas: numbers the full way, ISO times natively",
            {"shipped_at": ["2026-01-05 10:00"], "shipping_cost": ["4,50"]},
            ";",
            {"shipped_at"},
        ),
        (
            "thousands separators and currency signs: the full way",
            {"units": ["1,200"], "shipping_cost": ["€4.50"]},
            ",",
            set(),
        ),
    ],
)
def test_which_columns_the_reader_types(
    definitions: Definitions,
    title: str,
    samples: dict[str, list[str]],
    delimiter: str,
    native: set[str],
) -> None:
    fmt = decide(definitions.sources["shipments"], samples, delimiter, "dmy")
    assert fmt.native == native, title
