"""The dashboard address the report links to: kpis.yaml's reports.dashboard_url, or the env."""

from __future__ import annotations

import pytest

from kpis.definitions import parse_definitions
from kpis.errors import DefinitionError, UsageError
from kpis.report.dashboard_link import dashboard_url
from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8").rstrip("\n") + "\n"


def test_kpis_yaml_gives_it_and_the_environment_wins() -> None:
    definitions = parse_definitions(TEXT + "reports:\n  dashboard_url: https://kpis.example.com/\n")
    assert dashboard_url(definitions, {}) == "https://kpis.example.com/"
    other = {"KPIS_DASHBOARD_URL": " http://10.0.0.5:8501/kpis "}
    assert dashboard_url(definitions, other) == "http://10.0.0.5:8501/kpis"
    assert dashboard_url(parse_definitions(TEXT), {"KPIS_DASHBOARD_URL": ""}) is None


@pytest.mark.parametrize(
    "url",
    ["kpis.example.com", "ftp://kpis.example.com/", "https://kpis.example.com/?week=1",
     'https://kpis.example.com/"onmouseover', "javascript:alert(1)", "https:// spaced"],
)  # fmt: skip
def test_anything_but_a_plain_web_address_is_refused(url: str) -> None:
    with pytest.raises(DefinitionError, match="is not a web address; write the dashboard's"):
        parse_definitions(TEXT + f"reports:\n  dashboard_url: '{url.replace(chr(39), '')}'\n")
    with pytest.raises(UsageError, match="^KPIS_DASHBOARD_URL=.* is not a web address; set it"):
        dashboard_url(parse_definitions(TEXT), {"KPIS_DASHBOARD_URL": url})
