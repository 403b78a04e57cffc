"""The Upload page's "map by hand" on the real app (AppTest) and a real DuckDB file.

A Zendesk-like export (its key is "Id", its satisfaction is Good/Bad/Offered/Unoffered) is
mapped from the editor's suggestion, previewed as mapped and typed rows, filtered, saved
as a profile shown as kpis.yaml text (which validates with kpis.yaml and reads back the same
profile), then loaded. Other tests cover "empty means", "anything else", an expression,
a checkbox column suggested from its values, the rejected rows listed before loading, a
value for this file only, line rows rolled up, and the editor in French.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from kpis.definitions import parse_definitions
from kpis.i18n import use_language
from tests.conftest import CONFIG
from tests.dashboard.conftest import OpenApp

HEADER = "Id,Requester,Created at,Solved at,Satisfaction Score,Via,Group\n"
ZENDESK = (
    HEADER + "Z1,Ann,2026-11-10 09:00,2026-11-10 12:00,Good,Web,Support\n"
    "Z2,Bob,2026-11-10 09:30,2026-11-11 09:00,Bad,Mail,Billing\n"
    "Z3,Cy,2026-11-10 10:00,,Offered,Web,Support\n"
    "Z4,Di,2026-11-10 11:00,2026-11-10 15:00,Unoffered,Chat,Support\n"
)


def _upload(app: AppTest, name: str, text: str, source: str) -> str:
    """Upload `text`, choose `source`; the editor opens since columns are missing."""
    app.file_uploader[0].set_value((name, text.encode(), "text/csv")).run()
    file_id = app.session_state["files_0"][0].file_id
    app.selectbox(key=f"source_{file_id}").select(source).run()
    assert app.toggle(key=f"by_hand_{file_id}").value
    return file_id


def _table_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(t.value for t in app.dataframe if column in t.value.columns)


def _success(app: AppTest) -> str:
    return " ".join(s.value for s in app.success)


def test_a_zendesk_export_mapped_from_the_suggestion_saved_as_yaml_and_loaded(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    file_id = _upload(app, "zendesk.csv", ZENDESK, "tickets")
    prefix = f"map_{file_id}"
    chosen = {c: app.selectbox(key=f"{prefix}_col_{c}").value for c in ("ticket_id", "team")}
    assert chosen == {"ticket_id": "Id", "team": "Group"}  # "Id" is the key; group an alias
    assert app.selectbox(key=f"{prefix}_col_priority").value == "(not in this file)"
    words = _table_with(app, "no value")
    words = words[words["in the file"].isin(["Bad", "Good", "Offered", "Unoffered"])]
    assert words.to_dict("list") == {
        "in the file": ["Bad", "Good", "Offered", "Unoffered"],
        "stored as": ["1", "5", "", ""],
        "no value": [False, False, True, True],
    }
    assert "4 rows (4 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    mapped = _table_with(app, "csat_score")  # as stored: typed by the engine
    assert list(mapped["ticket_id"]) == ["Z1", "Z2", "Z3", "Z4"]
    assert [None if pd.isna(v) else int(v) for v in mapped["csat_score"]] == [5, 1, None, None]
    # Keep the rows not sent by e-mail.
    app.text_input(key=f"{prefix}_where").input("\"Via\" <> 'Mail'").run()
    assert "3 rows (3 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    app.text_input(key=f"name_{file_id}").input("zendesk").run()
    app.button(key=f"save_{file_id}").click().run()
    assert app.selectbox(key=f"profile_{file_id}").value == "zendesk"
    text = app.code[0].value
    assert text.startswith(
        "mappings:\n  zendesk:\n    source: tickets\n    columns:\n      Id: ticket_id\n"
    )
    assert "          Offered: null\n" in text and "    where: |-\n" in text
    # Pasted into kpis.yaml it validates, and says what the page saved.
    pasted = parse_definitions(CONFIG.read_text(encoding="utf-8") + "\n" + text)
    profile = pasted.mappings["zendesk"]
    assert profile.where == "\"Via\" <> 'Mail'"
    assert profile.fields["csat_score"].values == {
        "Bad": "1", "Good": "5", "Offered": None, "Unoffered": None,
    }  # fmt: skip
    assert "3 rows (3 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    app.button(key="load").click().run()
    assert "zendesk.csv -> tickets" in _success(app) and "3 rows loaded" in _success(app)
    # Next week's export: the saved profile, chosen, shows what it does as kpis.yaml.
    app.file_uploader[0].set_value(("zendesk_2.csv", ZENDESK.encode(), "text/csv")).run()
    next_id = app.session_state["files_1"][0].file_id
    app.selectbox(key=f"profile_{next_id}").select("zendesk").run()
    assert [c.value for c in app.code] == [text]
    assert not app.exception


def test_empty_means_anything_else_and_an_expression(open_app: OpenApp, demo_copy: Path) -> None:
    text = ZENDESK.replace(",Billing\n", ",\n").replace("Chat,", "Phone,")
    app = open_app(demo_copy, page="app_pages/upload.py")
    file_id = _upload(app, "gaps.csv", text, "tickets")
    prefix = f"map_{file_id}"
    # The empty group: team is not nullable, and one row of four is too many to set aside.
    assert any("team: empty, but a value is required" in e.value for e in app.error)
    app.text_input(key=f"{prefix}_empty_team").input("general").run()
    app.text_input(key=f"{prefix}_otherwise_channel").input("other").run()
    app.session_state[f"{prefix}_values_channel"] = {
        "edited_rows": {0: {"stored as": "email"}, 2: {"stored as": "web"}},
        "added_rows": [],
        "deleted_rows": [],
    }  # the file's values, sorted: Mail, Phone, Web
    app.selectbox(key=f"{prefix}_col_priority").select("(an expression)").run()
    app.text_input(key=f"{prefix}_expr_priority").input('upper("Requester")').run()
    assert "4 rows (4 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    mapped = _table_with(app, "csat_score")
    assert list(mapped["team"]) == ["Support", "general", "Support", "Support"]
    assert list(mapped["channel"]) == ["web", "email", "web", "other"]
    assert list(mapped["priority"]) == ["ANN", "BOB", "CY", "DI"]
    assert not app.exception


def test_the_rows_that_would_be_rejected_are_listed_before_loading(
    open_app: OpenApp, demo_copy: Path
) -> None:
    rows = "".join(
        f"Y{i},P,2026-11-1{i % 5} 09:00,2026-11-15 09:00,Good,Web,Support\n" for i in range(39)
    )
    app = open_app(demo_copy, page="app_pages/upload.py")
    _upload(app, "late.csv", HEADER + rows + "Y99,P,someday,,Good,Web,Support\n", "tickets")
    assert "39 rows (39 new, 0 updated, 0 unchanged), 1 rejected" in _success(app)
    rejects = _table_with(app, "reason")
    assert list(rejects["line"]) == [41] and rejects["reason"][0].startswith("created_at: ")
    assert any("1 row would be rejected; the first 1:" in c.value for c in app.caption)
    # The rejected row is one a KPI would have counted: said before loading, not after.
    assert [w.value for w in app.warning] == [
        "1 row (2.5%) rejected for created_at, a column counted by resolution_time, "
        "contacts_per_100_orders: they leave it out, and may be biased; fix the row or the "
        "mapping and upload again"
    ]


def test_a_checkbox_column_is_read_as_empty_means_false(open_app: OpenApp, demo_copy: Path) -> None:
    """HubSpot writes "Yes" for a customer and nothing otherwise: empty means false."""
    rows = "".join(
        f"{i},2026-11-1{i % 5} 10:00,web,{'Yes' if i % 3 == 0 else ''}\n" for i in range(12)
    )
    app = open_app(demo_copy, page="app_pages/upload.py")
    file_id = _upload(
        app, "hubspot.csv", "Record ID,Create Date,Source,Is customer\n" + rows, "leads"
    )
    prefix = f"map_{file_id}"
    assert app.selectbox(key=f"{prefix}_col_lead_id").value == "Record ID"
    app.selectbox(key=f"{prefix}_col_converted").select("Is customer").run()
    assert app.text_input(key=f"{prefix}_empty_converted").value == "false"
    assert "12 rows (12 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    mapped = _table_with(app, "converted")
    assert [bool(v) for v in mapped["converted"]][:7] == [
        True,
        False,
        False,
        True,
        False,
        False,
        True,
    ]
    assert not app.exception


def test_the_editor_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    """AppTest sends a select box's choice as the text shown, formatted in the test's thread."""
    with use_language("fr"):
        app = open_app(demo_copy, page="app_pages/upload.py", lang="fr")
        app.file_uploader[0].set_value(("zendesk.csv", ZENDESK.encode(), "text/csv")).run()
        file_id = app.session_state["files_0"][0].file_id
        app.selectbox(key=f"source_{file_id}").select("tickets").run()
        prefix = f"map_{file_id}"
        assert "(une expression)" in app.selectbox(key=f"{prefix}_col_priority").options
        assert app.text_input(key=f"{prefix}_empty_team").label == "vide signifie"
        assert app.text_input(key=f"{prefix}_where").label == (
            "Ne garder que les lignes où (SQL, facultatif)"
        )
        assert any(c.value.startswith("Les premières lignes telles") for c in app.caption)
        assert not app.exception


def test_a_value_for_this_file_only(open_app: OpenApp, demo_copy: Path) -> None:
    """A stock export without its date: the date is given for this file, as --set gives it."""
    text = "SKU,Site,Stock,Cost\nA-1,Lyon,3,2.50\nB-2,Lyon,0,4.00\n"
    app = open_app(demo_copy, page="app_pages/upload.py")
    file_id = _upload(app, "stock.csv", text, "inventory")
    assert any("must have the column snapshot_date" in e.value for e in app.error)
    app.text_input(key=f"set_{file_id}_snapshot_date").input("2026-11-20").run()
    assert "2 rows (2 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    mapped = _table_with(app, "snapshot_date")
    assert [str(d)[:10] for d in mapped["snapshot_date"]] == ["2026-11-20", "2026-11-20"]
    app.button(key="load").click().run()
    assert "stock.csv -> inventory" in _success(app) and "2 rows loaded" in _success(app)
    assert not app.exception


def test_line_rows_rolled_up_to_one_row_per_order(open_app: OpenApp, demo_copy: Path) -> None:
    """Shopify writes one row per line item, the order's own columns on its first line."""
    text = (
        "Name,Created at,Lineitem quantity,Site,Delivered,Delivered qty\n"
        "#1001,2026-11-10 09:00,2,Lyon,,\n"
        "#1001,,3,,,\n"
        "#1002,2026-11-10 10:00,1,Lille,,\n"
    )
    app = open_app(demo_copy, page="app_pages/upload.py")
    file_id = _upload(app, "shopify.csv", text, "orders")
    prefix = f"map_{file_id}"
    app.selectbox(key=f"{prefix}_col_order_id").select("Name").run()
    app.selectbox(key=f"{prefix}_col_ordered_at").select("Created at").run()
    app.selectbox(key=f"{prefix}_col_qty_ordered").select("Lineitem quantity").run()
    app.selectbox(key=f"{prefix}_col_promised_date").select("(a fixed value)").run()
    app.text_input(key=f"{prefix}_fixed_promised_date").input("2026-11-20").run()
    app.multiselect(key=f"{prefix}_by").select("Name").run()
    app.multiselect(key=f"{prefix}_sum").select("Lineitem quantity").run()
    assert "2 rows (2 new, 0 updated, 0 unchanged), 0 rejected" in _success(app)
    mapped = _table_with(app, "qty_ordered").sort_values("order_id")  # groups in no set order
    assert mapped[["order_id", "qty_ordered", "warehouse"]].to_dict("list") == {
        "order_id": ["#1001", "#1002"],
        "qty_ordered": [5, 1],
        "warehouse": ["Lyon", "Lille"],
    }
    assert not app.exception
