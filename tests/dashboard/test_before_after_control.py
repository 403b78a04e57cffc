"""A scoped event on the Before / after page: the control group's change, the DiD, the chart."""

from __future__ import annotations

import re
from pathlib import Path

from kpis.i18n import use_language
from tests.dashboard.conftest import OpenApp

PAGE = "app_pages/before_after.py"


def _text(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_scoped_event_is_compared_with_its_control_group(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page=PAGE, event="lyon-slotting")
    assert not app.exception
    rows = {r["KPI"]: r for r in app.table[0].value.to_dict("records")}
    otif = rows["Service rate (OTIF)"]
    assert otif["beyond control: verdict"] == "improved"
    assert otif["beyond control"].startswith("+10.")  # Lyon +15.7 pp, Lille and Marseille +5.3
    assert otif["control group change"].startswith("+5.")
    processing = rows["Order processing time (median)"]
    assert processing["beyond control: verdict"] == "no significant change"  # a common shock
    said = [_text(m.value) for m in app.markdown]
    assert any(
        s.startswith("- Lyon improved Service rate (OTIF) by 10.")
        and "more than Lille and Marseille (95% interval" in s
        for s in said
    )
    assert any("Beyond the control group." in _text(c.value) for c in app.caption)
    # Each KPI's chart draws Lyon and its control group on one figure.
    figure = app.get("plotly_chart")[1].proto.spec
    assert '"name":"Lyon"' in figure.replace(" ", "")
    assert "control: Lille and Marseille" in figure


def test_a_scoped_event_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    with use_language("fr"):
        app = open_app(demo_copy, page=PAGE, event="lyon-slotting", lang="fr")
    assert not app.exception
    said = [_text(m.value) for m in app.markdown]
    assert any(s.startswith("- Lyon a amélioré Taux de service (OTIF) de 10,") for s in said)
    headers = list(app.table[0].value.columns)
    assert "au-delà du témoin : verdict" in headers
