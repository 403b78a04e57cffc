"""Who the weekly report goes to: `--to` addresses, or the recipients kpis.yaml declares.

Each recipient gets a message of their own, in their language, so nobody sees the others'
addresses and a French reader gets French numbers. The count is bounded: a typo in a loop
must not mail a whole company.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpis.definitions import Definitions
from kpis.definitions.report_models import MAX_RECIPIENTS, valid_address
from kpis.errors import DeliveryError
from kpis.formatting import number
from kpis.i18n import DEFAULT_LANGUAGE, _, supported


@dataclass(frozen=True)
class Recipient:
    """One person the report is sent to: address, language of their copy, name if known."""

    email: str
    language: str
    name: str | None = None

    @property
    def key(self) -> str:
        """The address as the sent log compares it (domains and, in practice, mailboxes
        are case-insensitive)."""
        return self.email.lower()


def default_language(definitions: Definitions) -> str:
    """The language of a copy when nobody says which: kpis.yaml's calendar.locale, else en."""
    return supported(definitions.calendar.locale) or DEFAULT_LANGUAGE


def declared(definitions: Definitions) -> list[Recipient]:
    """The recipients of kpis.yaml's `reports:` section, in the order written."""
    fallback = default_language(definitions)
    return [
        Recipient(r.email, r.language or fallback, r.name) for r in definitions.reports.recipients
    ]


def from_options(to: Sequence[str], language: str, definitions: Definitions) -> list[Recipient]:
    """Recipients named with `--to`, each checked; `language` is the copy's (the --lang).

    An address kpis.yaml declares keeps its declared name for the To: line.
    """
    if len(to) > MAX_RECIPIENTS:
        raise DeliveryError(
            _("--to names {count} addresses; the limit is {limit} a run").format(
                count=number(len(to), 0), limit=number(MAX_RECIPIENTS, 0)
            )
        )
    names = {r.key: r.name for r in declared(definitions)}
    found: dict[str, Recipient] = {}
    for text in to:
        address = text.strip()
        if not valid_address(address):
            raise DeliveryError(
                _("--to {value} is not an e-mail address; write it as name@example.com").format(
                    value=repr(text[:80])
                )
            )
        found.setdefault(address.lower(), Recipient(address, language, names.get(address.lower())))
    return list(found.values())


def recipients(
    to: Sequence[str], language: str | None, definitions: Definitions
) -> list[Recipient]:
    """`--to` addresses when any are given, else kpis.yaml's recipients; never none.

    `language` (from --lang) sets the language of `--to` copies; declared recipients keep
    their own.
    """
    if to:
        return from_options(to, language or default_language(definitions), definitions)
    found = declared(definitions)
    if not found:
        raise DeliveryError(
            _(
                "nobody to send the report to: give --to ADDRESS, or list recipients under "
                "reports: in {file}"
            ).format(file=definitions.file)
        )
    return found
