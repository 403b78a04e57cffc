"""Texts of kpis.yaml for people (labels, descriptions, units), in one or several languages.

A text is either a plain string, the same for every language, or one text per language
(`label: {en: Lead conversion rate, fr: Taux de conversion}`); the French reader of the
dashboard and the CLI then gets French. The models keep what the file says (so validation can
tell a plain text from a missing language) and show it through `in_language`. A problem
inside a per-language mapping is reported at its own key, so the line named is the one to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import PlainValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError

from kpis.i18n import LANGUAGES, _, translated

Text = str | dict[str, str]
"""A plain text, or language code -> text."""


def in_language(text: Text | None) -> str | None:
    """`text` in the language in force (then English, then any language given)."""
    if text is None or isinstance(text, str):
        return text
    return translated(text)


def languages_of(text: Text | None) -> frozenset[str]:
    """The languages a per-language text gives; none for a plain text (it serves them all)."""
    return frozenset(text) if isinstance(text, dict) else frozenset()


def language_name(code: str) -> str:
    """'French' for 'fr', in the language in force, as it reads inside a sentence."""
    names = {"en": _("English"), "fr": _("French")}
    return names.get(code, code)


def _checker(*, optional: bool, max_length: int | None) -> Callable[[Any], Text | None]:
    def check(value: Any) -> Text | None:
        if value is None and optional:
            return None
        if isinstance(value, str):
            _short_enough(value, max_length)
            return value
        if not isinstance(value, dict):
            raise ValueError(_("must be a text, or one text per language such as en: … and fr: …"))
        if not value:
            raise ValueError(_("gives no text; write a plain text or one per language (en, fr)"))
        return _per_language(value, max_length)

    return check


def _per_language(value: dict[Any, Any], max_length: int | None) -> dict[str, str]:
    """Each key a language we speak, each value a non-empty text; problems at their key."""
    errors: list[InitErrorDetails] = []
    for key, text in value.items():
        if key not in LANGUAGES:
            message = _("unknown language; use one of: {languages}").format(
                languages=", ".join(LANGUAGES)
            )
            errors.append(_error(key, message, key))
        elif not isinstance(text, str) or not text.strip():
            errors.append(_error(key, _("must be a non-empty text"), text))
        elif max_length is not None and len(text) > max_length:
            errors.append(
                {
                    "type": "string_too_long",
                    "loc": (str(key),),
                    "input": text,
                    "ctx": {"max_length": max_length},
                }
            )
    if errors:
        # Raised inside a validator, a ValidationError's errors keep their own location under
        # the field's (`label.de`), so the problem names the line of the wrong key.
        raise ValidationError.from_exception_data("Text", errors)
    return {str(k): v for k, v in value.items()}


def _error(key: Any, message: str, given: Any) -> InitErrorDetails:
    # The message is already in the reader's language; braces would be read as placeholders.
    safe = message.replace("{", "(").replace("}", ")")
    kind = PydanticCustomError("text", safe)  # i18n: ok (pydantic's error type, a code)
    return {"type": kind, "loc": (str(key),), "input": given}


def _short_enough(value: str, max_length: int | None) -> None:
    if max_length is not None and len(value) > max_length:
        # pydantic's own error, as a `str` field with max_length would give.
        raise PydanticKnownError("string_too_long", {"max_length": max_length})  # i18n: ok (code)


RequiredText = Annotated[Text, PlainValidator(_checker(optional=False, max_length=None))]
OptionalText = Annotated[Text | None, PlainValidator(_checker(optional=True, max_length=None))]
EventText = Annotated[Text, PlainValidator(_checker(optional=False, max_length=2000))]
