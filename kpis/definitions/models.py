"""The shape of kpis.yaml as frozen pydantic models that refuse unknown keys.

A typo in a key (`denominater:`) must be an error, not a silently ignored setting, so every
model forbids extra keys; models are frozen because definitions are shared by every page and
request of a process. Cross-references (a measure's source, a KPI's columns) are checked by
the named rules in `rules.py`, which see the whole file at once. The models of an export's
columns and files are in `file_models.py`; texts in one or several languages in `texts.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

# Re-exported: the rest of the code imports every model from here.
from kpis.definitions.file_models import Check as Check
from kpis.definitions.file_models import Column as Column
from kpis.definitions.file_models import ColumnType as ColumnType
from kpis.definitions.file_models import FileSettings as FileSettings
from kpis.definitions.file_models import Strict
from kpis.definitions.limits import DateBounds, Limits
from kpis.definitions.profile_models import MappingProfile as MappingProfile
from kpis.definitions.report_models import Reports
from kpis.definitions.texts import EventText, OptionalText, RequiredText, in_language
from kpis.i18n import LANGUAGES, _, supported

SourceKind = Literal["events", "snapshot"]
Direction = Literal["higher_is_better", "lower_is_better"]
Format = Literal["percent", "hours", "currency", "number"]
OverTime = Literal["average", "last"]

DEFAULT_UNITS: dict[str, str] = {"percent": "%", "hours": "h", "currency": "EUR", "number": ""}


class Source(Strict):
    """A kind of export: its columns and types, key, time columns and dimensions."""

    @property
    def event_columns(self) -> list[str]:
        """The time columns at which something happened: how far an export reaches."""
        return [c for c in self.time_columns if c not in self.promise_columns]

    @property
    def label(self) -> str | None:
        """The source's name for people, in the language in force."""
        return in_language(self.label_texts)

    @property
    def description(self) -> str | None:
        return in_language(self.description_texts)

    label_texts: OptionalText = Field(default=None, alias="label")
    description_texts: OptionalText = Field(default=None, alias="description")
    kind: SourceKind = "events"
    key: list[str] = Field(min_length=1)
    time_columns: list[str] = Field(min_length=1)
    promise_columns: list[str] = Field(
        default_factory=list,
        description="time columns that are promises about the future (a promised date): "
        "they never tell how far an export reaches",
    )
    dimensions: list[str] = Field(default_factory=list)
    columns: dict[str, Column] = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)
    max_rejected_share: float = Field(default=0.05, ge=0, le=1)
    format: FileSettings = Field(default_factory=FileSettings)
    valid_dates: DateBounds = Field(
        default_factory=DateBounds,
        description="dates and times outside this range reject their row (1970-2100)",
    )


class Measure(Strict):
    """An aggregate SQL expression over one source, dated by one of its time columns.

    On a snapshot source (stock levels) the expression is evaluated per snapshot date and
    then rolled up over the period with `over_time`: stock is not additive across days.
    """

    source: str
    expr: str
    time: str | None = None
    filter: str | None = None
    over_time: OverTime | None = None


class StatsSettings(Strict):
    """How a before/after change of this KPI is tested (see kpis/inference.py).

    `auto` picks a two-proportion test for a ratio of counts over the same rows (conversion,
    CSAT, OTIF) and a bootstrap otherwise: over rows for a median or a mean, over days (weeks
    for annualised or snapshot KPIs) for a ratio of sums. `min_sample` is the smallest sample
    on each side, in the method's unit, for which a verdict is given.
    """

    method: Literal["auto", "two_proportions", "bootstrap"] = "auto"
    unit: Literal["row", "day", "week"] | None = None
    min_sample: int | None = Field(default=None, ge=1)


class Kpi(Strict):
    """A KPI: either one measure, or a ratio of two measures (ratio of sums, per period)."""

    label_texts: RequiredText = Field(alias="label")
    description_texts: RequiredText = Field(alias="description")
    format: Format
    unit_texts: OptionalText = Field(default=None, alias="unit")
    decimals: int = Field(default=1, ge=0, le=6)
    direction: Direction
    target: float | None = None
    measure: Measure | None = None
    numerator: Measure | None = None
    denominator: Measure | None = None
    annualize: bool = Field(
        default=False, description="multiply by 365 / days in the period (per-year rate)"
    )
    stats: StatsSettings = Field(default_factory=StatsSettings)

    @property
    def label(self) -> str:
        """The KPI's name for people, in the language in force."""
        return in_language(self.label_texts) or ""

    @property
    def description(self) -> str:
        return in_language(self.description_texts) or ""

    @property
    def unit(self) -> str | None:
        """The unit given in kpis.yaml, in the language in force (None when left out)."""
        return in_language(self.unit_texts)

    @property
    def unit_label(self) -> str:
        """The unit shown beside values and on axes."""
        unit = self.unit
        return unit if unit is not None else DEFAULT_UNITS[self.format]

    @property
    def measures(self) -> list[Measure]:
        """The measures this KPI reads, in a stable order."""
        found = [self.measure, self.numerator, self.denominator]
        return [m for m in found if m is not None]

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_is_better"


