"""The reader's language (English or French) and the translations of every message into it.

One mechanism for the CLI, the dashboard and reports: gettext catalogs managed with Babel
(`python -m kpis.catalog`), one `.po` file per area of the code under `kpis/locales`. The
message ids are the English text, so English needs no catalog. The language in force is a
context variable: the CLI sets it once per command, the dashboard once per page run (each
session runs in its own thread), and everything below reads it through `_()`.

Data never goes through here: JSON, database values and DataFrame columns stay as they are in
every language; only text meant to be read (messages, tables, labels) is translated.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
LOCALES = Path(__file__).parent / "locales"

_current: ContextVar[str] = ContextVar("kpis_language", default=DEFAULT_LANGUAGE)
# "fr", "fr-FR", "fr_FR.UTF-8", "fr_CA@euro": the language is the part before any separator.
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_.@].*)?\s*$")


def language() -> str:
    """The language in force: 'en' or 'fr'."""
    return _current.get()


def set_language(tag: str | None) -> str:
    """Use `tag`'s language from now on in this context (unknown tags mean English)."""
    lang = supported(tag) or DEFAULT_LANGUAGE
    _current.set(lang)
    return lang


@contextlib.contextmanager
def use_language(tag: str | None) -> Iterator[str]:
    """Use `tag`'s language inside the block, then restore the one before."""
    token = _current.set(supported(tag) or DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def supported(tag: str | None) -> str | None:
    """'fr' for 'fr', 'fr-FR', 'fr_FR.UTF-8'; None for a language we do not speak, C or POSIX."""
    if not tag:
        return None
    match = _TAG.match(tag)
    if not match:
        return None
    lang = match.group(1).lower()
    return lang if lang in LANGUAGES else None


def choose(*candidates: str | None) -> str:
    """The first candidate that names a language we speak, else English.

    The CLI passes --lang, KPIS_LANG, LC_ALL, LANG and kpis.yaml's default in that order; the
    dashboard passes ?lang=, the browser's language and kpis.yaml's default.
    """
    for candidate in candidates:
        lang = supported(candidate)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def from_environment(environ: Mapping[str, str]) -> list[str | None]:
    """KPIS_LANG, then the POSIX locale variables, as candidates for `choose`.

    LC_ALL overrides LANG in POSIX; a locale of C or POSIX says nothing about a language,
    so it is skipped rather than read as English.
    """
    return [environ.get("KPIS_LANG"), environ.get("LC_ALL"), environ.get("LANG")]


def _(message: str) -> str:
    """`message` (English, a literal so that it can be extracted) in the language in force."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the language in force."""
    return translations(language()).ngettext(singular, plural, count)


def translate(message: str) -> str:
    """A message held in a variable, marked where it was written with `N_()`, translated now.

    `_()` takes literals only (so that every call can be extracted); this is its form for
    constants and tables of messages.
    """
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (a constant, a table).

    It is translated where it is shown, with `_(variable)`.
    """
    return message


def translated(texts: Mapping[str, str], fallback: str = "") -> str:
    """The text of a per-language mapping ({en: …, fr: …}) in the language in force.

    The language in force first, then English, then any language given.
    """
    for lang in (language(), DEFAULT_LANGUAGE, *texts):
        if texts.get(lang):
            return texts[lang]
    return fallback


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """Every area's catalog for `lang`, merged; English (the message ids) needs none.

    A compiled `.mo` is used when it is at least as new as its `.po`; otherwise the `.po` is
    compiled in memory, so a fresh clone or an edited catalog never shows stale text.
    """
    folder = LOCALES / lang / "LC_MESSAGES"
    if lang == DEFAULT_LANGUAGE or not folder.is_dir():
        return gettext.NullTranslations()
    catalogs = [
        gettext.GNUTranslations(io.BytesIO(_compiled(po))) for po in sorted(folder.glob("*.po"))
    ]
    if not catalogs:
        return gettext.NullTranslations()
    # One object that asks each area's catalog in turn (add_fallback appends to the chain).
    for catalog in catalogs[1:]:
        catalogs[0].add_fallback(catalog)
    return catalogs[0]


def _compiled(po: Path) -> bytes:
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        return mo.read_bytes()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()
