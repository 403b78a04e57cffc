"""Write a mapping profile as kpis.yaml text that reads as if written by hand.

A profile saved from the Upload page should be reviewable and movable into kpis.yaml, where
reviewed profiles live: so it is written the way people write them. Short forms where they
say everything (`columns`, `values`, `constants`), `fields` only for the columns that need
more; block style, one key a line, lists in brackets as kpis.yaml writes them; a value
quoted only when YAML would otherwise read it as something else. Read back by
kpis.definitions.parse_definitions, the text gives the same profile (tests check it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from kpis.definitions import FieldMap, MappingProfile, RollUp
from kpis.definitions.file_models import text_value

_INDENT = "  "
_ORIGINS = ("column", "expression", "value")


def shortest(profile: MappingProfile) -> MappingProfile:
    """The same profile with each column said in the shortest form that says it all.

    A column read from a differently named header goes under `columns`, a fixed value under
    `constants`, a plain word map (no word meaning "no value") under `values`; any other
    column keeps its `fields` entry.
    """
    columns: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    constants: dict[str, str] = {}
    fields: dict[str, FieldMap] = {}
    for name, field in profile.field_maps().items():
        said = {key for key in field.model_fields_set if _given(field, key)}
        words = {w: v for w, v in field.values.items() if v is not None}
        if said == {"value"} and field.value is not None:
            constants[name] = field.value
        elif (
            said <= {"column", "values"}
            and len(words) == len(field.values)
            and (field.column is None or field.column not in columns)
        ):
            if field.column is not None:
                columns[field.column] = name
            if words:
                values[name] = words
            if not said:
                fields[name] = field  # `{}`: read by its own name, said on purpose
        else:
            fields[name] = field
    return MappingProfile.model_validate(
        {
            **profile.model_dump(
                include={"source", "where", "roll_up", "file_name", "format"},
                exclude_defaults=True,
            ),
            "columns": columns,
            "values": values,
            "constants": constants,
            "fields": {k: _field_data(v) for k, v in fields.items()},
        }
    )


def profile_yaml(name: str, profile: MappingProfile) -> str:
    """`mappings:` and the profile `name` under it, as a person would write it in kpis.yaml."""
    profile = shortest(profile)
    lines = ["mappings:", f"{_INDENT}{_key(name)}:"]
    body: list[str] = [f"source: {_text(profile.source)}"]
    if profile.file_name is not None:
        body.append(f"file_name: {_text(profile.file_name)}")
    body += _block("columns", {k: _text(v) for k, v in profile.columns.items()})
    body += _block("values", {c: _words(w) for c, w in profile.values.items()})
    body += _block("constants", {c: _value(v) for c, v in profile.constants.items()})
    body += _block("fields", {c: _field(f) for c, f in profile.fields.items()})
    if profile.where is not None:
        body += _entry("where", _text(profile.where))
    if profile.roll_up is not None:
        body += _block("roll_up", _roll_up(profile.roll_up))
    body += _block("format", {k: _text(v) for k, v in profile.format.overrides().items()})
    lines += [f"{_INDENT * 2}{line}" for line in body]
    return "\n".join(lines) + "\n"


def _given(field: FieldMap, key: str) -> bool:
    """Whether `key` says something: set and not empty (`otherwise: null` says something)."""
    return key == "otherwise" or getattr(field, key) not in (None, {})


def _field_data(field: FieldMap) -> dict[str, Any]:
    return {k: getattr(field, k) for k in field.model_fields_set if _given(field, k)}


# A rendered entry: one line's text, or nested entries under a key.
Entry = str | dict[str, "Entry"]


def _block(key: str, entries: dict[str, Entry]) -> list[str]:
    """`key:` and its entries one a line, indented; nothing for no entries."""
    if not entries:
        return []
    inner = [line for name, entry in entries.items() for line in _entry(name, entry)]
    return [f"{key}:", *(f"{_INDENT}{line}" for line in inner)]


def _entry(name: str, entry: Entry) -> list[str]:
    """`name: value`, a literal block's lines, or a nested block (`{}` when empty)."""
    if isinstance(entry, dict):
        return _block(_key(name), entry) or [f"{_key(name)}: {{}}"]
    head, *rest = entry.split("\n")
    return [f"{_key(name)}: {head}", *(f"{_INDENT}{line}" for line in rest)]


def _field(field: FieldMap) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for key in _ORIGINS:
        value = getattr(field, key)
        if value is not None:
            found[key] = _value(value) if key == "value" else _text(value)
    if field.values:
        found["values"] = _words(field.values)
    if field.empty is not None:
        found["empty"] = _value(field.empty)
    if field.has_otherwise:
        found["otherwise"] = _value(field.otherwise)
    for key in ("format", "decimal"):
        value = getattr(field, key)
        if value is not None:
            found[key] = _text(value)
    return found


def _words(words: Mapping[str, str | None]) -> dict[str, Entry]:
    return {word: _value(value) for word, value in words.items()}


def _roll_up(roll_up: RollUp) -> dict[str, Entry]:
    found: dict[str, Entry] = {
        "by": _text(roll_up.by[0]) if len(roll_up.by) == 1 else _list(roll_up.by)
    }
    for key in ("sum", "min", "max"):
        names: list[str] = getattr(roll_up, key)
        if names:
            found[key] = _list(names)
    return found


def _list(names: list[str]) -> str:
    dumped: str = yaml.safe_dump(
        names, default_flow_style=True, width=float("inf"), allow_unicode=True
    )
    return dumped.strip()


def _key(text: str) -> str:
    """A mapping key: plain when YAML reads it back as this very text, else quoted."""
    dumped: str = yaml.safe_dump(text, width=float("inf"), allow_unicode=True)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


def _text(text: str) -> str:
    """A text that must come back as text: quoted when YAML would read a number, a date...

    SQL with its own quotes (`"Status" <> 'deleted'`), or over several lines, is written as
    a literal block instead, where it reads exactly as typed.
    """
    dumped = _key(text)
    quoted = dumped[:1] in ("'", '"') and ("'" in text or '"' in text or "\n" in text)
    literal = text == text.strip() and all(line == line.rstrip() for line in text.split("\n"))
    if literal and ("\n" in text or (quoted and text.isprintable())):
        return "|-\n" + text
    return dumped


def _value(value: str | None) -> str:
    """A stored value: written plain when YAML's reading of it is the same text (5, true,
    2026-01-05), since profiles keep what YAML reads as the text it was written as."""
    if value is None:
        return "null"
    try:
        read = yaml.safe_load(value)
    except yaml.YAMLError:
        return _text(value)
    if isinstance(read, bool | int | float | dt.date) and text_value(read) == value:
        return value
    return _text(value)
