"""Every page of the real app (AppTest), on the demo database, an empty one and a bad kpis.yaml.

Expected numbers come from the engine (tested against the oracle elsewhere), formatted the
way the product formats them: these tests check that each page shows the right ones.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import kpis
from tests.conftest import CONFIG
from tests.dashboard.conftest import OpenApp

PAGES = [
    None,  # the default page: weekly review
    "app_pages/before_after.py",
    "app_pages/explorer.py",
    "app_pages/upload.py",
    "app_pages/definitions.py",
]


def _weekly_expected(db: Path, week: str) -> dict[str, str]:
    """Each KPI's value for an ISO week, straight from the engine, formatted."""
    definitions = kpis.load_definitions(CONFIG)
    window = kpis.week_of(week)
    check = db.with_name(f"check-{week}.duckdb")  # a copy: the app holds its file open
    shutil.copyfile(db, check)
    with kpis.Store(check, definitions) as store:
        frame = kpis.compute(store, grain="week", start=window.start, end=window.end)
    return {
        definitions.kpis[row["kpi"]].label: kpis.format_value(
            definitions.kpis[row["kpi"]], row["value"]
        )
        for row in frame.to_dict("records")
    }


def test_weekly_review_shows_every_card_for_the_last_complete_week(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy)
    assert app.selectbox(key="week").value == "2026-W46"
    cards = {m.label: m.value for m in app.metric}
    assert cards == _weekly_expected(demo_copy, "2026-W46")
    assert len(cards) == 11
    captions = " ".join(c.value for c in app.caption)
    assert "CRM leads: data through 15 Nov 2026" in captions
    assert "Target ≥ 3.0%" in captions


def test_picking_another_week_changes_the_cards(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy)
    before = {m.label: m.value for m in app.metric}
    app.selectbox(key="week").select("2026-W20").run()
    after = {m.label: m.value for m in app.metric}
    assert after != before
    assert after == _weekly_expected(demo_copy, "2026-W20")
    assert app.query_params["week"] == "2026-W20"


def test_the_week_comes_from_the_url(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, week="2026-W10")
    assert app.selectbox(key="week").value == "2026-W10"
    assert {m.label: m.value for m in app.metric} == _weekly_expected(demo_copy, "2026-W10")


