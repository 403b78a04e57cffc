"""The message catalogs: extract the English messages from the code, update and compile the .po.

Run as `python -m kpis.catalog update` after changing messages (new ids arrive untranslated,
for a translator to fill in), and `python -m kpis.catalog compile` at install time (`make
setup` does it; kpis.i18n also compiles a stale catalog in memory). Each area of the code has
its own catalog (a gettext domain), so people working on different areas do not edit the same
file; kpis.i18n merges them at run time. The same calls as `pybabel extract/update/compile`,
from Babel's Python API, with the areas declared once here.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from kpis.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES

ROOT = Path(__file__).resolve().parent.parent
PLURALS = {"fr": (2, "(n > 1)")}
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Area -> the files whose messages it holds. A file belongs to the first area that matches.
DOMAINS: dict[str, tuple[str, ...]] = {
    "definitions": (
        "kpis/definitions/models.py",
        "kpis/definitions/texts.py",
        "kpis/definitions/file_models.py",
        "kpis/definitions/language_rules.py",
    ),
    "cli": (
        "kpis/cli.py",
        "kpis/cli_parser.py",
        "kpis/render.py",
        "kpis/formatting.py",
        "kpis/summary.py",
        "kpis/did_words.py",
        "kpis/downloads.py",
        "kpis/notes_text.py",
        "kpis/spreadsheet.py",
    ),
    # Before any kpis/report/* pattern of the report domain: a file goes to the first match.
    "delivery": (
        "kpis/report/mail.py",
        "kpis/report/smtp_settings.py",
        "kpis/report/sent_log.py",
        "kpis/report/recipients.py",
        "kpis/report/delivery.py",
        "kpis/definitions/report_models.py",
    ),
    # The report's renderers (HTML, plain text, PDF, sparklines), before the report domain.
    "report_render": (
        "kpis/report/html.py",
        "kpis/report/html_parts.py",
        "kpis/report/words.py",
        "kpis/report/text.py",
        "kpis/report/pdf.py",
        "kpis/report/sparkline.py",
    ),
    "report": ("kpis/report/*.py",),
    # The mapping editor's engine half (suggestions, a profile written as YAML) and its page.
    "mapping": (
        "kpis/ingest/suggest.py",
        "kpis/ingest/profile_yaml.py",
        "dashboard/mapping_editor.py",
        "dashboard/mapping_*.py",
    ),
    "engine": ("kpis/*.py", "kpis/*/*.py"),
    "review": (
        "dashboard/app_pages/weekly.py",
        "dashboard/app_pages/before_after.py",
        "dashboard/cards.py",
        "dashboard/charts.py",
        "dashboard/chart_parts.py",
        "dashboard/review_week.py",
        "dashboard/before_after_parts.py",
        "dashboard/did_parts.py",
        "dashboard/format.py",
    ),
    "report_page": ("dashboard/app_pages/report.py", "dashboard/report_files.py"),
    "dashboard": ("dashboard/*.py", "dashboard/*/*.py"),
}


def domain_of(relative: str) -> str | None:
    """The area a source file (path relative to the repository) belongs to."""
    for domain, patterns in DOMAINS.items():
        if any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
            return domain
    return None


def source_files(domain: str) -> list[Path]:
    """The Python files of `domain`, in a stable order."""
    found = sorted((ROOT / "kpis").rglob("*.py")) + sorted((ROOT / "dashboard").rglob("*.py"))
    return [p for p in found if domain_of(p.relative_to(ROOT).as_posix()) == domain]


def messages(domain: str) -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    """(file, line, message) for every marked message of `domain`."""
    for path in source_files(domain):
        relative = path.relative_to(ROOT).as_posix()
        for line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            yield relative, line, message


def template(domain: str) -> Catalog:
    """The domain's message template (what `pybabel extract` writes as a .pot)."""
    catalog = Catalog(project="ops-kpis", domain=domain, fuzzy=False)
    for relative, line, message in messages(domain):
        catalog.add(message, locations=[(relative, line)], flags=_flags(message))
    return catalog


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    text = message if isinstance(message, str) else message[0]
    return ("python-brace-format",) if "{" in text else ()


def po_path(lang: str, domain: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"


def read(lang: str, domain: str) -> Catalog:
    """The translations of `domain` into `lang` (an empty catalog before the first update)."""
    path = po_path(lang, domain)
    if not path.is_file():
        return Catalog(locale=lang, domain=domain, project="ops-kpis", fuzzy=False)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def update(domains: list[str] | None = None) -> None:
    """Add new messages (untranslated) and drop unused ones, in every language's catalog."""
    for domain in domains or list(DOMAINS):
        pot = template(domain)
        for lang in LANGUAGES:
            if lang == DEFAULT_LANGUAGE:
                continue
            catalog = read(lang, domain)
            # gettext's usual French plural rule (0 and 1 singular), not CLDR's three forms:
            # a translator fills in two forms, as in English.
            plurals = PLURALS.get(lang, (2, "(n != 1)"))
            catalog._num_plurals, catalog._plural_expr = plurals  # type: ignore[assignment]
            catalog.update(pot, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path = po_path(lang, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=100, sort_output=False, omit_header=False)
            path.write_bytes(buffer.getvalue())


def compile_all() -> None:
    """Write each .po's compiled .mo beside it."""
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        po.with_suffix(".mo").write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpis.catalog", description=__doc__)
    parser.add_argument("action", choices=["update", "compile"])
    parser.add_argument(
        "--domain", action="append", choices=list(DOMAINS), help="only this area (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.action == "update":
        update(args.domain)
    else:
        compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
