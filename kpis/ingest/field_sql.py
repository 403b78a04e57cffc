"""SQL for a profile's per-column reading: empty cells, values maps, "anything else".

A tool's words are not the source's values: Zendesk's satisfaction is "Good", "Bad", or
"Offered" when no rating was given; HubSpot leaves a lifecycle stage empty for a lead not
converted and adds stages over time. Before a value is typed, its text goes through the
profile's field options, in this order: an empty cell becomes `empty`; a word of `values`
becomes its value (NULL for `null`); any other value becomes `otherwise` when the profile
gives one. Words compare trimmed and ignoring case, as analysts write them.
"""

from __future__ import annotations

from collections.abc import Mapping

from kpis.definitions import FieldMap
from kpis.ingest.sniff import sql_literal


def _value(text: str | None) -> str:
    return "NULL::VARCHAR" if text is None else sql_literal(text)


def chained(raw: str, field: FieldMap | None) -> str:
    """The text of `raw` (a VARCHAR expression, NULL when empty) after `field`'s options."""
    if field is None:
        return raw
    text = raw
    words: Mapping[str, str | None] = field.values
    if words or field.has_otherwise:
        cases = " ".join(
            f"WHEN {sql_literal(key.strip().lower())} THEN {_value(value)}"
            for key, value in words.items()
        )
        other = _value(field.otherwise) if field.has_otherwise else raw
        text = f"CASE WHEN {raw} IS NULL THEN NULL " + (
            f"ELSE CASE lower({raw}) {cases} ELSE {other} END END" if cases else f"ELSE {other} END"
        )
    if field.empty is not None:
        text = f"CASE WHEN {raw} IS NULL THEN {sql_literal(field.empty)} ELSE {text} END"
    return text


def reads_text(field: FieldMap | None) -> bool:
    """Whether a field has options that read its text (a values map, a format...)."""
    if field is None:
        return False
    return bool(
        field.values
        or field.has_otherwise
        or field.empty is not None
        or field.format is not None
        or field.decimal is not None
    )


def uses_text_options(field: FieldMap | None) -> bool:
    """Whether a field changes the file's text before typing (the reader cannot type it)."""
    if field is None:
        return False
    return reads_text(field) or field.expression is not None or field.value is not None
