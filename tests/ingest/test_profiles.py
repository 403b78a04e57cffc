"""Mapping profiles as a staging step: the eight gaps of real SaaS exports, one test each.

Each file is shaped as the tool writes it (Zendesk tickets, HubSpot contacts, Shopify line
items, a carrier's invoice, a WMS stock report); expected values are worked out here in
plain Python (zoneinfo for the clock), never by the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kpis import IngestError, Store, ingest_file
from kpis.definitions import FieldMap, MappingProfile, RollUp
from kpis.ingest import preview_file
from tests.conftest import table_rows

PARIS = ZoneInfo("Europe/Paris")


def _paris(text: str, fmt: str = "%Y-%m-%d %H:%M:%S %z") -> dt.datetime:
    """The calendar's wall clock of an instant written with its offset."""
    return dt.datetime.strptime(text, fmt).astimezone(PARIS).replace(tzinfo=None)


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ZENDESK = (
    "Id,Status,Created at,Solved at,Satisfaction Score,Group,Via,Requester\n"
    "101,solved,2025-10-04 10:22:31 +0100,2025-10-04 12:00:00 +0100,Good,Tier 1,email,Ann\n"
    "102,solved,2025-10-04 11:22:31 +0100,2025-10-05 12:00:00 +0100,Bad,,web,Bob\n"
    "103,closed,2025-10-05 11:22:31 +0100,2025-10-05 13:00:00 +0100,Offered,Tier 1,web,Cy\n"
    "104,open,2025-10-05 11:22:31 UTC,,Unoffered,Tier 2,web,Di\n"
    "105,solved,2025-10-06T08:00:00Z,2025-10-06 09:30:00 +01:00,Good,Tier 2,web,Ed\n"
)
ZENDESK_PROFILE = MappingProfile(
    source="tickets",
    columns={"Id": "ticket_id", "Via": "channel", "Created at": "created_at"},
    fields={
        "resolved_at": FieldMap(column="Solved at"),
        "csat_score": FieldMap(
            column="Satisfaction Score",
            values={"Good": "5", "Bad": "1", "Offered": None, "Unoffered": None},
            otherwise=None,
        ),
        "team": FieldMap(column="Group", empty="Unassigned"),
    },
)


def test_gap1_zendesk_times_with_an_offset_after_a_space(store: Store, tmp_path: Path) -> None:
    """Offsets after a space, +01:00, Z and UTC are instants, put on the calendar's clock."""
    result = ingest_file(store, _file(tmp_path, "tickets.csv", ZENDESK), mapping=ZENDESK_PROFILE)
    assert (result.rows_loaded, result.rows_rejected) == (5, 0)
    rows = {r[0]: r for r in table_rows(store, "tickets")}
    assert rows["101"][1] == _paris("2025-10-04 10:22:31 +0100")
    assert rows["104"][1] == _paris("2025-10-05 11:22:31 +0000")
    assert rows["105"][1] == _paris("2025-10-06 08:00:00 +0000")
    assert rows["105"][2] == _paris("2025-10-06 09:30:00 +0100")
    assert rows["104"][2] is None


