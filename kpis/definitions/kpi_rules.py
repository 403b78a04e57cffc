"""Rules about KPIs, their measures and statistics, and events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from kpis.definitions.methods import method_for
from kpis.definitions.models import Measure
from kpis.definitions.parsed import Issue, KeyPath, Parsed, did_you_mean
from kpis.definitions.sql_check import check_aggregate, check_predicate


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
                did_you_mean(m.source, p.sources),
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
                    did_you_mean(dimension, dimensions),
                )
