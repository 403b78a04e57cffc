"""Rules about KPIs, their measures and statistics, and events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from kpis.definitions.methods import method_for
from kpis.definitions.models import Measure
from kpis.definitions.parsed import Issue, KeyPath, Parsed, did_you_mean
from kpis.definitions.sql_check import check_aggregate, check_predicate
from kpis.i18n import _, translate


def kpi_has_one_form(p: Parsed) -> Iterator[Issue]:
    """A KPI is either `measure`, or `numerator` with `denominator`."""
    for name, kpi in p.kpis.items():
        ratio = kpi.numerator is not None or kpi.denominator is not None
        if kpi.measure is not None and ratio:
            yield Issue(
                ("kpis", name),
                _("has both measure and numerator/denominator"),
                _("keep one form"),
            )
        elif kpi.measure is None and not ratio:
            yield Issue(
                ("kpis", name),
                _("has no measure"),
                _("add measure:, or numerator: and denominator:"),
            )
        elif ratio and (kpi.numerator is None or kpi.denominator is None):
            yield Issue(
                ("kpis", name),
                _("has a ratio without its denominator")
                if kpi.denominator is None
                else _("has a ratio without its numerator"),
            )


def measures_of(p: Parsed) -> Iterator[tuple[KeyPath, Measure]]:
    for name, kpi in p.kpis.items():
        for part in ("measure", "numerator", "denominator"):
            measure = getattr(kpi, part)
            if measure is not None:
                yield ("kpis", name, part), measure


def measures_read_declared_sources(p: Parsed) -> Iterator[Issue]:
    """Each measure's source exists, its time column is one of the source's time columns."""
    for path, m in measures_of(p):
        if m.source in p.broken:
            continue
        source = p.sources.get(m.source)
        if source is None:
            yield Issue(
                (*path, "source"),
                _("unknown source {name}").format(name=repr(m.source)),
                did_you_mean(m.source, p.sources),
            )
        elif m.time is not None and m.time not in source.time_columns:
            yield Issue(
                (*path, "time"),
                _("{column} is not a time column of {source}").format(
                    column=repr(m.time), source=m.source
                ),
                _("choose one of {columns}").format(columns=", ".join(source.time_columns)),
            )


def measure_sql_is_one_aggregate(p: Parsed) -> Iterator[Issue]:
    """expr is one aggregate over the source's columns; filter is one row predicate."""
    for path, m in measures_of(p):
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
    for path, m in measures_of(p):
        source = p.sources.get(m.source)
        if source is None:
            continue
        if source.kind == "snapshot" and m.over_time is None:
            yield Issue(
                path,
                _("{source} is a snapshot source: summing it across days double counts").format(
                    source=m.source
                ),
                _("add over_time: average (or last)"),
            )
        elif source.kind != "snapshot" and m.over_time is not None:
            yield Issue(
                (*path, "over_time"),
                _("over_time only applies to snapshot sources; {source} is not one").format(
                    source=m.source
                ),
            )


def percent_targets_are_fractions(p: Parsed) -> Iterator[Issue]:
    """Percent KPIs are stored as fractions, so a target of 90 is almost surely 0.9."""
    for name, kpi in p.kpis.items():
        if kpi.format == "percent" and kpi.target is not None and not 0 <= kpi.target <= 1:
            yield Issue(
                ("kpis", name, "target"),
                _("percent target {target} is outside 0-1").format(target=kpi.target),
                _("percentages are fractions: write {fraction} for {percent}%").format(
                    fraction=f"{kpi.target / 100:g}", percent=f"{kpi.target:g}"
                ),
            )


def event_names_are_unique(p: Parsed) -> Iterator[Issue]:
    """Comparisons pick an event by name, so two events cannot share one."""
    counts = Counter(e.name for e in p.events)
    for index, event in enumerate(p.events):
        if counts[event.name] > 1:
            yield Issue(
                ("events", index, "name"),
                _("event name {name} is used {count} times").format(
                    name=repr(event.name), count=counts[event.name]
                ),
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
                _("no test fits: {reason}").format(
                    reason=translate(method.reason) if method.reason else ""
                ),
                _("remove stats: to let it be inferred"),
            )


def event_scopes_name_dimensions(p: Parsed) -> Iterator[Issue]:
    """An event's scope is one value of a declared dimension."""
    dimensions = {d for s in p.sources.values() for d in s.dimensions}
    for index, event in enumerate(p.events):
        for dimension in event.scope or {}:
            if dimension not in dimensions:
                yield Issue(
                    ("events", index, "scope"),
                    _("{name} is not a dimension").format(name=repr(dimension)),
                    did_you_mean(dimension, dimensions),
                )
