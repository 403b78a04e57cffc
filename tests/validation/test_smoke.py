"""The validation simulations run (one seed each); their full runs are not part of the suite."""

from __future__ import annotations

import pytest

from validation import before_after, did


def test_the_did_simulation_runs_and_finds_lyons_effect() -> None:
    rows = did.run(0, lyon_effect=True)
    assert {r["kpi"] for r in rows} == set(did.PLAN)
    otif = next(r for r in rows if r["kpi"] == "service_rate")
    # Lyon's own +3 pp on top of everyone's +4 pp: the DiD finds the first, Lyon alone both.
    assert otif["did_effect"] == pytest.approx(0.03, abs=0.03)
    assert otif["delta"] == pytest.approx(0.07, abs=0.03)
    lines = did.table(rows + did.run(0, lyon_effect=False))
    assert lines[0].startswith("| KPI | common shock | Lyon effect | DiD coverage |")
    assert len(lines) == 2 + len(did.PLAN)


def test_the_before_after_simulation_plants_the_operations_kpis() -> None:
    names = ("contacts_per_100_orders", "cost_per_acquisition", "order_processing_time")
    rows = before_after.run((0, True, names))
    assert [r["kpi"] for r in rows] == list(names)
    contacts = rows[0]
    assert contacts["true"] == pytest.approx(100 * 40 / 75 - 100 * 40 / 60)
    assert contacts["low"] < contacts["true"] < contacts["high"]
