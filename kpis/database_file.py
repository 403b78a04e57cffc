"""Check a database path before DuckDB touches it: a local DuckDB file, or a new one to create.

DuckDB opens whatever it is given: a CSV file becomes an empty in-memory database (uploads
vanish when the command ends), `md:`, `s3://` or `sqlite:` make it load or download an
extension, and a garbage log is silently skipped. Looking at the path and at the file's first
bytes first turns each of these into one sentence naming the file and what to do, refuses
before anything is created, and leaves a refused file exactly as it was.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from kpis.errors import StoreError
from kpis.i18n import N_, _, translate

MAGIC, MAGIC_AT = b"DUCK", 8  # a DuckDB file: after the header's 8-byte checksum
ENCRYPTED_AT = 20  # the header's first flags word: bit 0 is set on an encrypted database
WAL_START = b"\x64\x00"  # a DuckDB log's first entry opens with field 100, its type
NEW_SUFFIXES = (".duckdb", ".db")
# Advice shared by several messages (marked with N_, translated where shown).
NOT_DUCKDB_ADVICE = N_("give --db the .duckdb file, or a new path ending in .duckdb")
DAMAGED_ADVICE = N_(
    "restore it from a backup, or start a new database with --db and load the exports again"
)
READ_ONLY_ADVICE = N_(
    "kpis compute, compare and uploads can still read it; to load or undo uploads, make it "
    "writable or work on a writable copy"
)
# What a path prefix asks DuckDB for; any other `name:` loads the extension of that name.
_REMOTE = {
    "md": N_("a MotherDuck database"),
    "motherduck": N_("a MotherDuck database"),
    "http": N_("a web address"),
    "https": N_("a web address"),
    "sqlite": N_("a SQLite database, read through a DuckDB extension"),
    "postgres": N_("a PostgreSQL server"),
    "postgresql": N_("a PostgreSQL server"),
    "mysql": N_("a MySQL server"),
    **dict.fromkeys(
        ("s3", "s3a", "gs", "gcs", "r2", "az", "azure", "abfss", "hf"), N_("cloud storage")
    ),
}


@dataclass(frozen=True)
class DatabaseFile:
    """A database path that passed the checks, and how to give it to DuckDB."""

    path: Path  # as given, for messages
    target: str  # absolute: DuckDB never sees a `name:` prefix or a `~` it would interpret
    exists: bool
    read_only: bool

    @property
    def wal(self) -> Path:
        return Path(self.target + ".wal")


def check(path: str | Path, *, read_only: bool, replace: bool = False) -> DatabaseFile:
    """Refuse a path DuckDB must not open (read-only, or to write); touch nothing.

    `replace`: the file is about to be deleted and created anew (kpis demo --force), so it
    must also have a name a new database may get, and damage inside it does not matter.
    """
    raw = os.fspath(path)
    _refuse_non_local(raw)
    shown, target = Path(raw), os.path.abspath(raw)
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        _check_new(shown, target, read_only)
        return DatabaseFile(shown, target, exists=False, read_only=read_only)
    except PermissionError:
        raise StoreError(
            _("{file} cannot be read: a folder on its path is closed to this user").format(
                file=shown
            )
        ) from None
    except OSError as exc:
        raise StoreError(
            _("{file} cannot be used: {reason}").format(file=shown, reason=exc.strerror)
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(
            _("{file} is a folder, not a DuckDB database; {advice}").format(
                file=shown, advice=translate(NOT_DUCKDB_ADVICE)
            )
        )
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            _(
                "{file} is not a DuckDB database (it is a device, pipe or socket, not a file); "
                "{advice}"
            ).format(file=shown, advice=translate(NOT_DUCKDB_ADVICE))
        )
    head = _read(shown, target, 4096)
    if head[MAGIC_AT : MAGIC_AT + len(MAGIC)] != MAGIC:
        raise StoreError(
            _("{file} is not a DuckDB database ({what}); {advice}").format(
                file=shown, what=describe(head), advice=_advice(head)
            )
        )
    if len(head) > ENCRYPTED_AT and head[ENCRYPTED_AT] & 1:
        raise encrypted(shown)
    if replace:
        _check_new_name(shown)
    else:
        _check_wal(shown, Path(target + ".wal"))
    if not read_only:
        _check_writable(shown, target)
    return DatabaseFile(shown, target, exists=True, read_only=read_only)


def _refuse_non_local(raw: str) -> None:
    if not raw.strip():
        raise StoreError(_("the database path is empty: give --db a file such as data/ops.duckdb"))
    first = re.split(r"[/\\]", raw, maxsplit=1)[0]
    if ":" not in first or (os.name == "nt" and re.fullmatch(r"[A-Za-z]:", first)):
        return
    prefix = first.split(":", 1)[0].lower()
    local_name = ""
    if raw.startswith(":memory:"):
        what = _("DuckDB's in-memory database, which forgets everything when the command ends")
    elif prefix in _REMOTE:
        what = translate(_REMOTE[prefix])
    else:
        what = _("DuckDB reads '{prefix}:' as a request for its {prefix} extension").format(
            prefix=prefix
        )
        local_name = _(", or ./{path} for a local file with a colon in its name").format(path=raw)
    raise StoreError(
        _(
            "{path} is not a local file ({what}); kpis keeps its data in a local DuckDB file: "
            "give --db a path such as data/ops.duckdb{local_name}"
        ).format(path=raw, what=what, local_name=local_name)
    )


def _check_new(shown: Path, target: str, read_only: bool) -> None:
    if os.path.islink(target):
        raise StoreError(
            _("{file} is a link to {target}, which does not exist; {advice}").format(
                file=shown, target=os.readlink(target), advice=translate(NOT_DUCKDB_ADVICE)
            )
        )
    if read_only:
        raise StoreError(
            _(
                "no database at {file} (create it with kpis ingest or kpis demo, or give --db "
                "an existing .duckdb file)"
            ).format(file=shown)
        )
    _check_new_name(shown)
    if os.path.lexists(target + ".wal"):
        raise damaged(
            shown,
            _("the file is missing but its log {name}.wal is there").format(name=shown.name),
        )
    folder = Path(target).parent
    while not folder.exists() and not folder.is_symlink():
        folder = folder.parent
    if not folder.is_dir():
        raise StoreError(
            _("cannot create {file}: {folder} is a file, not a folder").format(
                file=shown, folder=folder
            )
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            _(
                "cannot create {file}: the folder {folder} is read-only for this user; give "
                "--db a path in a folder you can write to"
            ).format(file=shown, folder=folder)
        )


def _check_new_name(shown: Path) -> None:
    if shown.suffix.lower() not in NEW_SUFFIXES:
        message = (
            _(
                "{file} does not exist, and kpis creates a new database only at a path ending "
                "in .duckdb or .db: give --db the existing database, or a new path such as "
                "{suggestion}"
            )
            if not shown.exists()
            else _(
                "{file} would be replaced by a new database, which kpis creates only at a "
                "path ending in .duckdb or .db: give --db a path such as {suggestion}"
            )
        )
        raise StoreError(message.format(file=shown, suggestion=shown.with_suffix(".duckdb")))


def _check_wal(shown: Path, wal: Path) -> None:
    """A log DuckDB would skip as unreadable may hold committed uploads: call it damage."""
    try:
        info = wal.stat()
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise damaged(shown, _("its log {name} is not a file").format(name=wal.name))
    if info.st_size and _read(shown, str(wal), len(WAL_START)) != WAL_START:
        raise damaged(
            shown, _("its log {name} is not a DuckDB write-ahead log").format(name=wal.name)
        )


def _check_writable(shown: Path, target: str) -> None:
    problems = [
        (target, _("the file is not writable by this user")),
        (
            os.path.dirname(target),
            _("its folder is not writable, and DuckDB writes its log ({name}.wal) there").format(
                name=shown.name
            ),
        ),
        (
            target + ".wal",
            _("its log {name}.wal is not writable by this user").format(name=shown.name),
        ),
        (
            target + ".staging",
            _("its staging folder {name}.staging is not writable").format(name=shown.name),
        ),
    ]
    for where, why in problems:
        if os.path.exists(where) and not os.access(where, os.W_OK):
            raise StoreError(
                _("{file} is read-only: {why}; {advice}").format(
                    file=shown, why=why, advice=translate(READ_ONLY_ADVICE)
                )
            )


def _read(shown: Path, path: str, size: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except PermissionError:
        raise StoreError(
            _("{file} cannot be read: permission denied for this user").format(file=shown)
        ) from None
    except OSError as exc:
        raise StoreError(
            _("{file} cannot be read: {reason}").format(file=shown, reason=exc.strerror)
        ) from None


def describe(head: bytes) -> str:
    """What a file that is not a DuckDB database looks like, from its first bytes."""
    signatures = [
        (b"SQLite format 3\x00", N_("a SQLite database")),
        (b"PAR1", N_("a Parquet file")),
        (b"PK\x03\x04", N_("an Excel workbook or another ZIP archive")),
        (b"\xd0\xcf\x11\xe0", N_("an old Excel workbook (.xls)")),
        (b"\x1f\x8b", N_("a gzip-compressed file")),
        (b"%PDF", N_("a PDF document")),
        (WAL_START + b"\x62", N_("a DuckDB write-ahead log")),
    ]
    if not head:
        return _("it is empty, 0 bytes")
    for magic, kind in signatures:
        if head.startswith(magic):
            return _("it looks like {kind}").format(kind=translate(kind))
    text = _as_text(head)
    if text is None:
        return _("it holds binary data of an unknown kind")
    start = text.lstrip()[:1]
    first_line = text.lstrip().split("\n", 1)[0]
    if start in ("{", "["):
        return _("it looks like a JSON file")
    if start == "<":
        return _("it looks like an XML or HTML file")
    if any(mark in first_line for mark in ",;\t|"):
        return _("it looks like a CSV file")
    return _("it looks like a text file")


def _advice(head: bytes) -> str:
    if not head:
        return _("delete it to start a new database there, or {advice}").format(
            advice=translate(NOT_DUCKDB_ADVICE)
        )
    if head.startswith(WAL_START + b"\x62"):
        return _("give --db the database file it belongs to (the same name without .wal)")
    return translate(NOT_DUCKDB_ADVICE)


def _as_text(head: bytes) -> str | None:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return text if printable >= 0.95 * len(text) else None


def make_parents(path: str) -> list[Path]:
    """Create the missing folders above a new database; returns them, deepest first."""
    missing = []
    folder = Path(path).parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    try:
        for made in reversed(missing):
            made.mkdir()
    except OSError as exc:
        raise StoreError(
            _("cannot create {file}: {reason}").format(file=path, reason=exc.strerror)
        ) from None
    return missing


def discard(file: DatabaseFile, folders: list[Path]) -> None:
    """After a refused open: remove what this open created, so nothing is left behind."""
    if not file.exists:
        for made in (Path(file.target), file.wal):
            made.unlink(missing_ok=True)
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty or already gone: then it was not ours alone
            continue


def damaged(path: str | Path, detail: str) -> StoreError:
    """The one sentence for a database DuckDB cannot trust."""
    return StoreError(
        _("{file} is damaged ({detail}): {advice}").format(
            file=path, detail=detail, advice=translate(DAMAGED_ADVICE)
        )
    )


def encrypted(path: str | Path) -> StoreError:
    return StoreError(
        _(
            "{file} is an encrypted DuckDB database, which kpis does not open (it holds no keys "
            "and loads no extensions); give --db an unencrypted .duckdb file"
        ).format(file=path)
    )
