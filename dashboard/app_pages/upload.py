"""Upload: the analysts' page. Load exports, see what was loaded or rejected, undo a batch.

Each file is previewed before loading: the source recognised from its header (or chosen),
the columns that will not be stored, the first rows, and what loading the whole file will do
(every row checked as a load would, nothing kept: rows that will load, rows that will be
rejected and why, or why the file will be refused). Loading goes through the same engine call
as `kpis ingest`, so the results and messages are the same; every page shows the new numbers
afterwards, and a batch's rejected rows download as CSV. An uploaded file is on disk only
while the engine previews or loads it (dashboard.staging); its tables neutralise formulas
(dashboard.tables).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import kpis
from dashboard import auth, context, mapping_editor, staging, tables

AUTO = "(recognise from the header)"

ctx = context.load()
definitions = ctx.definitions
actor = auth.actor()  # passed to every change: the engine refuses what the role may not do
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


def _plan(upload: object) -> tuple[str, object, str | None, object, dt.date | None]:
    """Preview one file, with its source, profile and (when needed) the mapping editor."""
    with staging.on_disk(ctx.store, upload) as path:
        return _preview(upload, path)


def _checked(path: str, source: str | None, name: str, mapping: object, file_id: str) -> object:
    """kpis.preview_file with every row checked, kept for this file, source and mapping.

    Checking every row costs a load's work (rolled back), so it is done once per choice of
    source and mapping, not on every interaction with the page. The key holds the data
    version: an upload since then may change what would be new or updated.
    """
    key = ("checked", file_id, source, repr(mapping), ctx.version)
    cache = st.session_state.setdefault("upload_checks", {})
    if key not in cache:
        if len(cache) > 20:  # a statement, not an expression: Streamlit would show its None
            cache.clear()
        # A rolled-back load still needs the file alone, for as long as the check takes.
        with ctx.writing() as store:
            cache[key] = kpis.preview_file(
                store, path, source, name, mapping=mapping, check_rows=True
            )
    return cache[key]


def _preview(upload: object, path: str) -> tuple[str, object, str | None, object, dt.date | None]:
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
        preview = _checked(path, source, name, mapping, file_id)
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
            preview = _checked(path, preview.source, name, mapping, file_id)
            left, right = st.columns([3, 1])
            profile_name = left.text_input(
                "Save as mapping profile", placeholder="e.g. acme-helpdesk", key=f"name_{file_id}"
            )
            if actor.can("mappings") and right.button(
                "Save mapping", key=f"save_{file_id}", disabled=not profile_name
            ):
                try:
                    with ctx.writing() as store:
                        kpis.save_mapping(store, profile_name, mapping, actor=actor)
                    # Widgets of this run cannot change now: the next run selects it.
                    st.session_state[f"saved_{file_id}"] = profile_name.strip()
                    st.rerun()
                except kpis.KpisError as exc:
                    st.error(str(exc))
        if preview.problem is not None:
            st.error(f"Will be refused: {preview.problem}")
        else:
            label = definitions.sources[str(preview.source)].label or preview.source
            st.success(f"Will load into **{label}** ({preview.format}): {_will_do(preview.check)}")
        notes = preview.check.notes if preview.check is not None else preview.notes
        for note in notes:
            st.caption(f"Note: {note}")
        if preview.dropped:
            st.caption(f"Not stored: {', '.join(preview.dropped)}")
        if preview.check is not None and preview.check.reasons:
            reasons = pd.DataFrame(preview.check.reasons, columns=["will be rejected", "rows"])
            tables.show(reasons, hide_index=True, width="stretch")
        through = st.date_input(
            "The export covers through (optional: when its last days had no rows)",
            value=None,
            min_value=dt.date(1970, 1, 1),
            max_value=dt.date.today(),
            key=f"through_{file_id}",
        )
        if len(preview.rows):
            tables.show(preview.rows, hide_index=True, width="stretch")
    return name, upload, source, mapping, through


def _will_do(check: kpis.IngestResult | None) -> str:
    """'96 rows (90 new, 6 updated), 4 rejected', in words, from a checked preview."""
    if check is None:
        return "every row is checked when it loads"
    if check.status == "unchanged":
        return f"nothing: this file was loaded {check.previous_upload}"
    rows = f"{check.rows_loaded} row{'' if check.rows_loaded == 1 else 's'}"
    parts = f"{check.rows_inserted} new, {check.rows_updated} updated"
    return f"{rows} ({parts}, {check.rows_unchanged} unchanged), {check.rows_rejected} rejected"


plans = [_plan(upload) for upload in files or []]

if plans and st.button(
    f"Load {len(plans)} file{'s' if len(plans) > 1 else ''}", type="primary", key="load"
):
    results = []
    for name, upload, source, mapping, through in plans:
        bar = st.progress(0.0, text=f"{name}: starting")
        with staging.on_disk(ctx.store, upload) as path:

            def report(fraction: float, stage: str, bar: object = bar, name: str = name) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=f"{name}: {stage}")

            try:
                with ctx.writing() as store:  # alone on the file for this one load
                    result = kpis.ingest_file(
                        store, path, source, name, report, mapping, through=through, actor=actor
                    )
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
        tables.download(
            "Download the rejected rows (CSV)",
            kpis.rejected_rows(ctx.store, int(result.batch_id or 0)),
            f"rejected_batch_{result.batch_id}.csv",
            key=f"rejected_{result.batch_id}",
        )

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
        "data_through": st.column_config.DateColumn("export covers through"),
        "uploaded_by": "loaded by",
        "undone_by": "undone by",
    },
)
if not actor.can("undo"):
    st.stop()

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
            with ctx.writing() as store:
                st.session_state["undo_message"] = kpis.undo_upload(
                    store, int(pending), actor=actor
                )
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
