"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd), and a closed port.

The server keeps every message it accepts as bytes, refuses the recipients it is told to
refuse, and asks for a login when given a password; one kind offers STARTTLS with a
certificate of its own authority. Nothing is mocked on the sending side.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    """A port nothing listens on (bound, then released): a connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the server received: (envelope sender, recipients, raw message) per message."""

    refuse: set[str] = field(default_factory=set)
    login_required: bool = False
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.login_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        """Each message received, parsed back with the email package."""
        parsed = [message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.received]
        return [m for m in parsed if isinstance(m, EmailMessage)]


@contextmanager
def smtp_server(
    refuse: set[str] | None = None, login: tuple[str, str] | None = None
) -> Iterator[tuple[Mailbox, int]]:
    """A running server and its port; with `login`, AUTH is offered (without TLS) and needed."""
    mailbox = Mailbox(refuse={a.lower() for a in refuse or set()})
    extra: dict[str, Any] = {}
    if login is not None:

        def check(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            given = (data.login.decode(), data.password.decode())
            ok = isinstance(data, LoginPassword) and given == login
            return AuthResult(success=ok, handled=False)  # aiosmtpd then replies 535

        # Asked for in MAIL rather than with auth_required, which aiosmtpd warns about
        # without TLS (and the tests turn warnings into errors).
        extra = {"authenticator": check, "auth_require_tls": False}
        mailbox.login_required = True
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kpis test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def starttls_server(
    cert_file: Path, key_file: Path, login: tuple[str, str]
) -> Iterator[tuple[Mailbox, int]]:
    """A server that offers STARTTLS, and AUTH only once the connection is encrypted."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    mailbox = Mailbox(login_required=True)

    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == login
        )
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=check,
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
