"""The `kpis` command in French: chosen by --lang, KPIS_LANG, LC_ALL/LANG or kpis.yaml, in that
order; tables, CSV and messages translated, JSON byte for byte the same in every language.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONFIG, KPIS, ROOT, run_cli

NBSP = "\u00a0"
# No language from the environment, whatever the machine running the tests says.
NEUTRAL = {"KPIS_LANG": "", "LC_ALL": "", "LANG": "C.UTF-8"}
COMPARE = ("compare", "--event", "ops-playbook")


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo database that this module's commands only read."""
    target = tmp_path_factory.mktemp("lang") / "ops.duckdb"
    shutil.copyfile(demo_db, target)
    return str(target)


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env={**NEUTRAL, **env})


def _run_failing(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A refused command (run_cli expects errors in English)."""
    return subprocess.run(
        [KPIS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **NEUTRAL, **env},
        timeout=300,
    )


def test_compare_in_french(db: str) -> None:
    result = _run("--db", db, "--lang", "fr", *COMPARE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == (
        "avant 17 nov. 2025 – 17 mai 2026 (182 jours)  après 18 mai – 15 nov. 2026 (182 jours)"
    )
    assert "Les 11 KPI se sont améliorés significativement." in out
    assert f"S'estompe sur les 4 dernières semaines{NBSP}:" in out
    header = next(line for line in lines if line.startswith("KPI "))
    for word in ("avant", "après", "variation", f"intervalle à 95{NBSP}%", "amélioration"):
        assert word in header
    conversion = next(line for line in lines if f"2,0{NBSP}%" in line and "→" not in line)
    for cell in (f"3,5{NBSP}%", f"+1,5{NBSP}pt", f"+1,2 à +1,8{NBSP}pt", f"74,9{NBSP}% mieux"):
        assert cell in conversion
    assert "<\u00a00,001" in conversion and conversion.endswith("amélioré")
    assert f"2,0{NBSP}% → 3,5{NBSP}% (74,9{NBSP}% mieux)" in out.replace("\n", " ")
    for english in ("before", "after", "improved", "better", " pp", "Biggest", "Fading"):
        assert english not in out


def test_the_environment_chooses_french_and_lang_overrides_it(db: str) -> None:
    one = ("--db", db, *COMPARE, "--kpi", "conversion_rate")
    french = _run("--lang", "fr", *one).stdout
    assert french.startswith("avant ") and f"2,0{NBSP}% → 3,5{NBSP}%" in french
    assert _run(*one, KPIS_LANG="fr").stdout == french
    assert _run(*one, LANG="fr_FR.UTF-8").stdout == french
    english = _run("--lang", "en", *one, LANG="fr_FR.UTF-8").stdout
    assert english.startswith("before 2025-11-17:2026-05-17 (182 days)")
    assert "Lead conversion rate 2.0% → 3.5% (74.9% better)" in english


@pytest.mark.parametrize(
    ("env", "args", "language"),
    [
        ({}, (), "en"),
        ({"KPIS_LANG": "fr"}, (), "fr"),
        ({"LANG": "fr_FR.UTF-8"}, (), "fr"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, (), "fr"),
        ({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}, (), "fr"),  # C says nothing of a language
        ({"LANG": "de_DE.UTF-8"}, (), "en"),  # a language we do not speak
        ({"KPIS_LANG": "en", "LANG": "fr_FR.UTF-8"}, (), "en"),
        ({"KPIS_LANG": "fr"}, ("--lang", "en"), "en"),
        ({}, ("--lang=fr",), "fr"),
    ],
)
def test_which_language(db: str, env: dict[str, str], args: tuple[str, ...], language: str) -> None:
    out = _run("--db", db, *args, "compute", "--kpi", "service_rate", **env).stdout
    assert out.startswith({"en": "period ", "fr": "période "}[language])


def test_kpis_yaml_gives_the_default_language(db: str, tmp_path: Path) -> None:
    config = tmp_path / "kpis.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    config.write_text(text.replace("calendar:\n", "calendar:\n  locale: fr_FR\n", 1), "utf-8")
    one = ("--db", db, "--config", str(config), "compute", "--kpi", "service_rate")
    assert _run(*one).stdout.startswith("période ")
    assert _run("--config", str(config), "validate").stdout.startswith(f"{config}{NBSP}: valide")
    assert _run("--lang", "en", *one).stdout.startswith("period ")
    assert _run(*one, LANG="en_GB.UTF-8").stdout.startswith("period ")


@pytest.mark.parametrize(
    "command",
    [
        ("compute",),
        ("compute", "--by", "channel", "--grain", "month"),
        COMPARE,
        (*COMPARE, "--by", "channel", "--kpi", "conversion_rate"),
        ("uploads",),
    ],
    ids=lambda c: " ".join(c),
)
def test_json_is_the_same_in_every_language(db: str, command: tuple[str, ...]) -> None:
    english = _run("--db", db, "--lang", "en", *command, "--format", "json")
    french = _run("--db", db, *command, "--format", "json", LANG="fr_FR.UTF-8")
    assert english.returncode == french.returncode == 0
    assert english.stdout == french.stdout and english.stdout.startswith("[")


def test_csv_for_a_french_excel(db: str) -> None:
    args = ("--db", db, "compute", "--kpi", "service_rate", "--format", "csv")
    english = subprocess.run(
        [KPIS, *args], capture_output=True, cwd=ROOT, env={**os.environ, **NEUTRAL}, check=True
    ).stdout
    assert english.startswith(b"kpi,period_start,period_end,days,value,")
    french = subprocess.run(
        [KPIS, "--lang", "fr", *args], capture_output=True, cwd=ROOT, env=os.environ, check=True
    ).stdout
    assert french.startswith("\ufeffKPI;début de période;fin de période;jours;valeur;".encode())
    lines = french.decode("utf-8-sig").splitlines()
    first = lines[1].split(";")
    assert first[:4] == ["service_rate", "2025-11-17", "2025-11-23", "7"]
    assert "," in first[4] and "." not in first[4] and first[7] == "VRAI"
    assert lines[-1].endswith(";FAUX;données orders jusqu'au 15 nov. 2026")
    compare_csv = _run("--db", db, "--lang", "fr", *COMPARE, "--format", "csv").stdout
    assert compare_csv.startswith("\ufeffKPI;avant;après;variation;")
    assert ";amélioré;" in compare_csv


def test_compute_table_and_its_footnote_in_french(db: str) -> None:
    out = _run("--db", db, "--lang", "fr", "compute", "--kpi", "service_rate").stdout
    assert out.startswith("période ")
    assert f"2026-11-09        94,0{NBSP}%" in out
    assert out.rstrip().endswith(
        f"– service_rate{NBSP}: données orders jusqu'au 15 nov. 2026 "
        "(les périodes suivantes n'ont pas de valeur)"
    )


def test_help_and_usage_errors_in_french() -> None:
    help_text = _run("--lang", "fr", "compare", "--help").stdout
    assert help_text.startswith(f"utilisation{NBSP}: kpis compare")
    assert "chaque KPI avant et après un changement" in help_text
    assert "afficher cette aide et quitter" in help_text
    wrong = _run_failing("--lang", "fr", "compute", "--grain", "year")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith(f"Erreur{NBSP}: argument --grain{NBSP}: choix invalide")
    english_help = _run("compare", "--help").stdout
    assert english_help.startswith("usage: kpis compare") and "show this help" in english_help


def test_an_unknown_language_is_a_usage_error() -> None:
    result = _run_failing("--lang", "de", "validate")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "Error: argument --lang: invalid choice: 'de' (choose from 'en', 'fr') (see kpis --help)\n"
    )


def test_the_cli_own_errors_in_french(db: str, tmp_path: Path) -> None:
    both = _run_failing("--db", db, "--lang", "fr", *COMPARE, "--before", "2026-01-05:2026-01-11")
    assert both.returncode == 2
    assert both.stderr == (
        f"Erreur{NBSP}: donnez soit --event, soit --before et --after, pas les deux\n"
    )
    nothing = _run_failing("--db", db, "compare", KPIS_LANG="fr")
    assert nothing.stderr.startswith(f"Erreur{NBSP}: dites quoi comparer{NBSP}:")
    missing = _run_failing("--db", str(tmp_path / "none.duckdb"), "compute", LANG="fr_FR.UTF-8")
    assert missing.returncode == 1 and missing.stderr.startswith(f"Erreur{NBSP}: ")
