"""The `kpis report` command's options, kept light: the parser reads them at every start.

Apart from kpis/cli_parser.py so that the report's words live in the report's catalog.
"""

from __future__ import annotations

import argparse

from kpis.i18n import _

FORMATS = ("html", "pdf", "xlsx", "json")
AVAILABLE = ("json",)  # the formats written so far; the others are refused in one sentence


def report_help() -> str:
    return _("the weekly report of an ISO week, written to a file")


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """--week, --format (repeatable) and --output."""
    parser.add_argument(
        "--week",
        metavar="YYYY-Www",
        help=_("the ISO week, e.g. 2026-W46 (default: the latest week complete for every KPI)"),
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help=_(
            "the report's format (repeatable; default: json); only json is available yet, "
            "html, pdf and xlsx are not"
        ),
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        help=_("the file to write (default: reports/<week>.json); its folders are created"),
    )
