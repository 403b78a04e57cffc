"""Pydantic's own validation messages in the reader's language, keyed by the error's type.

Pydantic writes its messages in English only ("Field required", "Input should be a valid
integer"); kpis.yaml's problems and the event form show them, so the common types get a
French text here. English keeps pydantic's own words, exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpis.i18n import _, language, ngettext


def pydantic_message(error: Mapping[str, Any]) -> str:
    """The message of one pydantic error (an item of `ValidationError.errors()`).

    A validator's own ValueError keeps its text (the validator wrote it in the reader's
    language); a type without a translation keeps pydantic's English.
    """
    english = str(error["msg"]).removeprefix("Value error, ")
    if language() == "en" or error["type"] == "value_error":
        return english
    return _translated(str(error["type"]), error.get("ctx") or {}) or english


def _translated(kind: str, ctx: Mapping[str, Any]) -> str | None:
    simple = {
        "missing": _("Field required"),
        "extra_forbidden": _("Extra inputs are not permitted"),
        "string_type": _("Input should be a valid string"),
        "int_type": _("Input should be a valid integer"),
        "int_parsing": _("Input should be a valid integer, unable to parse string as an integer"),
        "int_from_float": _("Input should be a valid integer, got a number with a fractional part"),
        "float_type": _("Input should be a valid number"),
        "float_parsing": _("Input should be a valid number, unable to parse string as a number"),
        "finite_number": _("Input should be a finite number"),
        "bool_type": _("Input should be a valid boolean"),
        "bool_parsing": _("Input should be a valid boolean, unable to interpret input"),
        "date_type": _("Input should be a valid date"),
        "datetime_type": _("Input should be a valid datetime"),
        "list_type": _("Input should be a valid list"),
        "dict_type": _("Input should be a valid dictionary"),
        "decimal_type": _("Input should be a valid decimal"),
        "decimal_parsing": _("Input should be a valid decimal"),
    }
    if kind in simple:
        return simple[kind]
    if kind == "date_parsing":
        return _("Input should be a valid date in the format YYYY-MM-DD, {error}").format(
            error=ctx.get("error", "")
        )
    if kind == "date_from_datetime_parsing":
        return _("Input should be a valid date or datetime, {error}").format(
            error=ctx.get("error", "")
        )
    bound = _bound(kind, ctx)
    if bound is not None:
        return bound
    return _length(kind, ctx)


def _bound(kind: str, ctx: Mapping[str, Any]) -> str | None:
    texts = {
        "greater_than": ("gt", _("Input should be greater than {limit}")),
        "greater_than_equal": ("ge", _("Input should be greater than or equal to {limit}")),
        "less_than": ("lt", _("Input should be less than {limit}")),
        "less_than_equal": ("le", _("Input should be less than or equal to {limit}")),
        "multiple_of": ("multiple_of", _("Input should be a multiple of {limit}")),
    }
    if kind not in texts:
        return None
    key, text = texts[kind]
    return text.format(limit=_number(ctx.get(key)))


def _length(kind: str, ctx: Mapping[str, Any]) -> str | None:
    if kind == "string_too_short":
        count = int(ctx.get("min_length", 0))
        return ngettext(
            "String should have at least {count} character",
            "String should have at least {count} characters",
            count,
        ).format(count=_number(count))
    if kind == "string_too_long":
        count = int(ctx.get("max_length", 0))
        return ngettext(
            "String should have at most {count} character",
            "String should have at most {count} characters",
            count,
        ).format(count=_number(count))
    if kind == "too_short":
        count = int(ctx.get("min_length", 0))
        return ngettext(
            "should have at least {count} item, not {actual}",
            "should have at least {count} items, not {actual}",
            count,
        ).format(count=_number(count), actual=_number(ctx.get("actual_length")))
    if kind == "too_long":
        count = int(ctx.get("max_length", 0))
        return ngettext(
            "should have at most {count} item, not {actual}",
            "should have at most {count} items, not {actual}",
            count,
        ).format(count=_number(count), actual=_number(ctx.get("actual_length")))
    if kind == "string_pattern_mismatch":
        return _("String should match pattern '{pattern}'").format(pattern=ctx.get("pattern"))
    if kind == "enum":
        return _("Input should be {expected}").format(expected=ctx.get("expected"))
    return None


def _number(value: Any) -> str:
    """A bound or a length as the reader writes numbers (kpis.formatting imports this package)."""
    from kpis.formatting import number

    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
    return number(value, min(decimals, 6))