class Calendar(Strict):
    """How days group into periods: ISO weeks (Monday) in one time zone; the default language.

    `locale` (en, fr, fr_FR, ...) is the language used when the reader's own is not known: no
    `?lang=` or browser language in the dashboard, no --lang, KPIS_LANG or LANG in the CLI.
    """

    week_start: Literal["monday"] = "monday"
    timezone: str = "Europe/Paris"
    locale: str | None = Field(default=None, max_length=40)

    @field_validator("locale")
    @classmethod
    def _spoken(cls, value: str | None) -> str | None:
        if value is not None and supported(value) is None:
            raise ValueError(
                _("unknown language {value} (use {languages}, e.g. fr_FR or en)").format(
                    value=repr(value), languages=", ".join(LANGUAGES)
                )
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                _("unknown time zone {value} (use an IANA name such as Europe/Paris)").format(
                    value=repr(value)
                )
            ) from None
        return value


class Event(Strict):
    """A dated operational change that before/after comparisons are anchored on.

    `scope` limits the change to one value of a dimension (`{warehouse: Lyon}`): a
    comparison around it looks at that warehouse only.
    """

    name: str = Field(min_length=1, max_length=100)
    date: dt.date
    description_texts: EventText = Field(default="", alias="description")
    label_texts: OptionalText = Field(default=None, alias="label")
    scope: dict[str, str] | None = Field(default=None, max_length=1)
    control: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="with a scope: the dimension's values to compare it with (default: all "
        "the others)",
    )

    @model_validator(mode="after")
    def _control_needs_scope(self) -> Event:
        if self.control is None:
            return self
        if self.scope_pair is None:
            raise ValueError(_("control needs a scope: the values it is compared with"))
        if self.scope_pair[1] in self.control:
            raise ValueError(
                _("control cannot name {value}, the value the event is scoped to").format(
                    value=repr(self.scope_pair[1])
                )
            )
        return self

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        # Windows are counted in weeks on both sides of the date: year 1 or 9999 would
        # run off the calendar, and no operational change happened then.
        if not 1900 <= value.year <= 2200:
            raise ValueError(
                _("{date} is not a plausible date for an event (1900 to 2200)").format(
                    date=value.isoformat()
                )
            )
        return value

    @property
    def description(self) -> str:
        """What changed, in the language in force (one text when saved from the dashboard)."""
        return in_language(self.description_texts) or ""

    @property
    def label(self) -> str | None:
        """The event's name for people, when kpis.yaml gives one."""
        return in_language(self.label_texts)

    @property
    def scope_pair(self) -> tuple[str, str] | None:
        """(dimension, value) of the scope, if any."""
        return next(iter(self.scope.items())) if self.scope else None


class Definitions(Strict):
    """Everything kpis.yaml declares; built only when every rule passed."""

    file: str
    calendar: Calendar
    sources: dict[str, Source]
    kpis: dict[str, Kpi]
    events: list[Event] = Field(default_factory=list)
    mappings: dict[str, MappingProfile] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    reports: Reports = Field(default_factory=Reports)

    def event(self, name: str) -> Event | None:
        return next((e for e in self.events if e.name == name), None)

    def sources_of(self, kpi: Kpi) -> list[str]:
        """The sources a KPI reads, without repeats."""
        return list(dict.fromkeys(m.source for m in kpi.measures))

    def dimensions_of(self, kpi: Kpi) -> list[str]:
        """Dimensions a KPI can be broken down by: those declared on all of its sources."""
        sources = [self.sources[name] for name in self.sources_of(kpi)]
        return [d for d in sources[0].dimensions if all(d in s.dimensions for s in sources[1:])]


TOP_LEVEL_KEYS = (
    "version",
    "calendar",
    "sources",
    "kpis",
    "events",
    "mappings",
    "limits",
    "reports",
)