def test_gap1_compact_dates_and_a_profile_format(store: Store, tmp_path: Path) -> None:
    """A carrier's 20250904 and 20250904102231; a German WMS's 04.09.2025 08:15 by format."""
    text = (
        "Shipment,Ship Date,Pieces,Freight,Fuel,Origin,Carrier,Delivered\n"
        "S1,20250904,3,12.50,1.10,Lyon,DHL,04.09.2025 18:15\n"
        "S2,20250905102231,1,8.00,0.70,Lyon,DHL,05.09.2025 09:00\n"
    )
    profile = MappingProfile(
        source="shipments",
        columns={"Shipment": "shipment_id", "Pieces": "units", "Origin": "warehouse"},
        fields={
            "shipped_at": FieldMap(column="Ship Date"),
            "shipping_cost": FieldMap(
                expression='CAST("Freight" AS DECIMAL(18,2)) + CAST("Fuel" AS DECIMAL(18,2))'
            ),
            "cogs": FieldMap(value="0"),
            "carrier": FieldMap(column="Carrier"),
        },
    )
    ingest_file(store, _file(tmp_path, "invoice.csv", text), mapping=profile)
    rows = {r[0]: r for r in table_rows(store, "shipments")}
    assert rows["S1"][1] == dt.datetime(2025, 9, 4)
    assert rows["S2"][1] == dt.datetime(2025, 9, 5, 10, 22, 31)
    assert float(rows["S1"][3]) == pytest.approx(12.50 + 1.10)

    orders = (
        "Auftrag,Bestelldatum,Liefertermin,Geliefert,Menge,Geliefert Menge,Lager\n"
        "A1,03.09.2025 08:15,06.09.2025,05.09.2025 17:40,4,4,Köln\n"
    )
    dated = MappingProfile(
        source="orders",
        columns={"Auftrag": "order_id", "Menge": "qty_ordered", "Lager": "warehouse"},
        fields={
            "ordered_at": FieldMap(column="Bestelldatum", format="%d.%m.%Y %H:%M"),
            "promised_date": FieldMap(column="Liefertermin", format="%d.%m.%Y"),
            "delivered_at": FieldMap(column="Geliefert", format="%d.%m.%Y %H:%M"),
            "qty_delivered": FieldMap(column="Geliefert Menge"),
        },
    )
    ingest_file(store, _file(tmp_path, "auftraege.csv", orders), mapping=dated)
    assert table_rows(store, "orders")[0][1:4] == (
        dt.datetime(2025, 9, 3, 8, 15), dt.date(2025, 9, 6), dt.datetime(2025, 9, 5, 17, 40),
    )  # fmt: skip


def test_gap1_a_value_not_in_the_profiles_format_is_rejected_with_it(
    store: Store, tmp_path: Path
) -> None:
    text = "Auftrag,Bestelldatum,Liefertermin,Menge,Lager\nA1,2025-09-03,06.09.2025,4,Köln\n"
    profile = MappingProfile(
        source="orders",
        columns={"Auftrag": "order_id", "Menge": "qty_ordered", "Lager": "warehouse"},
        fields={
            "ordered_at": FieldMap(column="Bestelldatum", format="%d.%m.%Y"),
            "promised_date": FieldMap(column="Liefertermin", format="%d.%m.%Y"),
            "delivered_at": FieldMap(value=None),
            "qty_delivered": FieldMap(value=None),
        },
    )
    with pytest.raises(IngestError, match=r'auftraege.csv:2: ordered_at: "2025-09-03" is not'):
        ingest_file(store, _file(tmp_path, "auftraege.csv", text), mapping=profile)


def test_gap2_words_meaning_no_value(store: Store, tmp_path: Path) -> None:
    """Zendesk: Good -> 5, Bad -> 1, Offered and Unoffered -> no rating (not rejected)."""
    ingest_file(store, _file(tmp_path, "tickets.csv", ZENDESK), mapping=ZENDESK_PROFILE)
    scores = {r[0]: r[3] for r in table_rows(store, "tickets")}
    assert scores == {"101": 5, "102": 1, "103": None, "104": None, "105": 5}


HUBSPOT = (
    "Record ID,First Name,Email,Create Date,Lifecycle Stage,Became a Customer Date,"
    "Original Source\n"
    "1,Ann,ann@example.com,2025-10-01 09:00,customer,2025-10-03 10:00,ORGANIC_SEARCH\n"
    "2,Bob,bob@example.com,2025-10-01 10:00,,,PAID_SEARCH\n"
    "3,Cy,cy@example.com,2025-10-02 11:00,lead,,ORGANIC_SEARCH\n"
    "4,Di,di@example.com,2025-10-02 12:00,evangelist,2025-10-04 10:00,DIRECT_TRAFFIC\n"
    "5,Ed,ed@example.com,2025-10-03 12:00,,,\n"
)


