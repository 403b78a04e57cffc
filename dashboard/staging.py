"""Uploaded files on disk only for the length of one engine call, and swept when left behind.

Exports hold personal data (names, e-mails). Streamlit keeps an uploaded file's bytes in
memory between interactions anyway, so the Upload page writes it beside the database (the
one folder the engine may read from) only for a preview or a load, and deletes it right
after. A file outlives its call only if the process dies mid-call; `sweep` deletes those
when the Upload page runs (a Store leaves files of this prefix alone: other processes open
the database while a session's file waits for its load).
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import kpis
from kpis.store import HELD_PREFIX

PREFIX = HELD_PREFIX

# The files some session of this process is using now, so that another session's sweep
# leaves them alone however long a load takes (the engine checks at the end of a load that
# its file is still there, unchanged). A module's state is shared by every session.
_IN_USE: set[Path] = set()
_LOCK = threading.Lock()


@contextmanager
def on_disk(store: kpis.Store, upload: Any) -> Iterator[str]:
    """The path of `upload` (a Streamlit UploadedFile) written to the staging folder."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", upload.name)[-80:]  # the end keeps the extension
    path = store.staging_dir / f"{PREFIX}{uuid.uuid4().hex}-{safe}"
    with _LOCK:
        _IN_USE.add(path)
    try:
        path.write_bytes(upload.getvalue())
        yield str(path)
    finally:
        path.unlink(missing_ok=True)
        with _LOCK:
            _IN_USE.discard(path)


def sweep(store: kpis.Store, older_than: float = 5 * 60) -> list[str]:
    """Delete upload files no session is using, older than `older_than` seconds.

    Returns their names. The age keeps clear of a file being written right now.
    """
    now = time.time()
    swept = []
    with _LOCK:
        in_use = set(_IN_USE)
    for leftover in store.staging_dir.glob(f"{PREFIX}*"):
        if leftover in in_use:
            continue
        with suppress(OSError):  # gone already: another session swept it first
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()
                swept.append(leftover.name)
    return swept
