"""Rules about mapping profiles: declared columns, one say per column, safe SQL, fitting options.

A profile runs on every upload that names it, so what can be known before a file arrives is
checked with kpis.yaml: the columns it fills exist, its expressions are scalar SQL within
the allow-list (no query, file reader or second statement), a date format is only given
for a date, a values map gives values of the column's type. The file's own column names
are checked on upload, when the header is known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from kpis.definitions.file_name_pattern import compile_pattern
from kpis.definitions.parsed import Issue, KeyPath, Parsed, did_you_mean
from kpis.definitions.profile_models import FieldMap
from kpis.definitions.sql_check import check_row_expression
from kpis.i18n import _

_NUMERIC = {"integer", "number", "decimal"}
_TIME = {"date", "timestamp"}
_TRUE_FALSE = {"true", "false"}
_TIME_DIRECTIVE = re.compile(r"%[YymdHIMSfzZpbBjaAe%T]")


def mappings_refer_to_declared_columns(p: Parsed) -> Iterator[Issue]:
    """A mapping profile names a source, and only that source's columns."""
    for name, profile in p.mappings.items():
        source = p.sources.get(profile.source)
        if source is None:
            if profile.source not in p.broken:
                yield Issue(
                    ("mappings", name, "source"),
                    _("unknown source {name}").format(name=repr(profile.source)),
                    did_you_mean(profile.source, p.sources),
                )
            continue
        targets = [("columns", header, column) for header, column in profile.columns.items()]
        targets += [(part, column, column) for part in ("values", "constants", "fields")
                    for column in getattr(profile, part)]  # fmt: skip
        for part, key, column in targets:
            if column not in source.columns:
                yield Issue(
                    ("mappings", name, part, key),
                    _("{column} is not a column of {source}").format(
                        column=repr(column), source=profile.source
                    ),
                    did_you_mean(column, source.columns),
                )


def profile_fields_are_said_once(p: Parsed) -> Iterator[Issue]:
    """A column is made one way: by `fields`, or by the short forms, not both."""
    for name, profile in p.mappings.items():
        short = [*profile.columns.values(), *profile.values, *profile.constants]
        for column in profile.fields:
            if column in short:
                yield Issue(
                    ("mappings", name, "fields", column),
                    _("{column} is also given under columns, values or constants").format(
                        column=repr(column)
                    ),
                    _("say everything about it under fields"),
                )
        for column in profile.constants:
            if column in profile.columns.values() or column in profile.values:
                yield Issue(
                    ("mappings", name, "constants", column),
                    _("{column} is both read from the file and a constant").format(
                        column=repr(column)
                    ),
                    _("keep one of the two"),
                )


def profile_sql_is_scalar(p: Parsed) -> Iterator[Issue]:
    """Expressions and the row filter: one row-level expression within the allow-list."""
    for name, profile in p.mappings.items():
        found: list[tuple[KeyPath, str]] = [
            (("mappings", name, "fields", column, "expression"), field.expression)
            for column, field in profile.fields.items()
            if field.expression is not None
        ]
        if profile.where is not None:
            found.append((("mappings", name, "where"), profile.where))
        for path, text in found:
            checked = check_row_expression(text)
            for message, hint in checked.problems:
                yield Issue(path, message, hint)


def profile_options_fit_types(p: Parsed) -> Iterator[Issue]:
    """A date format for dates, a decimal mark for numbers, mapped values of the column's type."""
    for name, profile in p.mappings.items():
        source = p.sources.get(profile.source)
        if source is None:
            continue
        for column, field in profile.fields.items():
            spec = source.columns.get(column)
            if spec is None:
                continue
            path: KeyPath = ("mappings", name, "fields", column)
            yield from _format_fits(path, field, spec.type)
            for key, value in _given_values(field):
                if value is not None and not _fits(value, spec.type):
                    yield Issue(
                        (*path, *key),
                        _("{value} is not a value of {column} ({type})").format(
                            value=repr(value), column=column, type=spec.type
                        ),
                        _("write the value as stored, e.g. 5, true or 2026-01-05"),
                    )


def _format_fits(path: KeyPath, field: FieldMap, kind: str) -> Iterator[Issue]:
    if field.format is not None:
        if kind not in _TIME:
            yield Issue(
                (*path, "format"),
                _("a date format is for date and timestamp columns, not {type}").format(type=kind),
            )
        elif not _TIME_DIRECTIVE.search(field.format):
            yield Issue(
                (*path, "format"),
                _("{format} has no date directive").format(format=repr(field.format)),
                _("write it with %Y, %m, %d, %H, %M, %S, %z, e.g. %d.%m.%Y %H:%M"),
            )
    if field.decimal is not None and kind not in _NUMERIC:
        yield Issue(
            (*path, "decimal"),
            _("a decimal mark is for number columns, not {type}").format(type=kind),
        )


def _given_values(field: FieldMap) -> Iterator[tuple[KeyPath, str | None]]:
    for word, value in field.values.items():
        yield ("values", word), value
    for key in ("value", "otherwise", "empty"):
        yield (key,), getattr(field, key)


def _fits(value: str, kind: str) -> bool:
    """Whether the text a profile gives reads as the column's type (written the plain way)."""
    try:
        if kind in _NUMERIC:
            float(value)
        elif kind == "boolean":
            return value.lower() in _TRUE_FALSE
        elif kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "timestamp":
            dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def file_name_patterns_compile(p: Parsed) -> Iterator[Issue]:
    """A `file_name` pattern compiles and names the source's columns."""
    for name, profile in p.mappings.items():
        if profile.file_name is None:
            continue
        path: KeyPath = ("mappings", name, "file_name")
        try:
            pattern = compile_pattern(profile.file_name)
        except ValueError as exc:
            yield Issue(path, str(exc))
            continue
        source = p.sources.get(profile.source)
        for column in pattern.formats:
            if source is not None and column not in source.columns:
                yield Issue(
                    path,
                    _("{column} is not a column of {source}").format(
                        column=repr(column), source=profile.source
                    ),
                    did_you_mean(column, source.columns),
                )


PROFILE_RULES = (
    mappings_refer_to_declared_columns,
    profile_fields_are_said_once,
    profile_sql_is_scalar,
    profile_options_fit_types,
    file_name_patterns_compile,
)
