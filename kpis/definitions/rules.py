"""Validation rules for kpis.yaml: small named functions, each yielding every issue it finds.

The models check the shape of each entry; these rules check what only the whole file can
tell (references between sources and KPIs, SQL over declared columns, units). Each issue
carries its key path so the loader can point at the line. All rules always run, so a user
fixing the file sees every problem at once rather than one per attempt.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from kpis.definitions.methods import method_for
from kpis.definitions.models import Event, Kpi, MappingProfile, Measure, Source
from kpis.definitions.sql_check import check_aggregate, check_predicate
from kpis.names import normalise

KeyPath = tuple[str | int, ...]
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMERIC = {"integer", "number", "decimal"}
_TIME = {"date", "timestamp"}


@dataclass(frozen=True)
class Issue:
    """A problem found by a rule, at a key path of the file."""

    path: KeyPath
    message: str
    hint: str | None = None


@dataclass
class Parsed:
    """The parts of the file that passed the model checks; `broken` names sources that did not."""

    sources: dict[str, Source] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    mappings: dict[str, MappingProfile] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    raw_columns: dict[str, list[str]] = field(default_factory=dict)

    def columns_of(self, source: str) -> list[str] | None:
        """Declared column names of a source, even one that failed its model check."""
        if source in self.sources:
            return list(self.sources[source].columns)
        return self.raw_columns.get(source)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f"did you mean {close[0]!r}?" if close else None


def names_are_identifiers(p: Parsed) -> Iterator[Issue]:
    """Names become SQL identifiers and URL parameters: lowercase letters, digits, _."""
    hint = "use lowercase letters, digits and _ (e.g. cost_per_unit)"
    for section, names in (("sources", p.sources), ("kpis", p.kpis)):
        for name in names:
            if not _IDENTIFIER.match(name):
                yield Issue((section, name), f"name {name!r} is not a valid identifier", hint)
    for sname, source in p.sources.items():
        for column in source.columns:
            if not _IDENTIFIER.match(column):
                yield Issue(
                    ("sources", sname, "columns", column),
                    f"column name {column!r} is not a valid identifier",
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
                        f"{column!r} is not a declared column",
                        _did_you_mean(column, source.columns),
                    )
                elif listed == "key" and (spec.nullable or spec.optional):
                    yield Issue(path, f"key column {column!r} cannot be nullable or optional")
                elif listed == "time_columns" and spec.type not in _TIME:
                    yield Issue(
                        path,
                        f"time column {column!r} has type {spec.type}",
                        "declare it as date or timestamp",
                    )
                elif listed == "dimensions" and spec.type != "string":
                    yield Issue(
                        path,
                        f"dimension {column!r} has type {spec.type}",
                        "dimensions are string columns",
                    )


def column_settings_fit_types(p: Parsed) -> Iterator[Issue]:
    """min/max only on numbers, values only on strings, optional columns must be nullable."""
    for sname, source in p.sources.items():
        for cname, column in source.columns.items():
            path = ("sources", sname, "columns", cname)
            if (column.min is not None or column.max is not None) and column.type not in _NUMERIC:
                yield Issue(
                    path,
                    f"min/max set on a {column.type} column",
                    "bounds apply to integer, number and decimal",
                )
            if column.min is not None and column.max is not None and column.min > column.max:
                yield Issue((*path, "min"), f"min {column.min} is greater than max {column.max}")
            if column.values is not None and column.type != "string":
                yield Issue((*path, "values"), "allowed values only apply to string columns")
            if column.optional and not column.nullable:
                yield Issue(
                    (*path, "optional"),
                    "an optional column must also be nullable",
                    "add nullable: true",
                )


def snapshot_sources_are_keyed_by_date(p: Parsed) -> Iterator[Issue]:
    """A snapshot source has one time column, the snapshot date, which is part of its key."""
    for sname, source in p.sources.items():
        if source.kind != "snapshot":
            continue
        if len(source.time_columns) != 1:
            yield Issue(
                ("sources", sname, "time_columns"),
                "a snapshot source has exactly one time column (its snapshot date)",
            )
        elif source.time_columns[0] not in source.key:
            yield Issue(
                ("sources", sname, "key"),
                f"the snapshot date {source.time_columns[0]!r} must be part of the key",
            )


def source_checks_are_row_rules(p: Parsed) -> Iterator[Issue]:
    """Each check is one row-level SQL predicate over the source's columns."""
    for sname, source in p.sources.items():
        for index, check in enumerate(source.checks):
            for message, hint in check_predicate(check.rule, source.columns).problems:
                yield Issue(("sources", sname, "checks", index, "rule"), message, hint)


def kpi_has_one_form(p: Parsed) -> Iterator[Issue]:
    """A KPI is either `measure`, or `numerator` with `denominator`."""
    for name, kpi in p.kpis.items():
        ratio = kpi.numerator is not None or kpi.denominator is not None
        if kpi.measure is not None and ratio:
            yield Issue(
                ("kpis", name), "has both measure and numerator/denominator", "keep one form"
            )
        elif kpi.measure is None and not ratio:
            yield Issue(
                ("kpis", name), "has no measure", "add measure:, or numerator: and denominator:"
            )
        elif ratio and (kpi.numerator is None or kpi.denominator is None):
            missing = "denominator" if kpi.denominator is None else "numerator"
            yield Issue(("kpis", name), f"has a ratio without its {missing}")


def _measures(p: Parsed) -> Iterator[tuple[KeyPath, Measure]]:
    for name, kpi in p.kpis.items():
        for part in ("measure", "numerator", "denominator"):
            measure = getattr(kpi, part)
            if measure is not None:
                yield ("kpis", name, part), measure


