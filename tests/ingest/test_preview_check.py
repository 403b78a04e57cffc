"""The preview runs every check of a load on the whole file, keeps nothing, and says the result.

The Upload page used to say "Loads into Helpdesk tickets" in green, then the load refused
49 % of the rows. The preview now tries the load in a transaction that is rolled back.
"""

from __future__ import annotations

from kpis import Store, ingest_file, preview_file
from kpis.errors import Problem
from kpis.ingest.rejects import reason_counts
from tests.conftest import WriteCsv, snapshot

TICKETS = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]


def _rows(good: int, bad_dates: int, bad_scores: int) -> list[list[object]]:
    rows: list[list[object]] = [
        [f"G{i}", "2026-01-05 09:00", "2026-01-05 11:00", 4, "chat", "tech"] for i in range(good)
    ]
    rows += [[f"D{i}", f"day {i}", "", "", "chat", "tech"] for i in range(bad_dates)]
    rows += [
        [f"S{i}", "2026-01-05 09:00", "2026-01-05 11:00", 9, "chat", "tech"]
        for i in range(bad_scores)
    ]
    return rows


def test_the_preview_says_what_the_load_will_do_and_keeps_nothing(
    store: Store, write_csv: WriteCsv
) -> None:
    path = write_csv("tickets.csv", TICKETS, _rows(96, 3, 1))
    before = snapshot(store)
    preview = preview_file(store, path, check_rows=True)
    assert snapshot(store) == before
    assert preview.problem is None and preview.check is not None
    check = preview.check
    assert (check.rows_read, check.rows_loaded, check.rows_rejected) == (100, 96, 4)
    assert check.reasons == (
        ('created_at: "…" is not a date and time (YYYY-MM-DD or DD/MM/YYYY, as in the rest of '
         "this file)", 3),
        ("csat_score: … is above the maximum 5", 1),
    )  # fmt: skip
    result = ingest_file(store, path)  # the load does exactly what the preview said
    assert (result.rows_loaded, result.rows_rejected, result.reasons) == (96, 4, check.reasons)


def test_the_preview_of_a_file_the_load_would_refuse_says_so(
    store: Store, write_csv: WriteCsv
) -> None:
    path = write_csv("tickets.csv", TICKETS, _rows(51, 49, 0))
    before = snapshot(store)
    preview = preview_file(store, path, check_rows=True)
    assert snapshot(store) == before
    assert preview.problem is not None and "49 of 100 rows rejected" in str(preview.problem)
    assert preview.check is None


def test_the_preview_after_a_load_counts_updates(store: Store, write_csv: WriteCsv) -> None:
    ingest_file(store, write_csv("first.csv", TICKETS, _rows(10, 0, 0)))
    changed = _rows(12, 0, 0)
    changed[0][3] = 5
    preview = preview_file(store, write_csv("second.csv", TICKETS, changed), check_rows=True)
    assert preview.check is not None
    check = preview.check
    assert (check.rows_inserted, check.rows_updated, check.rows_unchanged) == (2, 1, 9)


def test_reasons_are_counted_by_kind_not_by_value() -> None:
    problems = [
        Problem("f.csv", 2, "", 'created_at: "x" is not a date'),
        Problem("f.csv", 3, "", 'created_at: "y" is not a date'),
        Problem(
            "f.csv", 4, "", "ticket_id: T1 appears twice in this file (kept the row on line 2)"
        ),
        Problem("f.csv", 5, "", "csat_score: 0 is below the minimum 1"),
    ]
    assert reason_counts(problems) == [
        ('created_at: "…" is not a date', 2),
        ("csat_score: … is below the minimum 1", 1),
        ("ticket_id: a key that appears twice in this file", 1),
    ]
