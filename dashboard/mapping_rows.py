"""The mapping editor's rows: which to keep, how line rows roll up, and what the result looks like.

A profile is a small staging step, so before anything loads the analyst sees its outcome:
the first rows as they would be stored (mapped and typed by the engine, not by the page),
and the rows the load would set aside, with their line and reason. Saving shows the profile
as kpis.yaml text, to review it or to move it into kpis.yaml where reviewed profiles live.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import tables
from kpis.definitions import RollUp, Source
from kpis.formatting import number
from kpis.i18n import _, ngettext
from kpis.ingest.profile_yaml import profile_yaml

SHOWN_REJECTS = 50  # rejected rows listed one by one; the reasons table counts them all


def edit(header: tuple[str, ...], key: str) -> tuple[str | None, RollUp | None]:
    """The row filter and the roll-up the analyst gives (None for each not given)."""
    columns = list(dict.fromkeys(header))
    with st.expander(_("Rows: keep some, roll line rows up")):
        where = st.text_input(
            _("Keep only the rows where (SQL, optional)"),
            placeholder=_("e.g. \"Status\" <> 'cancelled'"),
            key=f"{key}_where",
            help=_("A condition on the file's columns (their names in double quotes): the "
                   "other rows, a Total footer for instance, are not loaded."),
        ).strip()  # fmt: skip
        by = st.multiselect(
            _("One row per (optional)"),
            columns,
            key=f"{key}_by",
            help=_("For exports with one row per line item: the rows sharing these columns "
                   "become one; its other columns take their first non-empty value."),
        )  # fmt: skip
        rest = [c for c in columns if c not in by]
        add_up, low, high = st.columns(3)
        summed = add_up.multiselect(
            _("Adding up"), rest, key=f"{key}_sum", disabled=not by,
            help=_("Columns whose values are added over the rolled-up rows (quantities)."),
        )  # fmt: skip
        earliest = low.multiselect(
            _("Earliest of"), rest, key=f"{key}_min", disabled=not by,
            help=_("Columns whose smallest value is kept (the first date, say)."),
        )  # fmt: skip
        latest = high.multiselect(
            _("Latest of"), rest, key=f"{key}_max", disabled=not by,
            help=_("Columns whose largest value is kept (the last delivery, say)."),
        )  # fmt: skip
    roll_up = RollUp(by=by, sum=summed, min=earliest, max=latest) if by else None
    return where or None, roll_up


def values_for_file(
    missing: tuple[str, ...], given: dict[str, str], source: Source, file_id: str
) -> dict[str, str]:
    """Inputs for the columns this file lacks and the profile does not fill: a value for this
    file only (a dateless stock export's date), as `kpis ingest --set COLUMN=VALUE` gives it.

    The columns asked for are those still missing and those already given (which the file
    then no longer misses), so an input does not vanish once filled in.
    """
    asked = [c for c in dict.fromkeys([*missing, *given]) if c in source.columns]
    if not asked:
        return {}
    st.caption(_("Values for this file only (not kept in the mapping profile):"))
    found: dict[str, str] = {}
    for place, column in zip(st.columns(min(len(asked), 3)) * len(asked), asked, strict=False):
        kind = source.columns[column].type
        value = place.text_input(
            _("{column} ({type}) of every row of this file").format(column=column, type=kind),
            key=f"set_{file_id}_{column}",
            placeholder=_("e.g. 2026-01-05") if kind in ("date", "timestamp") else None,
        ).strip()
        if value:
            found[column] = value
    return found


def outcome(preview: kpis.FilePreview) -> None:
    """The first rows as they would be stored, and the rows that would be rejected."""
    mapped = preview.mapped  # typed by the engine, as the load would store them
    if isinstance(mapped, pd.DataFrame) and len(mapped):
        st.caption(_("The first rows as they will be stored:"))
        tables.show(mapped, hide_index=True, width="stretch")
    check = preview.check
    if check is None or not check.problems:
        return
    problems = check.problems[:SHOWN_REJECTS]
    st.caption(
        ngettext(
            "{count} row would be rejected; the first {shown}:",
            "{count} rows would be rejected; the first {shown}:",
            check.rows_rejected,
        ).format(count=number(check.rows_rejected, 0), shown=number(len(problems), 0))
    )
    line, column, reason = _("line"), _("column"), _("reason")
    rejects = pd.DataFrame([{line: p.line, column: p.path, reason: p.message} for p in problems])
    if not rejects[column].astype(bool).any():  # the reason then names the column itself
        rejects = rejects.drop(columns=[column])
    tables.show(rejects, hide_index=True, width="stretch")


def show_yaml(name: str, profile: kpis.MappingProfile) -> None:
    """A chosen profile as kpis.yaml text, folded away: to review what it does."""
    with st.expander(_("This mapping profile as kpis.yaml writes it")):
        st.code(profile_yaml(name, profile), language="yaml")


def show_saved(name: str, profile: kpis.MappingProfile) -> None:
    """The saved profile as kpis.yaml text, and where it can go."""
    st.success(_("Saved the mapping profile {name}.").format(name=name))
    st.code(profile_yaml(name, profile), language="yaml")
    st.caption(
        _(
            "The same profile as kpis.yaml writes it: to have it reviewed with the definitions, "
            "add it to kpis.yaml (its entry under mappings:, with the others) and validate."
        )
    )
