"""Which language this page run speaks: ?lang=, then the browser's, then kpis.yaml's default.

Chosen once at the top of every run (app.py), before any text is made, and kept in kpis.i18n's
context variable for the run; the sidebar switch writes `?lang=` so the choice is in the link
a COO is sent. An unknown `?lang=` is ignored (the next candidate is used), never echoed.

A language asked for (by the link or the switch) is also kept for the session: moving to
another page of the sidebar may drop the link's parameters, and the reader should not fall
back to their browser's language on the way; it is written back into the link.
"""

from __future__ import annotations

import streamlit as st

import kpis
from dashboard import context
from kpis import i18n
from kpis.i18n import _

PARAM = "lang"
_ASKED = "_kpis_language"  # the language this session asked for, by link or switch
_SWITCH = "language_switch"


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
    text = st.query_params.get(PARAM)
    asked = i18n.supported(text)
    if asked is not None:
        st.session_state[_ASKED] = asked
    remembered = i18n.supported(st.session_state.get(_ASKED))
    lang = i18n.set_language(i18n.choose(asked, remembered, st.context.locale, _default()))
    if remembered is not None and text != lang:  # gone from the link, or not a language
        st.query_params[PARAM] = lang
    elif text is not None and asked is None:  # not a language: not kept in the link either
        del st.query_params[PARAM]
    return lang


def _switched() -> None:
    """The switch's callback, before the run: the new language goes to the link and session."""
    chosen = i18n.supported(st.session_state.get(_SWITCH))
    if chosen is not None:
        st.session_state[_ASKED] = chosen
        st.query_params[PARAM] = chosen  # the rest of the link stays as it is


def switch(current: str) -> None:
    """The sidebar's language switch, showing `current`; choosing reruns in that language."""
    # The widget shows the language in force, whichever candidate chose it (the link, the
    # browser, kpis.yaml): set before it is drawn, since its own state may be older.
    if st.session_state.get(_SWITCH) != current:
        st.session_state[_SWITCH] = current
    st.sidebar.segmented_control(
        _("Language"),
        options=list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGE_NAMES.__getitem__,
        required=True,
        key=_SWITCH,
        on_change=_switched,
    )
