"""The models of what an export looks like (columns, row checks, file settings) and the strict
base of every kpis.yaml model; apart from models.py to keep each short (profiles: profile_models).
"""

from __future__ import annotations

import codecs
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kpis.definitions.texts import OptionalText, in_language
from kpis.i18n import _

ColumnType = Literal["string", "integer", "number", "decimal", "boolean", "date", "timestamp"]


class Strict(BaseModel):
    """Base for every definition model: immutable, no unknown keys."""

    # NaN and infinity are never meant (`min: .nan` would let every value through). A text
    # kept per language is stored as `label_texts` but read and written as `label:`.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, serialize_by_alias=True
    )


class Column(Strict):
    """One column of an export and how its text is typed on upload."""

    type: ColumnType
    description_texts: OptionalText = Field(default=None, alias="description")
    nullable: bool = False
    optional: bool = Field(
        default=False, description="the column may be absent from a file (it is then null)"
    )
    min: float | None = None
    max: float | None = None
    values: list[str] | None = Field(default=None, description="the only values allowed")
    aliases: list[str] = Field(default_factory=list, description="other header names")

    @property
    def description(self) -> str | None:
        return in_language(self.description_texts)


class Check(Strict):
    """A row-level rule (SQL predicate); rows where it is false are rejected with `message`."""

    rule: str
    message: str


class FileSettings(Strict):
    """How a source's files are written, when detection should not decide (all optional)."""

    delimiter: Literal[",", ";", "\t", "|"] | None = None
    encoding: str | None = None
    decimal: Literal[".", ","] | None = None
    date_order: Literal["dmy", "mdy"] | None = None

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(
                    _("unknown encoding {value} (e.g. utf-8, cp1252, utf-16)").format(
                        value=repr(value)
                    )
                ) from None
        return value

    def overrides(self) -> dict[str, str]:
        """The settings given, by name."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


def text_value(value: Any) -> Any:
    """A YAML scalar as the text it was written as (`good: 5` is the text 5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value
