"""The Report page's report of a week, cached, and its PDF and XLSX made only when asked for.

Building a report reads the database and a PDF takes a second or two to lay out, so the
report and its HTML are cached per data version (the language is part of it) and week, and
the PDF and XLSX are made when their download button is pressed. Streamlit runs that on
another thread after the page run: the run's read of the database is released by then and
the page's language is not in force there. So the renderers get the built report, never the
store, and the language is set again around them.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

import kpis
from dashboard import context
from kpis import i18n
from kpis.report import Report, build_report
from kpis.report.command import attachment_name
from kpis.report.html import Rendered, render_html

MOST_FILES = 8  # PDFs and workbooks kept for the next click (a few weeks, two languages)

# The report shown on the page is our HTML, its text escaped by kpis.report.html; still, the
# frame it is shown in runs scripts with the app's origin (Streamlit's sandbox allows both),
# so the copy on screen forbids scripts and any load from elsewhere: only its inline styles
# and data: images are needed.
POLICY = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:\">"
)


@dataclass(frozen=True)
class Built:
    """A week's report and its HTML as sent (images as data: URIs)."""

    report: Report
    rendered: Rendered


@st.cache_data(show_spinner=False, max_entries=16)
def built(_ctx: context.Context, version: tuple[object, ...], week: str) -> Built:
    """The report of ISO `week` through the engine, and its HTML, cached per data version."""
    report = build_report(_ctx.store, week)
    return Built(report, render_html(report, _ctx.definitions))


def on_screen(html: str) -> str:
    """The report's HTML with POLICY in its head, for the frame on the page."""
    head = re.search(r"<head\b[^>]*>", html, flags=re.IGNORECASE)
    if head is None:  # no head: the policy first (the parser makes it the head's)
        return POLICY + html
    return html[: head.end()] + POLICY + html[head.end() :]


def file_name(week: str, extension: str) -> str:
    """weekly-review-2026-W46.pdf / revue-hebdomadaire-2026-W46.pdf: the e-mail's names."""
    return attachment_name(week, extension)


class _Files:
    """Files made for a download, kept for the next click: bounded, shared by every session."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._kept: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], data: bytes) -> None:
        with self._lock:
            self._kept[key] = data
            self._kept.move_to_end(key)
            while len(self._kept) > self._most:
                self._kept.popitem(last=False)


FILES = _Files(MOST_FILES)


def _pdf(report: Report, definitions: kpis.Definitions) -> bytes:
    from kpis.report.pdf import render_pdf  # here: WeasyPrint is the page's cost only on a click

    return render_pdf(report, definitions)


def _xlsx(report: Report, definitions: kpis.Definitions) -> bytes:
    from kpis.report.xlsx import render_xlsx

    return render_xlsx(report, definitions)


RENDERERS: dict[str, Callable[[Report, kpis.Definitions], bytes]] = {"pdf": _pdf, "xlsx": _xlsx}


def on_click(
    kind: str, version: tuple[object, ...], report: Report, definitions: kpis.Definitions
) -> Callable[[], bytes]:
    """The file `kind` ("pdf", "xlsx") of `report`, made when called, in today's language.

    For st.download_button's `data`: called on another thread, after the page run.
    """
    lang = i18n.language()
    key = (kind, version, report.week, lang)
    render = RENDERERS[kind]

    def make() -> bytes:
        found = FILES.get(key)
        if found is None:
            with i18n.use_language(lang):
                found = render(report, definitions)
            FILES.put(key, found)
        return found

    return make
