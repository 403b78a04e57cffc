"""Suggest a mapping profile for a file: which column feeds what, and what its words mean.

An analyst mapping an export by hand should start from a good guess, not from a blank form.
The guess uses two kinds of evidence, both explained back to the analyst:

- **the header**: a file column whose name is close to a declared column's name or alias
  (compared as kpis.names.normalise writes them, scored with difflib's ratio);
- **the values**: a column whose values fit the declared type. Numbers fit numbers, dates
  fit dates; words of a rating scale (Good/Bad, Satisfied/Neutral...) fit a rating column
  with a `min` and a `max`, mapped onto that range by their rank; yes/no-like words fit a
  boolean. Words that mean "no rating" (Offered, Unoffered, N/A) map to no value. A boolean
  column that only ever says "yes" and is often empty is a checkbox: empty means false.

Nothing is guessed from a word the lists below do not know: unknown words are left for the
analyst, who sees them in the values table. The result is a plain MappingProfile (`fields`,
each with only the keys guessed) and one sentence per column saying why.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kpis.definitions import Column, FieldMap, MappingProfile, Source
from kpis.i18n import _
from kpis.ingest.parse import FALSE_WORDS, TRUE_WORDS
from kpis.names import normalise

# A header this close (difflib ratio of normalised names) to a name or alias is a candidate.
CLOSE_NAME = 0.75
# A yes-only boolean column empty at least this often is a checkbox (empty means false).
CHECKBOX_EMPTY_SHARE = 0.2
_NUMERIC = {"integer", "number", "decimal"}
# Rating words by rank, from worst (-2) to best (+2), normalised; English and French.
RATING_RANKS: dict[str, int] = {
    **dict.fromkeys(("very_bad", "terrible", "awful", "very_dissatisfied", "tres_mauvais",
                     "tres_insatisfait", "tres_mecontent"), -2),
    **dict.fromkeys(("bad", "poor", "dissatisfied", "unsatisfied", "negative", "mauvais",
                     "insatisfait", "mecontent", "negatif"), -1),
    **dict.fromkeys(("neutral", "ok", "okay", "average", "fair", "neutre", "moyen",
                     "correct"), 0),
    **dict.fromkeys(("good", "satisfied", "positive", "bon", "bien", "satisfait",
                     "positif"), 1),
    **dict.fromkeys(("very_good", "great", "excellent", "very_satisfied", "tres_bon",
                     "tres_bien", "tres_satisfait"), 2),
}  # fmt: skip
# Words a tool writes where there is no value (Zendesk: a survey offered, never answered).
NO_VALUE_WORDS = frozenset(
    ("offered", "unoffered", "not_offered", "n_a", "na", "none", "null", "no_rating",
     "unrated", "not_rated", "pending", "skipped", "sans_objet", "non_note", "aucun",
     "aucune", "en_attente")
)  # fmt: skip
# Yes/no words beyond those the loader reads itself (kpis.ingest.parse), normalised.
MORE_TRUE = frozenset(("won", "converted", "active", "enabled", "checked", "done", "gagne",
                       "converti", "actif"))  # fmt: skip
MORE_FALSE = frozenset(("lost", "not_converted", "inactive", "disabled", "unchecked",
                        "perdu", "non_converti", "inactif"))  # fmt: skip
_NUMBER = re.compile(r"^[-+]?[\d\s\u00a0\u202f'’.,]*\d[\d\s\u00a0\u202f'’.,]*$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}.*)?$|^\d{8}(\d{6})?$")


@dataclass(frozen=True)
class Suggestion:
    """A suggested profile and, per declared column it fills, why (in the reader's language)."""

    profile: MappingProfile
    why: dict[str, str] = field(default_factory=dict)


def suggest_mapping(
    header: Sequence[str], samples: Mapping[str, Sequence[str]], source_name: str, source: Source
) -> Suggestion:
    """A profile for a file with `header` onto `source`, from the header and sample values.

    `samples` gives, per header name, its values in the first rows as written (empty cells
    as ""). Each file column feeds at most one declared column: the best-scored pairs first.
    """
    scored: list[tuple[float, int, str, str, str]] = []
    for order, (name, column) in enumerate(source.columns.items()):
        for raw in header:
            seen = [v.strip() for v in samples.get(raw, ())]
            fits = _fits(seen, column)
            closeness = _closeness(raw, name, column, source.key == [name])
            if fits is None or (closeness < CLOSE_NAME and fits != "scale"):
                continue
            # A rating scale's words are evidence enough; a close name weighs more.
            score = closeness + (0.5 if fits == "scale" else 0.0)
            reason = (
                _("the header {header} is close to {names}").format(header=repr(raw), names=name)
                if closeness >= CLOSE_NAME
                else _("its values look like a rating")
            )
            scored.append((-score, order, name, raw, reason))
    fields: dict[str, FieldMap] = {}
    why: dict[str, str] = {}
    used: set[str] = set()
    for _score, _order, name, raw, reason in sorted(scored):
        if name in fields or raw in used:
            continue
        used.add(raw)
        column = source.columns[name]
        fields[name], words = suggest_field(raw, samples.get(raw, ()), column)
        why[name] = "; ".join([reason, *words])
    ordered = {name: fields[name] for name in source.columns if name in fields}
    return Suggestion(MappingProfile(source=source_name, fields=ordered), why)


def _closeness(raw: str, name: str, column: Column, key: bool = False) -> float:
    """How close a header is to a column's name or aliases: 1.0 for the same name.

    Beyond spelling (difflib's ratio), a header that contains a whole name or alias
    ("Original Source" holds "source") is close, and so is a bare "Id" (or "Record ID") to
    a source's one key column: tools name their key that way.
    """
    header = normalise(raw)
    if not header:
        return 0.0
    tokens = set(header.split("_"))
    best = 0.0
    for known in (name, *column.aliases):
        known = normalise(known)
        best = max(best, difflib.SequenceMatcher(None, header, known).ratio())
        if len(known) >= 4 and set(known.split("_")) <= tokens:
            best = max(best, CLOSE_NAME + 0.05)
    if key and header == "id":
        best = max(best, 0.9)
    elif key and header.endswith("_id"):
        best = max(best, CLOSE_NAME + 0.01)
    return best


def _fits(seen: list[str], column: Column) -> str | None:
    """Whether a file column's values can feed `column`: "yes", "scale" (rating words), None."""
    words = {v for v in seen if v}
    if not words:
        return "yes"  # an empty sample says nothing against it
    kind = column.type
    if kind == "string":
        return "yes"
    if kind in _NUMERIC:
        if all(_NUMBER.match(v) for v in words):
            return "yes"
        return "scale" if _rating(words, column) is not None else None
    if kind == "boolean":
        return "yes" if all(_boolean(v) is not None for v in words) else None
    return "yes" if all(_DATE.match(v) for v in words) else None


def _boolean(word: str) -> bool | None:
    key = normalise(word)
    if word.lower() in TRUE_WORDS or key in MORE_TRUE:
        return True
    if word.lower() in FALSE_WORDS or key in MORE_FALSE:
        return False
    return None


def _rating(words: set[str], column: Column) -> dict[str, str | None] | None:
    """Rating words mapped onto the column's min..max by rank; None unless all are known.

    The best word found becomes `max` and the worst `min` (Zendesk's Good/Bad: 5 and 1);
    ranks between fall in proportion. With a single rank, its place on the -2..+2 scale.
    """
    if column.min is None or column.max is None:
        return None
    ranks = {w: RATING_RANKS.get(normalise(w)) for w in words}
    rated = {w: r for w, r in ranks.items() if r is not None}
    if not rated or any(r is None and normalise(w) not in NO_VALUE_WORDS
                        for w, r in ranks.items()):  # fmt: skip
        return None
    low, high = min(rated.values()), max(rated.values())
    low, high = (low, high) if high > low else (-2, 2)
    span = column.max - column.min
    mapped: dict[str, str | None] = {}
    for word in sorted(words, key=str.lower):
        rank = ranks[word]
        if rank is None:
            mapped[word] = None
        else:
            value = column.min + (rank - low) / (high - low) * span
            mapped[word] = _plain(value if column.type != "integer" else round(value))
    return mapped


def _plain(value: float) -> str:
    """5.0 written 5: the value as someone would write it in kpis.yaml."""
    return str(int(value)) if float(value).is_integer() else str(value)


def suggest_field(raw: str, values: Sequence[str], column: Column) -> tuple[FieldMap, list[str]]:
    """How the file column `raw` would feed `column`, from its `values`: the map, the empty
    default, and one phrase for each (the page asks again when the analyst picks a column)."""
    seen = [v.strip() for v in values]
    words = {v for v in seen if v}
    found: dict[str, object] = {}
    reasons: list[str] = []
    if column.type in _NUMERIC and words and not all(_NUMBER.match(v) for v in words):
        rating = _rating(words, column)
        if rating is not None:
            found["values"] = rating
            if None in rating.values():
                reasons.append(_("some words mean no rating"))
    if column.type == "boolean" and words:
        meant = {w: _boolean(w) for w in words}
        extra = {w: str(v).lower() for w, v in meant.items()
                 if v is not None and w.lower() not in TRUE_WORDS + FALSE_WORDS}  # fmt: skip
        if extra:
            found["values"] = dict(sorted(extra.items()))
            reasons.append(_("its words read as yes or no"))
        empty = sum(1 for v in seen if not v) / len(seen)
        if not column.nullable and empty >= CHECKBOX_EMPTY_SHARE and set(meant.values()) == {True}:
            found["empty"] = "false"
            reasons.append(_("it only says yes and is often empty: empty means no"))
    return FieldMap.model_validate({"column": raw, **found}), reasons
