"""Mapping profiles: how one tool's export becomes a source's rows (a small staging step).

Real exports rarely match a source column for column: Zendesk writes a satisfaction of
"Good", HubSpot leaves the lifecycle stage empty for a lead not converted, Shopify writes one
row per line item. A profile says, like a dbt staging model, how each declared column is
made (a file column or one scalar SQL expression, then a values map, a default for empty
cells, a date format...), which rows to keep, and how to roll line rows up to one per key.
Simple profiles (`columns`, `values`, `constants`) read as they always have.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from kpis.definitions.file_models import FileSettings, Strict, text_value
from kpis.i18n import _


class FieldMap(Strict):
    """How one declared column is made: where its text comes from, then how it is read.

    At most one of `column` (a file column), `expression` (scalar SQL over the file's
    columns) and `value` (the same for every row). With none, the column comes from the file
    by its name or aliases, as without a profile. Then, in this order: an empty cell takes
    `empty`; a value found in `values` becomes its mapping (null: no value); any other value
    becomes `otherwise` when given, or stays as written.
    """

    column: str | None = None
    expression: str | None = None
    value: str | None = None
    values: dict[str, str | None] = Field(default_factory=dict)
    otherwise: str | None = None
    empty: str | None = None
    format: str | None = Field(
        default=None, description="how a date or time is written, e.g. %d.%m.%Y %H:%M"
    )
    decimal: Literal[".", ","] | None = None

    @field_validator("values", "value", "otherwise", "empty", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        """YAML reads `Good: 5` and `2026-01-05` as a number and a date: keep the text."""
        if isinstance(value, dict):
            return {str(text_value(k)): text_value(v) for k, v in value.items()}
        return text_value(value)

    @model_validator(mode="after")
    def _one_origin(self) -> FieldMap:
        given = [k for k in ("column", "expression", "value") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(
                _("give one of column, expression or value, not {keys}").format(
                    keys=" and ".join(given)
                )
            )
        return self

    @property
    def has_otherwise(self) -> bool:
        """`otherwise: null` (any other value means no value) differs from no `otherwise`."""
        return "otherwise" in self.model_fields_set


class RollUp(Strict):
    """Line rows (one per item of an order) rolled up to one row per `by`.

    `sum`, `min` and `max` name file columns aggregated over the rows of a group (numbers,
    or dates and times for min and max); every other file column takes its first non-empty
    value in file order, since exports write the order's own columns on its first line only.
    """

    by: list[str] = Field(min_length=1, max_length=8)
    sum: list[str] = Field(default_factory=list)
    min: list[str] = Field(default_factory=list)
    max: list[str] = Field(default_factory=list)

    @field_validator("by", "sum", "min", "max", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class MappingProfile(Strict):
    """How one tool's export maps onto a source, when aliases are not enough.

    `columns` maps the file's header names to declared columns; `values` translates a
    column's words; `constants` fills columns the file lacks; `fields` says all of that and
    more per declared column (FieldMap). `roll_up` groups line rows, then `where` keeps the
    rows it is true for. `file_name` reads values from the file's name
    (`stock_{snapshot_date:%Y%m%d}.csv`). Saved from the Upload page or written here; used
    with `kpis ingest --mapping`.
    """

    source: str
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, FieldMap] = Field(default_factory=dict)
    where: str | None = None
    roll_up: RollUp | None = None
    file_name: str | None = Field(default=None, max_length=200)
    format: FileSettings = Field(default_factory=FileSettings)

    @field_validator("values", "constants", mode="before")
    @classmethod
    def _text_values(cls, value: Any) -> Any:
        """YAML reads `good: 5` and `2026-01-01` as numbers and dates; keep them as text."""
        if isinstance(value, dict):
            return {
                str(k): (
                    {str(a): text_value(b) for a, b in v.items()}
                    if isinstance(v, dict)
                    else text_value(v)
                )
                for k, v in value.items()
            }
        return value

    def field_maps(self) -> dict[str, FieldMap]:
        """Every declared column the profile says something about, in one form.

        `values` and `constants` are the short forms of a field's `values` and `value`; a
        header in `columns` is its `column`. The rule `profile_fields_are_said_once` makes
        sure no column is said two ways.
        """
        found: dict[str, FieldMap] = {}
        for header, column in self.columns.items():
            found[column] = FieldMap(column=header)
        for column, words in self.values.items():
            base = found.get(column, FieldMap())
            found[column] = base.model_copy(update={"values": dict(words)})
        for column, value in self.constants.items():
            found[column] = FieldMap(value=value)
        found.update(self.fields)
        return found

    @property
    def has_steps(self) -> bool:
        """Whether rows are rolled up or filtered (the file is then read in two passes)."""
        return self.roll_up is not None or self.where is not None
