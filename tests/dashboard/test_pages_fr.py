"""The Upload, Explorer and Definitions pages in French (?lang=fr), on the demo database.

What a French reader sees: French labels, numbers with a decimal comma and the exact spaces
(U+202F between thousands, U+00A0 before % and units), dates as 15 nov. 2026, and none of the
English words of the interface. The English pages are test_pages.py's, unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

import kpis
from kpis.definitions.methods import method_for
from kpis.i18n import use_language
from tests.conftest import CONFIG, run_cli
from tests.dashboard.conftest import OpenApp

NNBSP, NBSP = "\u202f", "\u00a0"  # between thousands; before %, units and « : »
# Words of the English interface that French never uses (case matters: "Note" is English,
# "note" French). Code spans, file names and kpis.yaml's ids are left out before looking.
ENGLISH = re.compile(
    r"\b(Upload|Download|Definitions|Language|Undo|Remove|Save|Load|Cancel|Choose|rows?|"
    r"history|batch|Refused|Range|Grain|Break down|period|loaded|Nothing|Note|Signed|"
    r"Log in|Log out|Weekly|review|explorer|Before|After|Events|Access|Source:|Key|"
    r"the|and|with|which|from|your|this|will|every|none|value)\b"
)


@pytest.fixture(autouse=True)
def french() -> Iterator[None]:
    """AppTest sends a select box's choice as the text shown, formatted in the test's thread."""
    with use_language("fr"):
        yield


def _open(open_app: OpenApp, db: Path, page: str, **params: str) -> AppTest:
    return open_app(db, page=page, lang="fr", **params)


def _headers(app: AppTest) -> list[str]:
    """Every table's column headers as shown: the label given, else the column's name."""
    found = []
    for table in app.dataframe:
        config = json.loads(table.proto.columns or "{}")
        for column in table.value.columns:
            found.append(str(config.get(str(column), {}).get("label") or column))
    return found


def _visible(app: AppTest) -> str:
    """The text a reader sees on the page, its widgets' labels and choices included."""
    parts = [
        str(e.value)
        for kind in ("title", "header", "subheader", "markdown", "caption")
        for e in getattr(app, kind)
    ]
    parts += [
        str(e.value) for kind in ("info", "warning", "error", "success") for e in getattr(app, kind)
    ]
    widgets = ["selectbox", "date_input", "text_input", "text_area", "button", "toggle"]
    for kind in widgets:
        for widget in getattr(app, kind):
            placeholder = getattr(widget.proto, "placeholder", "")
            parts += [widget.label, str(getattr(widget, "help", "") or ""), str(placeholder)]
            parts += list(getattr(widget, "options", []))
    for kind in ("expander", "file_uploader", "download_button", "form_submit_button"):
        for element in app.get(kind):
            parts += [element.proto.label, str(getattr(element.proto, "help", "") or "")]
    parts += [s.label for s in app.sidebar.segmented_control]
    return "\n".join([*parts, *_headers(app)])


def _english_words(app: AppTest, allowed: tuple[str, ...] = ()) -> list[str]:
    text = re.sub(r"`[^`]*`", " ", _visible(app))  # code: SQL, columns, commands
    for token in allowed:
        text = text.replace(token, " ")
    return sorted(set(ENGLISH.findall(text)))


def test_explorer_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(
        open_app, demo_copy, "app_pages/explorer.py",
        kpi="conversion_rate", grain="month", range="2026-01-01:2026-03-31",
    )  # fmt: skip
    assert [t.value for t in app.title] == ["Explorateur de KPI"]
    assert [s.label for s in app.selectbox] == ["KPI", "Granularité", "Ventiler par"]
    assert app.selectbox(key="grain").options == ["Jour", "Semaine", "Mois", "Trimestre"]
    assert app.date_input(key="range").label == "Période"
    assert app.date_input(key="range").proto.format == "DD/MM/YYYY"
    assert any("1 janv. 2026 – 31 mars 2026" in c.value for c in app.caption)
    shown = app.dataframe[0].value
    assert len(shown) == 3
    assert all(re.fullmatch(rf"\d,\d{NBSP}%", v) for v in shown["value"])  # 2,6 %
    # A denominator over a thousand: grouped with U+202F.
    assert all(re.fullmatch(rf"\d{NNBSP}\d{{3}}", v) for v in shown["denominator"])
    assert _headers(app)[:3] == ["début de période", "fin de période", "jours"]
    assert _english_words(app) == []


