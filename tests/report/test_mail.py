"""The report e-mail: its parts, and sending it through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from kpis.errors import DeliveryError
from kpis.i18n import use_language
from kpis.report.mail import Failure, Outgoing, build_message, send
from kpis.report.recipients import Recipient
from kpis.report.smtp_settings import SmtpSettings
from tests.report.smtp_server import free_port, self_signed, smtp_server, starttls_server

SUBJECT = "Revue hebdomadaire des opérations — S46 2026"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a signature and bytes of every value
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8
XLSX = b"PK\x03\x04" + bytes(range(256)) * 8
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COO = Recipient("coo@example.com", "fr", "Claire Martin-Lévêque")
HTML = '<html><body><h1>Revue — S46</h1><img src="cid:spark-otif" alt="OTIF"></body></html>'
TEXT = "Revue hebdomadaire — S46\nOTIF : 94,2 %\n"


def _message(recipient: Recipient = COO) -> EmailMessage:
    return build_message(
        "Ops KPIs <kpis@example.com>",
        recipient,
        SUBJECT,
        HTML,
        TEXT,
        {"spark-otif": PNG},
        [("revue-2026-W46.pdf", "application/pdf", PDF), ("revue-2026-W46.xlsx", XLSX_TYPE, XLSX)],
    )


def _settings(port: int, **change: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "tls": "none",
        "sender": "Ops KPIs <kpis@example.com>",
        "timeout": 5.0,
    }
    return SmtpSettings(**{**values, **change})  # type: ignore[arg-type]


def _structure(part: EmailMessage, depth: int = 0) -> list[str]:
    lines = ["  " * depth + part.get_content_type()]
    if part.is_multipart():
        for sub in part.iter_parts():
            assert isinstance(sub, EmailMessage)
            lines += _structure(sub, depth + 1)
    return lines


def test_a_message_arrives_with_its_html_text_inline_image_and_attachments() -> None:
    with smtp_server() as (mailbox, port):
        failures = send(_settings(port), [Outgoing(COO, _message())])
    assert failures == []
    ((mail_from, rcpt_tos, _raw),) = mailbox.received
    assert (mail_from, rcpt_tos) == ("kpis@example.com", ["coo@example.com"])
    (got,) = mailbox.messages()
    assert _structure(got) == [
        "multipart/mixed",
        "  multipart/alternative",
        "    text/plain",
        "    multipart/related",
        "      text/html",
        "      image/png",
        "  application/pdf",
        "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert got["Subject"] == SUBJECT
    assert got["To"].addresses[0].display_name == "Claire Martin-Lévêque"
    assert got["To"].addresses[0].addr_spec == "coo@example.com"
    assert got["Content-Language"] == "fr"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["Message-ID"].endswith("@example.com>")
    text = got.get_body(("plain",))
    html = got.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().strip() == HTML
    (image,) = [p for p in got.walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<spark-otif>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True) == PNG
    attached = {a.get_filename(): a.get_payload(decode=True) for a in got.iter_attachments()}
    assert attached == {"revue-2026-W46.pdf": PDF, "revue-2026-W46.xlsx": XLSX}


def test_each_message_sent_is_announced_before_the_next() -> None:
    other = Recipient("ops@example.com", "en")
    seen: list[str] = []
    with smtp_server() as (mailbox, port):
        items = [Outgoing(COO, _message()), Outgoing(other, _message(other))]
        failures = send(
            _settings(port),
            items,
            on_sent=lambda item: seen.append(
                f"{item.recipient.email} after {len(mailbox.received)}"
            ),
        )
    assert failures == []
    assert seen == ["coo@example.com after 1", "ops@example.com after 2"]


def test_a_closed_port_fails_every_message_with_a_clear_reason() -> None:
    port = free_port()
    other = Recipient("ops@example.com", "en")
    failures = send(_settings(port), [Outgoing(COO, _message()), Outgoing(other, _message(other))])
    assert [f.recipient.email for f in failures] == ["coo@example.com", "ops@example.com"]
    assert str(failures[0]) == (
        f"Not sent to coo@example.com: 127.0.0.1:{port} refused the connection; check that the "
        "SMTP server runs and that KPIS_SMTP_HOST and KPIS_SMTP_PORT are right"
    )


def test_a_refused_recipient_fails_alone() -> None:
    other = Recipient("gone@example.com", "en")
    with smtp_server(refuse={"gone@example.com"}) as (mailbox, port):
        failures = send(
            _settings(port), [Outgoing(other, _message(other)), Outgoing(COO, _message())]
        )
    assert [m["To"].addresses[0].addr_spec for m in mailbox.messages()] == ["coo@example.com"]
    (failure,) = failures
    assert str(failure) == (
        f"Not sent to gone@example.com: 127.0.0.1:{port} refused the address "
        "(550 5.1.1 no such mailbox here)"
    )


def test_login_right_and_wrong() -> None:
    with smtp_server(login=("kpis", "s3cret")) as (mailbox, port):
        assert (
            send(_settings(port, user="kpis", password="s3cret"), [Outgoing(COO, _message())]) == []
        )
        (failure,) = send(
            _settings(port, user="kpis", password="wrong"), [Outgoing(COO, _message())]
        )
        (no_login,) = send(_settings(port), [Outgoing(COO, _message())])
    assert len(mailbox.received) == 1
    assert failure.reason.startswith(f"127.0.0.1:{port} refused the user name or password (535")
    assert failure.reason.endswith("check KPIS_SMTP_USER and KPIS_SMTP_PASSWORD")
    assert no_login.reason == (
        f"127.0.0.1:{port} asks for a login (530 5.7.0 Authentication required); set "
        "KPIS_SMTP_USER and KPIS_SMTP_PASSWORD"
    )


def test_starttls_asked_of_a_server_without_it_is_said() -> None:
    with smtp_server() as (mailbox, port):
        (failure,) = send(_settings(port, tls="starttls"), [Outgoing(COO, _message())])
    assert mailbox.received == []
    assert failure.reason == (
        f"127.0.0.1:{port} does not offer STARTTLS; set KPIS_SMTP_TLS=ssl (usually port 465), "
        "or none on a trusted network only"
    )


def test_failures_in_french() -> None:
    port = free_port()
    with use_language("fr"):
        (failure,) = send(_settings(port), [Outgoing(COO, _message())])
        said = str(failure)
    assert said == (
        f"Non envoyé à coo@example.com\u00a0: 127.0.0.1:{port} a refusé la connexion\u202f; "
        "vérifiez que le serveur SMTP fonctionne et que KPIS_SMTP_HOST et KPIS_SMTP_PORT sont "
        "justes"
    )


def test_a_message_too_large_is_refused_before_sending() -> None:
    big = [("big.pdf", "application/pdf", b"x" * 20_000_001)]
    with pytest.raises(DeliveryError, match=r"the message to coo@example.com would be 20.0 MB"):
        build_message("k@example.com", COO, SUBJECT, HTML, TEXT, {}, big)


def test_a_bad_image_or_attachment_is_a_bug_of_the_caller() -> None:
    with pytest.raises(ValueError, match="needs a plain Content-ID and PNG bytes"):
        build_message("k@example.com", COO, SUBJECT, HTML, TEXT, {"a b": PNG})
    with pytest.raises(ValueError, match="needs a plain Content-ID and PNG bytes"):
        build_message("k@example.com", COO, SUBJECT, HTML, TEXT, {"chart": b"GIF89a"})
    with pytest.raises(ValueError, match="needs a plain file name and a MIME type"):
        build_message("k@example.com", COO, SUBJECT, HTML, TEXT, {}, [("a.pdf", "pdf", PDF)])


def test_failure_is_a_value() -> None:
    assert Failure(COO, "x") == Failure(COO, "x")


def test_starttls_then_login_with_a_private_authority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_file, key_file = self_signed(tmp_path)
    with starttls_server(cert_file, key_file, ("kpis", "s3cret")) as (mailbox, port):
        settings = _settings(port, tls="starttls", user="kpis", password="s3cret")
        (untrusted,) = send(settings, [Outgoing(COO, _message())])
        # A private authority, the way OpenSSL is told about one: SSL_CERT_FILE.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        assert send(settings, [Outgoing(COO, _message())]) == []
    assert len(mailbox.received) == 1
    assert untrusted.reason.startswith(
        f"the encrypted connection to 127.0.0.1:{port} failed (CERTIFICATE_VERIFY_FAILED)"
    )
