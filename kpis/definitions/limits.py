"""Bounds on what one upload or one request may make the machine do, set in kpis.yaml.

Every file, URL and command line may be hostile: a 1.6 KB workbook can claim a billion
cells, a gzip file can unpack to terabytes, a URL can ask for a day-by-day series over
nine thousand years. Each reader and each request checks these bounds before it allocates
anything, and refuses with a sentence naming the limit (`limits:` in kpis.yaml) to raise.
The defaults fit a team's weekly exports with a wide margin; they are documented in the
README ("Limits").
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kpis.i18n import _


class Limits(BaseModel):
    """The bounds of uploads (rows, columns, unpacked bytes, cells) and requests (periods)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    max_rows: int = Field(
        default=20_000_000, ge=1, description="rows of one uploaded file (or workbook sheet)"
    )
    max_columns: int = Field(default=1_000, ge=1, description="columns of one uploaded file")
    max_unpacked_mb: int = Field(
        default=2_048,
        ge=1,
        description="megabytes a gzip file, or the parts of a workbook, may unpack to",
    )
    max_cells: int = Field(
        default=20_000_000,
        ge=1,
        description="cells of a workbook sheet, counted over the rectangle its cells span",
    )
    workbook_memory_mb: int = Field(
        default=2_048, ge=256, description="memory the workbook reader may use, in megabytes"
    )
    workbook_seconds: int = Field(
        default=600, ge=1, description="time the workbook reader may take, in seconds"
    )
    max_periods: int = Field(
        default=3_660, ge=1, description="periods one request may compute (ten years of days)"
    )
    max_breakdown_values: int = Field(
        default=500, ge=1, description="values of a dimension one breakdown may show"
    )

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_unpacked_mb * 1_000_000


class DateBounds(BaseModel):
    """The dates a source's values may take; anything outside is a typo or a placeholder.

    `0001-01-01`, `9999-12-31`, `epoch` or `infinity` in an export are never real events;
    loading them would also break every calendar computation after it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: dt.date = dt.date(1970, 1, 1)
    max: dt.date = dt.date(2100, 12, 31)

    @model_validator(mode="after")
    def _ordered(self) -> DateBounds:
        if self.min > self.max:
            raise ValueError(_("min {low} is after max {high}").format(low=self.min, high=self.max))
        if self.min.year < 1000 or self.max.year > 9000:
            raise ValueError(_("valid dates must lie between the years 1000 and 9000"))
        return self