def test_explorer_downloads_in_french_are_the_clis(
    open_app: OpenApp, demo_copy: Path, tmp_path: Path
) -> None:
    app = _open(
        open_app, demo_copy, "app_pages/explorer.py",
        kpi="csat", grain="quarter", range="2026-01-01:2026-06-30", by="team",
    )  # fmt: skip
    check = tmp_path / "check.duckdb"
    shutil.copyfile(demo_copy, check)
    out = run_cli(
        "--lang", "fr", "--db", str(check), "compute", "--kpi", "csat", "--grain", "quarter",
        "--start", "2026-01-01", "--end", "2026-06-30", "--by", "team", "--format", "csv",
    )  # fmt: skip
    expected = out.stdout.encode("utf-8")
    assert expected.startswith("\ufeff".encode())  # a byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["KPI", "début de période", "fin de période"]
    assert len(rows) == 1 + 2 * 3  # 2 quarters x 3 teams
    csv_button, xlsx_button = (b.proto for b in app.get("download_button"))
    name = "csat_quarter_2026-01-01_2026-06-30_by_team"
    assert csv_button.label == "Télécharger ce tableau en CSV (Excel, français)"
    assert csv_button.url.endswith(
        f"/{_calculate_file_id(expected, 'text/csv', name + '.csv')}.csv"
    )
    assert xlsx_button.label == "Télécharger ce tableau en Excel (.xlsx)"
    assert xlsx_button.url.endswith(".xlsx")


def test_definitions_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, "app_pages/definitions.py")
    assert [t.value for t in app.title] == ["Définitions"]
    assert [s.value for s in app.subheader] == ["Sources", "Événements", "Accès"]
    text = " ".join(m.value for m in app.markdown)
    assert f"**Objectif{NBSP}:** 12,0{NBSP}h" in text  # resolution time's target
    assert f"**Objectif{NBSP}:** 95,0{NBSP}%" in text  # service rate's
    assert "une valeur plus basse est meilleure" in text and "count_if(csat_score >= 4)" in text
    assert f"**Numérateur{NBSP}:**" in text and "(pourcentage, 1 décimale)" in text
    assert "colonne" in _headers(app) and "dans chaque fichier" in _headers(app)
    assert app.selectbox(key="access_role").options == [
        "lecteur", "analyste", "administrateur", "(retirer sa ligne)",
    ]  # fmt: skip
    # The KPIs' texts come from kpis.yaml, in French there. Each before/after method is
    # described by the engine (kpis.definitions.methods), whose own test checks its words.
    definitions = kpis.load_definitions(CONFIG)
    methods = tuple(method_for(kpi).describe() for kpi in definitions.kpis.values())
    assert _english_words(app, allowed=methods) == []


