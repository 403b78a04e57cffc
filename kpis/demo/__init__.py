"""Build the demo database: generate the sample exports, then load them as an analyst would.

The demo goes through the real upload path (`ingest_file`), so what a newcomer sees is
exactly what their own exports will get, rejected rows and overlapping months included.
"""

from __future__ import annotations

import re
from pathlib import Path

from kpis import database_file
from kpis.access import Actor, require
from kpis.definitions import Definitions
from kpis.demo.exports import COLUMNS, write_exports
from kpis.demo.generate import END, EVENT, START, generate
from kpis.errors import StoreError
from kpis.i18n import _
from kpis.ingest import IngestResult, ingest_file
from kpis.sharing import alone, writing
from kpis.store import UPLOADS, Store

__all__ = ["END", "EVENT", "START", "build_demo", "load_demo", "write_sample_exports"]

DEMO_FILE = re.compile(rf"^({'|'.join(COLUMNS)})_\d{{4}}-\d{{2}}\.csv$")


def write_sample_exports(folder: Path) -> list[Path]:
    """Write the seeded sample exports into `folder` (replacing earlier ones)."""
    return write_exports(generate(), folder)


def build_demo(
    db_path: Path, definitions: Definitions, sample_dir: Path, *, force: bool = False
) -> list[IngestResult]:
    """Rebuild `db_path` from freshly generated sample exports.

    A database holding uploads other than the demo's is not replaced unless `force`: the
    demo must never wipe an analyst's real data by accident.
    """
    # Before deleting anything: only a DuckDB file, writable, at a name a new one may get
    # (`--db export.csv demo --force` must not delete the export).
    database_file.check(db_path, read_only=False, replace=True)
    if db_path.exists() and not force:
        with writing(db_path, definitions) as store:
            names = [
                row[0]
                for row in store.cursor()
                .execute(f"SELECT DISTINCT file_name FROM {UPLOADS}")
                .fetchall()
            ]
        foreign = [n for n in names if not DEMO_FILE.match(n)]
        if foreign:
            raise StoreError(
                _(
                    "{file} holds uploads that are not demo data ({names}); build the demo "
                    "elsewhere with --db, or pass --force to replace it"
                ).format(file=db_path, names=", ".join(foreign[:3]))
            )
    # The exports are written, and the new database built beside the old one, before the old
    # one is replaced: a demo that cannot be built leaves the database as it was.
    try:
        paths = write_sample_exports(sample_dir)
    except OSError as exc:
        raise StoreError(
            _(
                "cannot write the sample exports into {folder} ({reason}); choose another "
                "folder with --sample-dir"
            ).format(folder=sample_dir, reason=exc.strerror)
        ) from None
    building = db_path.with_name(f".{db_path.stem}.building.duckdb")
    _remove(building)
    try:
        with Store(building, definitions) as store:
            results = [ingest_file(store, path) for path in paths]
            store.cursor().execute("CHECKPOINT")
        with alone(db_path):  # readers and writers elsewhere wait; none sees half of it
            _remove(db_path)
            building.replace(db_path)
    finally:
        _remove(building)
    return results


def _remove(database: Path) -> None:
    """A database file and what DuckDB and the store keep beside it."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    staging = database.with_name(database.name + ".staging")
    if staging.is_dir():
        for leftover in staging.iterdir():
            leftover.unlink(missing_ok=True)
        staging.rmdir()


def load_demo(store: Store, sample_dir: Path, actor: Actor | None = None) -> list[IngestResult]:
    """Generate the sample exports and load them, month by month, into an open store.

    `actor` is who asked (the dashboard's user): a role that may not upload is refused.
    """
    if actor is not None:
        require(actor, "upload")
    return [ingest_file(store, path, actor=actor) for path in write_sample_exports(sample_dir)]
