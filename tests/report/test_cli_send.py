"""`kpis report --send` through the installed command and a real SMTP server on 127.0.0.1.

The command builds the demo's report, e-mails it (HTML with inline images, a text version,
the PDF and XLSX attached), logs it in the database, refuses to send it twice, says what a
dry run would send, and names the recipient a refused connection failed.
"""

from __future__ import annotations

import io
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from kpis import Definitions, sharing
from kpis.report import sent_log
from tests.conftest import CONFIG, run_cli
from tests.report.smtp_server import free_port, smtp_server

BASE = ["--config", str(CONFIG), "report", "--week", "2026-W46", "--send"]


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    target = tmp_path / "db" / "ops.duckdb"
    target.parent.mkdir()
    shutil.copyfile(demo_db, target)
    return str(target)


def _env(port: int) -> dict[str, str]:
    return {
        "KPIS_SMTP_HOST": "127.0.0.1",
        "KPIS_SMTP_PORT": str(port),
        "KPIS_SMTP_TLS": "none",
        "KPIS_SMTP_FROM": "Ops KPIs <kpis@example.com>",
        "KPIS_SMTP_TIMEOUT": "10",
        "KPIS_SMTP_SETTINGS": "",
        "KPIS_SMTP_USER": "",
        "KPIS_SMTP_PASSWORD": "",
        "KPIS_DASHBOARD_URL": "https://kpis.example.com/",
    }


def _log(db: str, definitions: Definitions) -> list[sent_log.Sent]:
    with sharing.reading(db, definitions) as store:
        return sent_log.history(store)


def _parts(message: EmailMessage) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for part in message.walk():
        if isinstance(part, EmailMessage) and not part.is_multipart():
            found.setdefault(part.get_content_type(), []).append(part)
    return found


def test_the_report_arrives_once_with_its_parts(
    db: str, tmp_path: Path, definitions: Definitions
) -> None:
    with smtp_server() as (mailbox, port):
        args = ["--db", db, *BASE, "--to", "coo@example.com"]
        result = run_cli(*args, env=_env(port), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == (
            "Sent the report of 2026-W46 to coo@example.com (English)"
        )
        again = run_cli(*args, env=_env(port), cwd=tmp_path)
    assert not (tmp_path / "reports").exists()  # only sent: no file without --format
    assert again.returncode == 0, again.stderr
    assert "coo@example.com already received the report of 2026-W46 on " in again.stdout
    [message] = mailbox.messages()  # the second run sent nothing
    assert message["Subject"] == "Weekly operations review — W46 2026"
    assert message["To"].addresses[0].addr_spec == "coo@example.com"
    parts = _parts(message)
    html = parts["text/html"][0].get_content()
    text = parts["text/plain"][0].get_content()
    cids = re.findall(r'src="cid:([^"]+)"', html)
    images = {str(p["Content-ID"]).strip("<>"): p for p in parts["image/png"]}
    assert cids and set(cids) <= set(images)
    assert all(p.get_content_disposition() == "inline" for p in images.values())
    assert "data:image" not in html and "https://kpis.example.com/?week=2026-W46" in html
    assert "2026" in text and "<" not in text.split("\n")[0]
    [pdf] = parts["application/pdf"]
    [xlsx] = parts["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    assert pdf.get_filename() == "weekly-review-2026-W46.pdf"
    assert xlsx.get_filename() == "weekly-review-2026-W46.xlsx"
    assert pdf.get_content().startswith(b"%PDF-")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.get_content()))
    assert book.sheetnames == ["Week", "12 weeks", "Attention"]
    log = _log(db, definitions)
    assert [(s.week, s.email, s.language) for s in log] == [("2026-W46", "coo@example.com", "en")]
    assert log[0].message_id == message["Message-ID"]


def test_a_french_dry_run_says_what_it_would_send_and_sends_nothing(
    db: str, tmp_path: Path, definitions: Definitions
) -> None:
    with smtp_server() as (mailbox, port):
        result = run_cli(
            "--db", db, *BASE, "--to", "coo@example.com", "--dry-run", "--lang", "fr",
            "--format", "xlsx", env=_env(port), cwd=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert mailbox.received == [] and _log(db, definitions) == []
    line = result.stdout.splitlines()[-1]
    assert line.startswith("Enverrait le rapport de 2026-W46 à coo@example.com (français)")
    assert "\u00a0: «\u00a0Revue hebdomadaire des opérations — S46 2026\u00a0»" in line
    assert line.endswith("revue-hebdomadaire-2026-W46.pdf, revue-hebdomadaire-2026-W46.xlsx")
    assert (tmp_path / "reports" / "2026-W46.xlsx").is_file()  # --format still writes


def test_a_refused_connection_names_the_recipient_and_exits_1(
    db: str, tmp_path: Path, definitions: Definitions
) -> None:
    port = free_port()
    result = run_cli("--db", db, *BASE, "--to", "coo@example.com", env=_env(port), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: Not sent to coo@example.com: 127.0.0.1:{port} refused the connection; check "
        "that the SMTP server runs and that KPIS_SMTP_HOST and KPIS_SMTP_PORT are right\n"
    )
    assert _log(db, definitions) == []


def test_without_recipients_or_settings_nothing_is_built(db: str, tmp_path: Path) -> None:
    nobody = run_cli("--db", db, *BASE, env=_env(free_port()), cwd=tmp_path)
    assert nobody.returncode == 1
    assert nobody.stderr.startswith("Error: nobody to send the report to: give --to ADDRESS")
    no_host = run_cli(
        "--db", db, *BASE, "--to", "a@example.com", env={**_env(1), "KPIS_SMTP_HOST": ""}
    )
    assert no_host.returncode == 1
    assert no_host.stderr.startswith("Error: KPIS_SMTP_HOST is not set")
