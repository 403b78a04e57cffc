"""Which language the dashboard speaks: ?lang=, the browser's, kpis.yaml's, and the switch.

The real app (AppTest) on the demo database. The order is the issue's: the link first, then
the browser's language (st.context.locale), then kpis.yaml's `calendar.locale`, else English;
a language the reader asked for (link or switch) stays for the session and in the link.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpis.i18n import use_language
from tests.conftest import CONFIG, ROOT
from tests.dashboard.conftest import APP

Open = Callable[..., AppTest]
HOSTILE = ["xx", "de-DE", "<script>alert(1)</script>", "../../etc/passwd", "fr" * 5_000, ""]


@pytest.fixture
def start(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Open:
    """The app before its first run, on a demo copy, with a browser locale and a kpis.yaml."""
    monkeypatch.setenv("KPIS_DB", str(demo_copy))
    monkeypatch.chdir(ROOT)

    def make(locale: str | None = None, config: Path = CONFIG, **params: str) -> AppTest:
        monkeypatch.setenv("KPIS_CONFIG", str(config))
        app = AppTest.from_file(str(APP), default_timeout=120)
        app.query_params.update(params)
        if locale is not None:
            app.context["locale"] = locale
        return app

    return make


def _run(app: AppTest, lang: str) -> AppTest:
    """Run `app`, whose page on screen is in `lang`.

    AppTest formats a select box's choice in the test's own thread to send it back, as a
    browser sends the text it shows: that thread speaks the language of the page on screen
    (the app's thread sets its own at the top of each run).
    """
    with use_language(lang):
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _language(app: AppTest) -> str:
    """The language the page speaks, from its switch and its title."""
    switch = app.sidebar.segmented_control[0]
    titles = {"en": "Weekly review", "fr": "Revue hebdomadaire"}
    assert switch.value in titles
    assert any(titles[switch.value] in t.value for t in app.title)
    return str(switch.value)


def _shown(app: AppTest) -> str:
    parts = [*app.title, *app.markdown, *app.caption, *app.warning, *app.info, *app.error]
    return "\n".join(str(p.value) for p in parts)


def test_english_without_any_hint(start: Open) -> None:
    app = _run(start(), "en")
    assert _language(app) == "en"
    assert "lang" not in app.query_params  # nothing asked, nothing pinned
    switch = app.sidebar.segmented_control[0]
    assert switch.label == "Language" and switch.options == ["English", "Français"]


def test_the_link_chooses_french(start: Open) -> None:
    app = _run(start(lang="fr"), "fr")
    assert _language(app) == "fr"
    assert app.sidebar.segmented_control[0].label == "Langue"
    assert app.query_params["lang"] == "fr"


@pytest.mark.parametrize("tag", ["fr-FR", "fr_FR.UTF-8", "FR"])
def test_a_language_tag_in_the_link_is_read_and_tidied(start: Open, tag: str) -> None:
    app = _run(start(lang=tag), "fr")
    assert _language(app) == "fr"
    assert app.query_params["lang"] == "fr"


def test_the_browser_chooses_french_without_a_link(start: Open) -> None:
    app = _run(start(locale="fr-FR"), "fr")
    assert _language(app) == "fr"
    assert "lang" not in app.query_params  # the browser's language is not pinned in links


def test_the_link_wins_over_the_browser(start: Open) -> None:
    assert _language(_run(start(locale="fr-FR", lang="en"), "en")) == "en"
    assert _language(_run(start(locale="en-US", lang="fr"), "fr")) == "fr"


def _french_default(tmp_path: Path) -> Path:
    config = tmp_path / "kpis.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    assert "  # locale: fr_FR" in text
    config.write_text(text.replace("  # locale: fr_FR", "  locale: fr_FR"), encoding="utf-8")
    return config


def test_kpis_yaml_makes_french_the_default(start: Open, tmp_path: Path) -> None:
    config = _french_default(tmp_path)
    assert _language(_run(start(config=config), "fr")) == "fr"
    # The browser's language comes before the file's default, and the link before both.
    assert _language(_run(start(locale="en-GB", config=config), "en")) == "en"
    assert _language(_run(start(locale="fr-FR", config=config, lang="en"), "en")) == "en"


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_an_unknown_language_falls_through_and_is_never_echoed(start: Open, value: str) -> None:
    app = _run(start(locale="fr-FR", lang=value), "fr")
    assert _language(app) == "fr"  # the next candidate: the browser's
    assert "lang" not in app.query_params  # not kept in the link
    if len(value) > 2:
        assert value not in _shown(app)
    assert len(app.metric) == 11  # the page itself is whole


def test_the_switch_changes_the_language_and_keeps_the_rest_of_the_link(start: Open) -> None:
    app = _run(start(week="2026-W40"), "en")
    assert _language(app) == "en"
    app.sidebar.segmented_control[0].set_value("fr")
    _run(app, "en")  # the click comes from the English page
    assert _language(app) == "fr"
    assert app.query_params["lang"] == "fr" and app.query_params["week"] == "2026-W40"
    assert app.selectbox(key="week").value == "2026-W40"  # the week survives the switch
    app.sidebar.segmented_control[0].set_value("en")
    _run(app, "fr")
    assert _language(app) == "en" and app.query_params["lang"] == "en"
    assert app.selectbox(key="week").value == "2026-W40"


def test_the_switch_shows_the_language_the_link_chose(start: Open) -> None:
    app = _run(start(), "en")
    app.query_params["lang"] = "fr"  # the reader follows a French link in the same session
    _run(app, "en")
    assert app.sidebar.segmented_control[0].value == "fr"


def test_a_chosen_language_stays_when_a_page_drops_the_link(start: Open) -> None:
    app = _run(start(), "en")
    app.sidebar.segmented_control[0].set_value("fr")
    _run(app, "en")
    app.query_params.clear()  # another page of the sidebar, without the link's parameters
    with use_language("fr"):
        app.switch_page("app_pages/definitions.py")
    _run(app, "fr")
    assert [t.value for t in app.title] == ["Définitions"]
    assert app.query_params["lang"] == "fr"  # written back into the link
