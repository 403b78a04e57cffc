"""The rule that texts given per language give the same languages across KPIs, sources, events.

A French reader would otherwise see French for most KPIs and English for the one whose `fr:`
was forgotten, without anyone noticing. A plain text serves every language and is never
reported; a per-language text lacking a language that another text of its kind has is.
"""

from __future__ import annotations

from collections.abc import Iterator

from kpis.definitions.parsed import Issue, KeyPath, Parsed
from kpis.definitions.texts import Text, language_name, languages_of
from kpis.i18n import LANGUAGES, _


def texts_give_the_same_languages(parsed: Parsed) -> Iterator[Issue]:
    """Per kind (KPIs, sources with their columns, events), each language given is given by all."""
    for kind, texts in (
        ("kpis", _kpi_texts(parsed)),
        ("sources", _source_texts(parsed)),
        ("events", _event_texts(parsed)),
    ):
        given = set().union(*(languages_of(text) for _path, text in texts))
        for path, text in texts:
            if not isinstance(text, dict):
                continue
            for code in (c for c in LANGUAGES if c in given and c not in text):
                yield Issue(path, _message(kind, code), _hint(code))


def _kpi_texts(parsed: Parsed) -> list[tuple[KeyPath, Text | None]]:
    return [
        (("kpis", name, key), text)
        for name, kpi in parsed.kpis.items()
        for key, text in (
            ("label", kpi.label_texts),
            ("description", kpi.description_texts),
            ("unit", kpi.unit_texts),
        )
    ]


def _source_texts(parsed: Parsed) -> list[tuple[KeyPath, Text | None]]:
    found: list[tuple[KeyPath, Text | None]] = []
    for name, source in parsed.sources.items():
        found.append((("sources", name, "label"), source.label_texts))
        found.append((("sources", name, "description"), source.description_texts))
        found.extend(
            (("sources", name, "columns", column_name, "description"), column.description_texts)
            for column_name, column in source.columns.items()
        )
    return found


def _event_texts(parsed: Parsed) -> list[tuple[KeyPath, Text | None]]:
    # As in the other event rules, the index counts the events that parsed: when one before
    # failed its model check, its own problem is reported too and is the one to fix first.
    return [
        (("events", index, key), text)
        for index, event in enumerate(parsed.events)
        for key, text in (("description", event.description_texts), ("label", event.label_texts))
    ]


def _message(kind: str, code: str) -> str:
    language = language_name(code)
    if kind == "kpis":
        return _("has no {language} ({code}) text, while other KPIs have one").format(
            language=language, code=code
        )
    if kind == "sources":
        return _("has no {language} ({code}) text, while other sources have one").format(
            language=language, code=code
        )
    return _("has no {language} ({code}) text, while other events have one").format(
        language=language, code=code
    )


def _hint(code: str) -> str:
    return _("add `{code}: …` or use one plain text").format(code=code)
