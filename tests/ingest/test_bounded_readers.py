"""Text and gzip readers bounded before they allocate; DuckDB never left to stop mid-file.

Gzip bombs stop at max_unpacked_mb in bounded memory, text files at max_rows lines and
max_columns names, whatever their encoding or line ends; mixed line ends load with the line
numbers an editor shows; a record longer than DuckDB reads, a preview, the format sample and
the rejected rows of a refused file are all read within a byte budget.
"""

from __future__ import annotations

import bisect
import random
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from kpis import IngestError, Store, ingest_file, preview_file
from kpis.ingest.formats import sample_values
from kpis.ingest.lines import PREVIEW_BYTES, PREVIEW_CHARACTERS, first_records, line_at_bytes
from kpis.ingest.read import stage_upload
from kpis.ingest.sniff import TextFormat, sniff
from tests.conftest import run_cli
from tests.ingest.bad_files.make_battery import gzip_of_lines
from tests.ingest.bounded import assert_cli_refuses, assert_refused, config_with, limited_store

HEADER = "lead_id,created_at,channel,converted"


def rows(count: int, start: int = 1) -> list[str]:
    return [f"L{i},2026-01-05 09:00,web,true" for i in range(start, start + count)]


# -- gzip bombs: bytes really unpacked, memory of one chunk ------------------------------

ZEROS_100_MB = gzip_of_lines(b"", b"\0" * 1_000_000, 100)
BOMBS = [
    ("zeros-in-one-member", lambda: gzip_of_lines(b"", b"\0" * 1_000_000, 300), "unpacks to more than 20 MB (limits: max_unpacked_mb in kpis.yaml)"),
    ("3-GB-of-zeros-in-30-members", lambda: ZEROS_100_MB * 30, "unpacks to more than 20 MB (limits: max_unpacked_mb in kpis.yaml)"),
    ("3-GB-of-csv-lines", lambda: gzip_of_lines(HEADER.encode() + b"\n", b"L1,2026-01-05,web,true\n", 4_500_000) * 30, "unpacks to more than 20 MB"),
    ("rows-over-max_rows", lambda: gzip_of_lines(HEADER.encode() + b"\n", b"L1,2026-01-05,web,true\n", 100_001), "has more lines than the 100,000 rows allowed (limits: max_rows in kpis.yaml)"),
    ("utf16-rows-over-max_rows", lambda: gzip_of_lines("\ufeff".encode("utf-16-le") + (HEADER + "\n").encode("utf-16-le"), "L1,2026-01-05,web,true\n".encode("utf-16-le"), 100_001), "has more lines than the 100,000 rows allowed"),
]  # fmt: skip
LIMITS = {"max_unpacked_mb": 20, "max_rows": 100_000}


@pytest.mark.parametrize(("build", "fragment"), [c[1:] for c in BOMBS], ids=[c[0] for c in BOMBS])
def test_a_gzip_bomb_is_refused_in_seconds_and_bounded_memory(
    tmp_path: Path, build: Callable[[], bytes], fragment: str
) -> None:
    path = tmp_path / "export.csv.gz"
    path.write_bytes(build())
    with limited_store(tmp_path, **LIMITS) as store:
        tracemalloc.start()
        started = time.perf_counter()
        try:
            assert_refused(store, path, f"export.csv.gz {fragment}")
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert peak < 40e6, f"peak {peak / 1e6:.0f} MB of Python memory"


def test_the_cli_refuses_gzip_bombs(tmp_path: Path) -> None:
    cases = []
    for index, (_id, build, fragment) in enumerate(BOMBS):
        path = tmp_path / f"bomb{index}.csv.gz"
        path.write_bytes(build())
        cases.append((path, (fragment,)))
    assert_cli_refuses(tmp_path, config_with(tmp_path / "config", **LIMITS), cases)


def test_a_damaged_gzip_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "export.csv.gz"
    path.write_bytes(
        gzip_of_lines(HEADER.encode() + b"\n", b"L1,2026-01-05,web,true\n", 1000)[:-20]
    )
    with limited_store(tmp_path) as store:
        assert_refused(store, path, "export.csv.gz is a damaged gzip file", "compress it again")


# -- rows and columns of text files, whatever the encoding and the line ends -------------

