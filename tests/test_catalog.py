"""The translation catalogs are whole: every message shown to people has its French text.

Three nets, each failing on a new untranslated string:
- every message marked with `_()`, `N_()` or `ngettext()` has a French translation in its
  area's catalog, not empty, not fuzzy, with the same `{placeholders}`, and no catalog keeps
  a message the code no longer uses;
- the marks are extractable: their argument is one plain string literal (an f-string or a
  concatenation would never match the catalog);
- text for people is not written as a bare literal where it is shown: a Streamlit element's
  label or body in the dashboard, a user error's message in the engine, a CLI print.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kpis import catalog
from kpis.i18n import LOCALES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "kpis").rglob("*.py")) + sorted((ROOT / "dashboard").rglob("*.py"))
MARKS = {"_", "N_", "ngettext"}

# Streamlit calls whose positional arguments and text keywords are shown as they are.
UI_CALLS = {
    "markdown", "caption", "write", "info", "warning", "error", "success", "header",
    "subheader", "title", "button", "selectbox", "radio", "checkbox", "multiselect",
    "date_input", "text_input", "download_button", "toggle", "expander", "tabs", "metric",
    "file_uploader", "number_input", "text_area", "form_submit_button", "page_link", "Page",
    "segmented_control", "popover", "toast", "spinner", "status", "link_button", "pills",
    "select_slider", "slider", "time_input", "TextColumn", "NumberColumn", "DateColumn",
    "DatetimeColumn", "CheckboxColumn", "SelectboxColumn", "LineChartColumn", "Column",
    "ProgressColumn", "LinkColumn", "BarChartColumn", "dialog", "exception", "code",
}  # fmt: skip
UI_KEYWORDS = {"label", "help", "placeholder", "title", "body", "text", "caption", "value"}
# Classes whose message a person reads: every user error, and pydantic's ValueError.
ERROR_CALLS = re.compile(r"(Error|PermissionDenied|SourceNotRecognised)$")
# Markdown directives and icons carry letters that are not words: `:green[`, `:material/x:`.
NOT_WORDS = re.compile(r":[a-z]+\[|:material/[a-z_]+:|\*\*|\{[^{}]*\}|%[a-z]|\\n")
WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = re.compile(r"#\s*i18n:\s*ok")  # a deliberate exception, said on its line


def _po_files() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_words(node: ast.expr) -> str | None:
    """The text of a bare string literal (or f-string's literal parts) when it holds words."""
    parts: list[str] = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts.append(node.value)
    elif isinstance(node, ast.JoinedStr):
        parts += [v.value for v in node.values if isinstance(v, ast.Constant)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_words(node.left) or _literal_words(node.right)
    else:
        return None
    text = "".join(parts)
    return text if WORD.search(NOT_WORDS.sub(" ", text)) else None


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_source_file_belongs_to_one_catalog(path: Path) -> None:
    assert catalog.domain_of(path.relative_to(ROOT).as_posix()) in catalog.DOMAINS


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_marks_hold_one_plain_literal(path: Path) -> None:
    """`_(f"...")` or `_(text)` can never match a catalog entry, so it is never translated."""
    wrong = []
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.Call)
            and _name(node.func) in MARKS
            and isinstance(node.func, ast.Name)
        ):
            count = 2 if node.func.id == "ngettext" else 1
            literal = all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:count]
            )
            if len(node.args) < count or not literal:
                wrong.append(f"{path.name}:{node.lineno}")
    assert not wrong, f"marks without a plain string literal: {wrong}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_bare_text_for_people(path: Path) -> None:
    """Text shown to people goes through `_()`: UI elements, user errors, CLI prints."""
    relative = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        candidates: list[ast.expr] = []
        if relative.startswith("dashboard/") and name in UI_CALLS:
            candidates = [*node.args, *(k.value for k in node.keywords if k.arg in UI_KEYWORDS)]
        elif relative.startswith("kpis/") and name and ERROR_CALLS.search(name):
            candidates = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "message")]
        elif relative.startswith("kpis/") and name == "Problem":
            candidates = [
                *node.args[3:5],
                *(k.value for k in node.keywords if k.arg in {"message", "hint"}),
            ]
        elif relative.startswith("kpis/cli") and name == "print":
            candidates = list(node.args)
        for candidate in candidates:
            text = _literal_words(candidate)
            end = getattr(candidate, "end_lineno", candidate.lineno) or candidate.lineno
            span = lines[node.lineno - 1 : end]
            if text and not any(ALLOWED.search(line) for line in span):
                found.append(f"{relative}:{candidate.lineno}: {text[:60]!r}")
    assert not found, "text for people without _():\n" + "\n".join(found)


@pytest.mark.parametrize("domain", list(catalog.DOMAINS))
def test_every_message_has_its_french_text(domain: str) -> None:
    used = {}
    for relative, line, message in catalog.messages(domain):
        key = message if isinstance(message, str) else message[0]
        used.setdefault(key, f"{relative}:{line}")
    po = catalog.read("fr", domain)
    missing = [f"{where}: {msgid!r}" for msgid, where in used.items() if msgid not in po]
    assert not missing, (
        f"messages missing from {domain}.po (run `python -m kpis.catalog update`, then "
        "translate them):\n" + "\n".join(missing)
    )
    problems = []
    for message in po:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        texts = message.string if isinstance(message.string, tuple | list) else [message.string]
        if key not in used:
            problems.append(f"unused: {key!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        elif not all(texts):
            problems.append(f"untranslated: {used[key]}: {key!r}")
        elif any(_fields(t) != _fields(key) for t in texts):
            problems.append(f"placeholders differ: {key!r}")
    assert not problems, f"{domain}.po:\n" + "\n".join(problems)


def _fields(text: str) -> set[str]:
    """The `{name}` fields of a message: a translation must use exactly the same ones."""
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


@pytest.mark.parametrize("path", _po_files(), ids=lambda p: p.name)
def test_catalog_files_read_and_say_their_language(path: Path) -> None:
    with path.open("rb") as handle:
        po = read_po(handle)
    assert str(po.locale) == path.parent.parent.name


def test_a_message_in_several_catalogs_reads_the_same_in_each() -> None:
    """The catalogs are merged at run time and the first to hold a message wins: a message
    kept by two areas with two French texts would read one way or the other by accident."""
    seen: dict[str, tuple[str, object]] = {}
    differ = []
    for domain in catalog.DOMAINS:
        for message in catalog.read("fr", domain):
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in seen and seen[key][1] != message.string:
                differ.append(
                    f"{key!r}: {seen[key][0]} {seen[key][1]!r}, {domain} {message.string!r}"
                )
            seen.setdefault(key, (domain, message.string))
    assert not differ, "translated differently:\n" + "\n".join(differ)
