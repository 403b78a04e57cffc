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
from dashboard import auth, context, mapping_editor, mapping_rows, staging, tables, upload_history
from kpis.formatting import format_input_date, number
from kpis.i18n import _, ngettext

# Options' ids, shown in the reader's language by _option.
AUTO = "(recognise from the header)"  # i18n: ok (an id)
NO_PROFILE = "(no mapping profile)"  # i18n: ok (an id)
# Rows read for the preview: the mapping editor guesses from their values; five are shown.
PREVIEW_ROWS, SHOWN_ROWS = 200, 5


def _option(option: str) -> str:
    """A source or profile choice as shown: a name, or one of the two choices above in words."""
    words = {AUTO: _("(recognise from the header)"), NO_PROFILE: _("(no mapping profile)")}
    return words.get(option, option)


ctx = context.load()
definitions = ctx.definitions
actor = auth.actor()  # passed to every change: the engine refuses what the role may not do
limit = int(st.get_option("server.maxUploadSize"))

st.title(_("Upload exports"))
st.caption(
    _(
        "CSV, gzipped CSV or Excel exports up to {limit} MB each (larger files: `kpis ingest "
        "FILE` on the command line). Each file is loaded whole or not at all; rows seen before "
        "are updated, not counted twice; columns a source does not declare (names, e-mails...) "
        "are not stored."
    ).format(limit=number(limit, 0))
)
if ctx.lake is not None:
    st.info(
        _(
            "The KPIs are computed by Spark from the lake {lake}, which this page does not "
            "write. Uploads go to the database {db}: `kpis export --lake {lake}` (or your data "
            "pipeline) brings them to the lake."
        ).format(lake=ctx.lake, db=ctx.db)
    )

round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    _("Export files"),
    help=_(
        "Exports of your CRM, helpdesk, e-commerce or warehouse tools: the source is recognised "
        "from the header. Nothing is loaded until you press the load button."
    ),
    type=["csv", "txt", "tsv", "gz", "xlsx", "xlsm", "xls", "ods"],
    accept_multiple_files=True,
    key=f"files_{round_}",
)


# Leftovers of a run that died mid-call: no uploaded bytes stay on disk (dashboard.staging).
staging.sweep(ctx.database)


Plan = tuple[str, object, str | None, object, dt.date | None, dict[str, str]]


def _plan(upload: object) -> Plan:
    """Preview one file, with its source, profile and (when needed) the mapping editor."""
    with staging.on_disk(ctx.database, upload) as path:
        return _preview(upload, path)


def _checked(
    path: str, source: str | None, name: str, mapping: object, file_id: str, values: dict[str, str]
) -> object:
    """kpis.preview_file with every row checked, kept for this file, source and mapping.

    Checking every row costs a load's work (rolled back), so it is done once per choice of
    source and mapping, not on every interaction with the page. The key holds the data
    version: an upload since then may change what would be new or updated.
    """
    key = ("checked", file_id, source, repr(mapping), repr(sorted(values.items())), ctx.version)
    cache = st.session_state.setdefault("upload_checks", {})
    if key not in cache:
        if len(cache) > 20:  # a statement, not an expression: Streamlit would show its None
            cache.clear()
        # A rolled-back load still needs the file alone, for as long as the check takes.
        with ctx.writing() as store:
            cache[key] = kpis.preview_file(
                store, path, source, name, rows=PREVIEW_ROWS, mapping=mapping, check_rows=True,
                values=values or None,
            )  # fmt: skip
    return cache[key]


