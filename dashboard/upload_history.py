"""The Upload page's history of batches and its undo, apart so that the page stays readable.

Every batch is listed, undone ones too, with who loaded and who undid it. Only the latest
loaded batch of each source can be removed (kpis.undo_upload checks it again), and only
after a confirmation that says what removing it does to the numbers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import context, tables
from kpis.formatting import number
from kpis.i18n import _


def _status(status: str) -> str:
    """A batch's status as people read it; the history's own column keeps the engine's word."""
    return {"loaded": _("loaded"), "undone": _("undone")}.get(status, status)


def show(ctx: context.Context, actor: kpis.Actor) -> None:
    """The history table, and for those who may undo, the removal of a batch."""
    st.subheader(_("Upload history"))
    history = kpis.uploads(ctx.database)
    if history.empty:
        st.caption(_("Nothing loaded yet."))
        return
    shown = history.drop(columns=["sha256"])
    shown["status"] = [_status(s) for s in shown["status"]]
    tables.show(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "batch_id": _("batch"),
            "source": _("source"),
            "file_name": _("file"),
            "loaded_at": st.column_config.DatetimeColumn(
                _("loaded at"), format=tables.datetime_format()
            ),
            "status": _("status"),
            "rows_read": _("rows read"),
            "rows_loaded": _("loaded"),
            "rows_rejected": _("rejected"),
            "rows_inserted": _("new"),
            "rows_updated": _("updated"),
            "dropped_columns": _("not stored"),
            "data_through": st.column_config.DateColumn(
                _("export covers through"), format=tables.date_format()
            ),
            "uploaded_by": _("loaded by"),
            "undone_by": _("undone by"),
        },
    )
    if actor.can("undo"):
        _undo(ctx, actor, history)


def _undo(ctx: context.Context, actor: kpis.Actor, history: pd.DataFrame) -> None:
    loaded = history[history["status"] == "loaded"]
    latest = (
        loaded.sort_values("batch_id")
        .groupby("source")
        .tail(1)
        .sort_values("batch_id", ascending=False)
    )
    labels = {
        int(r["batch_id"]): _("batch {batch} · {file} · {source}").format(
            batch=r["batch_id"], file=r["file_name"], source=r["source"]
        )
        for r in latest.to_dict("records")
    }
    left, right = st.columns([3, 1])
    batch = left.selectbox(
        _("Remove an upload (the latest of each source can be removed)"),
        list(labels),
        format_func=labels.get,
        key="undo_batch",
    )
    if right.button(_("Remove…"), key="undo"):
        st.session_state["undo_pending"] = batch
    pending = st.session_state.get("undo_pending")
    if pending is not None:
        row = history[history["batch_id"] == pending].iloc[0]
        st.warning(
            _(
                "Remove batch {batch} ({file})? Its {new} new rows leave {source} and the "
                "{updated} rows it updated get their earlier version back. Every page will "
                "show the numbers without it."
            ).format(
                batch=pending,
                file=row["file_name"],
                new=number(row["rows_inserted"], 0),
                source=row["source"],
                updated=number(row["rows_updated"], 0),
            )
        )
        yes, no = st.columns(2)
        if yes.button(_("Yes, remove it"), type="primary", key="undo_confirm"):
            try:
                with ctx.writing() as store:
                    st.session_state["undo_message"] = kpis.undo_upload(
                        store, int(pending), actor=actor
                    )
            except kpis.KpisError as exc:
                st.session_state["undo_message"] = _("Not removed: {reason}").format(reason=exc)
            del st.session_state["undo_pending"]
            context.invalidate()
            st.rerun()
        if no.button(_("Cancel"), key="undo_cancel"):
            del st.session_state["undo_pending"]
            st.rerun()
    if "undo_message" in st.session_state:
        st.info(st.session_state.pop("undo_message"))
