"""Match an export's header to a declared source and its columns.

Tools write headers their own way ("Created At", "created_at", "Date de création"), so names
are compared after normalising case, accents and punctuation, against each column's name and
its aliases. The source is recognised from the header when the analyst does not name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kpis.definitions import Definitions, MappingProfile, Source
from kpis.errors import IngestError, SourceNotRecognised
from kpis.formatting import number
from kpis.i18n import _, ngettext
from kpis.names import normalise


class MissingColumns(IngestError):
    """Required columns have no match in the header: the file needs a mapping."""

    def __init__(self, message: str, source: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.source = source
        self.missing = missing


@dataclass(frozen=True)
class ColumnMap:
    """Which file position feeds each declared column, and what the file has beyond them."""

    source: str
    positions: dict[str, int]  # declared column -> 0-based position in the file
    dropped: tuple[str, ...]  # file columns not declared by the source: not stored

    def missing_optional(self, source: Source) -> list[str]:
        return [c for c in source.columns if c not in self.positions]


def _names_for(source: Source, profile: MappingProfile | None = None) -> dict[str, str]:
    """Normalised header name -> declared column (a profile's own names first)."""
    names: dict[str, str] = {}
    if profile is not None:
        fields = profile.field_maps()
        names.update({normalise(f.column): c for c, f in fields.items() if f.column is not None})
    for column, spec in source.columns.items():
        for name in (column, *spec.aliases):
            names.setdefault(normalise(name), column)
    return names


def map_columns(
    header: tuple[str, ...],
    source_name: str,
    source: Source,
    file: str,
    profile: MappingProfile | None = None,
    made: frozenset[str] = frozenset(),
    given: frozenset[str] = frozenset(),
    filled: frozenset[str] = frozenset(),
) -> ColumnMap:
    """Map `header` onto `source`; refuse the file when a required column is missing.

    `made` are the columns a profile computes or fixes (a file column of that name is not
    read for them); `given` those with a value for this file alone (`--set`), which the
    file must not also hold; `filled` those a constant fills when the file lacks them.
    """
    names = _names_for(source, profile)
    positions: dict[str, int] = {}
    dropped: list[str] = []
    for index, raw in enumerate(header):
        column = names.get(normalise(raw))
        if column in given:
            raise IngestError(
                _(
                    "{file}: the file has its own {column} column ({name}), and a value for "
                    "the whole file was also given; leave out one of the two"
                ).format(file=file, column=column, name=repr(raw))
            )
        if column is None or column in made:
            dropped.append(raw or f"(unnamed column {index + 1})")
        elif column in positions:
            first = header[positions[column]]
            raise IngestError(
                _(
                    "{file}: columns {first} ({first_name}) and {second} ({second_name}) both hold "
                    "{column}; remove or rename one of them"
                ).format(
                    file=file,
                    first=index + 1,
                    first_name=repr(raw),
                    second=positions[column] + 1,
                    second_name=repr(first),
                    column=f"{source_name}.{column}",
                )
            )
        else:
            positions[column] = index
    missing = [
        c
        for c, spec in source.columns.items()
        if c not in positions and c not in made | given | filled and not spec.optional
    ]
    if missing:
        raise MissingColumns(
            ngettext(
                "{file}: line 1: the {source} export must have the column {columns}; the header "
                "has {header}. Say which of its columns holds each (“Map columns by hand” when "
                "uploading in the dashboard), or name a mapping profile (kpis ingest --mapping "
                "NAME)",
                "{file}: line 1: the {source} export must have the columns {columns}; the header "
                "has {header}. Say which of its columns holds each (“Map columns by hand” when "
                "uploading in the dashboard), or name a mapping profile (kpis ingest --mapping "
                "NAME)",
                len(missing),
            ).format(
                file=file,
                source=source_name,
                columns=", ".join(missing),
                header=shown_header(header),
            ),
            source_name,
            tuple(missing),
        )
    return ColumnMap(source_name, positions, tuple(dropped))


def recognise_source(
    header: tuple[str, ...], definitions: Definitions, file: str, given: Iterable[str] = ()
) -> str:
    """The one source whose required columns are all in `header` (or `given` for the file)."""
    present = {normalise(h) for h in header}
    candidates: list[str] = []
    closest: tuple[int, str, list[str]] | None = None
    for name, source in definitions.sources.items():
        names = _names_for(source)
        found = {names[h] for h in present if h in names}
        required = [c for c, spec in source.columns.items() if not spec.optional]
        missing = [c for c in required if c not in found and c not in given]
        if not missing:
            candidates.append(name)
        elif found and (closest is None or len(found) > closest[0]):
            closest = (len(found), name, missing)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise SourceNotRecognised(
            _(
                "{file}: the header fits several sources ({sources}); say which with --source "
                "(or choose it on the Upload page)"
            ).format(file=file, sources=", ".join(candidates))
        )
    message = (
        _(
            "{file}: line 1: the header ({header}) matches no source; closest is {source}, which "
            "also needs {columns}"
        ).format(
            file=file,
            header=shown_header(header),
            source=closest[1],
            columns=", ".join(closest[2]),
        )
        if closest
        else _(
            "{file}: line 1: the header ({header}) matches no source; declared sources: {sources}"
        ).format(file=file, header=shown_header(header), sources=", ".join(definitions.sources))
    )
    raise SourceNotRecognised(message)


def shown_header(header: tuple[str, ...], names: int = 8) -> str:
    """A header for a one-line message: names on one line, cut short, the first few only."""
    shown = [" ".join(name.split())[:40] for name in header[:names]]
    more = (
        _(", ... ({count} columns)").format(count=number(len(header), 0))
        if len(header) > names
        else ""
    )
    return ", ".join(shown) + more


def suggest_columns(header: tuple[str, ...], source: Source) -> dict[str, str | None]:
    """For each declared column, the header name that would feed it (None when none does)."""
    names = _names_for(source)
    found: dict[str, str | None] = dict.fromkeys(source.columns)
    for raw in header:
        column = names.get(normalise(raw))
        if column is not None and found[column] is None:
            found[column] = raw
    return found
