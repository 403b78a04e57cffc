"""Upload: the analysts' page. Load exports, see what was loaded or rejected, undo a batch.

Each file is previewed before loading: the source recognised from its header (or chosen),
the columns that will not be stored, the first rows. Loading goes through the same engine
call as `kpis ingest`, so the results and messages are the same; every page shows the new
numbers afterwards. An uploaded file is on disk only while the engine previews or loads it
(dashboard.staging); its tables neutralise formulas (dashboard.tables).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import context, mapping_editor, staging, tables

AUTO = "(recognise from the header)"

ctx = context.load()
definitions = ctx.definitions
limit = int(st.get_option("server.maxUploadSize"))

st.title("Upload exports")
st.caption(
    f"CSV, gzipped CSV or Excel exports up to {limit} MB each (larger files: `kpis ingest FILE` "
    "on the command line). "
    "Each file is loaded whole or not at all; rows seen before are updated, not counted twice; "
    "columns a source does not declare (names, e-mails...) are not stored."
)

round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    "Export files",
    type=["csv", "txt", "tsv", "gz", "xlsx", "xlsm", "xls", "ods"],
    accept_multiple_files=True,
    key=f"files_{round_}",
)


# Leftovers of a run that died mid-call: no uploaded bytes stay on disk (dashboard.staging).
staging.sweep(ctx.store)


NO_PROFILE = "(no mapping profile)"


def _plan(upload: object) -> tuple[str, object, str | None, object]:
    """Preview one file, with its source, profile and (when needed) the mapping editor."""
    with staging.on_disk(ctx.store, upload) as path:
        return _preview(upload, path)


def _preview(upload: object, path: str) -> tuple[str, object, str | None, object]:
    name, file_id = upload.name, upload.file_id
    profiles = kpis.mapping_profiles(ctx.store)
    saved = st.session_state.pop(f"saved_{file_id}", None)
    if saved is not None:  # a profile saved on the last run: select it, close the editor
        st.session_state[f"profile_{file_id}"] = saved
        st.session_state[f"by_hand_{file_id}"] = False
    with st.container(border=True):
        head, pick_source, pick_profile = st.columns([3, 2, 2])
        head.markdown(f"**{name}** · {upload.size / 1e6:,.2f} MB")
        chosen = pick_source.selectbox(
            "Source", [AUTO, *definitions.sources], key=f"source_{file_id}"
        )
        source = None if chosen == AUTO else str(chosen)
        named = pick_profile.selectbox("Mapping", [NO_PROFILE, *profiles], key=f"profile_{file_id}")
        mapping: object = None if named == NO_PROFILE else profiles[str(named)]
        preview = kpis.preview_file(ctx.store, path, source, name, mapping=mapping)
        by_hand = (
            preview.problem is not None and preview.source is not None and bool(preview.missing)
        )
        if preview.source is not None and st.toggle(
            "Map columns by hand", value=by_hand, key=f"by_hand_{file_id}"
        ):
            st.caption("Pick the file's column for each column of the source (* required).")
            mapping = mapping_editor.edit(
                preview, str(preview.source), definitions, f"map_{file_id}"
            )
            preview = kpis.preview_file(ctx.store, path, preview.source, name, mapping=mapping)
            left, right = st.columns([3, 1])
            profile_name = left.text_input(
                "Save as mapping profile", placeholder="e.g. acme-helpdesk", key=f"name_{file_id}"
            )
            if right.button("Save mapping", key=f"save_{file_id}", disabled=not profile_name):
                try:
                    kpis.save_mapping(ctx.store, profile_name, mapping)
                    # Widgets of this run cannot change now: the next run selects it.
                    st.session_state[f"saved_{file_id}"] = profile_name.strip()
                    st.rerun()
                except kpis.KpisError as exc:
                    st.error(str(exc))
        if preview.problem is not None:
            st.error(str(preview.problem))
        else:
            label = definitions.sources[str(preview.source)].label or preview.source
            st.success(f"Loads into **{label}** ({preview.format})")
        for note in preview.notes:
            st.caption(f"Note: {note}")
        if preview.dropped:
            st.caption(f"Not stored: {', '.join(preview.dropped)}")
        if len(preview.rows):
            tables.show(preview.rows, hide_index=True, width="stretch")
    return name, upload, source, mapping


plans = [_plan(upload) for upload in files or []]

if plans and st.button(
    f"Load {len(plans)} file{'s' if len(plans) > 1 else ''}", type="primary", key="load"
):
    results = []
    for name, upload, source, mapping in plans:
        bar = st.progress(0.0, text=f"{name}: starting")
        with staging.on_disk(ctx.store, upload) as path:

            def report(fraction: float, stage: str, bar: object = bar, name: str = name) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=f"{name}: {stage}")

            try:
                result = kpis.ingest_file(ctx.store, path, source, name, report, mapping)
                results.append({"file": name, "result": result})
            except kpis.KpisError as exc:
                results.append({"file": name, "error": str(exc)})
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
        tables.show(rejected, hide_index=True, width="stretch")

st.subheader("Upload history")
history = kpis.uploads(ctx.store)
if history.empty:
    st.caption("Nothing loaded yet.")
    st.stop()
tables.show(
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