ENCODINGS = [
    ("utf8-lf", "utf-8", "\n", True),
    ("utf8-crlf", "utf-8", "\r\n", True),
    ("utf8-cr", "utf-8", "\r", True),
    ("utf8-no-final-line-end", "utf-8", "\n", False),
    ("utf8-bom", "utf-8-sig", "\n", True),
    ("windows-1252", "cp1252", "\r\n", True),
    ("utf16-bom", "utf-16", "\r\n", True),
    ("utf16le-without-bom", "utf-16-le", "\r\n", True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "end", "final"), [c[1:] for c in ENCODINGS], ids=[c[0] for c in ENCODINGS]
)
@pytest.mark.parametrize("count", [1_000, 1_001])
def test_a_text_file_over_max_rows_is_refused_while_it_is_scanned(
    tmp_path: Path, encoding: str, end: str, final: bool, count: int
) -> None:
    lines = [HEADER, "L0,2026-01-05 09:00,télé,true", *rows(count - 1)]
    text = end.join(lines) + (end if final else "")
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    with limited_store(tmp_path, max_rows=1_000) as store:
        if count > 1_000:
            assert_refused(
                store,
                path,
                "export.csv has more lines than the 1,000 rows allowed (limits: max_rows in kpis.yaml)",
            )
        else:
            assert ingest_file(store, path).rows_loaded == 1_000


WIDTHS = [
    ("comma", ",", 6, "export.csv has 6 columns, more than the 5 allowed (limits: max_columns in kpis.yaml)"),
    ("semicolon", ";", 6, "has 6 columns, more than the 5 allowed"),
    ("tab", "\t", 6, "has 6 columns, more than the 5 allowed"),
    ("pipe", "|", 6, "has 6 columns, more than the 5 allowed"),
    ("quoted-names-with-commas", ",", 6, "has 6 columns"),
    ("at-the-limit", ",", 5, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("delimiter", "columns", "message"), [c[1:] for c in WIDTHS], ids=[c[0] for c in WIDTHS]
)
def test_a_header_wider_than_max_columns_is_refused(
    tmp_path: Path, delimiter: str, columns: int, message: str | None
) -> None:
    names = ["lead_id", "created_at", "channel", "converted", '"notes, free"', "extra"][:columns]
    values = ["L1", "2026-01-05", "web", "1", "n", "x"][:columns]
    path = tmp_path / "export.csv"
    path.write_text(f"{delimiter.join(names)}\n{delimiter.join(values)}\n", encoding="utf-8")
    with limited_store(tmp_path, max_columns=5) as store:
        if message:
            assert_refused(store, path, message)
        else:
            assert ingest_file(store, path).rows_loaded == 1


@pytest.mark.parametrize(
    ("columns", "name_length"),
    [(100_000, 6), (2_000, 40)],
    ids=["100k-columns", "header-over-the-64-KB-sample"],
)
def test_a_very_wide_header_is_refused_before_duckdb_sniffs_it(
    tmp_path: Path, columns: int, name_length: int
) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}".ljust(name_length, "x") for i in range(columns))
    path.write_text(header + "\n" + ",".join("1" * columns) + "\n", encoding="utf-8")
    with limited_store(tmp_path) as store:
        started = time.perf_counter()
        assert_refused(
            store, path, f"wide.csv has {columns:,} columns, more than the 1,000 allowed"
        )
        assert time.perf_counter() - started < 10  # DuckDB's sniffer took 20 s for 100k


# -- line ends: staged as LF, line numbers as an editor counts them ----------------------


def _editor_line(text: str, marker: str) -> int:
    """The line of `marker` as an editor shows it: CRLF, CR and LF each end one line."""
    return len(re.split(r"\r\n|\r|\n", text[: text.index(marker)]))


LINE_ENDS = [
    ("lf-and-crlf", ["\n", "\r\n"]),
    ("lf-and-cr", ["\n", "\r"]),
    ("crlf-and-cr", ["\r\n", "\r"]),
    ("all-three", ["\n", "\r\n", "\r"]),
    ("cr-only", ["\r"]),
]  # fmt: skip
QUOTED = [
    ("no-quoted-breaks", ""),
    ("lf-in-quotes", '"web\nand phone"'),
    ("crlf-in-quotes", '"web\r\nand phone"'),
    ("cr-in-quotes", '"web\rand phone"'),
]  # fmt: skip


