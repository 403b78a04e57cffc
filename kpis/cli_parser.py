"""The `kpis` command line: its commands and options, and usage errors in one line.

Kept apart from what the commands do (cli.py) so that the help a user reads, which the
README's CLI reference reproduces, is in one place.
"""

from __future__ import annotations

import argparse
import os

from kpis.periods import GRAINS

DEFAULT_DB = "data/ops.duckdb"
DEFAULT_CONFIG = "kpis.yaml"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Usage errors in the same one-line shape as every other error."""
        self.exit(2, f"Error: {message} (see {self.prog} --help)\n")


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--db and --config, accepted before or after the command (given after, they win)."""
    db: object = os.environ.get("KPIS_DB", DEFAULT_DB) if defaults else argparse.SUPPRESS
    config: object = (
        os.environ.get("KPIS_CONFIG", DEFAULT_CONFIG) if defaults else argparse.SUPPRESS
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=db,
        help=f"DuckDB file (env KPIS_DB; default {DEFAULT_DB})",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=config,
        help=f"KPI definitions (env KPIS_CONFIG; default {DEFAULT_CONFIG})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kpis", description="Operations KPIs from weekly exports, computed by DuckDB."
    )
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, defaults=False)
        return sub

    command("validate", "check kpis.yaml and list every problem with its line")
    ingest = command("ingest", "load export files (each file is one all-or-nothing upload)")
    ingest.add_argument(
        "--source", help="the source of the files (default: recognised from the header)"
    )
    ingest.add_argument(
        "--mapping",
        metavar="NAME",
        help="a mapping profile for a tool's own headers and values (kpis.yaml or saved on upload)",
    )
    ingest.add_argument(
        "--through",
        metavar="YYYY-MM-DD",
        help="the last day the exports cover, when it has no rows of its own (default: the "
        "latest time in them)",
    )
    ingest.add_argument("files", nargs="+", metavar="FILE", help="CSV, CSV.GZ or XLSX exports")

    comp = command("compute", "KPI values per period")
    comp.add_argument(
        "--grain", choices=GRAINS, default="week", help="period length (default: week)"
    )
    comp.add_argument("--start", help="first day, YYYY-MM-DD (default: first day with data)")
    comp.add_argument("--end", help="last day, YYYY-MM-DD (default: last day with data)")
    comp.add_argument("--kpi", action="append", help="a KPI to compute (repeatable; default: all)")
    comp.add_argument("--by", metavar="DIMENSION", help="break down by a dimension, e.g. channel")
    comp.add_argument("--format", choices=["table", "json", "csv"], default="table")

    cmp_ = command("compare", "each KPI before and after a change")
    cmp_.add_argument("--before", metavar="START:END", help="the range before, inclusive")
    cmp_.add_argument("--after", metavar="START:END", help="the range after, inclusive")
    cmp_.add_argument("--event", help="compare whole ISO weeks on each side of this event")
    cmp_.add_argument(
        "--weeks", type=int, help="weeks on each side of --event (default: all the data covers)"
    )
    cmp_.add_argument(
        "--washout",
        type=int,
        default=0,
        metavar="DAYS",
        help="with --event: leave out the settling-in days after it (default: 0)",
    )
    cmp_.add_argument(
        "--last-year",
        action="store_true",
        help="with --event: compare the weeks after it with the same weeks a year earlier",
    )
    cmp_.add_argument("--kpi", action="append", help="a KPI to compare (repeatable; default: all)")
    cmp_.add_argument("--by", metavar="DIMENSION", help="compare per value of a dimension")
    cmp_.add_argument(
        "--strict",
        action="store_true",
        help="refuse windows reaching past a source's data (default: compare those KPIs over "
        "the covered days, and say so)",
    )
    cmp_.add_argument("--format", choices=["table", "json"], default="table")

    demo = command("demo", "(re)build the database from freshly generated sample exports")
    demo.add_argument(
        "--sample-dir",
        default="data/sample",
        help="where to write the exports (default: data/sample)",
    )
    demo.add_argument(
        "--force", action="store_true", help="replace a database that holds other uploads"
    )

    ups = command("uploads", "list uploads, or the rejected rows of one")
    ups.add_argument(
        "--rejected", type=int, metavar="BATCH", help="show the rejected rows of this batch"
    )
    ups.add_argument("--format", choices=["table", "json"], default="table")

    undo = command("undo", "remove the latest upload of a source and restore the rows it replaced")
    undo.add_argument("batch", type=int, metavar="BATCH")
    return parser
