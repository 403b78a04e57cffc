"""Why a row was rejected, said in the reader's language from the reason kept in English.

The reasons are data: SQL words them while typing the rows, and `_kpis_rejects` keeps them
as they are, in English, whatever the language of whoever loaded the file. A refusal shown
to a person, the upload page and the CLI say them with `say_reason`, which recognises each
form the engine writes and words it again; a reason it does not know (a kpis.yaml check's
own message) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kpis.i18n import _, language

_KEPT = re.compile(r"^(?P<reason>.*) \(kept the row on (?P<where>line|row) (?P<at>\d+)\)$")


def _expected(text: str) -> str:
    """What a value should have been ("a whole number", "a date (YYYY-MM-DD or ...)")."""
    written = re.fullmatch(r"(.+) \(written 1 234,56 in this file\)", text)
    if written:
        return _("{what} (written 1 234,56 in this file)").format(what=_expected(written[1]))
    dated = re.fullmatch(
        r"(a date|a date and time) \(YYYY-MM-DD or (\S+), as in the rest of "
        r"this file\)",
        text,
    )
    if dated:
        what = _("a date") if dated[1] == "a date" else _("a date and time")
        orders = {"DD/MM/YYYY": _("DD/MM/YYYY"), "MM/DD/YYYY": _("MM/DD/YYYY")}
        return _("{what} (YYYY-MM-DD or {order}, as in the rest of this file)").format(
            what=what, order=orders.get(dated[2], dated[2])
        )
    known = {
        "a whole number": _("a whole number"),
        "a number": _("a number"),
        "yes/no (true/false, oui/non, 1/0)": _("yes/no (true/false, oui/non, 1/0)"),
    }
    return known.get(text, text)


def _structural(reason: str) -> str | None:
    fields = re.fullmatch(
        r"too (many|few) fields \(expected (\d+), found (\d+)\)(?:; this line seems separated "
        r"by (\w+))?",
        reason,
    )
    if fields:
        text = (
            _("too many fields (expected {expected}, found {found})")
            if fields[1] == "many"
            else _("too few fields (expected {expected}, found {found})")
        ).format(expected=fields[2], found=fields[3])
        if fields[4]:
            separated = {
                "semicolons": _("semicolons"),
                "commas": _("commas"),
                "tabs": _("tabs"),
                "pipes": _("pipes"),
            }.get(fields[4], fields[4])
            text += _("; this line seems separated by {separator}").format(separator=separated)
        return text
    unreadable = re.fullmatch(r"cannot be read \((.+)\)", reason)
    if unreadable:
        return _("cannot be read ({kind})").format(kind=unreadable[1])
    return None


# (pattern, how to say it): the forms of value_checks.py, clock.py and load.py, in that order.
_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^(?P<c>.+?): empty, but a value is required$"),
        lambda m: _("{column}: empty, but a value is required").format(column=m["c"]),
    ),
    (
        re.compile(
            r'^(?P<c>.+?): "(?P<v>.*)" is a spreadsheet formula, not a value; export '
            r"values only$"
        ),
        lambda m: _(
            '{column}: "{value}" is a spreadsheet formula, not a value; export values only'
        ).format(column=m["c"], value=m["v"]),
    ),
    (
        re.compile(
            r'^(?P<c>.+?): "(?P<v>.*)" is outside the valid dates, (?P<lo>\S+) to '
            r"(?P<hi>\S+) \(valid_dates in kpis\.yaml\)$"
        ),
        lambda m: _(
            '{column}: "{value}" is outside the valid dates, {low} to {high} (valid_dates in '
            "kpis.yaml)"
        ).format(column=m["c"], value=m["v"], low=m["lo"], high=m["hi"]),
    ),
    (
        re.compile(
            r'^(?P<c>.+?): "(?P<v>.*)" never happened in (?P<z>\S+): the clocks went '
            r"forward over it that night; write the time with its UTC offset, or "
            r"correct it$"
        ),
        lambda m: _(
            '{column}: "{value}" never happened in {zone}: the clocks went forward over it that '
            "night; write the time with its UTC offset, or correct it"
        ).format(column=m["c"], value=m["v"], zone=m["z"]),
    ),
    (
        re.compile(r'^(?P<c>.+?): "(?P<v>.*)" is not one of (?P<l>.+)$'),
        lambda m: _('{column}: "{value}" is not one of {values}').format(
            column=m["c"], value=m["v"], values=m["l"]
        ),
    ),
    (
        re.compile(r'^(?P<c>.+?): "(?P<v>.*)" is not (?P<e>.+)$'),
        lambda m: _('{column}: "{value}" is not {expected}').format(
            column=m["c"], value=m["v"], expected=_expected(m["e"])
        ),
    ),
    (
        re.compile(r"^(?P<c>.+?): (?P<v>.*) is below the minimum (?P<b>\S+)$"),
        lambda m: _("{column}: {value} is below the minimum {bound}").format(
            column=m["c"], value=m["v"], bound=m["b"]
        ),
    ),
    (
        re.compile(r"^(?P<c>.+?): (?P<v>.*) is above the maximum (?P<b>\S+)$"),
        lambda m: _("{column}: {value} is above the maximum {bound}").format(
            column=m["c"], value=m["v"], bound=m["b"]
        ),
    ),
    (  # the kind of reason of reason_counts, which leaves the key's value out
        re.compile(r"^(?P<c>.+?): a key that appears twice in this file$"),
        lambda m: _("{columns}: a key that appears twice in this file").format(columns=m["c"]),
    ),
    (
        re.compile(r"^(?P<c>.+?): (?P<v>.*) appears twice in this file$"),
        lambda m: _("{columns}: {value} appears twice in this file").format(
            columns=m["c"], value=m["v"]
        ),
    ),
]


def say_reason(reason: str) -> str:
    """A rejected row's reason (as kept, in English) in the reader's language."""
    if language() == "en":
        return reason
    kept = _KEPT.match(reason)
    if kept:
        said = say_reason(kept["reason"])
        if kept["where"] == "row":
            return _("{reason} (kept the row on row {row})").format(reason=said, row=kept["at"])
        return _("{reason} (kept the row on line {line})").format(reason=said, line=kept["at"])
    structural = _structural(reason)
    if structural is not None:
        return structural
    for pattern, say in _FORMS:
        found = pattern.match(reason)
        if found:
            return say(found)
    return reason
