"""The Upload page's mapping editor: match a file's columns to a source by hand, once.

When a tool's export does not use the names kpis.yaml knows, the analyst picks, for each
column of the source, the file's column that holds it (or a fixed value), translates the
tool's own words where needed ("good" -> 5), and saves it all as a named profile that the
page and `kpis ingest --mapping NAME` reuse for the next export of the same tool.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import kpis
from dashboard import tables
from kpis.i18n import _

ABSENT = "(not in this file)"  # i18n: ok (an option's id, shown by _option)
FIXED = "(a fixed value)"  # i18n: ok (an option's id, shown by _option)
_TRANSLATABLE = ("boolean", "integer", "number", "decimal")


def _option(option: str) -> str:
    """A column choice as shown: the file's column, or one of the two choices above in words."""
    words = {ABSENT: _("(not in this file)"), FIXED: _("(a fixed value)")}
    return words.get(option, option)


def edit(
    preview: kpis.FilePreview, source: str, definitions: kpis.Definitions, key: str
) -> kpis.MappingProfile:
    """Widgets for mapping `preview`'s file onto `source`; returns the profile they describe."""
    declared = definitions.sources[source]
    suggested = kpis.suggest_columns(preview.header, declared)
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    for name, column in declared.columns.items():
        options = [ABSENT, FIXED, *preview.header]
        default = suggested.get(name)
        required = "" if column.optional else " *"
        left, right = st.columns([2, 3])
        aliases = ", ".join(column.aliases)
        choice = left.selectbox(
            f"{name} ({column.type}){required}",
            options,
            index=options.index(default) if default in options else 0,
            format_func=_option,
            key=f"{key}_col_{name}",
            help=column.description
            or (_("also known as: {names}").format(names=aliases) if column.aliases else None),
        )
        if choice == FIXED:
            constants[name] = right.text_input(
                _("value of {column} on every row").format(column=name), key=f"{key}_fixed_{name}"
            )
        elif choice != ABSENT:
            if choice != default:
                columns[choice] = name
            seen = preview.distinct.get(choice, [])
            if column.type in _TRANSLATABLE and seen:
                with right.expander(_("translate values of {column}").format(column=repr(choice))):
                    # Shown neutralised (the file's values are anyone's text): the rows are
                    # fixed, so each is matched back to its value by position. The columns
                    # keep their ids; their headers are in the reader's language.
                    table = tables.editor(
                        pd.DataFrame({"in the file": seen, "stored as": [""] * len(seen)}),
                        key=f"{key}_values_{name}", hide_index=True, disabled=["in the file"],
                        column_config={
                            "in the file": _("in the file"), "stored as": _("stored as"),
                        },
                    )  # fmt: skip
                    pairs = {
                        value: str(stored).strip()
                        for value, stored in zip(seen, table["stored as"], strict=True)
                        if str(stored or "").strip()
                    }
                    if pairs:
                        values[name] = pairs
    return kpis.MappingProfile(source=source, columns=columns, values=values, constants=constants)
