"""The `reports:` section of kpis.yaml: who receives the weekly report, in which language.

Only what is declared here is kept about a recipient (a name, an address, a language), so
the README's "What is stored about people" can list it. The address check lives here, at
the bottom of the package tree, so `--to` addresses and SMTP settings use the same one.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from kpis.definitions.file_models import Strict
from kpis.i18n import _

MAX_RECIPIENTS = 50
MAX_ADDRESS = 254  # RFC 5321's longest path, less its angle brackets
# A plain ASCII mailbox: what every SMTP server takes without the SMTPUTF8 extension. No
# quoted local parts, comments or IP literals: a report goes to a colleague's mailbox.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)


def valid_address(text: str) -> bool:
    """Whether `text` is a plain e-mail address such as coo@example.com."""
    return len(text) <= MAX_ADDRESS and _ADDRESS.match(text) is not None


MAX_URL = 500
# An http(s) address with a host and nothing that could end the link in an HTML attribute or
# an e-mail's text (spaces, quotes, angle brackets): the report prints it as a link.
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s\"'<>`\\]*)?$")


def valid_url(text: str) -> bool:
    """Whether `text` is an http(s) address such as https://kpis.example.com/ (a base URL)."""
    return len(text) <= MAX_URL and "?" not in text and "#" not in text and bool(_URL.match(text))


class ReportRecipient(Strict):
    """One person the weekly report is e-mailed to; the language of their copy.

    Without a language the recipient gets the definitions' default (calendar.locale), else
    English.
    """

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=MAX_ADDRESS)
    language: Literal["en", "fr"] | None = None

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        if not valid_address(value):
            raise ValueError(
                _("{value} is not an e-mail address (write it as name@example.com)").format(
                    value=repr(value)
                )
            )
        return value

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # The name goes into the To: header: a line break there would start a new header.
        if any(c in value for c in "\r\n\t\0") or not value.strip():
            raise ValueError(_("a recipient's name must be one line of text"))
        return value.strip()


class Reports(Strict):
    """Settings of the weekly report: its recipients (the SMTP server is in the environment),
    and the dashboard's address, which the report links to (KPIS_DASHBOARD_URL wins over it).
    """

    recipients: list[ReportRecipient] = Field(default_factory=list, max_length=MAX_RECIPIENTS)
    dashboard_url: str | None = Field(default=None, max_length=MAX_URL)

    @field_validator("dashboard_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not valid_url(value):
            raise ValueError(
                _(
                    "{value} is not a web address; write the dashboard's base address, such "
                    "as https://kpis.example.com/"
                ).format(value=repr(value[:100]))
            )
        return value

    @field_validator("recipients")
    @classmethod
    def _once_each(cls, value: list[ReportRecipient]) -> list[ReportRecipient]:
        seen: set[str] = set()
        for recipient in value:
            key = recipient.email.lower()
            if key in seen:
                raise ValueError(
                    _("{email} is listed twice; list each recipient once").format(
                        email=recipient.email
                    )
                )
            seen.add(key)
        return value
