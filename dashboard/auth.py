"""Who is using the dashboard: the signed-in person and their role, or the local user.

With `[auth]` in .streamlit/secrets.toml, people sign in with the team's OpenID Connect
provider (st.login) and get the role the access file (kpis.access) gives their e-mail; no
role, no data. Without it, the dashboard is a one-person tool on a laptop: the local user is
admin, but only while the server listens on a loopback address (`make run` binds 127.0.0.1),
so nobody else can reach it. Anywhere else, a page says how to set up login and no data is
served. `gate` runs first on every run (app.py); pages ask `actor()` and pass it to the
engine, which refuses on its own what a role may not do.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import streamlit as st

import kpis
from dashboard import context
from kpis.access import Actor, Role, access_path, load_access
from kpis.i18n import _

_KEY = "_kpis_actor"
LOCAL_BANNER = "local mode: no login"  # the English of local_banner(), for tests
_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


def login_settings() -> dict[str, Any] | None:
    """The `[auth]` section of secrets.toml, or None when login is not configured."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError as exc:  # Streamlit's "secret not found" derives from it
        if str(exc).startswith("No secrets found"):
            return None
        st.error(_("**.streamlit/secrets.toml cannot be read**, so nobody can sign in."))
        st.caption(str(exc).split(":", 1)[0])
        st.stop()
        raise AssertionError("unreachable") from None  # st.stop() raises
    return dict(section) if section else None


def is_loopback(address: str | None) -> bool:
    """Whether the server listens on this machine only (unset: on every interface)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or unix:// socket: reachable as the proxy in front allows


def _reached_locally() -> bool:
    """The server listens on loopback and this browser is not behind a forwarding proxy."""
    if not is_loopback(st.get_option("server.address")):
        return False
    headers = st.context.headers
    if any(headers.get(name) for name in _PROXY_HEADERS):
        return False
    ip = st.context.ip_address
    return not isinstance(ip, str) or not ip or is_loopback(ip)


def gate() -> Actor:
    """The person using this session; stops the run with a page saying why when there is none.

    Draws the sidebar's sign-in state (e-mail and Log out, or the local-mode banner).
    """
    if login_settings() is None:
        if not _reached_locally():
            _explain_setup()
        st.sidebar.badge(
            local_banner(), icon=":material/lock_open:", color="orange",
            help=_(
                "You are the only user, as admin, because the dashboard listens on this "
                "machine only. To share it, set up login (README: Running it for a team)."
            ),
        )  # fmt: skip
        return _remember(kpis.LOCAL)
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        st.session_state.pop(_KEY, None)
        _login_page()
    email = str(user.get("email") or "").strip().lower()
    try:
        access = load_access(access_path(context.settings()[1]))
    except kpis.DefinitionError as exc:
        st.error(_("**The access file cannot be used**, so no role can be given.") + f"\n\n{exc}")
        _logout_button()
        st.stop()
        raise AssertionError("unreachable") from None
    verified = user.get("email_verified") is not False  # absent: the provider vouches for it
    role = access.role_of(email, user) if email and verified else None
    if role is None:
        _no_role_page(email)
    st.sidebar.caption(
        _("Signed in as **{email}** · {role}").format(email=email, role=role_name(role))
    )
    _logout_button()
    return _remember(Actor(email, role))


def local_banner() -> str:
    """The sidebar's badge when nobody signs in: 'local mode: no login'."""
    return _("local mode: no login")


def role_name(role: Role) -> str:
    """A role as people read it (viewer / lecteur); the access file keeps the English word."""
    names: dict[Role, str] = {"viewer": _("viewer"), "analyst": _("analyst"), "admin": _("admin")}
    return names.get(role, role)


def actor() -> Actor:
    """The actor `gate` found for this run (pages call it; app.py ran `gate` first)."""
    found = st.session_state.get(_KEY)
    if not isinstance(found, Actor):
        return gate()
    return found


def _remember(who: Actor) -> Actor:
    st.session_state[_KEY] = who
    return who


def _logout_button() -> None:
    if st.sidebar.button(_("Log out"), key="logout", icon=":material/logout:"):
        st.session_state.pop(_KEY, None)
        st.logout()


def _login_page() -> None:
    st.title(_("Operations KPIs"))
    st.write(_("Sign in with your work account to see the team's KPIs."))
    if st.button(_("Log in"), type="primary", key="login", icon=":material/login:"):
        st.login()
    st.stop()


def _no_role_page(email: str) -> None:
    st.title(_("Operations KPIs"))
    if email:
        text = _(
            "**{email}** has no role in this dashboard yet. Ask an admin to add you to the "
            "access file (viewer, analyst or admin)."
        ).format(email=email)
    else:
        text = _(
            "Your account (the provider gave no verified e-mail) has no role in this dashboard "
            "yet. Ask an admin to add you to the access file (viewer, analyst or admin)."
        )
    st.warning(text)
    _logout_button()
    st.stop()


def _explain_setup() -> None:
    address = st.get_option("server.address") or _("every network interface")
    st.title(_("Operations KPIs"))
    st.error(
        _(
            "**This dashboard listens on {address} without login**, so anyone who can reach "
            "it could change the data. It serves nothing until login is set up."
        ).format(address=address)
    )
    st.markdown(
        _(
            "To share it with your team, configure your OpenID Connect provider (Google, "
            "Microsoft Entra, Okta, Keycloak...) in `.streamlit/secrets.toml`, in an `[auth]` "
            "section with `redirect_uri`, `cookie_secret`, `client_id`, `client_secret` and "
            "`server_metadata_url`, and give people roles in the access file (`access.yaml` "
            "beside kpis.yaml, or `KPIS_ACCESS`). The README's *Running it for a team* shows "
            "both."
        )
        + "\n\n"
        + _("To use it alone on this machine, run it on 127.0.0.1 (`make run` does).")
    )
    st.stop()
