"""SMTP settings: from KPIS_SMTP_* variables and a private settings file; each mistake one sentence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpis.errors import DeliveryError
from kpis.i18n import use_language
from kpis.report.smtp_settings import SmtpSettings, smtp_settings

BASE = {"KPIS_SMTP_HOST": "smtp.example.com", "KPIS_SMTP_FROM": "Ops KPIs <kpis@example.com>"}


def test_defaults_follow_the_tls_mode() -> None:
    settings = smtp_settings(BASE)
    assert settings == SmtpSettings("smtp.example.com", 587, "starttls", BASE["KPIS_SMTP_FROM"])
    assert settings.sender_address == "kpis@example.com"
    assert smtp_settings({**BASE, "KPIS_SMTP_TLS": "SSL"}).port == 465
    assert smtp_settings({**BASE, "KPIS_SMTP_TLS": "none", "KPIS_SMTP_PORT": "2525"}).port == 2525


def test_the_password_is_not_in_the_repr() -> None:
    env = {**BASE, "KPIS_SMTP_USER": "kpis", "KPIS_SMTP_PASSWORD": "s3cret-value"}
    settings = smtp_settings(env)
    assert settings.password == "s3cret-value"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"KPIS_SMTP_HOST": ""}, "KPIS_SMTP_HOST is not set: give the name of the SMTP server"),
        (
            {"KPIS_SMTP_HOST": "smtp.example.com:587"},
            "KPIS_SMTP_HOST='smtp.example.com:587' is not a host name",
        ),
        ({"KPIS_SMTP_PORT": "smtp"}, "KPIS_SMTP_PORT='smtp' is not a port number from 1 to 65535"),
        ({"KPIS_SMTP_PORT": "70000"}, "KPIS_SMTP_PORT='70000' is not a port number"),
        ({"KPIS_SMTP_TLS": "tls"}, "KPIS_SMTP_TLS='tls' is not a mode; use starttls, ssl or none"),
        (
            {"KPIS_SMTP_FROM": ""},
            "KPIS_SMTP_FROM is not set: give the address the report is sent from",
        ),
        ({"KPIS_SMTP_FROM": "Ops KPIs"}, "KPIS_SMTP_FROM='Ops KPIs' is not an e-mail address"),
        ({"KPIS_SMTP_USER": "kpis"}, "KPIS_SMTP_USER is set but KPIS_SMTP_PASSWORD is not"),
        ({"KPIS_SMTP_PASSWORD": "x"}, "KPIS_SMTP_PASSWORD is set but KPIS_SMTP_USER is not"),
        (
            {"KPIS_SMTP_TIMEOUT": "0"},
            "KPIS_SMTP_TIMEOUT='0' is not a number of seconds from 1 to 300",
        ),
        (
            {"KPIS_SMTP_TLS": "none", "KPIS_SMTP_USER": "u", "KPIS_SMTP_PASSWORD": "p"},
            "KPIS_SMTP_TLS=none would send the password unencrypted to smtp.example.com",
        ),
    ],
)
def test_each_bad_value_is_one_sentence_naming_the_variable(
    change: dict[str, str], sentence: str
) -> None:
    with pytest.raises(DeliveryError) as caught:
        smtp_settings({**BASE, **change})
    message = str(caught.value)
    assert message.startswith(sentence)
    assert "\n" not in message


def test_a_settings_file_adds_to_the_environment_which_wins(tmp_path: Path) -> None:
    file = tmp_path / "smtp.toml"
    file.write_text('host = "mail.internal"\nport = 2525\ntls = "none"\nfrom = "k@example.com"\n')
    env = {"KPIS_SMTP_SETTINGS": str(file), "KPIS_SMTP_FROM": "ops@example.com"}
    settings = smtp_settings(env)
    assert (settings.host, settings.port, settings.tls) == ("mail.internal", 2525, "none")
    assert settings.sender == "ops@example.com"


def test_a_settings_file_with_a_password_must_be_private(tmp_path: Path) -> None:
    file = tmp_path / "smtp.toml"
    file.write_text('user = "kpis"\npassword = "s3cret"\n')
    env = {**BASE, "KPIS_SMTP_SETTINGS": str(file)}
    os.chmod(file, 0o644)
    with pytest.raises(
        DeliveryError,
        match=r"holds a password but other users can read or change it; run chmod 600",
    ):
        smtp_settings(env)
    os.chmod(file, 0o600)
    assert smtp_settings(env).password == "s3cret"
    file.write_text('user = "kpis"\n')  # no password: any mode will do
    os.chmod(file, 0o644)
    assert smtp_settings({**env, "KPIS_SMTP_PASSWORD": "from-env"}).password == "from-env"


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        ('hots = "x"\n', "has an unknown key 'hots'; allowed: host, port, tls"),
        ("host = [1]\n", "host in"),
        ("host = \n", "is not a TOML file"),
    ],
)
def test_a_bad_settings_file_is_one_sentence(tmp_path: Path, content: str, sentence: str) -> None:
    file = tmp_path / "smtp.toml"
    file.write_text(content)
    with pytest.raises(DeliveryError, match=r"^KPIS_SMTP_SETTINGS: ") as caught:
        smtp_settings({**BASE, "KPIS_SMTP_SETTINGS": str(file)})
    assert sentence in str(caught.value)


def test_a_missing_settings_file_is_said(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match=r"smtp.toml cannot be read \(No such file"):
        smtp_settings({**BASE, "KPIS_SMTP_SETTINGS": str(tmp_path / "smtp.toml")})


def test_settings_errors_in_french() -> None:
    with use_language("fr"), pytest.raises(DeliveryError) as caught:
        smtp_settings({**BASE, "KPIS_SMTP_PORT": "abc"})
    assert str(caught.value) == (
        "KPIS_SMTP_PORT='abc' n'est pas un numéro de port de 1 à 65535\u202f; 587 est l'usage"
    )
