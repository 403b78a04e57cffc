"""Role assignment for admins: the access file's lines, and adding or removing one.

Kept small on purpose: a person's own line (e-mail -> role) is added, changed or removed
here; domains and the ID-token claim are edited in the file itself. The engine
(kpis.access.assign) checks the admin role again and writes the file atomically.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import auth, context, tables
from kpis.access import ROLES, access_path, assign, load_access

REMOVE = "(remove their line)"


def manage() -> None:
    """The Access section of the Definitions page; shown to admins only."""
    actor = auth.actor()
    if not actor.can("roles"):
        return
    _, config = context.settings()
    path = access_path(config)
    st.subheader("Access")
    st.caption(
        f"Who may do what, from {path}: viewers read, analysts also load files, undo uploads "
        "and edit events and mapping profiles, admins also give roles. A person's own line "
        "wins over the ID-token claim, which wins over their domain."
    )
    try:
        access = load_access(path)
    except kpis.DefinitionError as exc:
        st.error(f"The access file cannot be used: fix it by hand.\n\n{exc}")
        return
    rows = [
        *({"who": email, "role": role, "from": "e-mail"} for email, role in access.users.items()),
        *({"who": f"@{d}", "role": role, "from": "domain"} for d, role in access.domains.items()),
    ]
    if access.claim:
        rows.append({"who": f"ID-token claim {access.claim!r}", "role": "its value", "from": ""})
    if rows:
        tables.show(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption("Nobody has a role yet.")
    with st.form("access_form", clear_on_submit=True):
        left, right = st.columns([3, 2])
        email = left.text_input("E-mail", placeholder="name@example.com", key="access_email")
        role = right.selectbox("Role", [*ROLES, REMOVE], key="access_role")
        saved = st.form_submit_button("Save the role")
    if saved:
        try:
            assign(path, actor, email, None if role == REMOVE else role)  # type: ignore[arg-type]
        except kpis.KpisError as exc:
            st.error(f"Not saved: {exc}")
        else:
            done = "removed" if role == REMOVE else f"is now {role}"
            st.session_state["access_message"] = f"{email.strip().lower()} {done}."
            st.rerun()
    if "access_message" in st.session_state:
        st.info(st.session_state.pop("access_message"))
