"""Delivering a week's report: sent once per recipient, logged in the database, dry runs.

A real SMTP server on 127.0.0.1 and a real DuckDB file: a second send of the same week is
refused and nothing arrives, --force sends again, a refused connection logs nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kpis import Definitions, sharing
from kpis.i18n import _, language, use_language
from kpis.report import sent_log
from kpis.report.delivery import Content, deliver
from kpis.report.recipients import Recipient
from kpis.report.smtp_settings import SmtpSettings
from tests.report.smtp_server import free_port, smtp_server

WEEK = "2026-W46"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COO = Recipient("COO@example.com", "fr", "Claire Martin")
OPS = Recipient("ops@example.com", "en")


def _compose(recipient: Recipient) -> Content:
    """The copy of one recipient: says the language in force when it was made."""
    return Content(
        subject=f"{_('Weekly review')} {WEEK} ({language()})",
        html=f'<p>{recipient.email}</p><img src="cid:spark">',
        text=recipient.email,
        images={"spark": PNG},
        attachments=[("report.pdf", "application/pdf", b"%PDF-1.7 ...")],
    )


def _settings(port: int) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, "none", "Ops KPIs <kpis@example.com>", timeout=5.0)


@pytest.fixture
def db(tmp_path: Path, definitions: Definitions) -> Path:
    path = tmp_path / "ops.duckdb"
    with sharing.writing(path, definitions):
        pass
    return path


def _log(db: Path, definitions: Definitions) -> list[sent_log.Sent]:
    with sharing.reading(db, definitions) as store:
        return sent_log.history(store)


def test_a_send_arrives_and_is_logged_in_each_recipients_language(
    db: Path, definitions: Definitions
) -> None:
    with smtp_server() as (mailbox, port):
        result = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port))
    assert result.exit_code == 0 and result.failed == []
    subjects = {m["To"].addresses[0].addr_spec: m["Subject"] for m in mailbox.messages()}
    assert subjects == {
        "COO@example.com": "Revue hebdomadaire 2026-W46 (fr)",
        "ops@example.com": "Weekly review 2026-W46 (en)",
    }
    log = _log(db, definitions)
    assert [(s.week, s.email, s.language) for s in log] == [
        (WEEK, "coo@example.com", "fr"),
        (WEEK, "ops@example.com", "en"),
    ]
    ids = {m["Message-ID"] for m in mailbox.messages()}
    assert {s.message_id for s in log} == ids
    assert all(dt.datetime.now() - s.sent_at < dt.timedelta(minutes=1) for s in log)
    assert result.lines() == [
        "Sent the report of 2026-W46 to coo@example.com (French)",
        "Sent the report of 2026-W46 to ops@example.com (English)",
    ]


def test_a_second_send_is_refused_and_force_sends_again(db: Path, definitions: Definitions) -> None:
    with smtp_server() as (mailbox, port):
        deliver(db, definitions, WEEK, [COO], _compose, _settings(port))
        again = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port))
        assert [m["To"].addresses[0].addr_spec for m in mailbox.messages()] == [
            "COO@example.com",
            "ops@example.com",
        ]  # the COO once, OPS (new) once
        assert again.exit_code == 0  # a cron job that runs twice stays quiet
        assert [r.email for r, _before in again.skipped] == ["COO@example.com"]
        assert again.lines()[0].startswith(
            "COO@example.com already received the report of 2026-W46 on "
        )
        assert again.lines()[0].endswith("; not sent again (--force sends it anyway)")
        forced = deliver(db, definitions, WEEK, [COO], _compose, _settings(port), force=True)
        other_week = deliver(db, definitions, "2026-W47", [COO], _compose, _settings(port))
    assert len(forced.sent) == 1 and len(other_week.sent) == 1
    assert len(mailbox.received) == 4
    assert [(s.week, s.email) for s in _log(db, definitions)] == [
        (WEEK, "coo@example.com"),
        (WEEK, "ops@example.com"),
        (WEEK, "coo@example.com"),
        ("2026-W47", "coo@example.com"),
    ]


def test_a_refused_connection_logs_nothing_and_exits_non_zero(
    db: Path, definitions: Definitions
) -> None:
    port = free_port()
    result = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port))
    assert result.exit_code == 1
    assert [f.recipient for f in result.failed] == [COO, OPS]
    assert result.lines()[0] == (
        f"Not sent to COO@example.com: 127.0.0.1:{port} refused the connection; check that "
        "the SMTP server runs and that KPIS_SMTP_HOST and KPIS_SMTP_PORT are right"
    )
    assert _log(db, definitions) == []
    with smtp_server() as (_mailbox, port):  # once the server is back, a rerun sends both
        assert len(deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port)).sent) == 2


def test_a_refused_recipient_is_retried_alone_on_the_next_run(
    db: Path, definitions: Definitions
) -> None:
    with smtp_server(refuse={"ops@example.com"}) as (_mailbox, port):
        first = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port))
    assert first.exit_code == 1 and [f.recipient for f in first.failed] == [OPS]
    assert [s.email for s in _log(db, definitions)] == ["coo@example.com"]
    with smtp_server() as (mailbox, port):
        second = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port))
    assert [m["To"].addresses[0].addr_spec for m in mailbox.messages()] == ["ops@example.com"]
    assert second.exit_code == 0


def test_a_dry_run_says_what_would_be_sent_and_neither_sends_nor_logs(
    db: Path, definitions: Definitions
) -> None:
    with smtp_server() as (mailbox, port):
        deliver(db, definitions, WEEK, [OPS], _compose, _settings(port))
        result = deliver(db, definitions, WEEK, [COO, OPS], _compose, _settings(port), dry_run=True)
        assert len(mailbox.received) == 1
    assert len(_log(db, definitions)) == 1
    assert [item.recipient for item in result.planned] == [COO]
    skipped, planned = result.lines()
    assert skipped.startswith("ops@example.com already received the report of 2026-W46 on ")
    assert planned.startswith(
        'Would send the report of 2026-W46 to COO@example.com (French): "Revue hebdomadaire '
        '2026-W46 (fr)", '
    )
    assert planned.endswith(" kB, 1 attachment: report.pdf")


def test_the_log_table_is_made_by_the_first_send_only(db: Path, definitions: Definitions) -> None:
    with sharing.reading(db, definitions) as store:
        assert sent_log.already_sent(store, WEEK, ["coo@example.com"]) == {}
        tables = {
            r[0]
            for r in store.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    assert sent_log.SENT_LOG not in tables  # a database that never sends is left as it was


def test_delivery_lines_in_french(db: Path, definitions: Definitions) -> None:
    with smtp_server() as (_mailbox, port):
        result = deliver(db, definitions, WEEK, [OPS], _compose, _settings(port))
        again = deliver(db, definitions, WEEK, [OPS], _compose, _settings(port))
    with use_language("fr"):
        assert result.lines() == ["Rapport de 2026-W46 envoyé à ops@example.com (anglais)"]
        (line,) = again.lines()
    assert line.startswith("ops@example.com a déjà reçu le rapport de 2026-W46 le ")
    assert line.endswith("\u202f; pas de nouvel envoi (--force l'envoie quand même)")
