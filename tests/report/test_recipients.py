"""Recipients: kpis.yaml's `reports:` section checked with lines, and `--to` addresses."""

from __future__ import annotations

import pytest

from kpis import Definitions
from kpis.definitions import parse_definitions
from kpis.errors import DefinitionError, DeliveryError
from kpis.i18n import use_language
from kpis.report.recipients import Recipient, declared, from_options, recipients
from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8")


def _with_reports(section: str) -> tuple[str, int]:
    """The shipped kpis.yaml with `section` appended, and the line the section starts on."""
    text = TEXT.rstrip("\n") + "\n"
    return text + section, text.count("\n") + 1


def _parse(section: str) -> Definitions:
    return parse_definitions(_with_reports(section)[0])


REPORTS = """reports:
  recipients:
    - {name: Claire Martin, email: coo@example.com, language: fr}
    - name: Sam Lee
      email: sam.lee@example.org
"""


def test_declared_recipients_keep_their_language_and_default_to_english() -> None:
    definitions = _parse(REPORTS)
    assert declared(definitions) == [
        Recipient("coo@example.com", "fr", "Claire Martin"),
        Recipient("sam.lee@example.org", "en", "Sam Lee"),
    ]
    assert recipients([], "fr", definitions) == declared(definitions)  # --lang: --to only


def test_without_a_language_a_recipient_gets_the_calendar_locale() -> None:
    text = _with_reports(REPORTS)[0].replace("calendar:\n", "calendar:\n  locale: fr_FR\n", 1)
    assert declared(parse_definitions(text))[1].language == "fr"


def test_no_reports_section_means_no_recipients(definitions: Definitions) -> None:
    assert definitions.reports.recipients == []
    with pytest.raises(DeliveryError, match=r"nobody to send the report to: give --to"):
        recipients([], None, definitions)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: A, email: not-an-address, language: en}", "'not-an-address' is not an e-mail"),
        ("{name: A, email: a@example.com, language: de}", "'de' is not allowed"),
        ("{name: A, email: a@example.com, phone: '0600'}", "unknown key 'phone'"),
        ("{email: a@example.com}", "missing required key 'name'"),
        ('{name: "A\\nB", email: a@example.com}', "one line of text"),
    ],
)
def test_a_bad_recipient_is_reported_with_its_line(entry: str, message: str) -> None:
    text, start = _with_reports(f"reports:\n  recipients:\n    - {entry}\n")
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.path.startswith("reports.recipients.0")
    assert problem.line == start + 2


def test_a_recipient_listed_twice_is_refused() -> None:
    section = REPORTS + "    - {name: Again, email: COO@example.com}\n"
    with pytest.raises(DefinitionError) as caught:
        _parse(section)
    (problem,) = caught.value.problems
    assert "COO@example.com is listed twice" in problem.message
    assert problem.path == "reports.recipients"


def test_an_unknown_key_under_reports_is_refused() -> None:
    with pytest.raises(DefinitionError, match="unknown key 'recipent'"):
        _parse("reports:\n  recipent: []\n")


def test_to_addresses_are_checked_deduplicated_and_take_the_given_language() -> None:
    definitions = _parse(REPORTS)
    found = from_options(
        ["coo@example.com", " ops@example.net", "COO@example.com"], "en", definitions
    )
    assert found == [
        Recipient("coo@example.com", "en", "Claire Martin"),  # its declared name, the --lang
        Recipient("ops@example.net", "en", None),
    ]


@pytest.mark.parametrize(
    "address", ["coo", "coo@", "@example.com", "a b@example.com", "a@b@c", "x@-bad.com", "é@x.fr"]
)
def test_a_bad_to_address_is_one_sentence(address: str, definitions: Definitions) -> None:
    with pytest.raises(DeliveryError, match=r"^--to .* is not an e-mail address; write it as"):
        from_options([address], "en", definitions)


def test_to_is_bounded(definitions: Definitions) -> None:
    many = [f"person{i}@example.com" for i in range(51)]
    with pytest.raises(DeliveryError, match="--to names 51 addresses; the limit is 50 a run"):
        from_options(many, "en", definitions)


def test_recipient_errors_in_french(definitions: Definitions) -> None:
    with use_language("fr"), pytest.raises(DeliveryError) as caught:
        from_options(["coo"], "fr", definitions)
    assert str(caught.value) == (
        "--to 'coo' n'est pas une adresse e-mail\u202f; écrivez-la sous la forme nom@example.com"
    )
