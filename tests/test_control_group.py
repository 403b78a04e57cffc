"""A scoped event's control group in `compare`: its change, the DiD keys and the placebo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kpis import DefinitionError, Store, compare, parse_definitions, windows_around_event
from kpis.control_group import DID_COLUMNS, control_weekly
from tests.conftest import CONFIG, run_cli


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    return db


def test_the_demo_json_carries_the_did_keys_with_the_control_group(demo_copy: Path) -> None:
    result = run_cli(
        "--db", str(demo_copy), "compare", "--event", "lyon-slotting", "--format", "json"
    )
    assert result.returncode == 0
    rows = {r["kpi"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"service_rate", "stock_rotation", "cost_per_unit_shipped",
                         "order_processing_time", "incident_rate"}  # fmt: skip
    for row in rows.values():
        assert set(DID_COLUMNS) <= set(row)
        assert row["control"] == "Lille, Marseille"
        assert row["control_note"].startswith(
            "control group: warehouse Lille, Marseille (every other value); the "
            "difference-in-differences assumes"
        )
        assert row["parallel_trends_doubtful"] is False
    otif = rows["service_rate"]
    # Lyon's own +15.7 pp, of which the other warehouses' +5.3 pp happened everywhere.
    assert otif["delta"] == pytest.approx(0.157, abs=0.001)
    assert otif["control_delta"] == pytest.approx(0.0526, abs=0.001)
    assert 0.09 < otif["did_effect"] < 0.12 and otif["did_verdict"] == "improved"
    assert otif["did_ci_low"] < otif["did_effect"] < otif["did_ci_high"]
    assert otif["did_p_value"] < 0.01
    # Processing time fell by 11 hours in Lyon, but as much everywhere: not Lyon's doing.
    processing = rows["order_processing_time"]
    assert processing["delta"] < -10 and processing["did_verdict"] == "no significant change"
    assert rows["incident_rate"]["did_effect"] < -0.03  # incidents fell in Lyon only
    assert rows["incident_rate"]["control_delta"] == pytest.approx(0, abs=0.01)


def test_the_cli_table_says_it_in_words(demo_copy: Path) -> None:
    result = run_cli("--db", str(demo_copy), "compare", "--event", "lyon-slotting")
    assert "Beyond the control group (difference-in-differences):" in result.stdout
    said = " ".join(result.stdout.split())
    assert "- Lyon improved Service rate (OTIF) by 10." in said
    assert "more than Lille and Marseille (95% interval " in said
    assert "- Lyon changed Order processing time (median) no differently from Lille and " in said
    french = run_cli("--db", str(demo_copy), "--lang", "fr", "compare", "--event", "lyon-slotting")
    assert "Au-delà du groupe témoin (différence de différences) :" in french.stdout
    assert "Lyon a amélioré Taux de service (OTIF) de 10," in " ".join(french.stdout.split())


def test_a_control_named_on_the_event(demo_store: Store) -> None:
    windows = windows_around_event(demo_store, "lyon-slotting", weeks=12)
    table = compare(demo_store, windows.before, windows.after, ["service_rate"],
                    scope=("warehouse", "Lyon"), control=["Lille"])  # fmt: skip
    row = table.iloc[0]
    assert row["control"] == "Lille" and "(named on the event)" in row["control_note"]
    everyone = compare(demo_store, windows.before, windows.after, ["service_rate"],
                       scope=("warehouse", "Lyon"))  # fmt: skip
    assert everyone.iloc[0]["did_effect"] != pytest.approx(row["did_effect"])


def test_unscoped_comparisons_have_no_did_keys(demo_store: Store) -> None:
    windows = windows_around_event(demo_store, "ops-playbook", weeks=4)
    table = compare(demo_store, windows.before, windows.after, ["service_rate"])
    assert not set(DID_COLUMNS) & set(table.columns)


def test_control_weekly_pools_the_control_units(demo_store: Store) -> None:
    from kpis import compute

    weekly = compute(demo_store, ["service_rate"], "week", by="warehouse")
    kpi = demo_store.definitions.kpis["service_rate"]
    group = control_weekly(kpi, weekly, "Lyon")
    first = weekly[weekly["period_start"] == group["period_start"].iloc[3]]
    others = first[first["dimension_value"] != "Lyon"]
    pooled = others["numerator"].astype(float).sum() / others["denominator"].astype(float).sum()
    assert group["value"].iloc[3] == pytest.approx(pooled)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("{name: x, date: 2026-05-18, control: [Lille]}", "control needs a scope"),
        ("{name: x, date: 2026-05-18, scope: {warehouse: Lyon}, control: [Lyon]}",
         "control cannot name 'Lyon', the value the event is scoped to"),
        ("{name: x, date: 2026-05-18, scope: {warehouse: Lyon}, control: []}",
         "at least 1 item"),
    ],
)  # fmt: skip
def test_control_is_validated(event: str, message: str) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace("events:\n", f"events:\n  - {event}\n", 1)
    with pytest.raises(DefinitionError, match=message):
        parse_definitions(text, "kpis.yaml")


def test_french_csv_names_the_control_group_columns(demo_copy: Path) -> None:
    result = run_cli("--db", str(demo_copy), "--lang", "fr", "compare", "--event",
                     "lyon-slotting", "--kpi", "incident_rate", "--format", "csv")  # fmt: skip
    header, row = result.stdout.lstrip("\ufeff").splitlines()[:2]
    titles = header.split(";")
    assert "groupe témoin" in titles and "au-delà du témoin : verdict" in titles
    assert "tendances parallèles douteuses" in titles
    assert ";amélioré;" in row  # the DiD's verdict in words, as the plain one