def _upload(app: AppTest, name: str, rows: str) -> AppTest:
    header = "lead_id,created_at,channel,converted\n"
    app.file_uploader[0].set_value((name, (header + rows).encode(), "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_upload_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, "app_pages/upload.py")
    assert [t.value for t in app.title] == ["Importer des exports"]
    assert f"jusqu'à 200{NBSP}Mo chacun" in app.caption[0].value
    assert app.file_uploader[0].proto.label == "Fichiers d'export"
    assert [s.value for s in app.subheader] == ["Historique des imports"]
    assert "statut" in _headers(app) and "importé le" in _headers(app)
    assert set(app.dataframe[0].value["status"]) == {"chargé"}
    assert _english_words(app) == []
    good = "".join(f"R{i},2026-11-10 10:00,web,true\n" for i in range(1_200))
    bad = "".join(f"B{i},someday,web,true\n" for i in range(3))
    _upload(app, "semaine.csv", good + bad)
    assert any(
        f"1{NNBSP}200 lignes (nouvelles{NBSP}: 1{NNBSP}200, mises à jour{NBSP}: 0, "
        f"inchangées{NBSP}: 0), rejetées{NBSP}: 3" in s.value
        for s in app.success
    ), [s.value for s in app.success]
    assert [s.label for s in app.selectbox][:2] == ["Source", "Correspondance"]
    assert app.selectbox[0].options[0] == "(reconnaître d'après l'en-tête)"
    assert app.selectbox[1].options[0] == "(aucun profil de correspondance)"
    assert app.dataframe[0].value.columns.tolist() == ["motif de rejet", "lignes"]
    through = next(d for d in app.date_input if d.key.startswith("through_"))
    assert through.proto.format == "DD/MM/YYYY"
    assert app.button(key="load").label == "Importer 1 fichier"
    app.button(key="load").click().run()
    assert [b.proto.label for b in app.get("download_button")] == [
        "Télécharger les lignes rejetées (CSV)"
    ]
    assert any(
        c.value.startswith("3 lignes rejetées (conservées avec le lot ") for c in app.caption
    )
    assert app.dataframe[0].value.columns.tolist() == ["ligne", "raison"]


def test_undo_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, "app_pages/upload.py")
    app.button(key="undo").click().run()
    warning = next(w.value for w in app.warning if "Retirer le lot 66" in w.value)
    # The year's marketing spend: 1 456 new rows, grouped with U+202F.
    assert (
        f"Retirer le lot 66 (marketing_spend_2026-11.csv){NNBSP}? Ses 1{NNBSP}456 nouvelles"
        in warning
    )
    assert [b.label for b in app.button if b.key in ("undo_confirm", "undo_cancel")] == [
        "Oui, supprimer", "Annuler",
    ]  # fmt: skip
    app.button(key="undo_confirm").click().run()
    assert app.dataframe[0].value.iloc[0]["status"] == "annulé"


def test_an_empty_database_in_french(open_app: OpenApp, tmp_path: Path) -> None:
    app = _open(open_app, tmp_path / "empty.duckdb", "app_pages/explorer.py")
    assert "Pas encore de données" in app.info[0].value
    assert app.button(key="load_demo").label == "Charger les données de démonstration"
    assert _english_words(app) == []


def test_an_invalid_kpis_yaml_in_french(open_app: OpenApp, tmp_path: Path, demo_copy: Path) -> None:
    bad = tmp_path / "kpis.yaml"
    bad.write_text(CONFIG.read_text().replace("target: 0.95", "target: 95"))
    app = open_app(demo_copy, page="app_pages/explorer.py", config=bad, lang="fr")
    assert "est inutilisable.** Corrigez ces problèmes" in app.error[0].value


def test_a_link_the_page_cannot_show_is_said_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    app = _open(open_app, demo_copy, "app_pages/explorer.py", grain="year", range="x")
    said = [w.value for w in app.warning]
    assert any(
        f"Ce lien demande granularité 'year', qui n'est pas disponible ici{NNBSP}; "
        "affichage de Semaine." in w
        for w in said
    ), said
    assert any("2025-11-17 – 2026-11-15 (les jours couverts par les données)" in w for w in said)


def test_events_in_french(open_app: OpenApp, demo_copy: Path) -> None:
    """The events table (Definitions) and form (Before / after) are dashboard.events_editor's."""
    app = _open(open_app, demo_copy, "app_pages/definitions.py")
    listed = next(t.value for t in app.dataframe if "origine" in t.value.columns)
    assert listed.columns.tolist() == ["nom", "date", "description", "seulement pour", "origine"]
    assert set(listed["origine"]) == {"kpis.yaml"}
    app = _open(open_app, demo_copy, "app_pages/before_after.py")
    assert app.selectbox(key="event_edit").options[0] == "(un nouvel événement)"
    assert app.selectbox(key="event_scope_dimension").options[0] == "(partout)"
    assert app.date_input(key="event_date").proto.format == "DD/MM/YYYY"
    app.text_input(key="event_name").input("transporteur")
    app.date_input(key="event_date").set_value(dt.date(2026, 8, 3))
    app.text_area(key="event_description").input("Transporteur régional")
    app.button(key="FormSubmitter:event_form-Enregistrer l'événement").click().run()
    assert any("transporteur enregistré (3 août 2026)." in i.value for i in app.info)
    app.selectbox(key="event_edit").select("transporteur").run()
    app.button(key="event_remove").click().run()
    assert app.button(key="event_remove").label == "Supprimer transporteur…"
    assert any("Supprimer l'événement transporteur" in w.value for w in app.warning)
    app.button(key="event_remove_confirm").click().run()
    assert any("transporteur supprimé." in i.value for i in app.info)
