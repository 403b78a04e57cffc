"""The weekly report as JSON: its content for automation, the same bytes in every language.

Keys are stable (more may come, none goes or changes meaning); numbers are raw (fractions
for rates, the KPI's unit otherwise); dates are ISO; reasons and verdicts are the engine's
English codes. The only sentence, the headline's, is said in English whatever --lang is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from kpis.definitions import Definitions
from kpis.i18n import use_language
from kpis.periods import DateRange
from kpis.report.headline import say_headline
from kpis.report.model import Report


def _plain(value: Any) -> Any:
    """Dataclasses, tuples, dates and ranges as JSON values (NaN as null)."""
    if isinstance(value, DateRange):
        return {"start": value.start.isoformat(), "end": value.end.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report_record(report: Report, definitions: Definitions) -> dict[str, Any]:
    """The report as plain JSON values, keys in a fixed order.

    Top level: week, start, end, kpis, headline, attention, events, freshness.
    """
    record: dict[str, Any] = _plain(report)
    with use_language("en"):
        record["headline"]["sentence"] = say_headline(definitions, report.headline)
    for event in record["events"]:
        event["scope"] = (
            None if event["scope"] is None else {"dimension": event["scope"][0],
                                                 "value": event["scope"][1]}
        )  # fmt: skip
    return record


def report_json(report: Report, definitions: Definitions) -> str:
    """The report's JSON text (UTF-8, indented, ending with a newline)."""
    text = json.dumps(report_record(report, definitions), indent=2, ensure_ascii=False)
    return text + "\n"


def write_json(report: Report, definitions: Definitions, path: Path) -> Path:
    """Write the report's JSON to `path`, creating its folders; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_json(report, definitions), encoding="utf-8")
    return path
