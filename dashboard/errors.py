"""The one handler around every page: a user's error is a message, a bug is a reference.

A traceback on screen shows server paths and code to whoever opened a link, and links are
anyone's to write. So no exception reaches Streamlit's own error box: a `kpis.KpisError`
(meant for people: a refused request, a limit, a locked database) shows its message, and
anything else shows one sentence with a short reference, while the traceback goes to the
server's log under that reference. `client.showErrorDetails = "none"` in
.streamlit/config.toml is the second fence, for whatever escapes this one.
"""

from __future__ import annotations

import logging
import secrets
import sys

import streamlit as st
from streamlit.navigation.page import StreamlitPage

import kpis
from dashboard import context
from kpis.i18n import _

log = logging.getLogger("dashboard")
if not log.handlers:  # the module is imported once per process, but be sure of it
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)


def reference() -> str:
    """Six characters to quote to whoever reads the log, e.g. 'A3F09C'."""
    return secrets.token_hex(3).upper()


def run(page: StreamlitPage) -> None:
    """Run the page chosen by st.navigation, showing any error as a message.

    Streamlit's stop and rerun signals derive from BaseException and pass through.
    """
    try:
        try:
            page.run()
        finally:
            # The database is read for one page run only: other processes may need it.
            context.release()
    except kpis.KpisError as exc:
        st.error(str(exc))
    except Exception:
        code = reference()
        # The query string is logged (repr, cut short) because the URL is often the cause.
        asked = repr(dict(st.query_params))[:500]
        log.exception(  # i18n: ok (the server's log is in English, for whoever runs it)
            "page %r failed (reference %s), URL parameters %s", page.title, code, asked
        )
        st.error(
            _(
                "Something went wrong on our side; the error was logged with reference {code}."
            ).format(code=code)
        )
