"""Values read from an export's file name: `stock_{snapshot_date:%Y%m%d}.csv`.

A dateless stock export named by its day should not need a new profile each week: the
profile's `file_name` pattern says where the value is in the name and how it is written.
`{column}` takes any text, `{column:FORMAT}` a date written in FORMAT (strftime
directives), `*` any text that is not kept; everything else must be as written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kpis.i18n import _

_PLACEHOLDER = re.compile(r"\{([^{}:]*)(?::([^{}]*))?\}")
_DIRECTIVES = {
    "%Y": r"\d{4}", "%y": r"\d{2}", "%m": r"\d{1,2}", "%d": r"\d{1,2}", "%H": r"\d{1,2}",
    "%M": r"\d{2}", "%S": r"\d{2}", "%j": r"\d{3}", "%b": r"[A-Za-z]{3}", "%%": "%",
}  # fmt: skip


@dataclass(frozen=True)
class FileNamePattern:
    """A compiled `file_name`: the regular expression and each placeholder's format."""

    text: str
    regex: re.Pattern[str]
    formats: dict[str, str | None]

    def values(self, name: str) -> dict[str, str] | None:
        """The values the name holds, as ISO text for dates; None when it does not match."""
        found = self.regex.fullmatch(name)
        if found is None:
            return None
        values = {}
        for column, fmt in self.formats.items():
            text = found.group(_group(column))
            if fmt is None:
                values[column] = text
                continue
            try:
                values[column] = dt.datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                return None
        return values


def _group(column: str) -> str:
    return "v_" + re.sub(r"\W", "_", column)


def _format_regex(fmt: str) -> str:
    """The regex of a date format, or ValueError naming the directive not understood."""
    parts = re.split(r"(%.)", fmt)
    regex = ""
    for part in parts:
        if part.startswith("%") and len(part) == 2:
            if part not in _DIRECTIVES:
                raise ValueError(
                    _("{directive} is not a date directive a file name can hold ({known})").format(
                        directive=part, known=" ".join(d for d in _DIRECTIVES if d != "%%")
                    )
                )
            regex += _DIRECTIVES[part]
        else:
            regex += re.escape(part)
    return regex


def compile_pattern(text: str) -> FileNamePattern:
    """Compile a `file_name` pattern; ValueError with one sentence when it cannot be."""
    regex, formats, end = "", {}, 0
    for found in _PLACEHOLDER.finditer(text):
        regex += _literal(text[end : found.start()])
        column, fmt = found.group(1).strip(), found.group(2)
        if not column:
            raise ValueError(_("{{}} needs a column name, e.g. {{snapshot_date:%Y%m%d}}"))
        if column in formats:
            raise ValueError(_("{column} appears twice").format(column=column))
        formats[column] = fmt
        body = _format_regex(fmt) if fmt else ".+?"
        regex += f"(?P<{_group(column)}>{body})"
        end = found.end()
    regex += _literal(text[end:])
    if "{" in text[end:] or "}" in text[end:]:
        raise ValueError(_("a {{ or }} is not closed"))
    if not formats:
        raise ValueError(_("names no column; write it as {{column}} or {{column:%Y%m%d}}"))
    return FileNamePattern(text, re.compile(regex, re.IGNORECASE), formats)


def _literal(part: str) -> str:
    return ".*?".join(re.escape(piece) for piece in part.split("*"))
