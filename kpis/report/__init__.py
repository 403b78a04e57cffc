"""The weekly report: its content for one ISO week (build_report) and its forms (JSON, ...).

    with reading("data/ops.duckdb", definitions) as store:
        report = build_report(store)            # the latest week complete for every KPI
        text = report_json(report, definitions)  # the same bytes in every language

Names are imported on first use, as in the kpis package: the command line's parser reads
kpis.report.options at every start and must not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpis.report.content import build_report, report_week, target_met
    from kpis.report.drivers import top_drivers
    from kpis.report.headline import say_headline
    from kpis.report.json_out import report_json, report_record, write_json
    from kpis.report.model import (
        Attention,
        Driver,
        EventReview,
        Headline,
        KpiWeek,
        Report,
        SourceFreshness,
        Variation,
        Verdict,
        WeekValue,
    )

_MODEL = ("Attention", "Driver", "EventReview", "Headline", "KpiWeek", "Report",
          "SourceFreshness", "Variation", "Verdict", "WeekValue")  # fmt: skip
_LOCATIONS = {
    **{name: "kpis.report.model" for name in _MODEL},
    "build_report": "kpis.report.content",
    "report_week": "kpis.report.content",
    "target_met": "kpis.report.content",
    "top_drivers": "kpis.report.drivers",
    "say_headline": "kpis.report.headline",
    "report_json": "kpis.report.json_out",
    "report_record": "kpis.report.json_out",
    "write_json": "kpis.report.json_out",
}


def __getattr__(name: str) -> Any:
    if name not in _LOCATIONS:
        raise AttributeError(f"module 'kpis.report' has no attribute {name!r}")  # i18n: ok
    return getattr(importlib.import_module(_LOCATIONS[name]), name)


__all__ = [
    "Attention",
    "Driver",
    "EventReview",
    "Headline",
    "KpiWeek",
    "Report",
    "SourceFreshness",
    "Variation",
    "Verdict",
    "WeekValue",
    "build_report",
    "report_json",
    "report_record",
    "report_week",
    "say_headline",
    "target_met",
    "top_drivers",
    "write_json",
]
