"""The engine's messages in French: real files, real DuckDB, locations exact in both languages.

Each error is made twice, in English (the default, unchanged) and inside
`use_language("fr")`; the file, line and column parts of a message stay as they are, only
the words change. The reasons kept with rejected rows are data and stay English.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kpis
from kpis import Definitions, IngestError, Store, StoreError, UsageError, compute, ingest_file
from kpis.definitions import parse_definitions
from kpis.errors import DefinitionError
from kpis.i18n import use_language
from tests.conftest import CONFIG, WriteCsv
from tests.test_sharing import held

NBSP, NNBSP = "\u00a0", "\u202f"
HEADER = ["ticket_id", "created_at", "resolved_at", "csat_score", "channel", "team"]
ROWS = [
    ["T1", "2026-01-05 09:00", "2026-01-05 17:00", "5", "email", "billing"],
    ["T2", "2026-13-05 10:00", "", "", "chat", "tech"],  # line 3: month 13
    ["T3", "2026-01-06 10:00", "2026-01-07 10:00", "3", "phone", "tech"],
    ["T4", "2026-01-06 11:00", "", "", "chat", "tech"],
]


def _refusal(store: Store, path: Path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        ingest_file(store, path)
    return caught.value


def test_a_bad_date_is_refused_in_french_at_its_line(store: Store, write_csv: WriteCsv) -> None:
    path = write_csv("week1.csv", HEADER, ROWS)
    english = _refusal(store, path)
    with use_language("fr"):
        french = _refusal(store, path)
    assert str(english) == (
        "week1.csv: 1 of 4 rows rejected (25.0%), above the 5% allowed for tickets; nothing "
        "was loaded. Fix these rows and upload again:\n"
        '  week1.csv:3: created_at: "2026-13-05 10:00" is not a date and time (YYYY-MM-DD or '
        "DD/MM/YYYY, as in the rest of this file)"
    )
    assert str(french) == (
        f"week1.csv{NBSP}: 1 ligne rejetée sur 4 (25,0{NBSP}%), au-delà des 5{NBSP}% autorisés "
        f"pour tickets{NNBSP}; rien n'a été chargé. Corrigez cette ligne et importez à "
        f"nouveau{NBSP}:\n"
        f"  week1.csv:3: created_at{NBSP}: «{NBSP}2026-13-05 10:00{NBSP}» n'est pas une date et "
        "heure (AAAA-MM-JJ ou JJ/MM/AAAA, comme dans le reste de ce fichier)"
    )
    # The same row and line in both languages; nothing was loaded either time.
    assert [(p.file, p.line) for p in english.problems] == [("week1.csv", 3)]
    assert [(p.file, p.line) for p in french.problems] == [("week1.csv", 3)]
    assert kpis.uploads(store).empty


def test_kept_reasons_stay_english_in_the_database(store: Store, write_csv: WriteCsv) -> None:
    """Rejected rows within the threshold are kept with their reason: data, never French."""
    rows = [[f"T{i}", "2026-01-05 09:00", "", "", "chat", "tech"] for i in range(40)]
    rows.append(["T99", "2026-13-05 10:00", "", "", "chat", "tech"])
    with use_language("fr"):
        result = ingest_file(store, write_csv("many.csv", HEADER, rows))
    assert result.rows_rejected == 1
    (reason,) = store.cursor().execute("SELECT reason FROM _kpis_rejects").fetchone() or ("",)
    assert reason.startswith('created_at: "2026-13-05 10:00" is not a date and time')
    with use_language("fr"):
        said = kpis.ingest.reason_text.say_reason(reason)
    assert said.startswith(f"created_at{NBSP}: «{NBSP}2026-13-05 10:00{NBSP}» n'est pas")


def test_an_unknown_key_of_kpis_yaml_keeps_its_line(definitions: Definitions) -> None:
    text = CONFIG.read_text(encoding="utf-8")
    # A typo two lines into the first KPI: `descripton:` for `description:`.
    lines = text.splitlines()
    first_kpi = lines.index("kpis:") + 1
    lines.insert(first_kpi + 1, "    descripton: typo")
    line = first_kpi + 2  # 1-based line of the inserted key
    bad = "\n".join(lines) + "\n"
    kpi = lines[first_kpi].strip().rstrip(":")

    def problems() -> list[str]:
        with pytest.raises(DefinitionError) as caught:
            parse_definitions(bad)
        return [str(p) for p in caught.value.problems]

    english = problems()
    with use_language("fr"):
        french = problems()
    where = f"kpis.yaml:{line}: kpis.{kpi}.descripton: "
    assert f"{where}unknown key 'descripton' (did you mean 'description'?)" in english
    assert f"{where}clé inconnue 'descripton' (vouliez-vous dire 'description'{NNBSP}?)" in french


def test_pydantic_messages_are_french_with_their_location() -> None:
    text = "sources:\n  s:\n    key: [a]\n    time_columns: [a]\n    columns: {a: {type: date}}\n"
    text += "kpis: {}\nlimits:\n  max_rows: 0\n"
    with use_language("fr"), pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    said = [str(p) for p in caught.value.problems]
    assert (
        f"kpis.yaml:8: limits.max_rows: La valeur doit être supérieure ou égale à 1 (reçu{NBSP}: 0)"
        in said
    )


def test_an_unknown_kpi_is_named_in_french(demo_store: Store) -> None:
    with pytest.raises(UsageError) as english:
        compute(demo_store, ["csat_rat"])
    with use_language("fr"), pytest.raises(UsageError) as french:
        compute(demo_store, ["csat_rat"])
    assert str(english.value) == "unknown KPI 'csat_rat' (did you mean 'csat'?)"
    assert str(french.value) == f"KPI inconnu 'csat_rat' (vouliez-vous dire 'csat'{NNBSP}?)"


def test_a_limit_refusal_names_the_limit_in_french(demo_store: Store) -> None:
    ten_years = "2000-01-01"
    with use_language("fr"), pytest.raises(UsageError) as caught:
        kpis.compare(
            demo_store,
            kpis.periods.parse_range(f"{ten_years}:2026-01-01"),
            kpis.periods.parse_range("2026-01-02:2026-02-01"),
        )
    message = str(caught.value)
    assert message.startswith(f"la plage avant {ten_years}:2026-01-01 couvre 9{NNBSP}498 jours")
    assert "(limits: max_periods dans kpis.yaml)" in message


def test_a_lock_timeout_is_said_in_french(
    demo_db: Path, tmp_path: Path, definitions: Definitions, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "shared" / "ops.duckdb"
    db.parent.mkdir()
    shutil.copyfile(demo_db, db)
    monkeypatch.setenv("KPIS_LOCK_TIMEOUT", "0.5")
    with held(db, "write", 30):
        with pytest.raises(StoreError) as english, kpis.reading(db, definitions):
            pass
        with use_language("fr"), pytest.raises(StoreError) as french, kpis.reading(db, definitions):
            pass
    assert str(english.value).startswith(f"{db} stayed busy for 0.5 s")
    assert str(french.value) == (
        f"{db} est resté occupé pendant 0,5{NBSP}s (un autre import ou une longue lecture le "
        f"retient) en attendant de le lire{NBSP}: réessayez, ou attendez plus longtemps avec "
        "KPIS_LOCK_TIMEOUT=SECONDES"
    )
