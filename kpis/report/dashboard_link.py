"""The dashboard's address the report links to: KPIS_DASHBOARD_URL, else kpis.yaml's.

The link takes the reader from the e-mail to the week's page. The environment wins, so one
kpis.yaml serves a test and a production server; without either, the report has no link
rather than one that leads nowhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kpis.definitions import Definitions
from kpis.definitions.report_models import valid_url
from kpis.errors import UsageError
from kpis.i18n import _

VARIABLE = "KPIS_DASHBOARD_URL"


def dashboard_url(definitions: Definitions, environ: Mapping[str, str] | None = None) -> str | None:
    """The dashboard's base address, or None; a malformed KPIS_DASHBOARD_URL is refused."""
    env = os.environ if environ is None else environ
    text = env.get(VARIABLE, "").strip()
    if not text:
        return definitions.reports.dashboard_url
    if not valid_url(text):
        raise UsageError(
            _(
                "KPIS_DASHBOARD_URL={value} is not a web address; set it to the dashboard's "
                "base address, such as https://kpis.example.com/"
            ).format(value=repr(text[:100]))
        )
    return text
