"""The SMTP server the weekly report is sent through, from KPIS_SMTP_* environment variables.

Kept out of kpis.yaml, which lives in the repository: a password must never be committed.
An optional TOML file named by KPIS_SMTP_SETTINGS may fill in what the environment leaves
out (the environment wins); it may hold the password only when no other user can read it.
Every bad value is refused with one sentence naming the variable, before anything is sent.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from kpis.definitions.report_models import valid_address
from kpis.errors import DeliveryError
from kpis.formatting import number
from kpis.i18n import _

TlsMode = Literal["starttls", "ssl", "none"]
TLS_MODES: tuple[TlsMode, ...] = ("starttls", "ssl", "none")
DEFAULT_PORTS: dict[TlsMode, int] = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 300.0
MAX_FILE_BYTES = 64_000
LOOPBACK = ("localhost", "127.0.0.1")  # the only hosts a password may go to unencrypted
# The settings file's keys and the variable each stands for (the variable wins).
KEYS = {
    "host": "KPIS_SMTP_HOST",
    "port": "KPIS_SMTP_PORT",
    "tls": "KPIS_SMTP_TLS",
    "user": "KPIS_SMTP_USER",
    "password": "KPIS_SMTP_PASSWORD",
    "from": "KPIS_SMTP_FROM",
    "timeout": "KPIS_SMTP_TIMEOUT",
}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: server, port, encryption, login, sender, socket timeout."""

    host: str
    port: int
    tls: TlsMode
    sender: str  # as written: "Ops KPIs <kpis@example.com>" or a bare address
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def sender_address(self) -> str:
        """The bare address of the sender (the envelope's MAIL FROM)."""
        return parseaddr(self.sender)[1]

    @property
    def server(self) -> str:
        """host:port, for messages."""
        return f"{self.host}:{self.port}"


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The settings from `environ` (default os.environ) and the KPIS_SMTP_SETTINGS file."""
    env = os.environ if environ is None else environ
    values = {name: env[name].strip() for name in KEYS.values() if env.get(name, "").strip()}
    path_text = env.get("KPIS_SMTP_SETTINGS", "").strip()
    if path_text:
        for name, value in _read_file(Path(path_text)).items():
            values.setdefault(name, value)
    host = values.get("KPIS_SMTP_HOST")
    if not host:
        raise DeliveryError(
            _("KPIS_SMTP_HOST is not set: give the name of the SMTP server to send through")
        )
    if any(c.isspace() or c in "/@:" for c in host) or len(host) > 253:
        raise DeliveryError(
            _(
                "KPIS_SMTP_HOST={value} is not a host name; give one such as smtp.example.com"
            ).format(value=repr(host[:60]))
        )
    tls = values.get("KPIS_SMTP_TLS", "starttls").lower()
    if tls not in TLS_MODES:
        raise DeliveryError(
            _("KPIS_SMTP_TLS={value} is not a mode; use starttls, ssl or none").format(
                value=repr(tls[:40])
            )
        )
    mode: TlsMode = tls
    if mode == "none" and values.get("KPIS_SMTP_USER") and host.lower() not in LOOPBACK:
        raise DeliveryError(
            _(
                "KPIS_SMTP_TLS=none would send the password unencrypted to {host}; use "
                "starttls or ssl"
            ).format(host=host)
        )
    return SmtpSettings(
        host=host,
        port=_port(values.get("KPIS_SMTP_PORT"), mode),
        tls=mode,
        sender=_sender(values.get("KPIS_SMTP_FROM")),
        user=values.get("KPIS_SMTP_USER"),
        password=_password(values),
        timeout=_timeout(values.get("KPIS_SMTP_TIMEOUT")),
    )


def _port(text: str | None, mode: TlsMode) -> int:
    if text is None:
        return DEFAULT_PORTS[mode]
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise DeliveryError(
            _("KPIS_SMTP_PORT={value} is not a port number from 1 to 65535; 587 is usual").format(
                value=repr(text[:40])
            )
        )
    return int(text)


def _sender(text: str | None) -> str:
    if not text:
        raise DeliveryError(
            _("KPIS_SMTP_FROM is not set: give the address the report is sent from")
        )
    address = parseaddr(text)[1]
    if not valid_address(address) or "\n" in text or "\r" in text:
        raise DeliveryError(
            _(
                "KPIS_SMTP_FROM={value} is not an e-mail address; give one such as "
                'kpis@example.com or "Ops KPIs <kpis@example.com>"'
            ).format(value=repr(text[:80]))
        )
    return text


def _password(values: Mapping[str, str]) -> str | None:
    user, password = values.get("KPIS_SMTP_USER"), values.get("KPIS_SMTP_PASSWORD")
    if user and not password:
        raise DeliveryError(
            _("KPIS_SMTP_USER is set but KPIS_SMTP_PASSWORD is not: set both, or neither")
        )
    if password and not user:
        raise DeliveryError(
            _("KPIS_SMTP_PASSWORD is set but KPIS_SMTP_USER is not: set both, or neither")
        )
    return password


def _timeout(text: str | None) -> float:
    if text is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= MAX_TIMEOUT:
        raise DeliveryError(
            _("KPIS_SMTP_TIMEOUT={value} is not a number of seconds from 1 to {limit}").format(
                value=repr(text[:40]), limit=number(MAX_TIMEOUT, 0)
            )
        )
    return seconds


def _read_file(path: Path) -> dict[str, str]:
    """The variables a settings file sets, by variable name; refused whole if anything is off."""
    try:
        info = path.stat()
        if info.st_size > MAX_FILE_BYTES:
            raise DeliveryError(
                _("KPIS_SMTP_SETTINGS: {file} is too large for a settings file").format(file=path)
            )
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DeliveryError(
            _("KPIS_SMTP_SETTINGS: {file} cannot be read ({reason})").format(
                file=path, reason=exc.strerror or exc
            )
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeliveryError(
            _("KPIS_SMTP_SETTINGS: {file} is not a TOML file ({reason})").format(
                file=path, reason=exc
            )
        ) from None
    values: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise DeliveryError(
                _("KPIS_SMTP_SETTINGS: {file} has an unknown key {key}; allowed: {keys}").format(
                    file=path, key=repr(key), keys=", ".join(KEYS)
                )
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise DeliveryError(
                _("KPIS_SMTP_SETTINGS: {key} in {file} must be a text or a number").format(
                    key=key, file=path
                )
            )
        values[KEYS[key]] = str(value).strip()
    if values.get("KPIS_SMTP_PASSWORD") and stat.S_IMODE(info.st_mode) & 0o077:
        raise DeliveryError(
            _(
                "KPIS_SMTP_SETTINGS: {file} holds a password but other users can read or change "
                "it; run chmod 600 on it, or give the password in KPIS_SMTP_PASSWORD"
            ).format(file=path)
        )
    return values
