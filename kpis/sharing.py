"""One database file shared by the dashboard, `kpis` commands and scheduled jobs at once.

DuckDB lets one process write a file, or any number of processes read it, and refuses to
open it otherwise. Its documentation's advice for several writers is to hold the file only
as long as each piece of work needs it and to coordinate in the application. So no process
keeps the file open: a request opens it read-only under a shared lock, an upload opens it
writable under an exclusive lock, and each closes it when done (about 30 ms to open).

The lock is `flock` on the database file itself (DuckDB's own locks are POSIX record locks,
which do not meet it), so the dashboard, commands and cron jobs queue instead of failing,
and nothing is created beside the database for it. A writer waits at most
`KPIS_LOCK_TIMEOUT` seconds (default 60) and then says who holds the file. Within a
process, readers share one read-only Store (DuckDB allows one configuration per file per
process) and a waiting writer goes first, so a busy dashboard cannot starve an upload.
Readers never see half an upload: an upload is one transaction, and no reader can open the
file while it runs.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kpis import database_file
from kpis.definitions import Definitions
from kpis.errors import StoreError, UsageError
from kpis.formatting import number
from kpis.i18n import _
from kpis.store import Store

DEFAULT_TIMEOUT = 60.0
POLL_SECONDS = 0.02


def lock_timeout() -> float:
    """The longest wait for the file, in seconds, from KPIS_LOCK_TIMEOUT (default 60)."""
    text = os.environ.get("KPIS_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise UsageError(
            _(
                "KPIS_LOCK_TIMEOUT={value} is not a number of seconds from 0 to 86400; set it to, "
                "say, 60"
            ).format(value=repr(text[:40]))
        )
    return seconds


def _gate_path(db: Path) -> Path:
    """The folder a writer locks while it waits and works: the database's staging folder.

    A new reader passes it first, so a writer in one process is not starved by readers that
    keep coming in another. Any database kpis has written has this folder; locking it (and
    the database file itself, for the main lock) creates nothing beside the database.
    """
    return db.with_name(db.name + ".staging")


class _Shared:
    """This process's hold on one database file: its readers, its writer, its OS lock."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.condition = threading.Condition()
        self.readers = 0
        self.writing = False
        self.writers_waiting = 0
        self.store: Store | None = None
        self.lock_fd: int | None = None


_FILES: dict[Path, _Shared] = {}
_FILES_LOCK = threading.Lock()
_THREAD = threading.local()  # how many reads of each file this thread holds (they nest)


def _shared(db: str | Path) -> _Shared:
    key = Path(db).resolve()
    with _FILES_LOCK:
        return _FILES.setdefault(key, _Shared(key))


def _flock(path: Path, exclusive: bool, deadline: float, db: Path, what: str) -> int | None:
    """A descriptor of `path` holding its flock, polled until `deadline`; None: nothing to lock.

    Nothing to lock is a database (or staging folder) not made yet, which no one else can be
    using, or one this user cannot open, which it cannot change either. A file replaced while
    we waited (`kpis demo` swaps in a new one) is locked again, the new one.
    """
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    while True:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise _busy(db, what) from None
                time.sleep(POLL_SECONDS)
            except OSError as exc:
                os.close(fd)
                problem = _("{file} cannot be locked ({reason}); check the folder").format(
                    file=path, reason=exc.strerror
                )
                raise StoreError(problem) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # replaced while we waited: lock the file that is there now


def _release(fd: int | None) -> None:
    # Closed only after DuckDB's own connection: closing a descriptor of a file drops every
    # POSIX lock this process holds on it, DuckDB's included.
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _os_lock(shared: _Shared, exclusive: bool, deadline: float, what: str) -> None:
    """Lock the database file itself for this process's readers or its writer."""
    shared.lock_fd = _flock(shared.db, exclusive, deadline, shared.db, what)


def _held() -> dict[Path, int]:
    held: dict[Path, int] | None = getattr(_THREAD, "held", None)
    if held is None:
        held = _THREAD.held = {}
    return held


def _os_unlock(shared: _Shared) -> None:
    _release(shared.lock_fd)
    shared.lock_fd = None


