"""Load kpis.yaml into validated, frozen `Definitions`, or report every problem with its line.

Each section entry (a source, a KPI, an event) is checked on its own, so one broken KPI does
not hide the problems of the others; the cross-reference rules then run over everything
that parsed. Only a file with no problem at all yields `Definitions`.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kpis.definitions.limits import DateBounds, Limits
from kpis.definitions.models import (
    TOP_LEVEL_KEYS,
    Calendar,
    Column,
    Definitions,
    Event,
    Kpi,
    MappingProfile,
    Measure,
    Source,
)
from kpis.definitions.profile_models import FieldMap, RollUp
from kpis.definitions.pydantic_text import pydantic_message
from kpis.definitions.report_models import Reports
from kpis.definitions.rules import Issue, Parsed, run_rules
from kpis.definitions.yaml_lines import LinedDocument, load_lined_yaml, parse_lined_yaml
from kpis.errors import DefinitionError, Problem
from kpis.i18n import _, ngettext

MAX_EXPRESSIONS = 1_000

__all__ = [
    "Calendar",
    "Column",
    "DateBounds",
    "Definitions",
    "Event",
    "FieldMap",
    "Kpi",
    "Limits",
    "MappingProfile",
    "Measure",
    "RollUp",
    "Source",
    "load_definitions",
    "parse_definitions",
]


def load_definitions(path: str | Path, engine: str = "duckdb") -> Definitions:
    """Read and validate kpis.yaml at `path` (for `engine` too: kpis validate --engine)."""
    return _validate(load_lined_yaml(Path(path)), engine)


def parse_definitions(text: str, file: str = "kpis.yaml") -> Definitions:
    """Validate kpis.yaml given as text (`file` is only used in messages)."""
    return _validate(parse_lined_yaml(text, file))


def _validate(doc: LinedDocument, engine: str = "duckdb") -> Definitions:
    problems: list[Problem] = []

    def report(issue: Issue) -> None:
        path = ".".join(str(part) for part in issue.path)
        problems.append(Problem(doc.file, doc.line_of(issue.path), path, issue.message, issue.hint))

    data = doc.data
    if not isinstance(data, dict):
        raise DefinitionError(
            _("{file} must be a mapping with sources: and kpis:").format(file=doc.file)
        )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            report(
                Issue(
                    (str(key),),
                    _("unknown key {key}").format(key=repr(key)),
                    _hint(str(key), TOP_LEVEL_KEYS),
                )
            )
    if data.get("version", 1) != 1:
        report(
            Issue(
                ("version",),
                _("unsupported version {version}").format(version=repr(data["version"])),
                _("use version: 1"),
            )
        )

    parsed = Parsed(engine=engine)
    calendar = _parse(Calendar, data.get("calendar") or {}, ("calendar",), report)
    limits = _parse(Limits, data.get("limits") or {}, ("limits",), report)
    reports = _parse(Reports, data.get("reports") or {}, ("reports",), report)
    for name, entry in _section(data, "sources", report):
        source = _parse(Source, entry, ("sources", name), report)
        if source is not None:
            parsed.sources[name] = source
            continue
        parsed.broken.add(name)
        raw_columns = entry.get("columns") if isinstance(entry, dict) else None
        if isinstance(raw_columns, dict):
            parsed.raw_columns[name] = [str(c) for c in raw_columns]
    for name, entry in _section(data, "kpis", report):
        kpi = _parse(Kpi, entry, ("kpis", name), report)
        if kpi is not None:
            parsed.kpis[name] = kpi
    mappings = data.get("mappings") or {}
    if not isinstance(mappings, dict):
        report(Issue(("mappings",), _("mappings: must map each profile name to its definition")))
        mappings = {}
    for name, entry in mappings.items():
        profile = _parse(MappingProfile, entry, ("mappings", str(name)), report)
        if profile is not None:
            parsed.mappings[str(name)] = profile
    events = data.get("events") or []
    if not isinstance(events, list):
        report(Issue(("events",), _("events: must be a list of {name, date, description}")))
        events = []
    for index, entry in enumerate(events):
        event = _parse(Event, entry, ("events", index), report)
        if event is not None:
            parsed.events.append(event)

    expressions = (
        sum(1 + (m.filter is not None) for k in parsed.kpis.values() for m in k.measures)
        + sum(len(source.checks) for source in parsed.sources.values())
        + sum(
            (m.where is not None) + sum(f.expression is not None for f in m.fields.values())
            for m in parsed.mappings.values()
        )
    )
    if expressions > MAX_EXPRESSIONS:
        # Each is parsed and bound by DuckDB (some 3 ms): bound the time validation takes.
        report(
            Issue(
                ("kpis",),
                _(
                    "has {count} SQL expressions (measures, filters and checks); the limit is "
                    "{limit}"
                ).format(count=_number(expressions), limit=_number(MAX_EXPRESSIONS)),
                _("split the definitions into several kpis.yaml files"),
            )
        )
    else:
        for issue in run_rules(parsed):
            report(issue)
    problems.sort(key=lambda problem: problem.line or 0)
    if problems or calendar is None or limits is None:
        count = len(problems)
        raise DefinitionError(
            ngettext("{file}: {count} problem", "{file}: {count} problems", count).format(
                file=doc.file, count=_number(count)
            ),
            problems,
        )
    return Definitions(
        file=doc.file,
        calendar=calendar,
        sources=parsed.sources,
        kpis={name: _resolve_times(kpi, parsed.sources) for name, kpi in parsed.kpis.items()},
        events=parsed.events,
        mappings=parsed.mappings,
        limits=limits,
        reports=reports or Reports(),
    )


def _section(
    data: dict[Any, Any], section: str, report: typing.Callable[[Issue], None]
) -> list[tuple[str, Any]]:
    """The (name, entry) pairs of a top-level mapping such as sources:."""
    entries = data.get(section)
    if not isinstance(entries, dict) or not entries:
        report(
            Issue(
                (section,),
                _("{section}: must map each name to its definition").format(section=section),
            )
        )
        return []
    return [(str(name), entry) for name, entry in entries.items()]


def _resolve_times(kpi: Kpi, sources: dict[str, Source]) -> Kpi:
    """Fill each measure's `time` with its source's first time column when left out."""
    update: dict[str, Measure] = {}
    for part in ("measure", "numerator", "denominator"):
        measure: Measure | None = getattr(kpi, part)
        if measure is not None and measure.time is None:
            update[part] = measure.model_copy(
                update={"time": sources[measure.source].time_columns[0]}
            )
    return kpi.model_copy(update=update) if update else kpi


M = typing.TypeVar("M", bound=BaseModel)


def _parse(
    model: type[M], entry: Any, path: tuple[str | int, ...], report: typing.Callable[[Issue], None]
) -> M | None:
    try:
        return model.model_validate(entry)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            report(_describe(model, path, loc, error))
        return None


def _describe(
    model: type[BaseModel], path: tuple[str | int, ...], loc: tuple[Any, ...], error: Any
) -> Issue:
    """Turn a pydantic error into an Issue a person can act on."""
    kind = error["type"]
    full = (*path, *loc)
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        return Issue(
            full, _("unknown key {key}").format(key=repr(loc[-1])), _hint(str(loc[-1]), allowed)
        )
    if kind == "missing":
        return Issue(full, _("missing required key {key}").format(key=repr(loc[-1])))
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return Issue(
            full,
            _("{value} is not allowed; expected {expected}").format(
                value=repr(error["input"]), expected=_or(str(expected))
            ),
        )
    if kind in {"model_type", "dict_type"}:
        return Issue(full, _("must be a mapping of keys to values"))
    return Issue(
        full,
        _("{message} (got {value})").format(
            message=pydantic_message(error), value=repr(error["input"])
        ),
    )


def _or(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" with the reader's word for "or"."""
    head, sep, last = expected.rpartition(" or ")
    return _("{choices} or {last}").format(choices=head, last=last) if sep else expected


def _hint(name: str, allowed: typing.Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(allowed), n=1)
    if close:
        return _("did you mean {name}?").format(name=repr(close[0]))
    return _("allowed: {names}").format(names=", ".join(allowed))


def _number(value: int) -> str:
    from kpis.formatting import number  # kpis.formatting imports this package

    return number(value, 0)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by walking `loc` down from `model`."""
    current: Any = model
    skip_key = False  # after a dict or list field, the next step is a key or an index
    for step in loc:
        if skip_key:
            skip_key = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        fields = {f.alias or name: f for name, f in current.model_fields.items()}
        field = fields.get(str(step))
        if field is None:
            return []
        current, skip_key = _unwrap(field.annotation)
    if skip_key or not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    # As written in kpis.yaml: `description`, not the field behind its alias.
    return [f.alias or name for name, f in current.model_fields.items()]


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional; for list and dict return the item type and True."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (annotation, False)
    if origin in (list, dict):
        return typing.get_args(annotation)[-1], True
    return annotation, False
