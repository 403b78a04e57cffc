"""The Upload page's mapping editor: say how a tool's export becomes a source's rows, once.

When a tool's export does not use the names kpis.yaml knows, the analyst says, for each
column of the source, where it comes from (a file column, an SQL expression over the file's
columns, a fixed value, or nowhere), what the tool's words mean ("Good" -> 5, "Offered" ->
no value), what an empty cell means and what any other value becomes. The form starts from
kpis.ingest.suggest's guess, from the header and the values the file shows; the rows' filter
and roll-up are in dashboard.mapping_rows. The result is saved as a named profile that the
page and `kpis ingest --mapping NAME` reuse for the next export of the same tool.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import kpis
from dashboard import mapping_rows, tables
from kpis.definitions import Column, FieldMap
from kpis.i18n import _
from kpis.ingest.profile_yaml import shortest
from kpis.ingest.suggest import Suggestion, suggest_field, suggest_mapping

ABSENT = "(not in this file)"  # i18n: ok (an option's id, shown by _option)
FIXED = "(a fixed value)"  # i18n: ok (an option's id, shown by _option)
EXPRESSION = "(an expression)"  # i18n: ok (an option's id, shown by _option)
_TIME = ("date", "timestamp")
# The values table's column ids; their headers are in the reader's language.
IN_FILE, STORED, NO_VALUE = "in the file", "stored as", "no value"  # i18n: ok (ids)


def _option(option: str) -> str:
    """A column choice as shown: the file's column, or one of the choices above in words."""
    words = {
        ABSENT: _("(not in this file)"),
        FIXED: _("(a fixed value)"),
        EXPRESSION: _("(an expression)"),
    }
    return words.get(option, option)


def samples_of(preview: kpis.FilePreview) -> dict[str, list[str]]:
    """Each header name's values in the preview's first rows, as written (empty as "")."""
    found: dict[str, list[str]] = {}
    for index, name in enumerate(preview.header):
        if index < preview.rows.shape[1] and name not in found:
            found[name] = ["" if v is None else str(v) for v in preview.rows.iloc[:, index]]
    return found


def _suggestion(
    preview: kpis.FilePreview, source: str, definitions: kpis.Definitions, key: str
) -> Suggestion:
    """kpis.ingest.suggest's guess for this file and source, made once: the form's start."""
    made = st.session_state.get(f"{key}_suggestion")
    if made is None or made[0] != (source, preview.header):
        guess = suggest_mapping(
            preview.header, samples_of(preview), source, definitions.sources[source]
        )
        made = ((source, preview.header), guess)
        st.session_state[f"{key}_suggestion"] = made
    return made[1]


def edit(
    preview: kpis.FilePreview, source: str, definitions: kpis.Definitions, key: str
) -> kpis.MappingProfile:
    """Widgets for mapping `preview`'s file onto `source`; returns the profile they describe.

    The profile is returned in its shortest form (kpis.ingest.profile_yaml.shortest), as it
    will be saved and shown in kpis.yaml.
    """
    declared = definitions.sources[source]
    guess = _suggestion(preview, source, definitions, key)
    by_alias = kpis.suggest_columns(preview.header, declared)
    samples = samples_of(preview)
    fields: dict[str, FieldMap] = {}
    for name, column in declared.columns.items():
        suggested = guess.profile.fields.get(name)
        default = (suggested.column if suggested else None) or by_alias.get(name)
        options = [ABSENT, FIXED, EXPRESSION, *dict.fromkeys(preview.header)]
        left, right = st.columns([2, 3])
        why = guess.why.get(name)
        choice = left.selectbox(
            f"{name} ({column.type}){'' if column.optional else ' *'}",
            options,
            index=options.index(default) if default in options else 0,
            format_func=_option,
            key=f"{key}_col_{name}",
            help=_help(column, why),
        )
        said: dict[str, Any] = {}
        if choice == FIXED:
            said["value"] = right.text_input(
                _("value of {column} on every row").format(column=name), key=f"{key}_fixed_{name}"
            ).strip()
        elif choice == EXPRESSION:
            said["expression"] = right.text_input(
                _("SQL over the file's columns for {column}").format(column=name),
                placeholder=_('e.g. "Became a Customer Date" IS NOT NULL'),
                key=f"{key}_expr_{name}",
                help=_("One value per row, from this row's columns; quote a column's name "
                       "in double quotes. No query, no function reading files."),
            ).strip()  # fmt: skip
        elif choice != ABSENT:
            start = (
                suggested
                if suggested is not None and suggested.column == choice
                else suggest_field(choice, samples.get(choice, ()), column)[0]
            )
            if choice != by_alias.get(name):
                said["column"] = choice
            with right.expander(
                _("translate values of {column}").format(column=repr(choice)),
                expanded=bool(start.values or start.empty),
            ):
                # A key's or a time's values are not words to translate: no table for them.
                words = name not in declared.key and column.type not in _TIME
                seen = preview.distinct.get(choice, []) if words else []
                said |= _reading(seen, column, start, key, name)
        kept = {k: v for k, v in said.items() if v not in ("", {}) or k == "otherwise"}
        if kept:
            fields[name] = FieldMap.model_validate(kept)
    where, roll_up = mapping_rows.edit(preview.header, key)
    return shortest(kpis.MappingProfile(source=source, fields=fields, where=where, roll_up=roll_up))


