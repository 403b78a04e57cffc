"""The database file: lock-down of file access, one writer, schema kept in step with kpis.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kpis import Store, StoreError, parse_definitions
from tests.conftest import CONFIG


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/hostname')",
        "COPY (SELECT 1) TO '/tmp/kpis_escape.csv'",
        "ATTACH '/tmp/kpis_other.duckdb'",
        "INSTALL httpfs",
    ],
)
def test_sql_cannot_reach_files_outside_the_staging_folder(store: Store, sql: str) -> None:
    with pytest.raises(duckdb.Error):
        store.cursor().execute(sql)


def test_configuration_is_locked(store: Store) -> None:
    with pytest.raises(duckdb.Error, match="locked"):
        store.cursor().execute("SET enable_external_access = true")


def test_a_second_process_gets_a_clear_message(store: Store) -> None:
    script = (
        "from kpis import Store, load_definitions, StoreError\n"
        f"try: Store({str(store.path)!r}, load_definitions({str(CONFIG)!r}))\n"
        "except StoreError as e: print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "is in use by another process" in out.stdout


def test_a_column_added_to_kpis_yaml_is_added_to_the_table(tmp_path: Path, definitions) -> None:
    path = tmp_path / "ops.duckdb"
    Store(path, definitions).close()
    text = CONFIG.read_text().replace(
        "      campaign: {type: string, nullable: true, optional: true}\n",
        "      campaign: {type: string, nullable: true, optional: true}\n      region: {type: string, nullable: true, optional: true}\n",
    )
    with Store(path, parse_definitions(text)) as store:
        columns = [r[0] for r in store.cursor().execute("DESCRIBE leads").fetchall()]
    assert "region" in columns


def test_a_changed_column_type_is_refused_with_advice(tmp_path: Path, definitions) -> None:
    path = tmp_path / "ops.duckdb"
    Store(path, definitions).close()
    text = CONFIG.read_text().replace(
        "units: {type: integer, min: 0,", "units: {type: decimal, min: 0,"
    )
    with pytest.raises(
        StoreError, match="shipments.units is stored as BIGINT but kpis.yaml now declares decimal"
    ):
        Store(path, parse_definitions(text))


def test_an_added_column_keeps_updates_and_undo_aligned(
    tmp_path: Path, definitions, write_csv
) -> None:
    from kpis import ingest_file, undo_upload

    path = tmp_path / "ops.duckdb"
    header = ["lead_id", "created_at", "channel", "converted"]
    with Store(path, definitions) as store:
        ingest_file(store, write_csv("a.csv", header, [["L1", "2026-01-05", "web", "false"]]))
    text = CONFIG.read_text().replace(
        "      campaign: {type: string, nullable: true, optional: true}\n",
        "      campaign: {type: string, nullable: true, optional: true}\n      region: {type: string, nullable: true, optional: true}\n",
    )
    with Store(path, parse_definitions(text)) as store:
        ingest_file(
            store,
            write_csv("b.csv", [*header, "region"], [["L1", "2026-01-05", "web", "true", "north"]]),
        )
        assert store.cursor().execute("SELECT converted, region FROM leads").fetchall() == [
            (True, "north")
        ]
        undo_upload(store, 2)
        assert store.cursor().execute(
            "SELECT converted, region, _batch_id FROM leads"
        ).fetchall() == [(False, None, 1)]


def test_a_read_only_store_refuses_changes(tmp_path: Path, definitions) -> None:
    path = tmp_path / "ops.duckdb"
    Store(path, definitions).close()
    with Store(path, definitions, read_only=True) as store:
        assert store.data_version() == (0, 0)
        with pytest.raises(StoreError, match="ops.duckdb was opened read-only"):
            store.transaction().__enter__()


WRITABLE_ONCE = r", which kpis.yaml needs; open it once writable, with kpis ingest, to add it$"
READ_ONLY_GAPS = [  # (what the file holds, kpis.yaml edit, the error as a pattern)
    pytest.param("plain", None, r"ops.duckdb has no _kpis_meta table \(and \d+ more\)" + WRITABLE_ONCE, id="not-set-up-by-kpis"),
    pytest.param("kpis", ("      campaign: {type: string, nullable: true, optional: true}\n", "      campaign: {type: string, nullable: true, optional: true}\n      region: {type: string, nullable: true, optional: true}\n"), r"ops.duckdb has no column leads.region \(and 1 more\)" + WRITABLE_ONCE, id="column-added"),
    pytest.param("kpis", ("units: {type: integer, min: 0,", "units: {type: decimal, min: 0,"), r"column shipments.units is stored as BIGINT but kpis.yaml now declares decimal", id="type-changed"),
]  # fmt: skip


@pytest.mark.parametrize(("holds", "edit", "message"), READ_ONLY_GAPS)
def test_read_only_cannot_add_what_kpis_yaml_needs(
    tmp_path: Path, definitions, holds: str, edit: tuple[str, str] | None, message: str
) -> None:
    path = tmp_path / "ops.duckdb"
    if holds == "plain":
        duckdb.connect(str(path)).close()
    else:
        Store(path, definitions).close()
    changed = parse_definitions(CONFIG.read_text().replace(*edit)) if edit else definitions
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message):
        Store(path, changed, read_only=True)
    if holds == "kpis":  # the same when kpis.yaml changes under an open store
        with (
            Store(path, definitions, read_only=True) as store,
            pytest.raises(StoreError, match=message),
        ):
            store.reload(changed)
    assert path.read_bytes() == before
