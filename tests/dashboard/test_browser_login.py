"""Logging in through a real OpenID Connect provider: a viewer reads, an analyst loads a file.

The provider (tests/oidc_provider.py) runs on 127.0.0.1 inside the test; the dashboard is
`streamlit run` with a secrets.toml pointing at it and an access file giving roles; Chromium
signs in on the provider's form, exactly as a person would with the team's provider.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import kpis
from tests.dashboard.served import MARKS, READY, _free_port, serve
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running

pytestmark = MARKS
ACCESS = "users:\n  coo@example.com: viewer\n  ana@example.com: analyst\n"


@pytest.fixture(scope="module")
def served(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Provider]]:
    """The provider, and the dashboard on a demo copy with login configured against it."""
    folder = tmp_path_factory.mktemp("login")
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    (folder / "access.yaml").write_text(ACCESS)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with running() as provider:
        (folder / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "{url}/oauth2callback"\n'
            'cookie_secret = "a-long-random-cookie-secret-for-tests"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n'
        )
        access = {"KPIS_ACCESS": str(folder / "access.yaml")}
        login = ["--server.address", "127.0.0.1", "--secrets.files", str(folder / "secrets.toml")]
        with serve(db, folder, port, login, access) as (_, _process):
            yield url, db, provider


def _log_in(page: object, url: str, email: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click(timeout=60_000)  # type: ignore[attr-defined]
    page.locator("#login_email").fill(email, timeout=30_000)  # type: ignore[attr-defined]
    page.locator("#sign_in").click()  # type: ignore[attr-defined]
    page.get_by_text(f"Signed in as {email}").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    page.wait_for_selector(READY, timeout=60_000)  # type: ignore[attr-defined]


def _nav(page: object) -> str:
    return page.locator("[data-testid=stSidebarNav]").inner_text()  # type: ignore[attr-defined,no-any-return]


def test_a_viewer_signs_in_reads_cannot_upload_and_logs_out(served, page) -> None:
    url, _, provider = served
    _log_in(page, url, "coo@example.com")
    assert "Signed in as coo@example.com · viewer" in page.inner_text("body")
    page.wait_for_selector("[data-testid=stMetric] >> nth=5", timeout=60_000)
    assert "Weekly review" in _nav(page) and "Upload" not in _nav(page)
    page.goto(f"{url}/upload")  # the address of the hidden page leads to no upload form
    page.wait_for_selector("[data-testid=stSidebarNav]", timeout=60_000)
    page.wait_for_selector(READY, timeout=60_000)
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    assert "Upload exports" not in page.inner_text("body")
    page.goto(url)  # away from Streamlit's "page not found" dialog
    page.wait_for_selector("[data-testid=stMetric] >> nth=5", timeout=60_000)
    logouts = provider.logouts
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for(timeout=60_000)
    assert provider.logouts == logouts + 1  # signed out at the provider too
    assert "coo@example.com" not in page.inner_text("body")
    assert page.locator("[data-testid=stMetric]").count() == 0
    page.goto(url)  # a new visit is signed out: the identity cookie is gone
    page.get_by_role("button", name="Log in").wait_for(timeout=60_000)


def test_an_analyst_uploads_and_the_history_names_them(
    served, page, tmp_path: Path, definitions: kpis.Definitions
) -> None:
    url, db, provider = served
    _log_in(page, url, "ana@example.com")
    assert "Upload" in _nav(page)
    export = tmp_path / "crm_week_47.csv"
    export.write_text(
        "lead_id,created_at,channel,converted\n"
        + "".join(f"A{i},2026-11-1{i % 5 + 1} 11:00,web,yes\n" for i in range(20))
    )
    page.goto(f"{url}/upload")
    page.wait_for_selector("[data-testid=stFileUploader]", timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(export))
    page.get_by_text("Will load into CRM leads").wait_for(timeout=60_000)
    page.wait_for_selector(READY)
    page.get_by_role("button", name="Load 1 file").click()
    page.get_by_text("20 rows loaded").wait_for(timeout=60_000)
    page.wait_for_selector(READY)
    assert page.get_by_role("button", name="Remove…").count() == 1  # analysts may undo
    assert provider.signed_in[-1] == "ana@example.com"
    # The page's history is drawn on a canvas: read what it shows from a copy of the file
    # (the server holds it); tests/dashboard/test_auth.py checks the page's table itself.
    copy = tmp_path / "after.duckdb"
    shutil.copyfile(db, copy)
    wal = Path(f"{db}.wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{copy}.wal"))
    with kpis.Store(copy, definitions, read_only=True) as store:
        latest = kpis.uploads(store).iloc[0]
    assert (latest["file_name"], latest["uploaded_by"]) == ("crm_week_47.csv", "ana@example.com")