def _hubspot(**converted: object) -> MappingProfile:
    return MappingProfile(
        source="leads",
        columns={"Record ID": "lead_id", "Create Date": "created_at"},
        fields={
            "converted": FieldMap.model_validate(converted),
            "channel": FieldMap(
                column="Original Source",
                values={"ORGANIC_SEARCH": "organic", "PAID_SEARCH": "paid"},
                otherwise="other",
                empty="unknown",
            ),
        },
    )


def test_gap3_an_empty_cell_becomes_a_value(store: Store, tmp_path: Path) -> None:
    """A contact without a lifecycle stage is not converted; no source is 'unknown'."""
    profile = _hubspot(
        column="Lifecycle Stage", values={"customer": "true", "lead": "false"},
        otherwise="true", empty="false",
    )  # fmt: skip
    result = ingest_file(store, _file(tmp_path, "contacts.csv", HUBSPOT), mapping=profile)
    assert (result.rows_loaded, result.rows_rejected, result.warnings) == (5, 0, ())
    rows = {r[0]: (r[2], r[3]) for r in table_rows(store, "leads")}
    assert rows == {
        "1": ("organic", True), "2": ("paid", False), "3": ("organic", False),
        "4": ("other", True), "5": ("unknown", False),
    }  # fmt: skip


def test_gap3_without_empty_the_rejected_rows_bias_is_said(store: Store, tmp_path: Path) -> None:
    """Rows rejected for a column a KPI counts: the upload names the column and the KPI."""
    lines = ["Record ID,Create Date,Lifecycle Stage,Original Source"]
    lines += [f"{i},2025-10-01 09:00,{'customer' if i % 3 else 'lead'},EMAIL" for i in range(1, 60)]
    lines.append("60,2025-10-01 09:00,,EMAIL")
    profile = MappingProfile(
        source="leads",
        columns={"Record ID": "lead_id", "Create Date": "created_at", "Original Source": "channel"},
        fields={
            "converted": FieldMap(
                column="Lifecycle Stage", values={"customer": "true"}, otherwise="false"
            )
        },
    )
    path = _file(tmp_path, "contacts.csv", "\n".join(lines) + "\n")
    result = ingest_file(store, path, mapping=profile)
    assert (result.rows_loaded, result.rows_rejected) == (59, 1)
    assert result.warnings == (
        "1 row (1.7%) rejected for converted, a column counted by conversion_rate, "
        "cost_per_acquisition: they leave it out, and may be biased; fix the row or the mapping "
        "and upload again",
    )


def test_gap4_anything_else_maps_a_new_stage(store: Store, tmp_path: Path) -> None:
    """A stage added in HubSpot after the profile was written takes `otherwise`."""
    profile = _hubspot(column="Lifecycle Stage", values={"customer": "true"}, otherwise="false",
                       empty="false")  # fmt: skip
    text = HUBSPOT.replace("evangelist", "brand_new_stage")
    ingest_file(store, _file(tmp_path, "contacts.csv", text), mapping=profile)
    assert {r[0]: r[3] for r in table_rows(store, "leads")}["4"] is False


def test_gap4_without_otherwise_an_unlisted_word_is_rejected(store: Store, tmp_path: Path) -> None:
    profile = _hubspot(column="Lifecycle Stage", values={"customer": "true", "lead": "false"},
                       empty="false")  # fmt: skip
    with pytest.raises(IngestError, match=r'contacts.csv:5: converted: "evangelist" is not'):
        ingest_file(store, _file(tmp_path, "contacts.csv", HUBSPOT), mapping=profile)


