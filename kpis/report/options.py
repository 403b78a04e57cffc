"""The `kpis report` command's options, kept light: the parser reads them at every start.

Apart from kpis/cli_parser.py so that the report's words live in the report's catalog.
"""

from __future__ import annotations

import argparse

from kpis.i18n import _

FORMATS = ("html", "pdf", "xlsx", "json")
DEFAULT_FORMAT = "html"


def report_help() -> str:
    return _("the weekly report of an ISO week, written to files or e-mailed")


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """--week, --format (repeatable), --output; --send with --to, --dry-run and --force."""
    parser.add_argument(
        "--week",
        metavar="YYYY-Www",
        help=_("the ISO week, e.g. 2026-W46 (default: the latest week complete for every KPI)"),
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help=_("the report's format (repeatable; default: html)"),
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        help=_(
            "the file to write, or a folder for several formats (default: "
            "reports/<week>.<format>); missing folders are created"
        ),
    )
    parser.add_argument(
        "--send",
        action="store_true",
        help=_(
            "e-mail the report (SMTP server from KPIS_SMTP_*, recipients from --to or "
            "kpis.yaml's reports:); files are then written only with --format or --output"
        ),
    )
    parser.add_argument(
        "--to",
        action="append",
        metavar="ADDRESS",
        help=_("with --send: a recipient, instead of kpis.yaml's (repeatable)"),
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help=_("with --send: say what would be sent to whom, and send nothing"),
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=_("with --send: send again to recipients who already received this week's report"),
    )
