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
from kpis.i18n import _

REMOVE = "(remove their line)"  # i18n: ok (an option's id, shown by _role_option)


def _role_option(option: str) -> str:
    if option == REMOVE:
        return _("(remove their line)")
    return auth.role_name(option)  # type: ignore[arg-type]


def manage() -> None:
    """The Access section of the Definitions page; shown to admins only."""
    actor = auth.actor()
    if not actor.can("roles"):
        return
    path = access_path(context.settings()[1])
    st.subheader(_("Access"))
    st.caption(
        _(
            "Who may do what, from {file}: viewers read, analysts also load files, undo "
            "uploads and edit events and mapping profiles, admins also give roles. A person's "
            "own line wins over the ID-token claim, which wins over their domain."
        ).format(file=path)
    )
    try:
        access = load_access(path)
    except kpis.DefinitionError as exc:
        st.error(_("The access file cannot be used: fix it by hand.") + f"\n\n{exc}")
        return
    who, role_, origin = _("who"), _("role"), _("from")
    rows = [
        *(
            {who: email, role_: auth.role_name(role), origin: _("e-mail")}
            for email, role in access.users.items()
        ),
        *(
            {who: f"@{d}", role_: auth.role_name(role), origin: _("domain")}
            for d, role in access.domains.items()
        ),
    ]
    if access.claim:
        claim = _("ID-token claim {claim}").format(claim=repr(access.claim))
        rows.append({who: claim, role_: _("its value"), origin: ""})
    if rows:
        tables.show(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(_("Nobody has a role yet."))
    with st.form("access_form", clear_on_submit=True):
        left, right = st.columns([3, 2])
        email = left.text_input(
            _("E-mail"),
            placeholder="name@example.com",  # i18n: ok (an address)
            key="access_email",
        )
        role = right.selectbox(
            _("Role"), [*ROLES, REMOVE], format_func=_role_option, key="access_role"
        )
        saved = st.form_submit_button(_("Save the role"))
    if saved:
        try:
            assign(path, actor, email, None if role == REMOVE else role)  # type: ignore[arg-type]
        except kpis.KpisError as exc:
            st.error(_("Not saved: {reason}").format(reason=exc))
        else:
            address = email.strip().lower()
            if role == REMOVE:
                done = _("{email} removed.").format(email=address)
            else:
                done = _("{email} is now {role}.").format(
                    email=address,
                    role=auth.role_name(role),  # type: ignore[arg-type]
                )
            st.session_state["access_message"] = done
            st.rerun()
    if "access_message" in st.session_state:
        st.info(st.session_state.pop("access_message"))