def measures_read_declared_sources(p: Parsed) -> Iterator[Issue]:
    """Each measure's source exists, its time column is one of the source's time columns."""
    for path, m in _measures(p):
        if m.source in p.broken:
            continue
        source = p.sources.get(m.source)
        if source is None:
            yield Issue(
                (*path, "source"),
                f"unknown source {m.source!r}",
                _did_you_mean(m.source, p.sources),
            )
        elif m.time is not None and m.time not in source.time_columns:
            yield Issue(
                (*path, "time"),
                f"{m.time!r} is not a time column of {m.source}",
                f"choose one of {', '.join(source.time_columns)}",
            )


def measure_sql_is_one_aggregate(p: Parsed) -> Iterator[Issue]:
    """expr is one aggregate over the source's columns; filter is one row predicate."""
    for path, m in _measures(p):
        columns = p.columns_of(m.source)
        if columns is None:
            continue
        for message, hint in check_aggregate(m.expr, columns).problems:
            yield Issue((*path, "expr"), message, hint)
        if m.filter is not None:
            for message, hint in check_predicate(m.filter, columns).problems:
                yield Issue((*path, "filter"), message, hint)


def snapshot_measures_roll_up_over_time(p: Parsed) -> Iterator[Issue]:
    """Stock levels are not additive across days: snapshot measures must say how to roll up."""
    for path, m in _measures(p):
        source = p.sources.get(m.source)
        if source is None:
            continue
        if source.kind == "snapshot" and m.over_time is None:
            yield Issue(
                path,
                f"{m.source} is a snapshot source: summing it across days double counts",
                "add over_time: average (or last)",
            )
        elif source.kind != "snapshot" and m.over_time is not None:
            yield Issue(
                (*path, "over_time"),
                f"over_time only applies to snapshot sources; {m.source} is not one",
            )


def percent_targets_are_fractions(p: Parsed) -> Iterator[Issue]:
    """Percent KPIs are stored as fractions, so a target of 90 is almost surely 0.9."""
    for name, kpi in p.kpis.items():
        if kpi.format == "percent" and kpi.target is not None and not 0 <= kpi.target <= 1:
            yield Issue(
                ("kpis", name, "target"),
                f"percent target {kpi.target} is outside 0-1",
                f"percentages are fractions: write {kpi.target / 100:g} for {kpi.target:g}%",
            )


def event_names_are_unique(p: Parsed) -> Iterator[Issue]:
    """Comparisons pick an event by name, so two events cannot share one."""
    counts = Counter(e.name for e in p.events)
    for index, event in enumerate(p.events):
        if counts[event.name] > 1:
            yield Issue(
                ("events", index, "name"),
                f"event name {event.name!r} is used {counts[event.name]} times",
            )


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
                        f"{alias!r} also names column {owner[key]!r}",
                        "a header must map to one column",
                    )
                owner.setdefault(key, cname)


def mappings_refer_to_declared_columns(p: Parsed) -> Iterator[Issue]:
    """A mapping profile names a source, and only that source's columns."""
    for name, profile in p.mappings.items():
        source = p.sources.get(profile.source)
        if source is None:
            if profile.source not in p.broken:
                yield Issue(
                    ("mappings", name, "source"),
                    f"unknown source {profile.source!r}",
                    _did_you_mean(profile.source, p.sources),
                )
            continue
        targets = [("columns", header, column) for header, column in profile.columns.items()]
        targets += [("values", column, column) for column in profile.values]
        targets += [("constants", column, column) for column in profile.constants]
        for part, key, column in targets:
            if column not in source.columns:
                yield Issue(
                    ("mappings", name, part, key),
                    f"{column!r} is not a column of {profile.source}",
                    _did_you_mean(column, source.columns),
                )


def stats_settings_fit_the_kpi(p: Parsed) -> Iterator[Issue]:
    """An explicit `stats:` setting must describe a test the KPI's form allows."""
    for name, kpi in p.kpis.items():
        explicit = kpi.stats.method != "auto" or kpi.stats.unit is not None
        if not explicit or any(m.source not in p.sources for m in kpi.measures):
            continue
        if any(check_aggregate(m.expr, p.sources[m.source].columns).problems for m in kpi.measures):
            continue  # reported by measure_sql_is_one_aggregate
        method = method_for(kpi)
        if method.kind == "none":
            yield Issue(
                ("kpis", name, "stats"),
                f"no test fits: {method.reason}",
                "remove stats: to let it be inferred",
            )


def event_scopes_name_dimensions(p: Parsed) -> Iterator[Issue]:
    """An event's scope is one value of a declared dimension."""
    dimensions = {d for s in p.sources.values() for d in s.dimensions}
    for index, event in enumerate(p.events):
        for dimension in event.scope or {}:
            if dimension not in dimensions:
                yield Issue(
                    ("events", index, "scope"),
                    f"{dimension!r} is not a dimension",
                    _did_you_mean(dimension, dimensions),
                )


RULES: tuple[Callable[[Parsed], Iterator[Issue]], ...] = (
    names_are_identifiers,
    source_columns_are_declared,
    column_settings_fit_types,
    snapshot_sources_are_keyed_by_date,
    source_checks_are_row_rules,
    kpi_has_one_form,
    measures_read_declared_sources,
    measure_sql_is_one_aggregate,
    snapshot_measures_roll_up_over_time,
    percent_targets_are_fractions,
    event_names_are_unique,
    aliases_are_unambiguous,
    mappings_refer_to_declared_columns,
    stats_settings_fit_the_kpi,
    event_scopes_name_dimensions,
)


def run_rules(parsed: Parsed) -> list[Issue]:
    """Every issue from every rule, in rule order."""
    return [issue for rule in RULES for issue in rule(parsed)]
