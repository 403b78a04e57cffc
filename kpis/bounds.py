"""Bound what one request may compute: ranges clamped to the data, periods and breakdowns capped.

A URL or a command line may ask for a day-by-day series over nine thousand years, or for a
breakdown by a column with a million values; either would hold the server (and every user of
it) until the kernel killed it. A range much larger than the data is clamped to the periods
that hold data, which changes no value shown (the periods cut off are all empty); what is
still too large is refused, naming the limit to raise in kpis.yaml (`limits:`).
"""

from __future__ import annotations

import datetime as dt

from kpis.definitions import Limits
from kpis.errors import UsageError
from kpis.formatting import number
from kpis.i18n import N_, _, translate
from kpis.periods import DateRange, Grain, grain_start, next_start
from kpis.store import Store, quote

# No source may hold dates outside these years (see DateBounds), and Python's dates end at
# 9999: a request reaching beyond them is clamped to the data whatever its size.
CALENDAR = DateRange(dt.date(1000, 1, 1), dt.date(9000, 12, 31))
_GRAIN_WORDS = {
    "day": N_("daily periods"),
    "week": N_("weekly periods"),
    "month": N_("monthly periods"),
    "quarter": N_("quarterly periods"),
    None: N_("periods"),
}


def day_extremes(column: str) -> tuple[str, str]:
    """SQL for the first and the last day of a time column, kept within the calendar.

    The extremes are cast, not every row: the same days without a scan of casts. They are
    kept within the calendar's years because a database loaded before dates were checked
    may hold 'infinity' or the year 9999, which would run every date computation off the end.
    Not greatest/least, which skip NULL: an empty table must give no days at all.
    """
    low, high = f"DATE '{CALENDAR.start}'", f"DATE '{CALENDAR.end}'"
    kept = "CAST(CASE WHEN {0} < {1} THEN {1} WHEN {0} > {2} THEN {2} ELSE {0} END AS DATE)"
    first, last = (kept.format(f"{f}({column})", low, high) for f in ("min", "max"))
    return first, last


def period_count(window: DateRange, grain: Grain | None) -> int:
    """How many periods of `grain` cover `window`, counted without listing them."""
    if grain is None:
        return 1
    if grain == "day":
        return window.days
    if grain == "week":
        return (grain_start(window.end, "week") - grain_start(window.start, "week")).days // 7 + 1
    months = (window.end.year - window.start.year) * 12 + window.end.month - window.start.month
    if grain == "month":
        return months + 1
    first = (window.start.month - 1) // 3
    last = (window.end.month - 1) // 3
    return (window.end.year - window.start.year) * 4 + last - first + 1


def _inside_calendar(window: DateRange) -> bool:
    return CALENDAR.start <= window.start and window.end <= CALENDAR.end


def within_limits(window: DateRange, grain: Grain | None, limits: Limits) -> bool:
    """Whether `window` may be computed as asked: few enough periods, inside the calendar."""
    return period_count(window, grain) <= limits.max_periods and _inside_calendar(window)


def clamp_to_data(window: DateRange, grain: Grain | None, span: DateRange) -> DateRange | None:
    """`window` cut to the whole periods of `grain` that hold data (None when none do).

    The periods at the edges of the data are kept whole (as far as the request asked), so a
    clipped period's length, and with it an annualised value, is what it was.
    """
    first = grain_start(span.start, grain or "day")
    after = next_start(grain_start(span.end, grain or "day"), grain or "day")
    start = max(window.start, first)
    end = min(window.end, after - dt.timedelta(days=1))
    return DateRange(start, end) if start <= end else None


def clamp_request(
    window: DateRange, grain: Grain | None, span: DateRange | None, limits: Limits
) -> tuple[DateRange | None, str]:
    """A request beyond the limits clamped to the data `span`, with a note saying so.

    None when the range holds no data; a UsageError when even the clamped range is too large.
    """
    clamped = clamp_to_data(window, grain, span) if span is not None else None
    if clamped is None:
        return None, f"the range {window} holds no data"
    check_periods(clamped, grain, limits)
    return clamped, f"the range {window} was clamped to the data, {clamped}"


def check_periods(window: DateRange, grain: Grain | None, limits: Limits) -> None:
    """Refuse a window of more periods than limits.max_periods, saying what to do."""
    count = period_count(window, grain)
    if count > limits.max_periods or not _inside_calendar(window):
        hint = (
            _("choose a coarser grain or a shorter range") if grain else _("choose a shorter range")
        )
        raise UsageError(
            _(
                "{window} is {count} {periods}, more than the {limit} one request may compute "
                "(limits: max_periods in kpis.yaml): {hint}"
            ).format(
                window=window,
                count=number(count, 0),
                periods=translate(_GRAIN_WORDS[grain]),
                limit=number(limits.max_periods, 0),
                hint=hint,
            )
        )


def check_window_days(window: DateRange, what: str, limits: Limits) -> None:
    """Refuse a comparison window longer than limits.max_periods days."""
    if window.days > limits.max_periods or not _inside_calendar(window):
        message = (
            _(
                "the before range {window} is {days} days, more than the {limit} a comparison "
                "may span (limits: max_periods in kpis.yaml): choose a shorter range"
            )
            if what == "before"
            else _(
                "the after range {window} is {days} days, more than the {limit} a comparison "
                "may span (limits: max_periods in kpis.yaml): choose a shorter range"
            )
        )
        raise UsageError(
            message.format(
                window=window, days=number(window.days, 0), limit=number(limits.max_periods, 0)
            )
        )


def check_breakdown(
    store: Store, sources: list[tuple[str, str]], by: str, window: DateRange
) -> None:
    """Refuse a breakdown by `by` with more values in `window` than max_breakdown_values.

    `sources` are the (source, time column) pairs the KPIs read. Counting stops at the
    limit, so a column with millions of values costs no more than one with a few.
    """
    limit = store.definitions.limits.max_breakdown_values
    after = window.end + dt.timedelta(days=1)
    for source, time in dict.fromkeys(sources):
        column = quote(time)
        (count,) = store.cursor().execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {quote(by)} FROM {quote(source)} "
            f"WHERE {column} >= DATE '{window.start}' AND {column} < DATE '{after}' "
            f"LIMIT {limit + 1})"
        ).fetchone() or (0,)
        if count > limit:
            raise UsageError(
                _(
                    "{dimension} has more than {limit} values in {source} over {window}: a "
                    "breakdown shows at most {limit} (limits: max_breakdown_values in kpis.yaml); "
                    "choose another dimension or a shorter range"
                ).format(dimension=by, limit=number(limit, 0), source=source, window=window)
            )