def test_gap5_derived_columns(store: Store, tmp_path: Path) -> None:
    """converted = the customer date is filled; resolved = created + a duration column."""
    ingest_file(
        store, _file(tmp_path, "contacts.csv", HUBSPOT),
        mapping=_hubspot(expression='"Became a Customer Date" IS NOT NULL'),
    )  # fmt: skip
    assert {r[0]: r[3] for r in table_rows(store, "leads")} == {
        "1": True, "2": False, "3": False, "4": True, "5": False,
    }  # fmt: skip
    tickets = (
        "Ticket,Opened,Minutes to resolve,Team,Channel\n"
        "F1,2025-10-01 09:00,90,Billing,email\nF2,2025-10-01 10:00,,Billing,email\n"
    )
    profile = MappingProfile(
        source="tickets",
        columns={"Ticket": "ticket_id", "Opened": "created_at"},
        fields={
            "resolved_at": FieldMap(
                expression='created_at + to_minutes(CAST("Minutes to resolve" AS BIGINT))'
            ),
            "csat_score": FieldMap(value=None),
        },
    )
    ingest_file(store, _file(tmp_path, "freshdesk.csv", tickets), mapping=profile)
    resolved = {r[0]: r[2] for r in table_rows(store, "tickets")}
    assert resolved == {"F1": dt.datetime(2025, 10, 1, 10, 30), "F2": None}


SHOPIFY = (
    "Name,Email,Financial Status,Created at,Fulfilled at,Lineitem quantity,Lineitem name,"
    "Shipping City,Cancelled at\n"
    "#1001,a@example.com,paid,2025-10-04 10:22:31 +0100,2025-10-05 10:00:00 +0100,2,Mug,Lyon,\n"
    "#1001,a@example.com,,,,3,Plate,,\n"
    "#1002,b@example.com,voided,2025-10-04 11:00:00 +0100,,1,Mug,Paris,"
    "2025-10-04 12:00:00 +0100\n"
    "#1002,b@example.com,,,,1,Cup,,\n"
    "#1003,c@example.com,paid,2025-10-04 12:00:00 +0100,,1,Cup,Paris,\n"
)
SHOPIFY_PROFILE = MappingProfile(
    source="orders",
    columns={"Name": "order_id", "Shipping City": "warehouse", "Lineitem quantity": "qty_ordered"},
    fields={
        "ordered_at": FieldMap(column="Created at"),
        "promised_date": FieldMap(expression="ordered_at + INTERVAL 2 DAY"),
        "delivered_at": FieldMap(column="Fulfilled at"),
        "qty_delivered": FieldMap(
            expression='CASE WHEN "Fulfilled at" IS NOT NULL THEN "Lineitem quantity" END'
        ),
    },
    roll_up=RollUp(by=["Name"], sum=["Lineitem quantity"]),
    where='"Cancelled at" IS NULL',
)


def test_gap6_line_items_roll_up_to_one_row_per_order(store: Store, tmp_path: Path) -> None:
    result = ingest_file(store, _file(tmp_path, "orders.csv", SHOPIFY), mapping=SHOPIFY_PROFILE)
    rows = {r[0]: r for r in table_rows(store, "orders")}
    assert set(rows) == {"#1001", "#1003"}
    created = _paris("2025-10-04 10:22:31 +0100")
    assert rows["#1001"][1:7] == (
        created, created.date() + dt.timedelta(days=2),
        _paris("2025-10-05 10:00:00 +0100"), 5, 5, "Lyon",
    )  # fmt: skip
    assert rows["#1003"][4:6] == (1, None)
    assert result.notes[-2:] == (
        "5 lines rolled up into 3 rows (the mapping profile's roll_up)",
        "1 row left out by the mapping profile's where",
    )


def test_gap6_a_rolled_up_row_is_rejected_at_its_first_line(store: Store, tmp_path: Path) -> None:
    """An unreadable quantity on an order's second line rejects the order, not a guess."""
    text = SHOPIFY.replace(",,,3,Plate", ",,,three,Plate").replace("#1003", "#1003")
    lines = [text] + [
        f"#2{i:03},x@example.com,paid,2025-10-04 12:00:00 +0100,,1,Cup,Paris,\n" for i in range(40)
    ]
    result = ingest_file(
        store, _file(tmp_path, "orders.csv", "".join(lines)), mapping=SHOPIFY_PROFILE
    )
    assert [(p.line, p.message) for p in result.problems] == [
        (2, 'qty_ordered: "three" is not a whole number; qty_delivered: "three" is not a whole '
            "number"),
    ]  # fmt: skip


