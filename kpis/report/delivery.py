"""Deliver one week's report to its recipients: skip who already has it, send, log, say so.

The sequence behind `kpis report --send`. The database is read for the sent log and taken
for writing only for the moment of recording a message the server took (kpis.sharing), so
an upload or the dashboard is never held up by a slow mail server. A dry run builds every
message, says what would go to whom, and neither sends nor logs anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kpis import sharing
from kpis.definitions import Definitions
from kpis.definitions.texts import language_name
from kpis.formatting import format_day, number
from kpis.i18n import _, ngettext, use_language
from kpis.report import sent_log
from kpis.report.mail import Attachment, Failure, Outgoing, build_message, send
from kpis.report.recipients import Recipient
from kpis.report.sent_log import Sent
from kpis.report.smtp_settings import SmtpSettings


@dataclass(frozen=True)
class Content:
    """What one copy of the report says, in its recipient's language."""

    subject: str
    html: str
    text: str
    images: Mapping[str, bytes] = field(default_factory=dict)
    attachments: Sequence[Attachment] = ()


@dataclass
class Delivery:
    """What happened: sent, skipped (already sent), failed; or, in a dry run, what would."""

    week: str
    dry_run: bool
    planned: list[Outgoing] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    skipped: list[tuple[Recipient, Sent]] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 when a message was not sent (a cron job's mail then says why), else 0.

        A recipient skipped because they already have the week's report is not a failure:
        a cron job that runs twice sends once and stays quiet.
        """
        return 1 if self.failed else 0

    def lines(self) -> list[str]:
        """One sentence per recipient, in the language in force, for the command's output."""
        said: list[str] = []
        for recipient, before in self.skipped:
            said.append(
                _(
                    "{email} already received the report of {week} on {day}; not sent again "
                    "(--force sends it anyway)"
                ).format(email=recipient.email, week=self.week, day=format_day(before.sent_at))
            )
        for item in self.planned:
            said.append(_would_send(self.week, item))
        for sent in self.sent:
            said.append(
                _("Sent the report of {week} to {email} ({language})").format(
                    week=self.week, email=sent.email, language=language_name(sent.language)
                )
            )
        said.extend(str(failure) for failure in self.failed)
        return said


def deliver(
    db: str | Path,
    definitions: Definitions,
    week: str,
    recipients: Sequence[Recipient],
    compose: Callable[[Recipient], Content],
    settings: SmtpSettings,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> Delivery:
    """Send `week`'s report to each recipient who does not have it yet (all, if `force`).

    `compose` is called once per recipient, in that recipient's language (the language in
    force inside the call), and returns what their copy says. Each message the server takes
    is logged at once; a failure logs nothing for its recipient, so running again retries
    exactly those who did not get it.
    """
    with sharing.reading(db, definitions) as store:
        before = sent_log.already_sent(store, week, (r.email for r in recipients))
    result = Delivery(week=week, dry_run=dry_run)
    outgoing: list[Outgoing] = []
    for recipient in recipients:
        if recipient.key in before and not force:
            result.skipped.append((recipient, before[recipient.key]))
            continue
        with use_language(recipient.language):
            content = compose(recipient)
        message = build_message(
            settings.sender,
            recipient,
            content.subject,
            content.html,
            content.text,
            content.images,
            content.attachments,
        )
        outgoing.append(Outgoing(recipient, message))
    if dry_run:
        result.planned = outgoing
        return result

    def record(item: Outgoing) -> None:
        sent = Sent(
            week=week,
            email=item.recipient.key,
            language=item.recipient.language,
            sent_at=dt.datetime.now(),
            message_id=item.message_id,
        )
        with sharing.writing(db, definitions) as writable:
            sent_log.record(writable, sent)
        result.sent.append(sent)

    result.failed = send(settings, outgoing, on_sent=record)
    return result


def _would_send(week: str, item: Outgoing) -> str:
    """A dry run's sentence: to whom, in which language, the subject and what is attached."""
    files = [part.get_filename() or "" for part in item.message.iter_attachments()]
    size = len(item.message.as_bytes())
    return _(
        'Would send the report of {week} to {email} ({language}): "{subject}", {size} kB, '
        "{attached}"
    ).format(
        week=week,
        email=item.recipient.email,
        language=language_name(item.recipient.language),
        subject=item.message["Subject"],
        size=number(size / 1000, 0),
        attached=(
            ngettext(
                "{count} attachment: {files}", "{count} attachments: {files}", len(files)
            ).format(count=number(len(files), 0), files=", ".join(files))
            if files
            else _("no attachment")
        ),
    )
