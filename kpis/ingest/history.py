"""The upload history: list batches, show a batch's rejected rows, undo the latest batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kpis.access import Actor, recorded, require
from kpis.errors import StoreError
from kpis.formatting import number
from kpis.i18n import _
from kpis.store import REJECTS, UPLOADS, Store, history_table, one, quote

if TYPE_CHECKING:
    import pandas as pd


def uploads(store: Store) -> pd.DataFrame:
    """The upload history, newest first (one row per batch, undone ones included).

    `data_through` is the day the analyst said the export covers (None when not said);
    `uploaded_by` and `undone_by` the e-mail of who loaded and who undid it (None from the
    command line, or in a database that predates them).
    """
    stated = _column(store, "data_through", "DATE")
    by = f"{_column(store, 'uploaded_by', 'VARCHAR')}, {_column(store, 'undone_by', 'VARCHAR')}"
    frame = (
        store.cursor()
        .execute(
            f"SELECT batch_id, source, file_name, loaded_at, status, rows_read, rows_loaded, "
            f"rows_rejected, rows_inserted, rows_updated, dropped_columns, {stated}, {by}, "
            f"sha256 FROM {UPLOADS} ORDER BY batch_id DESC"
        )
        .df()
    )
    # A day, not a midnight: pandas reads DATE as a timestamp.
    frame["data_through"] = [
        None if d is None or d != d else d.date() for d in frame["data_through"]
    ]
    for column in ("uploaded_by", "undone_by"):  # no e-mail: None, not pandas' NaN
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _column(store: Store, name: str, sql_type: str) -> str:
    """A column of the history, or NULL in a database (opened read-only) that predates it."""
    found = one(
        store.cursor(),
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
        [UPLOADS, name],
    )[0]
    return name if found else f"CAST(NULL AS {sql_type}) AS {name}"


def rejected_rows(store: Store, batch_id: int) -> pd.DataFrame:
    """Every row rejected from a batch, with its line, column, value and reason."""
    return (
        store.cursor()
        .execute(
            f"SELECT line, column_name, value, reason FROM {REJECTS} WHERE batch_id = ? "
            "ORDER BY line NULLS LAST",
            [batch_id],
        )
        .df()
    )


def undo_upload(store: Store, batch_id: int, actor: Actor | None = None) -> str:
    """Remove a batch's rows and bring back the rows it replaced; returns a summary.

    Only the latest loaded batch of its source can be undone: a later upload may have
    replaced the rows this one brought, so undoing out of order could not be exact.
    `actor` (kpis.access) must be an analyst or admin; their e-mail is kept as `undone_by`.
    """
    require(actor, "undo")
    with store.transaction() as cur:
        row = cur.execute(
            f"SELECT source, status, file_name FROM {UPLOADS} WHERE batch_id = ?", [batch_id]
        ).fetchone()
        if row is None:
            raise StoreError(_("there is no upload with batch id {batch}").format(batch=batch_id))
        source, status, file_name = row
        if status != "loaded":
            raise StoreError(
                _("batch {batch} ({file}) was already undone").format(
                    batch=batch_id, file=file_name
                )
            )
        later = one(
            cur,
            f"SELECT max(batch_id) FROM {UPLOADS} "
            "WHERE source = ? AND status = 'loaded' AND batch_id > ?",
            [source, batch_id],
        )[0]
        if later is not None:
            raise StoreError(
                _(
                    "batch {batch} ({file}) is not the latest upload of {source}: undo batch "
                    "{later} first"
                ).format(batch=batch_id, file=file_name, source=source, later=later)
            )
        table, history = quote(source), quote(history_table(source))
        columns = ", ".join(quote(c) for c in store.definitions.sources[source].columns)
        removed = one(cur, f"DELETE FROM {table} WHERE _batch_id = ?", [batch_id])[0]
        cur.execute(
            f"INSERT INTO {table} ({columns}, _batch_id) SELECT {columns}, _batch_id "
            f"FROM {history} WHERE _superseded_by = ?",
            [batch_id],
        )
        restored = one(cur, f"DELETE FROM {history} WHERE _superseded_by = ?", [batch_id])[0]
        cur.execute(
            f"UPDATE {UPLOADS} SET status = 'undone', undone_by = ? WHERE batch_id = ?",
            [recorded(actor), batch_id],
        )
    return _(
        "batch {batch} ({file}) undone: {removed} rows removed from {source}, {restored} "
        "earlier rows restored"
    ).format(
        batch=batch_id,
        file=file_name,
        removed=number(removed, 0),
        source=source,
        restored=number(restored, 0),
    )