def _help(column: Column, why: str | None) -> str | None:
    """The declared column's description or aliases, and why a column is suggested."""
    parts = [column.description] if column.description else []
    if column.aliases:
        parts.append(_("also known as: {names}").format(names=", ".join(column.aliases)))
    if why:
        parts.append(_("Suggested: {why}.").format(why=why))
    return "\n\n".join(parts) or None


def _reading(
    seen: list[str], column: Column, start: FieldMap, key: str, name: str
) -> dict[str, Any]:
    """The words map, "empty means", "anything else" and a date format, as the analyst says.

    The table lists the values the file shows; a row left blank keeps its value as written.
    Shown neutralised (the file's values are anyone's text): the rows are fixed, so each is
    matched back to its value by position.
    """
    said: dict[str, Any] = {}
    if seen:
        table = tables.editor(
            pd.DataFrame({
                IN_FILE: seen,
                STORED: [start.values.get(v) or "" for v in seen],
                NO_VALUE: [v in start.values and start.values[v] is None for v in seen],
            }),
            key=f"{key}_values_{name}", hide_index=True, disabled=[IN_FILE],
            column_config={
                IN_FILE: _("in the file"), STORED: _("stored as"),
                NO_VALUE: st.column_config.CheckboxColumn(
                    _("no value"), help=_("this word means the row has no value here")
                ),
            },
        )  # fmt: skip
        words: dict[str, str | None] = {}
        for value, stored, none in zip(seen, table[STORED], table[NO_VALUE], strict=True):
            if bool(none):
                words[value] = None
            elif str(stored or "").strip():
                words[value] = str(stored).strip()
        said["values"] = words
    empty, other = st.columns(2)
    said["empty"] = empty.text_input(
        _("empty means"), value=start.empty or "", key=f"{key}_empty_{name}",
        help=_("The value of an empty cell, e.g. false; blank: an empty cell has no value."),
    ).strip()  # fmt: skip
    nothing = other.checkbox(
        _("anything else means no value"), key=f"{key}_otherwise_none_{name}",
        value=start.has_otherwise and start.otherwise is None,
    )  # fmt: skip
    otherwise = other.text_input(
        _("anything else becomes"), value=start.otherwise or "", key=f"{key}_otherwise_{name}",
        disabled=nothing,
        help=_("Any value not in the table above; blank: kept as written."),
    ).strip()  # fmt: skip
    if nothing:
        said["otherwise"] = None
    elif otherwise:
        said["otherwise"] = otherwise
    if column.type in _TIME:
        said["format"] = st.text_input(
            _("written as (optional)"), value=start.format or "", key=f"{key}_format_{name}",
            placeholder="%d.%m.%Y %H:%M",
            help=_("How the file writes this date or time, when it is not recognised."),
        ).strip()  # fmt: skip
    return said
