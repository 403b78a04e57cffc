"""CSV neutralisation (kpis.spreadsheet): no output carries a formula a spreadsheet would run.

Cell by cell against OWASP's rule, frame by frame (numbers stay numbers), and on the real
output of `kpis compute --format csv` over a database whose channels are formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpis
from kpis.render import as_csv
from tests.conftest import KPIS
from tests.dashboard.hostile import (
    CHANNELS,
    FORMULAS,
    SAFE_CHANNEL,
    SPLITTERS,
    is_formula_cell,
    neutralised,
    poison,
)

NEUTRALISED = {
    **FORMULAS,
    "null_byte": "\0=1+1",
    "equals_only": "=",
    "minus_word": "-abc",
    "plus_space": "+ 1",
    "negative_with_unit": "-1.5 pp",
    "minus_inf": "-inf",
    "trailing_space_number": "-1 ",
    "at_mention": "@team",
}
UNCHANGED = {
    "word": "web",
    "empty": "",
    "inner_equals": "a=b",
    "inner_formula": "total =SUM(A1)",
    "leading_space": " =1+1",  # a spreadsheet reads a leading space as text
    "quote_first": "'=1+1",  # already text for a spreadsheet
    "apostrophe": "O'Brien",
    "date": "2026-01-05",
    "negative_number": "-1.5",
    "positive_number": "+3",
    "exponent": "-2.5e-3",
    "fraction": "-.5",
    "unicode_minus": "−1",  # U+2212 is no trigger for any spreadsheet
}


@pytest.mark.parametrize("text", NEUTRALISED.values(), ids=NEUTRALISED.keys())
def test_a_formula_gets_a_leading_quote(text: str) -> None:
    assert kpis.neutralise_cell(text) == "'" + text.replace("\r", "\n")
    assert is_formula_cell(text)


LINE_BREAKS = {
    "cr_inside": ("web\r=cmd|' /C calc'!A0", "web\n=cmd|' /C calc'!A0"),
    "crlf_inside": ("web\r\n@SUM(A1)", "web\n@SUM(A1)"),
    "lf_inside": ("web\n=1+1", "web\n=1+1"),
    "cr_first": ("\r\n=1+1", "'\n=1+1"),
}


@pytest.mark.parametrize(("text", "expected"), LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_a_carriage_return_becomes_a_line_feed(text: str, expected: str) -> None:
    """A bare CR is left unquoted by pandas and st.dataframe's export: it would end the row."""
    assert kpis.neutralise_cell(text) == expected == neutralised(text)


@pytest.mark.parametrize("text", UNCHANGED.values(), ids=UNCHANGED.keys())
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert kpis.neutralise_cell(text) == text


@pytest.mark.parametrize(
    "value",
    [-1, -2.5, 0, float("nan"), None, True, dt.date(2026, 1, 5), pd.Timestamp("2026-01-05")],
    ids=["int", "float", "zero", "nan", "none", "bool", "date", "timestamp"],
)
def test_non_text_is_left_as_it_is(value: object) -> None:
    assert kpis.neutralise_cell(value) is value


def test_a_list_is_neutralised_item_by_item() -> None:
    assert kpis.neutralise_cell(np.array(["=1+1", "ok"], dtype=object)) == ["'=1+1", "ok"]
    assert kpis.neutralise_cell(("@x",)) == ["'@x"]


def test_a_frame_keeps_its_numbers_and_dates_and_is_not_changed_in_place() -> None:
    frame = pd.DataFrame(
        {
            "channel": ["=1+1", SAFE_CHANNEL, None],
            "value": [-0.5, 1.0, np.nan],
            "count": [-1, 2, 3],
            "day": [dt.date(2026, 1, 5)] * 3,
            "at": pd.to_datetime(["2026-01-05"] * 3),
            "team": pd.Categorical(["@ops", "ops", "ops"]),
            "mixed": ["-x", 5, 2.5],
            "=header": [1, 2, 3],
        }
    )
    before = frame.copy()
    safe = kpis.neutralise(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(safe.columns) == [*before.columns[:-1], "'=header"]
    assert list(safe["channel"][:2]) == ["'=1+1", SAFE_CHANNEL] and pd.isna(safe["channel"][2])
    assert list(safe["team"]) == ["'@ops", "ops", "ops"]
    assert list(safe["mixed"]) == ["'-x", 5, 2.5]
    for column in ("value", "count", "day", "at"):
        pd.testing.assert_series_equal(safe[column], before[column])


CSV_CASES = {
    "formula": (["=1+1", -0.25], ["'=1+1", "-0.25"]),
    "number_text": (["-1.5", None], ["-1.5", ""]),
    "nan": (["x", float("nan")], ["x", ""]),
    **{name: ([text, 1], [neutralised(text), "1"]) for name, text in SPLITTERS.items()},
    "comma_and_quote": (['a,"b"', 2], ['a,"b"', "2"]),
}


@pytest.mark.parametrize(("row", "parsed"), CSV_CASES.values(), ids=CSV_CASES.keys())
def test_csv_rows_read_back_as_written(row: list[object], parsed: list[str]) -> None:
    """Both CSV writers: each row reads back as one row, with its cells neutralised.

    So does what pandas writes from a neutralised frame (st.dataframe's export quotes alike).
    """
    frame = pd.DataFrame([row], columns=["dimension_value", "value"])
    pandas = kpis.neutralise(frame).to_csv(index=False, lineterminator="\n")
    for text in (as_csv(frame), kpis.spreadsheet_csv(frame), pandas):
        assert "\r" not in text
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows == [["dimension_value", "value"], parsed]


def test_numbers_from_numpy_are_written_as_numbers() -> None:
    frame = pd.DataFrame({"value": np.array([0.5], dtype="float64"), "n": np.array([3], "int32")})
    assert kpis.spreadsheet_csv(frame) == "value,n\n0.5,3\n"


def test_the_cli_csv_neutralises_every_formula(demo_db: Path, tmp_path: Path) -> None:
    db = poison(demo_db, tmp_path / "poisoned" / "ops.duckdb")
    # Bytes, not run_cli's text mode: it would turn a CR inside a quoted cell into an LF.
    done = subprocess.run(
        [KPIS, "compute", "--kpi", "conversion_rate", "--by", "channel", "--grain", "quarter",
         "--format", "csv"],
        capture_output=True, env={**os.environ, "KPIS_DB": str(db)}, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    assert not [cell for row in rows for cell in row if is_formula_cell(cell)]
    records = [dict(zip(header, row, strict=True)) for row in body]
    assert {r["dimension_value"] for r in records} == (
        {neutralised(text) for text in CHANNELS.values()} | {"paid_search", "partner", "web"}
    )
    for record in records:  # the numbers are still numbers
        float(record["value"]), float(record["numerator"]), float(record["denominator"])
        dt.date.fromisoformat(record["period_start"])
