"""Who sees what: local mode on loopback only, login with roles, hidden pages and buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

import kpis
from dashboard.auth import LOCAL_BANNER, is_loopback
from kpis.i18n import use_language
from tests.conftest import CONFIG, ROOT
from tests.dashboard.conftest import APP

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-of-some-length",
    "client_id": "kpis",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}
ACCESS = """\
users:
  coo@example.com: viewer
  ana@example.com: analyst
  boss@example.com: admin
domains:
  partner.org: viewer
"""
Run = Callable[..., AppTest]


@pytest.fixture
def run_app(demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The real app on a demo copy, signed in as `user` (None: login not configured)."""
    access = tmp_path / "access.yaml"
    access.write_text(ACCESS)
    monkeypatch.setenv("KPIS_DB", str(demo_copy))
    monkeypatch.setenv("KPIS_CONFIG", str(CONFIG))
    monkeypatch.setenv("KPIS_ACCESS", str(access))
    monkeypatch.chdir(ROOT)

    def run(
        user: dict[str, object] | None = None,
        page: str | None = None,
        address: str | None = "127.0.0.1",
        **params: str,
    ) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=120)
        app.query_params.update(params)
        if user is not None:
            app.secrets["auth"] = AUTH
            app.user = user
        before = config.get_option("server.address")
        config.set_option("server.address", address, "test")
        try:
            app.run()
            if page is not None:
                app.switch_page(page).run()
        finally:
            config.set_option("server.address", before, "test")
        assert not app.exception, [e.value for e in app.exception]
        return app

    yield run


def signed_in(email: str, **claims: object) -> dict[str, object]:
    return {"email": email, "is_logged_in": True, **claims}


def _text(app: AppTest) -> str:
    parts = [*app.title, *app.markdown, *app.caption, *app.error, *app.warning, *app.info]
    parts += [*app.sidebar.caption, *app.sidebar.info]
    return "\n".join(str(p.value) for p in parts)