@pytest.mark.parametrize("ends", [c[1] for c in LINE_ENDS], ids=[c[0] for c in LINE_ENDS])
@pytest.mark.parametrize("quoted", [c[1] for c in QUOTED], ids=[c[0] for c in QUOTED])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_mixed_line_ends_load_with_the_editors_line_numbers(
    tmp_path: Path, ends: list[str], quoted: str, encoding: str
) -> None:
    good = rows(60)
    good[5] = "L6,2026-01-05 09:00,télé,true"  # not ASCII: Windows-1252 is read as such
    if quoted:
        good[20] = f"L21,2026-01-05 09:00,{quoted},true"
    lines = [HEADER, *good[:40], "L99,2026-02-30,web,true", *good[40:]]
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    with limited_store(tmp_path) as store:
        result = ingest_file(store, path)
        assert [p.line for p in result.problems] == [_editor_line(text, "L99,")]
        assert result.problems[0].message.startswith('created_at: "2026-02-30" is not a date')
        assert result.rows_loaded == 60
        assert list(store.staging_dir.iterdir()) == []


HOSTILE_TEXT = [
    ("mixed-line-ends", HEADER + "\n" + "\r\n".join(rows(30)) + "\r" + "\n".join(rows(5, 40)) + "\n"),
    ("cr-inside-quotes-of-an-lf-file", HEADER + "\n" + "\n".join(rows(30)) + '\nL50,2026-01-05,"a\rb",true\n'),
    ("3-MB-header-name", "lead_id" + "x" * 3_000_000 + ",created_at,channel,converted\nL1,2026-01-05,web,true\n"),
    ("9-MB-first-row", HEADER + "\nL1,2026-01-05,web," + "t" * 9_000_000 + "\n"),
    ("quotes-only", '"' * 5000 + "\n"),
    ("unclosed-quote-in-header", '"lead_id,created_at,channel,converted\nL1,2026-01-05,web,true\n'),
    ("lone-cr", "\r"),
]  # fmt: skip


def test_the_cli_never_fails_unexpectedly_on_a_hostile_text_file(tmp_path: Path) -> None:
    """Each file loads or is refused in one `Error:` sentence naming it; never "unexpected"."""
    for name, text in HOSTILE_TEXT:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode("utf-8"))
        result = run_cli("--db", str(tmp_path / "x.duckdb"), "ingest", str(path))
        assert "unexpected" not in result.stderr, (name, result.stderr)
        if result.returncode:
            assert result.stderr.startswith("Error: ") and f"{name}.csv" in result.stderr


# -- records longer than DuckDB reads, previews, samples --------------------------------

LONG = "x" * 9_000_000  # over DuckDB's 8,000,000-byte line


def test_a_record_longer_than_duckdb_reads_is_named_when_lines_are_counted_past_it(
    tmp_path: Path,
) -> None:
    # Past the sniffer's 20,480-row sample; then a bad row, whose line has to be counted.
    lines = [HEADER, *rows(25_000), f"L99,2026-01-05,{LONG},true", "L100,2026-02-30,web,true"]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with limited_store(tmp_path) as store:
        assert_refused(
            store, path, "long.csv: line 25002: a row is longer than 8,000,000 bytes", preview=False
        )


