"""The weekly report's content as frozen, typed values: numbers and codes, no formatting.

One model feeds every form of the report (JSON, HTML, PDF, XLSX, the e-mail, the dashboard's
Report page), so they cannot disagree. Values are raw (fractions for rates, the KPI's unit
otherwise); codes are English data (reasons such as "orders data through 2026-11-15", verdicts
such as "improved"); only `Headline.sentence` is words, in the language in force when the
report was built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpis.periods import DateRange

# Why a KPI needs attention (codes, the same in every language).
OFF_TARGET = "off_target"
UNUSUAL_CHANGE = "unusual_change"


@dataclass(frozen=True)
class WeekValue:
    """A KPI's value for one ISO week of its 12-week series (None: no value, or incomplete)."""

    week: str
    value: float | None


@dataclass(frozen=True)
class Variation:
    """The week's change against the range the 12 changes before it make normal."""

    change: float
    low: float
    high: float
    changes: int  # earlier week-over-week changes the range was learnt from
    usual: bool


@dataclass(frozen=True)
class KpiWeek:
    """One KPI for the report's week: its value, the values it is read against, its target."""

    kpi: str
    week: str
    value: float | None  # None when the week is incomplete or has no data (see `reason`)
    previous: float | None  # the previous ISO week
    year_ago: float | None  # the same ISO week a year earlier, None when the data lacks it
    year_ago_week: str | None
    target: float | None
    target_met: bool | None  # None without a target or a value
    complete: bool  # every source of the KPI has data through the week's last day
    reason: str | None  # why there is no value: "orders data through 2026-11-15", "no data"
    change: float | None  # value - previous
    year_change: float | None  # value - year_ago
    variation: Variation | None  # None with too little history (kpis.variation)
    unusual: bool  # the change is beyond the KPI's normal weekly variation
    trend: str | None  # the 12 weeks' direction: "up", "down", "flat" (None: too few weeks)
    tone: str  # the trend read against the KPI's direction: "better", "worse", "neutral"
    series: tuple[WeekValue, ...]  # the 12 weeks ending with the report's week, oldest first


@dataclass(frozen=True)
class Headline:
    """How many KPIs met their target and which moved unusually: data, and one sentence."""

    met: tuple[str, ...]  # KPIs with a target and a value that meet it
    missed: tuple[str, ...]  # ...that miss it
    unusual: tuple[str, ...]  # KPIs whose change is beyond their normal weekly variation
    missing: tuple[str, ...]  # KPIs without a value this week
    sentence: str  # in the language in force when the report was built


@dataclass(frozen=True)
class Driver:
    """The dimension value that moved a KPI most week over week, in one dimension.

    See kpis.report.drivers for the contribution's formula.
    """

    dimension: str
    value: str | None  # None: the rows without a value in that column
    contribution: float  # in the KPI's unit; the parts of one dimension add up to the change
    kpi_value: float | None  # the KPI over that value's rows this week
    kpi_previous: float | None  # ...and the week before
    volume: float  # the rows the KPI is counted over (kpis.mix.counted), this week
    volume_previous: float
    share: float | None  # of the week's volume
    share_previous: float | None


@dataclass(frozen=True)
class Attention:
    """A KPI off target or with an unusual change, and what moved it."""

    kpi: str
    reasons: tuple[str, ...]  # OFF_TARGET, UNUSUAL_CHANGE
    change: float | None
    drivers: tuple[Driver, ...]  # one per dimension of the KPI, the largest contribution first


@dataclass(frozen=True)
class Verdict:
    """One KPI's before/after comparison around an event, so far (kpis.compare's row)."""

    kpi: str
    before: float | None
    after: float | None
    delta: float | None
    delta_pct: float | None
    p_value: float | None
    verdict: str | None  # "improved", "worsened", "no significant change", ... (codes)
    note: str | None  # why a side is missing or cut (English data)


@dataclass(frozen=True)
class EventReview:
    """An event of the last 13 weeks: when it happened and its verdicts so far."""

    name: str
    date: dt.date
    scope: tuple[str, str] | None
    in_week: bool  # the event happened during the report's week
    weeks: int  # whole weeks compared on each side (0: none yet)
    before: DateRange | None
    after: DateRange | None
    verdicts: tuple[Verdict, ...]
    reason: str | None  # why there are no verdicts yet (English data)


@dataclass(frozen=True)
class SourceFreshness:
    """How far one source's data reaches, against the report's week."""

    source: str
    rows: int
    first_day: dt.date | None
    data_through: dt.date | None  # None: no data at all
    late: bool  # its data stops before the week's last day


@dataclass(frozen=True)
class Report:
    """The weekly report of one ISO week."""

    week: str
    start: dt.date
    end: dt.date
    kpis: tuple[KpiWeek, ...]
    headline: Headline
    attention: tuple[Attention, ...]
    events: tuple[EventReview, ...]
    freshness: tuple[SourceFreshness, ...]