def _shows_data(app: AppTest) -> bool:
    return bool(app.metric) or bool(app.dataframe) or bool(app.table)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True), ("127.0.0.53", True), ("::1", True), ("[::1]", True),
        ("localhost", True), ("LOCALHOST", True), (None, False), ("", False),
        ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("10.0.0.1", False),
        ("example.com", False), ("unix:///tmp/kpis.sock", False), ("127.0.0.1.nip.io", False),
    ],
)  # fmt: skip
def test_is_loopback(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_make_run_listens_on_loopback_only() -> None:
    assert 'address = "127.0.0.1"' in (ROOT / ".streamlit" / "config.toml").read_text()


def test_local_mode_is_admin_with_a_banner(run_app: Run) -> None:
    app = run_app()
    assert LOCAL_BANNER in _text(app)
    assert _shows_data(app)
    upload = run_app(page="app_pages/upload.py")
    assert "Upload exports" in _text(upload)
    assert any(b.key == "undo" for b in upload.button)
    definitions = run_app(page="app_pages/definitions.py")
    assert "Access" in [s.value for s in definitions.subheader]


@pytest.mark.parametrize("address", ["0.0.0.0", None, "192.168.1.20", "::"])
def test_elsewhere_without_login_serves_no_data(run_app: Run, address: str | None) -> None:
    for page in (None, "app_pages/upload.py"):
        app = run_app(address=address, page=page)
        text = _text(app)
        assert f"listens on {address or 'every network interface'} without login" in text
        assert "secrets.toml" in text and LOCAL_BANNER not in text
        assert not _shows_data(app)
        assert "Upload exports" not in text


def test_with_login_configured_nobody_signed_in_sees_only_the_login(run_app: Run) -> None:
    app = run_app(user={})
    assert [b.label for b in app.button] == ["Log in"]
    assert not _shows_data(app)
    assert LOCAL_BANNER not in _text(app)


@pytest.mark.parametrize(
    "user",
    [
        signed_in("stranger@elsewhere.net"),
        signed_in("coo@example.com", email_verified=False),  # an unverified e-mail is no one's
        signed_in(""),
        {"is_logged_in": True, "name": "No E-mail"},
    ],
)
def test_a_person_without_a_role_sees_no_data_and_can_log_out(
    run_app: Run, user: dict[str, object]
) -> None:
    app = run_app(user=user)
    assert "has no role in this dashboard yet" in _text(app)
    assert not _shows_data(app)
    assert [b.label for b in app.sidebar.button] == ["Log out"]


def test_a_viewer_reads_but_has_no_upload_page_nor_event_form(run_app: Run) -> None:
    app = run_app(user=signed_in("COO@example.com"))
    assert _shows_data(app)
    assert "Signed in as **coo@example.com** · viewer" in _text(app)
    assert [b.label for b in app.sidebar.button] == ["Log out"]
    with pytest.raises(
        ValueError, match=r"Could not find a navigation page.*Known pages: \[.*weekly"
    ):
        run_app(user=signed_in("coo@example.com"), page="app_pages/upload.py")  # not a page
    before_after = run_app(user=signed_in("x@partner.org"), page="app_pages/before_after.py")
    assert "Analysts and admins can add, change and remove events." in _text(before_after)
    assert not [b for b in before_after.button if b.key == "event_remove"]
    assert "Save the event" not in [b.label for b in before_after.get("form_submit_button")]
    definitions = run_app(user=signed_in("coo@example.com"), page="app_pages/definitions.py")
    assert "Access" not in [s.value for s in definitions.subheader]


def test_an_analyst_uploads_undoes_and_edits_events(run_app: Run, demo_copy: Path) -> None:
    upload = run_app(user=signed_in("ana@example.com"), page="app_pages/upload.py")
    assert "Upload exports" in _text(upload)
    assert {"uploaded_by", "undone_by"} <= set(upload.dataframe[0].value.columns)
    upload.button(key="undo").click().run()
    upload.button(key="undo_confirm").click().run()
    assert not upload.exception
    history = upload.dataframe[0].value
    assert history.iloc[0]["undone_by"] == "ana@example.com"
    before_after = run_app(user=signed_in("ana@example.com"), page="app_pages/before_after.py")
    assert "Save the event" in [b.label for b in before_after.get("form_submit_button")]


def test_an_admin_gives_a_role_from_the_definitions_page(run_app: Run, tmp_path: Path) -> None:
    app = run_app(user=signed_in("boss@example.com"), page="app_pages/definitions.py")
    assert "Access" in [s.value for s in app.subheader]
    app.text_input(key="access_email").input("New@Example.com")
    app.selectbox(key="access_role").select("analyst")
    app.get("form_submit_button")[-1].click().run()
    assert "new@example.com is now analyst." in _text(app)
    access = kpis.access.load_access(tmp_path / "access.yaml")
    assert access.role_of("new@example.com") == "analyst"
    assert access.role_of("coo@example.com") == "viewer"


def test_the_access_file_broken_stops_everyone_with_its_line(run_app: Run, tmp_path: Path) -> None:
    (tmp_path / "access.yaml").write_text("users:\n  ana@example.com: boss\n")
    app = run_app(user=signed_in("ana@example.com"))
    assert "access.yaml:2" in _text(app)
    assert not _shows_data(app)


# The same gate in French (?lang=fr): what a French team reads before and after signing in.
NBSP = "\u00a0"


def test_the_login_page_in_french(run_app: Run) -> None:
    app = run_app(user={}, lang="fr")
    assert [t.value for t in app.title] == ["Indicateurs opérationnels"]
    assert [b.label for b in app.button] == ["Se connecter"]
    assert "Connectez-vous avec votre compte professionnel" in _text(app)
    assert app.sidebar.segmented_control[0].value == "fr"  # the switch is there before login
    assert not _shows_data(app)


def test_local_mode_and_no_setup_in_french(run_app: Run) -> None:
    app = run_app(lang="fr")
    assert f"mode local{NBSP}: sans connexion" in _text(app) and LOCAL_BANNER not in _text(app)
    elsewhere = run_app(address="0.0.0.0", lang="fr")
    text = _text(elsewhere)
    assert "**Ce tableau de bord écoute sur 0.0.0.0 sans connexion**" in text
    assert "`.streamlit/secrets.toml`" in text and not _shows_data(elsewhere)
    anywhere = run_app(address=None, lang="fr")
    assert "écoute sur toutes les interfaces réseau sans connexion" in _text(anywhere)


def test_roles_in_french(run_app: Run) -> None:
    viewer = run_app(user=signed_in("coo@example.com"), lang="fr")
    assert "Connecté en tant que **coo@example.com** · lecteur" in _text(viewer)
    assert [b.label for b in viewer.sidebar.button] == ["Se déconnecter"]
    nobody = run_app(user=signed_in("stranger@elsewhere.net"), lang="fr")
    assert "**stranger@elsewhere.net** n'a pas encore de rôle dans ce tableau de bord" in _text(
        nobody
    )
    assert not _shows_data(nobody)
    with use_language("fr"):  # AppTest sends a choice as the text the page shows
        before_after = run_app(
            user=signed_in("x@partner.org"), page="app_pages/before_after.py", lang="fr"
        )
    assert "Les analystes et les administrateurs peuvent ajouter" in _text(before_after)


def test_an_admin_gives_a_role_in_french(run_app: Run, tmp_path: Path) -> None:
    with use_language("fr"):
        app = run_app(
            user=signed_in("boss@example.com"), page="app_pages/definitions.py", lang="fr"
        )
        assert "Accès" in [s.value for s in app.subheader]
        assert "Connecté en tant que **boss@example.com** · administrateur" in _text(app)
        table = next(t.value for t in app.dataframe if "rôle" in t.value.columns)
        assert set(table["rôle"]) == {"lecteur", "analyste", "administrateur"}
        app.text_input(key="access_email").input("New@Example.com")
        app.selectbox(key="access_role").select("analyst")
        app.get("form_submit_button")[-1].click().run()
    assert "new@example.com est désormais analyste." in _text(app)
    assert kpis.access.load_access(tmp_path / "access.yaml").role_of("new@example.com") == "analyst"