def test_a_record_longer_than_duckdb_reads_is_one_rejected_row_otherwise(tmp_path: Path) -> None:
    lines = [HEADER, *rows(25_000), f"L99,2026-01-05,{LONG},true", *rows(10, 30_000)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with limited_store(tmp_path) as store:
        result = ingest_file(store, path)
    assert (result.rows_loaded, result.rows_rejected) == (25_010, 1)
    assert result.problems[0].line == 25_002


def _staged(store: Store, path: Path) -> Path:
    return stage_upload(path, store.staging_dir, path.name).path


def test_a_preview_reads_a_bounded_number_of_bytes_and_cuts_long_values(tmp_path: Path) -> None:
    path = tmp_path / "wide_values.csv"
    value = "v" * 100_000
    path.write_text(
        HEADER + "\n" + "".join(f"L{i},2026-01-05,{value},true\n" for i in range(400)),
        encoding="utf-8",
    )
    with limited_store(tmp_path) as store:
        staged = _staged(store, path)
        fmt = sniff(store.cursor(), staged, path.name)
        tracemalloc.start()
        try:
            found = first_records(staged, fmt, 1_000)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        staged.unlink()
        preview = preview_file(store, path)
    assert 100 < len(found) <= PREVIEW_BYTES // 100_000
    assert max(len(v) for record in found for v in record) == PREVIEW_CHARACTERS
    assert peak < 4 * PREVIEW_BYTES
    assert preview.problem is None and preview.rows["channel"].str.len().max() == PREVIEW_CHARACTERS


def test_a_preview_stops_before_a_record_longer_than_duckdb_reads(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "\n".join([HEADER, *rows(3), f"L9,2026-01-05,{LONG},true", *rows(3, 10)]) + "\n",
        encoding="utf-8",
    )
    # DuckDB's sniffer refuses a line it would not read among its sample: the format is given.
    fmt = TextFormat("utf-8", ",", '"', '"', tuple(HEADER.split(",")))
    found = first_records(path, fmt, 100)
    assert [record[0] for record in found] == ["L1", "L2", "L3"]


def test_the_format_sample_holds_64_characters_a_value(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    text = "shipment_id,shipped_at,units,shipping_cost,cogs,warehouse,carrier\n"
    text += "".join(
        f"S{i},2026-01-05 10:00,{'9' * 1_000_000},5.00,30.00,Lyon,DHL\n" for i in range(20)
    )
    path.write_text(text, encoding="utf-8")
    with limited_store(tmp_path) as store:
        staged = _staged(store, path)
        fmt = sniff(store.cursor(), staged, path.name)
        samples = sample_values(
            store.cursor(), staged, fmt, {"units": 2, "cogs": 4}, ["units", "cogs"]
        )
        staged.unlink()
    assert {len(v) for v in samples["units"]} == {64} and samples["cogs"][0] == "30.00"


@pytest.mark.parametrize("seed", range(4))
def test_line_at_bytes_counts_as_a_list_of_every_newline_would(tmp_path: Path, seed: int) -> None:
    chance = random.Random(seed)
    data = b"".join(b"x" * chance.choice([0, 1, 5, 80, 3000]) + b"\n" for _ in range(2_000))
    data *= 3  # over two 1 MB chunks
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    newlines = [i for i, byte in enumerate(data) if byte == 10]
    wanted = {1, 2, len(data), len(data) + 5, 1 << 20, (1 << 20) + 1, (2 << 20) + 2}
    wanted |= {chance.randrange(1, len(data)) for _ in range(300)}
    found = line_at_bytes(path, wanted)
    assert found == {p: bisect.bisect_left(newlines, p - 1) + 1 for p in wanted}


# -- rejected rows: counted in SQL, only the ten a refusal shows fetched -----------------

BAD_DATE, TOO_FEW = "{i},2026-02-30,web,true", "{i},2026-01-05"
GOOD_ON_3_LINES = '{i},2026-01-05,"web\nand\nphone",true'
ORDERS = [
    ("structural-first", [TOO_FEW] * 12 + [BAD_DATE] * 12),
    ("typed-first", [BAD_DATE] * 12 + [TOO_FEW] * 12),
    ("alternating", [TOO_FEW, BAD_DATE] * 12),
    ("one-typed-among-many-structural", [TOO_FEW] + [BAD_DATE] + [TOO_FEW] * 20),
    ("multi-line-rows-between", [BAD_DATE, GOOD_ON_3_LINES, TOO_FEW] * 8),
]  # fmt: skip


@pytest.mark.parametrize("pattern", [c[1] for c in ORDERS], ids=[c[0] for c in ORDERS])
def test_a_refusal_lists_the_first_ten_rejected_rows_by_line(
    tmp_path: Path, pattern: list[str]
) -> None:
    lines, expected, line = [HEADER], [], 2
    for i, template in enumerate(pattern):
        lines.append(template.format(i=f"L{i}"))
        if template != GOOD_ON_3_LINES:
            expected.append(line)
        line += template.count("\n") + 1
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with limited_store(tmp_path) as store:
        message = assert_refused(
            store, path, f"{len(expected)} of {len(pattern)} rows rejected", preview=False
        )
        with pytest.raises(IngestError) as caught:
            ingest_file(store, path)
    assert [p.line for p in caught.value.problems] == expected[:10]
    assert message.count("\n  bad.csv:") == 10


def test_a_file_of_only_bad_rows_is_refused_without_fetching_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "\n" + "".join(f"L{i},someday,web,true\n" for i in range(300_000)),
        encoding="utf-8",
    )
    with limited_store(tmp_path) as store:
        tracemalloc.start()
        try:
            with pytest.raises(IngestError, match="300000 of 300000 rows rejected") as caught:
                ingest_file(store, path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert [p.line for p in caught.value.problems] == list(range(2, 12))
    assert peak < 30e6, f"peak {peak / 1e6:.0f} MB of Python memory"