def test_gap7_row_filter_drops_cancelled_orders_and_a_total_footer(
    store: Store, tmp_path: Path
) -> None:
    text = (
        "Shipment,Ship Date,Pieces,Net Charge,Origin,Status\n"
        'S1,20250904,3,"12,50",Lyon,billed\nS2,20250904,1,"8,00",Lyon,void\n'
        'Total,,4,"20,50",,\n'
    )
    profile = MappingProfile(
        source="shipments",
        columns={"Shipment": "shipment_id", "Pieces": "units", "Origin": "warehouse"},
        fields={
            "shipped_at": FieldMap(column="Ship Date"),
            "shipping_cost": FieldMap(column="Net Charge", decimal=","),
            "cogs": FieldMap(value="0"),
            "carrier": FieldMap(value="DHL"),
        },
        where="\"Shipment\" <> 'Total' AND \"Status\" <> 'void'",
    )
    result = ingest_file(store, _file(tmp_path, "invoice.csv", text), mapping=profile)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert result.notes[-1] == "2 rows left out by the mapping profile's where"
    assert [(r[0], float(r[3]), r[6]) for r in table_rows(store, "shipments")] == [
        ("S1", 12.5, "DHL")
    ]


STOCK = "SKU,Location,On hand,Unit cost\nA,Lyon,10,2.50\nB,Lyon,5,3.00\n"
STOCK_PROFILE = MappingProfile(
    source="inventory",
    columns={
        "SKU": "sku",
        "Location": "warehouse",
        "On hand": "qty_on_hand",
        "Unit cost": "unit_cost",
    },
    file_name="stock_{snapshot_date:%Y%m%d}.csv",
)


def test_gap8_a_value_from_the_file_name(store: Store, tmp_path: Path) -> None:
    ingest_file(store, _file(tmp_path, "stock_20251006.csv", STOCK), mapping=STOCK_PROFILE)
    second = _file(tmp_path, "stock_20251013.csv", STOCK)  # the same bytes, a week later
    assert ingest_file(store, second, mapping=STOCK_PROFILE).status == "loaded"
    dates = sorted({r[0] for r in table_rows(store, "inventory")})
    assert dates == [dt.date(2025, 10, 6), dt.date(2025, 10, 13)]
    with pytest.raises(IngestError, match=r"stock\.csv: the name does not match"):
        ingest_file(store, _file(tmp_path, "stock.csv", STOCK), mapping=STOCK_PROFILE)
    before = table_rows(store, "inventory")
    ingest_file(
        store, tmp_path / "stock.csv", mapping=STOCK_PROFILE, values={"snapshot_date": "2025-10-20"}
    )
    assert len(table_rows(store, "inventory")) == len(before) + 2


def test_gap8_a_per_file_value_cannot_hide_the_files_own_column(
    store: Store, tmp_path: Path
) -> None:
    text = "snapshot_date,sku,warehouse,qty_on_hand,unit_cost\n2025-10-06,A,Lyon,1,2\n"
    with pytest.raises(IngestError, match="has its own snapshot_date column"):
        ingest_file(store, _file(tmp_path, "s.csv", text), values={"snapshot_date": "2025-10-07"})
    assert table_rows(store, "inventory") == []


def test_file_columns_are_text_and_a_type_clash_is_one_sentence(
    store: Store, tmp_path: Path
) -> None:
    profile = SHOPIFY_PROFILE.model_copy(update={"where": '"Lineitem quantity" >= 10'})
    with pytest.raises(IngestError) as refused:
        ingest_file(store, _file(tmp_path, "orders.csv", SHOPIFY), mapping=profile)
    message = str(refused.value)
    assert message.startswith("orders.csv: the mapping profile's SQL does not fit this file (")
    assert message.endswith('write CAST("Quantity" AS INTEGER) to use it as a number')
    assert "\n" not in message and table_rows(store, "orders") == []


