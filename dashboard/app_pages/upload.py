"""Upload: the analysts' page. Load exports, see what was loaded or rejected, undo a batch.

Each file is previewed before loading: the source recognised from its header (or chosen),
the columns that will not be stored, the first rows. Loading goes through the same engine
call as `kpis ingest`, so the results and messages are the same; every page shows the new
numbers afterwards.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

import kpis
from dashboard import context

AUTO = "(recognise from the header)"

ctx = context.load()
definitions = ctx.definitions
limit = int(st.get_option("server.maxUploadSize"))

st.title("Upload exports")
st.caption(
    f"CSV exports up to {limit} MB each (larger files: `kpis ingest FILE` on the command line). "
    "Each file is loaded whole or not at all; rows seen before are updated, not counted twice; "
    "columns a source does not declare (names, e-mails...) are not stored."
)

round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    "Export files", type=["csv", "txt", "tsv"], accept_multiple_files=True, key=f"files_{round_}"
)


def _staged(upload: object) -> str:
    """Write an uploaded file beside the database (where the engine reads uploads from)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", upload.name)  # type: ignore[attr-defined]
    path = ctx.store.staging_dir / f"upload-{upload.file_id}-{safe}"  # type: ignore[attr-defined]
    if not path.exists():
        path.write_bytes(upload.getvalue())  # type: ignore[attr-defined]
    return str(path)


plans = []
for upload in files or []:
    path = _staged(upload)
    with st.container(border=True):
        head, choice = st.columns([3, 2])
        head.markdown(f"**{upload.name}** · {upload.size / 1e6:,.2f} MB")
        chosen = choice.selectbox(
            "Source",
            [AUTO, *definitions.sources],
            key=f"source_{upload.file_id}",
            label_visibility="collapsed",
        )
        source = None if chosen == AUTO else str(chosen)
        preview = kpis.preview_file(ctx.store, path, source, upload.name)
        if preview.problem:
            st.error(preview.problem)
        else:
            label = definitions.sources[str(preview.source)].label or preview.source
            st.success(f"Loads into **{label}** ({preview.format})")
        if preview.dropped:
            st.caption(f"Not stored: {', '.join(preview.dropped)}")
        if len(preview.rows):
            st.dataframe(preview.rows, hide_index=True, width="stretch")
    plans.append((upload.name, path, source))

if plans and st.button(
    f"Load {len(plans)} file{'s' if len(plans) > 1 else ''}", type="primary", key="load"
):
    results = []
    for name, path, source in plans:
        bar = st.progress(0.0, text=f"{name}: starting")

        def report(fraction: float, stage: str, bar: object = bar, name: str = name) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"{name}: {stage}")  # type: ignore[attr-defined]

        try:
            result = kpis.ingest_file(ctx.store, path, source, name, progress=report)
            results.append({"file": name, "result": result})
        except kpis.KpisError as exc:
            results.append({"file": name, "error": str(exc)})
        finally:
            Path(path).unlink(missing_ok=True)
    st.session_state["upload_results"] = results
    st.session_state["upload_round"] = round_ + 1  # a fresh, empty uploader
    context.invalidate()
    st.rerun()

for entry in st.session_state.get("upload_results", []):
    if "error" in entry:
        first, *rest = entry["error"].splitlines()
        st.error(
            f"**Refused: {first}**"
            + ("\n\n" + "\n".join(f"- {r.strip()}" for r in rest) if rest else "")
        )
        continue
    result: kpis.IngestResult = entry["result"]
    if result.status == "unchanged":
        st.info(result.summary())
        continue
    st.success(result.summary())
    if result.problems:
        rejected = pd.DataFrame([{"line": p.line, "reason": p.message} for p in result.problems])
        st.caption(f"{result.rows_rejected} rejected rows (kept with batch {result.batch_id}):")
        st.dataframe(rejected, hide_index=True, width="stretch")

st.subheader("Upload history")
history = kpis.uploads(ctx.store)
if history.empty:
    st.caption("Nothing loaded yet.")
    st.stop()
st.dataframe(
    history.drop(columns=["sha256"]),
    hide_index=True,
    width="stretch",
    column_config={
        "batch_id": "batch",
        "file_name": "file",
        "loaded_at": st.column_config.DatetimeColumn("loaded at", format="YYYY-MM-DD HH:mm"),
        "rows_read": "rows read",
        "rows_loaded": "loaded",
        "rows_rejected": "rejected",
        "rows_inserted": "new",
        "rows_updated": "updated",
        "dropped_columns": "not stored",
    },
)

loaded = history[history["status"] == "loaded"]
latest = (
    loaded.sort_values("batch_id")
    .groupby("source")
    .tail(1)
    .sort_values("batch_id", ascending=False)
)
labels = {
    int(r["batch_id"]): f"batch {r['batch_id']} · {r['file_name']} · {r['source']}"
    for r in latest.to_dict("records")
}
left, right = st.columns([3, 1])
batch = left.selectbox(
    "Remove an upload (the latest of each source can be removed)",
    list(labels),
    format_func=labels.get,
    key="undo_batch",
)
if right.button("Remove…", key="undo"):
    st.session_state["undo_pending"] = batch
pending = st.session_state.get("undo_pending")
if pending is not None:
    row = history[history["batch_id"] == pending].iloc[0]
    st.warning(
        f"Remove batch {pending} ({row['file_name']})? Its {row['rows_inserted']} new rows "
        f"leave {row['source']} and the {row['rows_updated']} rows it updated get their earlier "
        "version back. Every page will show the numbers without it."
    )
    yes, no = st.columns(2)
    if yes.button("Yes, remove it", type="primary", key="undo_confirm"):
        try:
            st.session_state["undo_message"] = kpis.undo_upload(ctx.store, int(pending))
        except kpis.KpisError as exc:
            st.session_state["undo_message"] = f"Not removed: {exc}"
        del st.session_state["undo_pending"]
        context.invalidate()
        st.rerun()
    if no.button("Cancel", key="undo_cancel"):
        del st.session_state["undo_pending"]
        st.rerun()
if "undo_message" in st.session_state:
    st.info(st.session_state.pop("undo_message"))
