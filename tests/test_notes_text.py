"""The engine's notes, kept in English as data, said again in French where people read them."""

from __future__ import annotations

import pytest

from kpis.definitions.methods import Method
from kpis.i18n import use_language
from kpis.notes_text import say_note

NOTES = [
    (
        "the range 1000-01-01:2999-12-31 was clamped to the data, 2025-11-17:2026-11-15",
        "la plage 1000-01-01:2999-12-31 a été ramenée aux données, 2025-11-17:2026-11-15",
    ),
    ("the range 2030-01-01:2030-12-31 holds no data",
     "la plage 2030-01-01:2030-12-31 ne contient aucune donnée"),
    (
        "the after window ends 2026-11-30; tickets data through 2026-11-15: 15 days of csat missing",
        "la fenêtre après se termine le 2026-11-30\u202f; données tickets jusqu'au 2026-11-15\u00a0: "
        "il manque 15 jours de csat",
    ),
    (
        "the before window ends 2026-05-17; no leads data yet: 1 week of conversion_rate missing; "
        "the after window ends 2026-11-15; no leads data yet: 26 weeks of conversion_rate missing",
        "la fenêtre avant se termine le 2026-05-17\u202f; pas encore de données leads\u00a0: il manque "
        "1 semaine de conversion_rate\u202f; la fenêtre après se termine le 2026-11-15\u202f; pas encore "
        "de données leads\u00a0: il manque 26 semaines de conversion_rate",
    ),
    ("a note of another form", "a note of another form"),
]  # fmt: skip


@pytest.mark.parametrize(("english", "french"), NOTES, ids=[n[0][:30] for n in NOTES])
def test_a_note_reads_the_same_in_english_and_in_french_in_french(
    english: str, french: str
) -> None:
    assert say_note(english) == english  # English is the data, byte for byte
    with use_language("fr"):
        assert say_note(english) == french


def test_a_method_is_said_in_french_and_stays_english_as_data() -> None:
    method = Method("bootstrap_units", "week", 4)
    assert method.said() == method.describe() == "bootstrap over whole weeks, 2000 resamples"
    with use_language("fr"):
        assert (
            method.said()
            == "bootstrap sur les semaines, pris en entier, 2\u202f000 rééchantillonnages"
        )
        assert method.describe() == "bootstrap over whole weeks, 2000 resamples"