def test_an_expression_naming_a_column_the_file_lacks_is_refused(
    store: Store, tmp_path: Path
) -> None:
    profile = _hubspot(expression='"Became Customer" IS NOT NULL')
    with pytest.raises(IngestError) as refused:
        ingest_file(store, _file(tmp_path, "contacts.csv", HUBSPOT), mapping=profile)
    assert str(refused.value).startswith(
        "contacts.csv: the mapping profile's fields.converted.expression refers to "
        "'Became Customer', which is not a column of the file (its header has Record ID,"
    )
    assert table_rows(store, "leads") == []


def test_preview_shows_the_mapped_typed_rows(store: Store, tmp_path: Path) -> None:
    preview = preview_file(
        store, _file(tmp_path, "orders.csv", SHOPIFY), mapping=SHOPIFY_PROFILE, check_rows=True
    )
    assert preview.problem is None and preview.mapped is not None
    assert sorted(preview.mapped["order_id"]) == ["#1001", "#1003"]
    assert table_rows(store, "orders") == []  # a preview stores nothing


def test_kpis_ingest_set_gives_a_per_file_value(tmp_path: Path) -> None:
    """The installed command: --set fills the column; a malformed --set changes nothing."""
    from tests.conftest import CONFIG, run_cli

    db = tmp_path / "kpis.duckdb"
    path = _file(tmp_path, "stock.csv", "sku,warehouse,qty_on_hand,unit_cost\nA,Lyon,10,2.5\n")
    base = ("--config", str(CONFIG), "--db", str(db), "ingest")
    refused = run_cli(*base, "--set", "snapshot_date", str(path))
    assert refused.returncode == 2
    assert "--set 'snapshot_date': write it as column=value" in refused.stderr
    assert not db.exists() or "inventory (batch" not in refused.stdout
    loaded = run_cli(*base, "--set", "snapshot_date=2025-10-06", str(path))
    assert loaded.returncode == 0, loaded.stderr
    assert "-> inventory (batch 1): 1 row loaded" in loaded.stdout


def test_a_profile_from_the_page_passes_kpis_yaml_rules_before_it_is_saved(store: Store) -> None:
    """A refused save changes nothing: the profile is not among the saved ones."""
    from kpis import UsageError
    from kpis.ingest import mapping_profiles, save_mapping

    broken = SHOPIFY_PROFILE.model_copy(update={"where": "(SELECT count(*) FROM orders) > 0"})
    with pytest.raises(UsageError) as refused:
        save_mapping(store, "shopify", broken)
    assert str(refused.value) == (
        "the mapping profile cannot be saved: where: uses a query; only expressions over the "
        "source's own columns are allowed (write an expression over the columns, e.g. sum(units))"
    )
    assert "shopify" not in mapping_profiles(store)
    save_mapping(store, "shopify", SHOPIFY_PROFILE)
    assert mapping_profiles(store)["shopify"] == SHOPIFY_PROFILE


def test_a_saved_profile_keeps_otherwise_null(store: Store, tmp_path: Path) -> None:
    """`otherwise: null` (any other word: no value) survives saving and loading the profile."""
    from kpis.ingest import mapping_profiles, save_mapping

    save_mapping(store, "zendesk", ZENDESK_PROFILE)
    saved = mapping_profiles(store)["zendesk"]
    assert saved.fields["csat_score"].has_otherwise
    text = ZENDESK.replace("Offered", "Withdrawn")
    ingest_file(store, _file(tmp_path, "tickets.csv", text), mapping="zendesk")
    assert {r[0]: r[3] for r in table_rows(store, "tickets")}["103"] is None
