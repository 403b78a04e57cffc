"""Which language this page run speaks: ?lang=, then the browser's, then kpis.yaml's default.

Chosen once at the top of every run (app.py), before any text is made, and kept in kpis.i18n's
context variable for the run; the sidebar switch writes `?lang=` so the choice is in the link
a COO is sent. An unknown `?lang=` is ignored (the next candidate is used), never echoed.
"""

from __future__ import annotations

import streamlit as st

import kpis
from dashboard import context
from kpis import i18n
from kpis.i18n import _


def _default() -> str | None:
    """kpis.yaml's `calendar.locale`, or None when the file cannot be read (the page says why)."""
    _db, config = context.settings()
    try:
        modified = config.stat().st_mtime if config.exists() else 0.0
        return context.definitions_cached(str(config), modified).calendar.locale
    except (kpis.KpisError, OSError):
        return None


def choose() -> str:
    """Set and return the language of this run."""
    asked = st.query_params.get("lang")
    return i18n.set_language(i18n.choose(asked, st.context.locale, _default()))


def switch(current: str) -> None:
    """The sidebar's language switch; choosing writes ?lang= and reruns in that language."""
    names = i18n.LANGUAGE_NAMES
    chosen = st.sidebar.segmented_control(
        _("Language"),
        options=list(i18n.LANGUAGES),
        format_func=names.__getitem__,
        default=current,
        key="language_switch",
    )
    if chosen and chosen != current:
        st.query_params["lang"] = chosen
        st.rerun()
