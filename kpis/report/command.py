"""`kpis report`: build the report of a week and write it in the formats asked for.

Only the JSON form exists so far; asking for another is refused in one sentence before
anything is computed, rather than writing a file that is not what was asked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kpis.errors import KpisError, UsageError
from kpis.i18n import _
from kpis.report.content import build_report
from kpis.report.json_out import write_json
from kpis.report.options import AVAILABLE
from kpis.store import Store

FOLDER = Path("reports")


def chosen_formats(asked: list[str] | None) -> list[str]:
    """The formats asked for, once each (default: json); a UsageError for one not written yet."""
    formats = list(dict.fromkeys(asked or ["json"]))
    for name in formats:
        if name not in AVAILABLE:
            raise UsageError(
                _("the {format} report is not available yet; only --format json is for now").format(
                    format=name
                )
            )
    return formats


def output_path(output: str | None, week: str, suffix: str) -> Path:
    """Where to write: --output (a file, or an existing folder), else reports/<week>.<suffix>."""
    if output is None:
        return FOLDER / f"{week}.{suffix}"
    path = Path(output)
    return path / f"{week}.{suffix}" if path.is_dir() else path


def run_report(store: Store, args: argparse.Namespace) -> int:
    chosen_formats(args.format)
    report = build_report(store, args.week)
    path = output_path(args.output, report.week, "json")
    try:
        write_json(report, store.definitions, path)
    except OSError as exc:
        raise KpisError(
            _("cannot write the report to {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None
    print(report.headline.sentence)
    print(_("Wrote the report of {week} to {path}").format(week=report.week, path=path))
    return 0
