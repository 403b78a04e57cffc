"""Rules about sources and their columns (mapping profiles: mapping_rules.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kpis.definitions.parsed import Issue, Parsed, did_you_mean
from kpis.definitions.sql_check import check_predicate
from kpis.i18n import _
from kpis.names import normalise

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMERIC = {"integer", "number", "decimal"}
_TIME = {"date", "timestamp"}


def names_are_identifiers(p: Parsed) -> Iterator[Issue]:
    """Names become SQL identifiers and URL parameters: lowercase letters, digits, _."""
    hint = _("use lowercase letters, digits and _ (e.g. cost_per_unit)")
    for section, names in (("sources", p.sources), ("kpis", p.kpis)):
        for name in names:
            if not _IDENTIFIER.match(name):
                yield Issue(
                    (section, name),
                    _("name {name} is not a valid identifier").format(name=repr(name)),
                    hint,
                )
    for sname, source in p.sources.items():
        for column in source.columns:
            if not _IDENTIFIER.match(column):
                yield Issue(
                    ("sources", sname, "columns", column),
                    _("column name {name} is not a valid identifier").format(name=repr(column)),
                    hint,
                )


def source_columns_are_declared(p: Parsed) -> Iterator[Issue]:
    """key, time_columns and dimensions must name declared columns of the right type."""
    for sname, source in p.sources.items():
        for listed in ("key", "time_columns", "dimensions"):
            for index, column in enumerate(getattr(source, listed)):
                spec = source.columns.get(column)
                path = ("sources", sname, listed, index)
                if spec is None:
                    yield Issue(
                        path,
                        _("{column} is not a declared column").format(column=repr(column)),
                        did_you_mean(column, source.columns),
                    )
                elif listed == "key" and (spec.nullable or spec.optional):
                    yield Issue(
                        path,
                        _("key column {column} cannot be nullable or optional").format(
                            column=repr(column)
                        ),
                    )
                elif listed == "time_columns" and spec.type not in _TIME:
                    yield Issue(
                        path,
                        _("time column {column} has type {type}").format(
                            column=repr(column), type=spec.type
                        ),
                        _("declare it as date or timestamp"),
                    )
                elif listed == "dimensions" and spec.type != "string":
                    yield Issue(
                        path,
                        _("dimension {column} has type {type}").format(
                            column=repr(column), type=spec.type
                        ),
                        _("dimensions are string columns"),
                    )


def column_settings_fit_types(p: Parsed) -> Iterator[Issue]:
    """min/max only on numbers, values only on strings, optional columns must be nullable."""
    for sname, source in p.sources.items():
        for cname, column in source.columns.items():
            path = ("sources", sname, "columns", cname)
            if (column.min is not None or column.max is not None) and column.type not in _NUMERIC:
                yield Issue(
                    path,
                    _("min/max set on a {type} column").format(type=column.type),
                    _("bounds apply to integer, number and decimal"),
                )
            if column.min is not None and column.max is not None and column.min > column.max:
                yield Issue(
                    (*path, "min"),
                    _("min {low} is greater than max {high}").format(
                        low=column.min, high=column.max
                    ),
                )
            if column.values is not None and column.type != "string":
                yield Issue((*path, "values"), _("allowed values only apply to string columns"))
            if column.optional and not column.nullable:
                yield Issue(
                    (*path, "optional"),
                    _("an optional column must also be nullable"),
                    _("add nullable: true"),
                )


def snapshot_sources_are_keyed_by_date(p: Parsed) -> Iterator[Issue]:
    """A snapshot source has one time column, the snapshot date, which is part of its key."""
    for sname, source in p.sources.items():
        if source.kind != "snapshot":
            continue
        if len(source.time_columns) != 1:
            yield Issue(
                ("sources", sname, "time_columns"),
                _("a snapshot source has exactly one time column (its snapshot date)"),
            )
        elif source.time_columns[0] not in source.key:
            yield Issue(
                ("sources", sname, "key"),
                _("the snapshot date {column} must be part of the key").format(
                    column=repr(source.time_columns[0])
                ),
            )


def source_checks_are_row_rules(p: Parsed) -> Iterator[Issue]:
    """Each check is one row-level SQL predicate over the source's columns."""
    for sname, source in p.sources.items():
        for index, check in enumerate(source.checks):
            for message, hint in check_predicate(check.rule, source.columns).problems:
                yield Issue(("sources", sname, "checks", index, "rule"), message, hint)


def aliases_are_unambiguous(p: Parsed) -> Iterator[Issue]:
    """A header name may match only one column of a source."""
    for sname, source in p.sources.items():
        owner: dict[str, str] = {}
        for cname, column in source.columns.items():
            for alias in (cname, *column.aliases):
                key = normalise(alias)
                if key in owner and owner[key] != cname:
                    yield Issue(
                        ("sources", sname, "columns", cname, "aliases"),
                        _("{alias} also names column {column}").format(
                            alias=repr(alias), column=repr(owner[key])
                        ),
                        _("a header must map to one column"),
                    )
                owner.setdefault(key, cname)


def promise_columns_are_time_columns(p: Parsed) -> Iterator[Issue]:
    """Promises are some of the time columns, and at least one time column is an event."""
    for sname, source in p.sources.items():
        for index, column in enumerate(source.promise_columns):
            if column not in source.time_columns:
                yield Issue(
                    ("sources", sname, "promise_columns", index),
                    _("{column} is not one of the time columns").format(column=repr(column)),
                    did_you_mean(column, source.time_columns),
                )
        if source.time_columns and set(source.time_columns) <= set(source.promise_columns):
            yield Issue(
                ("sources", sname, "promise_columns"),
                _("every time column is a promise: nothing would say how far an export reaches"),
                _("keep at least one time at which something happened (ordered_at)"),
            )
