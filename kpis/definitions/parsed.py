"""What the validation rules work on: the parts of kpis.yaml that parsed, and their issues."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from kpis.definitions.models import Event, Kpi, MappingProfile, Source
from kpis.i18n import _

KeyPath = tuple[str | int, ...]


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
    engine: str = "duckdb"  # the engine the KPIs must compute on (kpis validate --engine)

    def columns_of(self, source: str) -> list[str] | None:
        """Declared column names of a source, even one that failed its model check."""
        if source in self.sources:
            return list(self.sources[source].columns)
        return self.raw_columns.get(source)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, if one is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return _("did you mean {name}?").format(name=repr(close[0])) if close else None
