"""The Upload page keeps no uploaded bytes on disk between interactions.

Exports hold personal data (names, e-mails). The page writes a file only for the length of
one preview or load call (dashboard.staging); what a crash left behind is swept when the
page next runs, unless some session is using it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.proto.Common_pb2 import FileURLs as FileURLsProto
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec
from streamlit.testing.v1 import AppTest

import kpis
from dashboard import staging
from tests.dashboard.conftest import OpenApp

LEADS = b"lead_id,created_at,channel,converted\nD1,2026-11-10 10:00,web,true\n"
UNKNOWN = b"Case,Opened,Customer,Email\nC1,2026-11-10 09:00,Ann,ann@example.com\n"
BAD_ROWS = b"lead_id,created_at,channel,converted\nD1,someday,web,true\n"


def _staged(db: Path) -> list[str]:
    """Every file in the staging folder (the only place the page writes uploads to)."""
    staging = db.with_name(db.name + ".staging")
    return sorted(p.name for p in staging.iterdir() if p.is_file())


def _preview(app: AppTest, content: bytes) -> None:
    app.file_uploader[0].set_value(("export.csv", content, "text/csv")).run()


def _load(app: AppTest, content: bytes) -> None:
    _preview(app, content)
    app.button(key="load").click().run()


def _change_a_widget(app: AppTest, content: bytes) -> None:
    _preview(app, content)
    file_id = app.session_state["files_0"][0].file_id
    app.selectbox(key=f"source_{file_id}").select("leads").run()


STEPS: dict[str, tuple[Callable[[AppTest, bytes], None], bytes, str]] = {
    "previewed": (_preview, LEADS, "Will load into **CRM leads**"),
    "previewed_refused": (_preview, UNKNOWN, "matches no source"),
    "previewed_then_a_widget_changed": (_change_a_widget, LEADS, "Will load into **CRM leads**"),
    "loaded": (_load, LEADS, "1 row loaded"),
    "load_refused": (_load, BAD_ROWS, "Refused: export.csv"),
}


@pytest.mark.parametrize(("step", "content", "shown"), STEPS.values(), ids=STEPS.keys())
def test_no_upload_is_left_on_disk(
    open_app: OpenApp,
    demo_copy: Path,
    step: Callable[[AppTest, bytes], None],
    content: bytes,
    shown: str,
) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    step(app, content)
    assert not app.exception
    said = [m.value for m in [*app.success, *app.error]]
    assert any(shown in text for text in said), said
    assert _staged(demo_copy) == []


def test_leftovers_of_a_crash_are_swept(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")  # the store is open: no sweep at open
    staging = demo_copy.with_name(demo_copy.name + ".staging")
    hour_ago = time.time() - 3600
    for name, when in {
        "upload-dead-export.csv": hour_ago,  # a load killed mid-way an hour ago
        "upload-live-export.csv": time.time(),  # another session's load, right now
        "not-an-upload.txt": hour_ago,  # not the page's: left alone
    }.items():
        (staging / name).write_bytes(b"lead_id\nL1\n")
        os.utime(staging / name, (when, when))
    app.run()
    assert _staged(demo_copy) == ["not-an-upload.txt", "upload-live-export.csv"]


def test_a_file_in_use_is_never_swept(store: kpis.Store) -> None:
    """However old, a file some session is loading stays (the engine checks it at the end)."""
    record = UploadedFileRec("f1", "export.csv", "text/csv", LEADS)
    upload = UploadedFile(record, FileURLsProto())
    hour_ago = time.time() - 3600
    with staging.on_disk(store, upload) as path:
        os.utime(path, (hour_ago, hour_ago))
        assert staging.sweep(store) == []
        assert Path(path).read_bytes() == LEADS
    assert not Path(path).exists()
    assert staging.sweep(store) == []
