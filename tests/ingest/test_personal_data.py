"""Personal data a source does not declare is kept nowhere: no table, no staging file, no byte.

An address is planted in undeclared columns and in rows that cannot be split, then every kind
of upload is run: loaded, with rejected rows, refused, previewed only, a workbook, gzip, a
mapping profile, the identical file again, an undo. After each, every table of the database
(every column, as text), every file of the staging folder and the database file's own bytes
are searched for it.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kpis import IngestError, Store, ingest_file, preview_file, undo_upload
from kpis.definitions import Definitions, MappingProfile

PLANTED = "jeanne.planted@example.org"
LEADS = "lead_id,created_at,channel,converted"
GOOD = [f"L{i},2026-01-05 09:00,web,true" for i in range(60)]


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _with_email(rows: list[str]) -> list[str]:
    return [f"{row},{PLANTED}" for row in rows]


def _workbook(path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*LEADS.split(","), "E-mail"])
    for row in GOOD:
        sheet.append([*row.split(","), PLANTED])
    book.save(path)
    return path


def _gzipped(path: Path) -> Path:
    text = "\n".join([f"{LEADS},email", *_with_email(GOOD)]) + "\n"
    path.write_bytes(gzip.compress(text.encode()))
    return path


Upload = Callable[[Store, Path], None]


def _load(make: Callable[[Path], Path]) -> Upload:
    def run(store: Store, folder: Path) -> None:
        ingest_file(store, make(folder))

    return run


def _refused(make: Callable[[Path], Path]) -> Upload:
    def run(store: Store, folder: Path) -> None:
        with pytest.raises(IngestError):
            ingest_file(store, make(folder))

    return run


def _previewed(store: Store, folder: Path) -> None:
    path = _csv(folder / "p.csv", f"{LEADS},email", _with_email(GOOD))
    preview = preview_file(store, path)
    assert preview.problem is None and preview.dropped == ("email",)


def _mapped(store: Store, folder: Path) -> None:
    profile = MappingProfile(
        source="leads",
        columns={"Id": "lead_id", "Date": "created_at", "Canal": "channel", "Won": "converted"},
    )
    rows = [f"{r},{PLANTED}" for r in GOOD]
    ingest_file(store, _csv(folder / "m.csv", "Id,Date,Canal,Won,Mail", rows), mapping=profile)


def _twice_then_undone(store: Store, folder: Path) -> None:
    path = _csv(folder / "t.csv", f"{LEADS},email", _with_email(GOOD))
    first = ingest_file(store, path)
    assert ingest_file(store, path).status == "unchanged"
    assert first.batch_id is not None
    undo_upload(store, first.batch_id)


UPLOADS: dict[str, Upload] = {
    "undeclared column": _load(lambda f: _csv(f / "a.csv", f"{LEADS},email", _with_email(GOOD))),
    "one extra field": _load(lambda f: _csv(f / "b.csv", LEADS, [*GOOD, f"L99,2026-01-05,web,1,{PLANTED}"])),
    "extra fields and a shifted row": _load(
        lambda f: _csv(f / "c.csv", LEADS, [*GOOD, f"L98,{PLANTED},web,true,x,{PLANTED}"])
    ),
    "too few fields": _load(lambda f: _csv(f / "d.csv", f"{LEADS},email", [*_with_email(GOOD), f"L97,2026-01-05,{PLANTED}"])),
    "a quote never closed": _refused(
        lambda f: _csv(f / "e.csv", f"{LEADS},email", [*_with_email(GOOD[:30]), f'L96,2026-01-05,web,true,"{PLANTED}', *_with_email(GOOD[30:])])
    ),
    "refused for too many rejects": _refused(
        lambda f: _csv(f / "g.csv", LEADS, [f"L{i},2026-01-05,web,true,{PLANTED}" for i in range(20)])
    ),
    "multi-line notes": _load(
        lambda f: _csv(f / "h.csv", f"{LEADS},notes", [f'{r},"call {PLANTED}\nback"' for r in GOOD])
    ),
    "workbook": _load(lambda f: _workbook(f / "w.xlsx")),
    "gzip": _load(lambda f: _gzipped(f / "z.csv.gz")),
    "previewed only": _previewed,
    "mapping profile": _mapped,
    "identical file twice, then undone": _twice_then_undone,
}  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """Where the exports are written: not the store's folder, which is searched."""
    path = tmp_path / "exports"
    path.mkdir()
    yield path


def _tables_holding(store: Store, text: str) -> list[str]:
    cur = store.cursor()
    found = []
    tables = cur.execute(
        "SELECT DISTINCT table_name FROM duckdb_columns() WHERE NOT internal"
    ).fetchall()
    for (table,) in tables:
        columns = [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
            ).fetchall()
        ]
        cast = " OR ".join(f'contains(CAST("{c}" AS VARCHAR), ?)' for c in columns)
        (count,) = cur.execute(
            f'SELECT count(*) FROM "{table}" WHERE {cast}', [text] * len(columns)
        ).fetchone() or (0,)
        if count:
            found.append(table)
    return found


def _files_holding(folder: Path, text: str) -> list[Path]:
    needle = text.encode()
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_no_undeclared_personal_data_is_kept(
    tmp_path: Path, definitions: Definitions, folder: Path, kind: str
) -> None:
    db = tmp_path / "db" / "ops.duckdb"
    with Store(db, definitions) as store:
        UPLOADS[kind](store, folder)
        assert _tables_holding(store, PLANTED) == []
        assert _files_holding(store.staging_dir, PLANTED) == []
        store.cursor().execute("CHECKPOINT")
    # Nothing in the file's bytes either: not in a table, not in a freed block, not in the WAL.
    assert _files_holding(db.parent, PLANTED) == []
