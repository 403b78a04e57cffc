"""The engine's notes (kept in English, as data) said again in the reader's language.

A compute range cut to the data and a comparison window past a source's last day leave a
note in the result (`frame.attrs["note"]`, compare's `note` column), which JSON carries as it
is. Where a person reads it (the CLI's tables, the Explorer), it is said again here from its
parts; a note of another form is shown as it is.
"""

from __future__ import annotations

import re

from kpis.i18n import _, language, ngettext

_CLAMPED = re.compile(r"^the range (?P<window>\S+) was clamped to the data, (?P<clamped>\S+)$")
_EMPTY = re.compile(r"^the range (?P<window>\S+) holds no data$")
_WINDOW = re.compile(
    r"the (?P<side>before|after) window ends (?P<end>\d{4}-\d{2}-\d{2}); (?P<reason>.+?): "
    r"(?P<count>\d+) (?P<unit>weeks?|days?) of (?P<kpi>\S+) missing"
)
_THROUGH = re.compile(r"^(?P<source>.+) data through (?P<day>\d{4}-\d{2}-\d{2})$")
_NOTHING = re.compile(r"^no (?P<source>.+) data yet$")


def say_note(note: str) -> str:
    """`note` in the language in force (English notes come back exactly as they were)."""
    clamped = _CLAMPED.match(note)
    if clamped:
        return _("the range {window} was clamped to the data, {clamped}").format(
            **clamped.groupdict()
        )
    empty = _EMPTY.match(note)
    if empty:
        return _("the range {window} holds no data").format(**empty.groupdict())
    windows = list(_WINDOW.finditer(note))
    if not windows or "; ".join(m.group() for m in windows) != note:
        return note
    # French sets a narrow no-break space before a semicolon.
    return ("\u202f; " if language() == "fr" else "; ").join(_window(m) for m in windows)


def _window(match: re.Match[str]) -> str:
    from kpis.formatting import number

    count = int(match["count"])
    # As kpis.freshness writes it: English keeps 1000 ungrouped, byte for byte.
    shown = match["count"] if language() == "en" else number(count, 0)
    if match["unit"].startswith("week"):
        span = ngettext("{count} week", "{count} weeks", count).format(count=shown)
    else:
        span = ngettext("{count} day", "{count} days", count).format(count=shown)
    text = (
        _("the before window ends {end}; {reason}: {span} of {kpi} missing")
        if match["side"] == "before"
        else _("the after window ends {end}; {reason}: {span} of {kpi} missing")
    )
    return text.format(
        end=match["end"], reason=_reason(match["reason"]), span=span, kpi=match["kpi"]
    )


def _reason(reason: str) -> str:
    through = _THROUGH.match(reason)
    if through:
        return _("{source} data through {day}").format(**through.groupdict())
    nothing = _NOTHING.match(reason)
    if nothing:
        return _("no {source} data yet").format(**nothing.groupdict())
    return reason
