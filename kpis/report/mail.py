"""The weekly report as an e-mail, and sending e-mails through the SMTP server of the settings.

One message per recipient: an HTML body whose images travel inside the message (Content-ID,
multipart/related), so mail clients that block remote images still show the charts; a
plain-text alternative for clients and screen readers that want text; the PDF and XLSX
attached. Every socket wait is bounded by the settings' timeout, and a failure names the
recipient and the reason in one sentence, so a cron job's mail says what to fix.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from kpis.errors import DeliveryError
from kpis.formatting import number
from kpis.i18n import _
from kpis.report.recipients import Recipient
from kpis.report.smtp_settings import SmtpSettings

Attachment = tuple[str, str, bytes]
"""(file name, MIME type such as application/pdf, content)."""

MAX_MESSAGE_BYTES = 20_000_000  # common servers refuse 20-25 MB; a report is a few hundred kB
PNG = b"\x89PNG\r\n\x1a\n"
_CID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,100}$")
_MIME = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")


@dataclass(frozen=True)
class Outgoing:
    """A message ready to go, and the recipient it is for."""

    recipient: Recipient
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass(frozen=True)
class Failure:
    """A message the server did not take, and why, in one sentence for people."""

    recipient: Recipient
    reason: str

    def __str__(self) -> str:
        return _("Not sent to {email}: {reason}").format(
            email=self.recipient.email, reason=self.reason
        )


def build_message(
    sender: str,
    recipient: Recipient | str,
    subject: str,
    html: str,
    text: str,
    images: Mapping[str, bytes] | None = None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A multipart message: text and HTML alternatives, inline PNGs, then the attachments.

    `images` maps a Content-ID (without angle brackets) to PNG bytes; the HTML shows one as
    `<img src="cid:that-id">`. The structure is multipart/mixed [multipart/alternative
    [text/plain, multipart/related [text/html, image/png...]], attachments...].
    """
    images = images or {}
    person = recipient if isinstance(recipient, Recipient) else Recipient(recipient, "en")
    size = len(html) + len(text) + sum(map(len, images.values()))
    size += sum(len(content) for _name, _mime, content in attachments)
    if size > MAX_MESSAGE_BYTES:
        raise DeliveryError(
            _(
                "the message to {email} would be {size} MB; mail servers refuse over {limit} MB"
            ).format(
                email=person.email,
                size=number(size / 1e6, 1),
                limit=number(MAX_MESSAGE_BYTES / 1e6, 0),
            )
        )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = formataddr((person.name or "", person.email))
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    # Quoted-printable keeps every line short and 7-bit: any server relays it unchanged.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    html_part = next(p for p in message.iter_parts() if p.get_content_type() == "text/html")
    for cid, png in images.items():
        if not _CID.match(cid) or not png.startswith(PNG):
            bug = f"inline image {cid!r}: needs a plain Content-ID and PNG bytes"
            raise ValueError(bug)  # i18n: ok (a bug in the caller)
        html_part.add_related(
            png, "image", "png", cid=f"<{cid}>", disposition="inline", filename=f"{cid}.png"
        )
    for name, mime, content in attachments:
        if not _MIME.match(mime) or any(c in name for c in "/\\\r\n"):
            bug = f"attachment {name!r}: needs a plain file name and a MIME type, not {mime!r}"
            raise ValueError(bug)  # i18n: ok (a bug in the caller)
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype, subtype, filename=name)
    # Last: setting the content moves every Content-* header down into the parts.
    message["Content-Language"] = person.language
    return message