def _preview(upload: object, path: str) -> Plan:
    name, file_id = upload.name, upload.file_id
    profiles = kpis.mapping_profiles(ctx.database)
    saved = st.session_state.pop(f"saved_{file_id}", None)
    if saved is not None:  # a profile saved on the last run: select it, close the editor
        st.session_state[f"profile_{file_id}"] = saved
        st.session_state[f"by_hand_{file_id}"] = False
    with st.container(border=True):
        head, pick_source, pick_profile = st.columns([3, 2, 2])
        head.markdown(
            _("**{name}** · {size} MB").format(name=name, size=number(upload.size / 1e6, 2))
        )
        chosen = pick_source.selectbox(
            _("Source"),
            [AUTO, *definitions.sources],
            format_func=_option,
            key=f"source_{file_id}",
        )
        source = None if chosen == AUTO else str(chosen)
        named = pick_profile.selectbox(
            _("Mapping"),
            [NO_PROFILE, *profiles],
            format_func=_option,
            key=f"profile_{file_id}",
        )
        mapping: object = None if named == NO_PROFILE else profiles[str(named)]
        # Values for this file only (a dateless stock export's date), given below.
        given: dict[str, str] = st.session_state.get(f"file_values_{file_id}", {})
        preview = _checked(path, source, name, mapping, file_id, given)
        by_hand = (
            preview.problem is not None and preview.source is not None and bool(preview.missing)
        )
        hand = preview.source is not None and st.toggle(
            _("Map columns by hand"), value=by_hand, key=f"by_hand_{file_id}"
        )
        if hand:
            st.caption(_("Pick the file's column for each column of the source (* required)."))
            mapping = mapping_editor.edit(
                preview, str(preview.source), definitions, f"map_{file_id}"
            )
            preview = _checked(path, preview.source, name, mapping, file_id, given)
        if preview.source is not None:
            values = mapping_rows.values_for_file(
                preview.missing, given, definitions.sources[str(preview.source)], file_id
            )
            if values != given:
                st.session_state[f"file_values_{file_id}"] = given = values
                preview = _checked(path, preview.source, name, mapping, file_id, given)
        if hand:
            mapping_rows.outcome(preview)
            left, right = st.columns([3, 1])
            profile_name = left.text_input(
                _("Save as mapping profile"),
                placeholder=_("e.g. acme-helpdesk"),
                key=f"name_{file_id}",
            )
            if actor.can("mappings") and right.button(
                _("Save mapping"), key=f"save_{file_id}", disabled=not profile_name
            ):
                try:
                    with ctx.writing() as store:
                        kpis.save_mapping(store, profile_name, mapping, actor=actor)
                    # Widgets of this run cannot change now: the next run selects it.
                    st.session_state[f"saved_{file_id}"] = profile_name.strip()
                    st.session_state[f"saved_yaml_{file_id}"] = (profile_name.strip(), mapping)
                    st.rerun()
                except kpis.KpisError as exc:
                    st.error(str(exc))
        if f"saved_yaml_{file_id}" in st.session_state:  # what was saved, as kpis.yaml says it
            mapping_rows.show_saved(*st.session_state[f"saved_yaml_{file_id}"])
        elif named != NO_PROFILE and not hand:
            mapping_rows.show_yaml(str(named), profiles[str(named)])
        if preview.problem is not None:
            st.error(_("Will be refused: {reason}").format(reason=preview.problem))
        else:
            label = definitions.sources[str(preview.source)].label or preview.source
            st.success(
                _("Will load into **{source}** ({format}): {outcome}").format(
                    source=label, format=preview.format, outcome=_will_do(preview.check)
                )
            )
        notes = preview.check.notes if preview.check is not None else preview.notes
        for note in notes:
            st.caption(_("Note: {note}").format(note=note))
        for warning in preview.check.warnings if preview.check is not None else ():
            st.warning(warning)
        if preview.dropped:
            st.caption(_("Not stored: {columns}").format(columns=", ".join(preview.dropped)))
        if preview.check is not None and preview.check.reasons:
            reasons = pd.DataFrame(
                preview.check.reasons, columns=[_("will be rejected"), _("rows")]
            )
            tables.show(reasons, hide_index=True, width="stretch")
        through = st.date_input(
            _("The export covers through (optional: when its last days had no rows)"),
            value=None,
            min_value=dt.date(1970, 1, 1),
            max_value=dt.date.today(),
            key=f"through_{file_id}",
            format=format_input_date(),
        )
        if len(preview.rows):
            tables.show(preview.rows.head(SHOWN_ROWS), hide_index=True, width="stretch")
    return name, upload, source, mapping, through, given


def _will_do(check: kpis.IngestResult | None) -> str:
    """'96 rows (90 new, 6 updated), 4 rejected', in words, from a checked preview."""
    if check is None:
        return _("every row is checked when it loads")
    if check.status == "unchanged":
        return _("nothing: this file was loaded {when}").format(when=check.previous_upload)
    return ngettext(
        "{rows} row ({new} new, {updated} updated, {unchanged} unchanged), {rejected} rejected",
        "{rows} rows ({new} new, {updated} updated, {unchanged} unchanged), {rejected} rejected",
        check.rows_loaded,
    ).format(
        rows=number(check.rows_loaded, 0),
        new=number(check.rows_inserted, 0),
        updated=number(check.rows_updated, 0),
        unchanged=number(check.rows_unchanged, 0),
        rejected=number(check.rows_rejected, 0),
    )


plans = [_plan(upload) for upload in files or []]

if plans and st.button(
    ngettext("Load {count} file", "Load {count} files", len(plans)).format(
        count=number(len(plans), 0)
    ),
    type="primary",
    key="load",
):
    results = []
    for name, upload, source, mapping, through, values in plans:
        bar = st.progress(0.0, text=_("{file}: starting").format(file=name))
        with staging.on_disk(ctx.database, upload) as path:

            def report(fraction: float, stage: str, bar: object = bar, name: str = name) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=f"{name}: {stage}")

            try:
                with ctx.writing() as store:  # alone on the file for this one load
                    result = kpis.ingest_file(
                        store,
                        path,
                        source,
                        name,
                        report,
                        mapping,
                        through=through,
                        actor=actor,
                        values=values or None,
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
            _("**Refused: {reason}**").format(reason=first)
            + ("\n\n" + "\n".join(f"- {r.strip()}" for r in rest) if rest else "")
        )
        continue
    result: kpis.IngestResult = entry["result"]
    if result.status == "unchanged":
        st.info(result.summary())
        continue
    st.success(result.summary())
    for warning in result.warnings:
        st.warning(warning)
    if result.problems:
        line, reason = _("line"), _("reason")
        rejected = pd.DataFrame([{line: p.line, reason: p.message} for p in result.problems])
        st.caption(
            ngettext(
                "{count} rejected row (kept with batch {batch}):",
                "{count} rejected rows (kept with batch {batch}):",
                result.rows_rejected,
            ).format(count=number(result.rows_rejected, 0), batch=result.batch_id)
        )
        tables.show(rejected, hide_index=True, width="stretch")
        tables.download(
            _("Download the rejected rows (CSV)"),
            kpis.rejected_rows(ctx.database, int(result.batch_id or 0)),
            f"rejected_batch_{result.batch_id}.csv",
            key=f"rejected_{result.batch_id}",
        )

upload_history.show(ctx, actor)