def test_before_after_shows_the_coo_table_for_the_event(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/before_after.py")
    table = app.table[0].value
    rows = {r["KPI"]: r for r in table.to_dict("records")}
    assert (rows["Lead conversion rate"]["before"], rows["Lead conversion rate"]["after"]) == (
        "2.0%",
        "3.5%",
    )
    assert (
        rows["Customer satisfaction (CSAT)"]["before"],
        rows["Customer satisfaction (CSAT)"]["after"],
    ) == ("75.0%", "90.0%")
    assert rows["Customer satisfaction (CSAT)"]["improvement"] == "20.0% better"
    assert rows["Customer satisfaction (CSAT)"]["change %"] == "+20.0%"
    assert set(table["verdict"]) == {"improved"}
    assert rows["Lead conversion rate"]["95% interval"] == "+1.2 to +1.8 pp"
    assert rows["Lead conversion rate"]["p"] == "< 0.001"
    assert any("17 Nov 2025 – 17 May 2026" in m.value for m in app.markdown)


def test_before_after_weeks_and_breakdown_follow_the_widgets(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page="app_pages/before_after.py")
    app.selectbox(key="weeks").select(4).run()
    assert any("20 Apr 2026 – 17 May 2026 (28 days)" in m.value for m in app.markdown)
    app.selectbox(key="dim").select("channel").run()
    app.selectbox(key="dim_kpi").select("conversion_rate").run()
    split = app.dataframe[0].value
    assert set(split[split["KPI"] == "Lead conversion rate"]["value"]) == {
        "events",
        "paid_search",
        "partner",
        "web",
    }
    assert set(split["KPI"]) == {
        "Lead conversion rate",
        "Customer satisfaction (CSAT)",
        "Resolution time (median)",
        "First contact resolution",
        "Cost per acquisition (CPA)",
    }
    assert app.query_params["weeks"] == "4" and app.query_params["dim"] == "channel"


def test_before_after_with_two_ranges(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(
        demo_copy,
        page="app_pages/before_after.py",
        mode="ranges",
        before="2026-01-05:2026-01-11",
        after="2026-01-05:2026-01-11",
    )
    table = app.table[0].value
    assert set(table["change"]) <= {
        "0.0 pp", "0.0 hours", "0.0 turns/year", "0.00 EUR", "0.0 per 100 orders"
    }  # fmt: skip


def test_explorer_table_chart_and_download_agree(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(
        demo_copy,
        page="app_pages/explorer.py",
        kpi="csat",
        grain="month",
        range="2026-01-01:2026-03-31",
        by="team",
    )
    shown = app.dataframe[0].value
    assert len(shown) == 9  # 3 months x 3 teams
    assert set(shown["team"]) == {"billing", "tech", "logistics"}
    # AppTest keeps no download content; the browser test opens the CSV itself.
    assert app.get("download_button")[0].proto.label == "Download this table (CSV)"


def test_explorer_grain_changes_the_rows(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(
        demo_copy, page="app_pages/explorer.py", kpi="service_rate", range="2026-01-01:2026-03-31"
    )
    weekly = len(app.dataframe[0].value)
    app.selectbox(key="grain").select("quarter").run()
    assert weekly == 14 and len(app.dataframe[0].value) == 1
    assert app.query_params["grain"] == "quarter"


def test_an_upload_through_the_uploader_changes_a_kpi(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy)
    conversion = next(m.value for m in app.metric if m.label == "Lead conversion rate")
    app.switch_page("app_pages/upload.py").run()
    rows = "".join(f"X{i},2026-11-1{i % 5 + 1} 10:00,web,true\n" for i in range(300))
    app.file_uploader[0].set_value(
        ("crm_leads.csv", b"lead_id,created_at,channel,converted\n" + rows.encode(), "text/csv")
    ).run()
    assert any(
        "Will load into **CRM leads**" in s.value
        and "300 rows (300 new, 0 updated, 0 unchanged), 0 rejected" in s.value
        for s in app.success
    )
    app.button(key="load").click().run()
    assert any(
        "crm_leads.csv -> leads" in s.value and "300 rows loaded" in s.value for s in app.success
    )
    app.switch_page("app_pages/weekly.py").run()
    assert next(m.value for m in app.metric if m.label == "Lead conversion rate") != conversion


def test_a_refused_upload_says_why_and_changes_nothing(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    history = len(app.dataframe[0].value)
    app.file_uploader[0].set_value(
        ("bad.csv", b"lead_id,created_at,channel,converted\nL1,someday,web,true\n", "text/csv")
    ).run()
    app.button(key="load").click().run()
    assert any("Refused: bad.csv: 1 of 1 rows rejected" in e.value for e in app.error)
    assert len(app.dataframe[-1].value) == history


def test_undo_asks_for_confirmation(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    app.button(key="undo").click().run()
    assert any("Remove batch 66 (marketing_spend_2026-11.csv)?" in w.value for w in app.warning)
    app.button(key="undo_confirm").click().run()
    assert any("batch 66 (marketing_spend_2026-11.csv) undone" in i.value for i in app.info)
    assert app.dataframe[0].value.iloc[0]["status"] == "undone"


def test_definitions_page_lists_every_kpi(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/definitions.py")
    labels = [e.label for e in app.expander]
    assert sum("·" in label and "`" in label for label in labels) == 17  # 11 KPIs, 6 sources
    text = " ".join(m.value for m in app.markdown)
    assert "count_if(csat_score >= 4)" in text and "lower is better" in text


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_an_empty_database(
    open_app: OpenApp, tmp_path: Path, page: str | None
) -> None:
    app = open_app(tmp_path / "empty.duckdb", page=page)
    if page in ("app_pages/upload.py", "app_pages/definitions.py"):
        assert not app.info or "No data yet" not in app.info[0].value
    else:
        assert "No data yet" in app.info[0].value
        assert app.button(key="load_demo").label == "Load the demo data"


def test_loading_the_demo_from_the_first_run_page(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app(tmp_path / "empty.duckdb")
    app.button(key="load_demo").click().run()
    assert len(app.metric) == 11
    assert (tmp_path / "sample").is_dir()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_the_problems_of_an_invalid_kpis_yaml(
    open_app: OpenApp, tmp_path: Path, demo_copy: Path, page: str | None
) -> None:
    bad = tmp_path / "kpis.yaml"
    bad.write_text(CONFIG.read_text().replace("target: 0.95", "target: 95"))
    app = open_app(demo_copy, page=page, config=bad)
    assert "cannot be used" in app.error[0].value
    assert "kpis.service_rate.target: percent target 95.0 is outside 0-1" in app.code[0].value
    assert not app.metric


def test_weekly_flags_a_stale_source(open_app: OpenApp, tmp_path: Path, write_csv) -> None:
    db = tmp_path / "stale.duckdb"
    definitions = kpis.load_definitions(CONFIG)
    with kpis.Store(db, definitions) as store:
        kpis.ingest_file(
            store,
            write_csv(
                "l.csv",
                ["lead_id", "created_at", "channel", "converted"],
                [["L1", "2026-03-02", "web", "1"], ["L2", "2026-03-15", "web", "0"]],
            ),
        )
        kpis.ingest_file(
            store,
            write_csv(
                "s.csv",
                [
                    "shipment_id",
                    "shipped_at",
                    "units",
                    "shipping_cost",
                    "cogs",
                    "warehouse",
                    "carrier",
                ],
                [["S1", "2026-03-03", "1", "1.00", "2.00", "Lyon", "DHL"]],
            ),
        )
    app = open_app(db)
    captions = " ".join(c.value for c in app.caption)
    assert "Shipments: data through 3 Mar 2026 (older than this week)" in captions
    assert "Helpdesk tickets: no data" in captions
    assert dt.date(2026, 3, 9) == kpis.week_of(app.selectbox(key="week").value).start


ACME = (
    b"Case,Opened,Closed,Feedback,Via,Customer\n"
    b"C1,2026-11-10 09:00,2026-11-10 12:00,good,chat,Ann\n"
    b"C2,2026-11-10 09:00,2026-11-11 09:00,bad,email,Bob\n"
)


def test_mapping_a_file_by_hand_and_reusing_the_profile(open_app: OpenApp, demo_copy: Path) -> None:
    app = open_app(demo_copy, page="app_pages/upload.py")
    app.file_uploader[0].set_value(("acme.csv", ACME, "text/csv")).run()
    assert any("matches no source" in e.value for e in app.error)
    file_id = app.session_state["files_0"][0].file_id
    app.selectbox(key=f"source_{file_id}").select("tickets").run()
    assert any("the tickets export must have the columns ticket_id" in e.value for e in app.error)
    assert app.toggle(key=f"by_hand_{file_id}").value  # opened, since columns are missing
    prefix = f"map_{file_id}"
    for column, header in {
        "ticket_id": "Case",
        "created_at": "Opened",
        "resolved_at": "Closed",
        "csat_score": "Feedback",
    }.items():
        app.selectbox(key=f"{prefix}_col_{column}").select(header).run()
    app.selectbox(key=f"{prefix}_col_team").select("(a fixed value)").run()
    app.text_input(key=f"{prefix}_fixed_team").input("support").run()
    # The tool rates with words: translate them (the editor lists the file's values, sorted).
    app.session_state[f"{prefix}_values_csat_score"] = {
        "edited_rows": {0: {"stored as": "1"}, 1: {"stored as": "5"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    assert any("Will load into **Helpdesk tickets**" in s.value for s in app.success)
    assert any("Not stored: Customer" in c.value for c in app.caption)
    app.text_input(key=f"name_{file_id}").input("acme-helpdesk").run()
    app.button(key=f"save_{file_id}").click().run()
    assert app.selectbox(key=f"profile_{file_id}").value == "acme-helpdesk"
    app.button(key="load").click().run()
    assert any("acme.csv -> tickets" in s.value and "2 rows loaded" in s.value for s in app.success)
    # Next week's export of the same tool: pick the profile, nothing to map.
    app.file_uploader[0].set_value(
        ("acme_next.csv", ACME.replace(b"C1,", b"C3,").replace(b"C2,", b"C4,"), "text/csv")
    ).run()
    next_id = app.session_state["files_1"][0].file_id
    app.selectbox(key=f"profile_{next_id}").select("acme-helpdesk").run()
    assert any("Will load into **Helpdesk tickets**" in s.value for s in app.success)
    app.button(key="load").click().run()
    assert any(
        "acme_next.csv -> tickets" in s.value and "2 rows loaded" in s.value for s in app.success
    )
    assert not app.exception


def test_events_are_added_and_removed_on_the_before_after_page(
    open_app: OpenApp, demo_copy: Path
) -> None:
    app = open_app(demo_copy, page="app_pages/before_after.py")
    app.text_input(key="event_name").input("carrier-switch")
    app.date_input(key="event_date").set_value(dt.date(2026, 8, 3))
    app.text_area(key="event_description").input("Regional carrier for all short routes")
    app.selectbox(key="event_scope_dimension").select("carrier")
    app.text_input(key="event_scope_value").input("Regional Express")
    app.button(key="FormSubmitter:event_form-Save the event").click().run()
    assert any("Saved carrier-switch" in i.value for i in app.info)
    events = app.selectbox(key="event").options
    assert any(option.startswith("carrier-switch (3 Aug 2026)") for option in events)
    app.selectbox(key="event").select_index(0).run()  # newest first: the new event
    assert any("Only carrier Regional Express." in c.value for c in app.caption)
    app.selectbox(key="event_edit").select("carrier-switch").run()
    app.button(key="event_remove").click().run()
    app.button(key="event_remove_confirm").click().run()
    assert any("Removed carrier-switch" in i.value for i in app.info)
    assert not any(o.startswith("carrier-switch") for o in app.selectbox(key="event").options)
    assert not app.exception


def test_the_preview_counts_rejections_and_the_load_offers_them_as_csv(
    open_app: OpenApp, demo_copy: Path
) -> None:
    """What the preview promises is what the load does; the rejected rows can be taken away."""
    app = open_app(demo_copy, page="app_pages/upload.py")
    good = "".join(f"R{i},2026-11-10 10:00,web,true\n" for i in range(97))
    bad = "".join(f"B{i},someday,web,true\n" for i in range(3))
    app.file_uploader[0].set_value(
        ("late.csv", ("lead_id,created_at,channel,converted\n" + good + bad).encode(), "text/csv")
    ).run()
    assert any(
        "97 rows (97 new, 0 updated, 0 unchanged), 3 rejected" in s.value for s in app.success
    )
    # No stray value on the page: Streamlit's magic showed "None" for a bare expression.
    shown = [*app.code, *app.markdown, *app.text, *app.get("json")]
    assert "None" not in [str(element.value).strip().strip("`") for element in shown]
    reasons = app.dataframe[0].value
    assert reasons.to_dict("records") == [
        {
            "will be rejected": 'created_at: "…" is not a date and time (YYYY-MM-DD or '
            "DD/MM/YYYY, as in the rest of this file)",
            "rows": 3,
        }
    ]
    through = next(d for d in app.date_input if d.key.startswith("through_"))
    through.set_value(dt.date(2026, 11, 16)).run()
    app.button(key="load").click().run()
    assert any("late.csv -> leads" in s.value and "97 rows loaded" in s.value for s in app.success)
    assert [b.label for b in app.get("download_button")] == ["Download the rejected rows (CSV)"]
    history = app.dataframe[-1].value  # the upload history, newest first
    assert history.iloc[0]["file_name"] == "late.csv"
    assert history.iloc[0]["data_through"] == dt.date(2026, 11, 16)