def _busy(db: Path, what: str) -> StoreError:
    seconds = lock_timeout()
    text = (
        _(
            "{file} stayed busy for {seconds} s (another upload or a long read holds it) while "
            "waiting to read it: try again, or wait longer with KPIS_LOCK_TIMEOUT=SECONDS"
        )
        if what == "read it"
        else _(
            "{file} stayed busy for {seconds} s (another upload or a long read holds it) while "
            "waiting to change it: try again, or wait longer with KPIS_LOCK_TIMEOUT=SECONDS"
        )
    )
    decimals = 0 if seconds.is_integer() else min(len(f"{seconds:g}".partition(".")[2]), 3)
    return StoreError(text.format(file=db, seconds=number(seconds, decimals)))


@contextmanager
def reading(db: str | Path, definitions: Definitions) -> Iterator[Store]:
    """A read-only Store for one request, shared with this process's other readers.

    Reads nest: a thread that already reads the file gets the same Store without waiting
    (a waiting writer would otherwise wait for it, and it for the writer).
    """
    shared = _shared(db)
    database_file.check(db, read_only=True)  # no lock file beside a database that is not there
    held = _held()
    nested = held.get(shared.db, 0) > 0
    deadline = time.monotonic() + lock_timeout()
    if not nested:  # let a writer waiting in any process go first
        _release(_flock(_gate_path(shared.db), False, deadline, shared.db, "read it"))
    with shared.condition:
        while not nested and (shared.writing or shared.writers_waiting):
            if not shared.condition.wait(timeout=max(0.0, deadline - time.monotonic())):
                raise _busy(shared.db, "read it")
        if shared.readers == 0:
            _os_lock(shared, exclusive=False, deadline=deadline, what="read it")
            try:
                shared.store = Store(db, definitions, read_only=True)
            except BaseException:
                _os_unlock(shared)
                raise
        shared.readers += 1
        store = shared.store
    held[shared.db] = held.get(shared.db, 0) + 1
    assert store is not None
    try:
        store.reload(definitions)
        yield store
    finally:
        held[shared.db] -= 1
        with shared.condition:
            shared.readers -= 1
            if shared.readers == 0:
                if shared.store is not None:
                    shared.store.close()
                    shared.store = None
                _os_unlock(shared)
                shared.condition.notify_all()


@contextmanager
def writing(db: str | Path, definitions: Definitions) -> Iterator[Store]:
    """A writable Store for one upload, undo or change, alone on the file until it is done."""
    with alone(db, replace=False), Store(db, definitions) as store:
        yield store


@contextmanager
def alone(db: str | Path, *, replace: bool = True) -> Iterator[None]:
    """The file to this block alone, not opened (`kpis demo` replaces it whole)."""
    database_file.check(db, read_only=False, replace=replace)  # no lock beside a refused path
    shared = _shared(db)
    if _held().get(shared.db, 0):
        bug = f"this thread reads {shared.db}: end the read before writing"
        raise RuntimeError(bug)  # i18n: ok (a bug in the caller, never a user's doing)
    deadline = time.monotonic() + lock_timeout()
    next_in_line = _flock(_gate_path(shared.db), True, deadline, shared.db, "change it")
    try:
        with shared.condition:
            shared.writers_waiting += 1
            try:
                while shared.writing or shared.readers:
                    if not shared.condition.wait(timeout=max(0.0, deadline - time.monotonic())):
                        raise _busy(shared.db, "change it")
                shared.writing = True
            finally:
                shared.writers_waiting -= 1
        try:
            _os_lock(shared, exclusive=True, deadline=deadline, what="change it")
            try:
                yield
            finally:
                _os_unlock(shared)
        finally:
            with shared.condition:
                shared.writing = False
                shared.condition.notify_all()
    finally:
        _release(next_in_line)


def data_stamp(db: str | Path) -> tuple[int, ...]:
    """A cheap key that changes whenever the file is written: cached results are kept by it.

    Taken without opening DuckDB (a stat of the file and its write-ahead log), so a page whose
    results are all cached does not open the database at all. It is taken before reading, so
    what is cached under it is never older than the file it names.
    """
    stamp: list[int] = []
    for path in (Path(db), Path(str(db) + ".wal")):
        try:
            info = path.stat()
        except FileNotFoundError:
            stamp += [0, 0, 0]
            continue
        stamp += [info.st_size, info.st_mtime_ns, info.st_ino]
    return tuple(stamp)