def send(
    settings: SmtpSettings,
    outgoing: Sequence[Outgoing],
    on_sent: Callable[[Outgoing], None] | None = None,
) -> list[Failure]:
    """Send each message over one connection; the failures, one per message not taken.

    `on_sent` runs right after the server took a message (to log it) and before the next is
    sent. A message the server refuses (its recipient, its size) fails alone; a connection
    or login that fails fails every message not yet sent.
    """
    if not outgoing:
        return []
    try:
        client = _connect(settings)
    except (smtplib.SMTPException, OSError) as exc:
        reason = _reason(exc, settings)
        return [Failure(item.recipient, reason) for item in outgoing]
    failures: list[Failure] = []
    try:
        for index, item in enumerate(outgoing):
            try:
                client.send_message(
                    item.message,
                    from_addr=settings.sender_address,
                    to_addrs=[item.recipient.email],
                )
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                failures.append(Failure(item.recipient, _reason(exc, settings)))
                continue
            except (smtplib.SMTPException, OSError) as exc:
                reason = _reason(exc, settings)
                failures += [Failure(later.recipient, reason) for later in outgoing[index:]]
                break
            if on_sent is not None:
                on_sent(item)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
        client.close()
    return failures


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """A connection, encrypted and logged in as the settings say."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.tls == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.tls == "starttls":
            if not client.has_extn("starttls"):
                raise _NoStartTls
            client.starttls(context=context)
            client.ehlo()
        if settings.user:
            client.login(settings.user, settings.password or "")
    except BaseException:
        client.close()
        raise
    return client


class _NoStartTls(smtplib.SMTPException):
    """The server does not offer STARTTLS although the settings ask for it."""


def _reply(exc: smtplib.SMTPResponseException) -> str:
    """The server's own words: its code and text (not translated, it is the server's)."""
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {' '.join(text.split())}"[:200]


def _reason(exc: BaseException, settings: SmtpSettings) -> str:
    """Why a message was not sent, in one sentence that says where to look."""
    server = settings.server
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, said = next(iter(exc.recipients.values()))
        return _("{server} refused the address ({reply})").format(
            server=server, reply=_reply(smtplib.SMTPResponseException(code, said))
        )
    if isinstance(exc, _NoStartTls):
        return _(
            "{server} does not offer STARTTLS; set KPIS_SMTP_TLS=ssl (usually port 465), or "
            "none on a trusted network only"
        ).format(server=server)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _(
            "{server} refused the user name or password ({reply}); check KPIS_SMTP_USER and "
            "KPIS_SMTP_PASSWORD"
        ).format(server=server, reply=_reply(exc))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return _(
            "{server} does not offer a login; unset KPIS_SMTP_USER and KPIS_SMTP_PASSWORD"
        ).format(server=server)
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 530:
        return _(
            "{server} asks for a login ({reply}); set KPIS_SMTP_USER and KPIS_SMTP_PASSWORD"
        ).format(server=server, reply=_reply(exc))
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _("{server} refused the sender {sender} ({reply}); check KPIS_SMTP_FROM").format(
            server=server, sender=settings.sender_address, reply=_reply(exc)
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _("{server} refused the message ({reply})").format(server=server, reply=_reply(exc))
    if isinstance(exc, ConnectionRefusedError):
        return _(
            "{server} refused the connection; check that the SMTP server runs and that "
            "KPIS_SMTP_HOST and KPIS_SMTP_PORT are right"
        ).format(server=server)
    if isinstance(exc, socket.gaierror):
        return _("the SMTP server {host} was not found; check KPIS_SMTP_HOST").format(
            host=settings.host
        )
    if isinstance(exc, TimeoutError):
        return _(
            "{server} did not answer within {seconds} s; try again later, or wait longer with "
            "KPIS_SMTP_TIMEOUT"
        ).format(server=server, seconds=number(settings.timeout, 0))
    if isinstance(exc, ssl.SSLError):
        return _(
            "the encrypted connection to {server} failed ({reason}); check KPIS_SMTP_TLS"
        ).format(server=server, reason=exc.reason or exc)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _("{server} closed the connection; try again later").format(server=server)
    return _("the connection to {server} failed ({reason})").format(
        server=server, reason=getattr(exc, "strerror", None) or exc
    )
