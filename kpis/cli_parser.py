"""The `kpis` command line: its commands and options, and usage errors in one line.

Kept apart from what the commands do (cli.py) so that the help a user reads, which the
README's CLI reference reproduces, is in one place. The help is in the language in force
when the parser is built (cli.py sets it first from --lang and the environment), and so are
argparse's own words ("usage:", "options", its usage errors) while the command line is read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence

from kpis import i18n
from kpis.dialects import ENGINES
from kpis.i18n import LANGUAGES, N_, _, from_environment, supported
from kpis.periods import GRAINS
from kpis.report.options import add_report_options, report_help

DEFAULT_DB = "data/ops.duckdb"
DEFAULT_CONFIG = "kpis.yaml"


# argparse's own words that a user of this command line can meet, with their French in
# cli.po. argparse asks for them through its module's gettext `_` while parsing (see parsing).
ARGPARSE_TEXTS = frozenset(
    (
        N_("usage: "),
        N_("positional arguments"),
        N_("options"),
        N_("show this help message and exit"),
        N_("argument %(argument_name)s: %(message)s"),
        N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("the following arguments are required: %s"),
        N_("unrecognized arguments: %s"),
        N_("expected one argument"),
        N_("expected at least one argument"),
        N_("invalid %(type)s value: %(value)r"),
        N_("ambiguous option: %(option)s could match %(matches)s"),
        N_("ignored explicit argument %r"),
        N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    )
)


def _argparse_text(message: str) -> str:
    return i18n._(message) if message in ARGPARSE_TEXTS else message


@contextlib.contextmanager
def parsing() -> Iterator[None]:
    """argparse's own words in the language in force, for the time the command line is read.

    argparse looks its messages up through its module's `_` each time it needs one; it is
    pointed at the catalog for this block only, so nothing else in the process is changed.
    """
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = _argparse_text  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


def asked_language(argv: Sequence[str]) -> str | None:
    """The value of --lang in `argv` (`--lang fr` or `--lang=fr`), read before parsing.

    The help and argparse's messages must be in the language asked for, so it is known
    before the parser is built; a value that is no language is left for argparse to refuse.
    """
    for position, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and position + 1 < len(argv):
            return argv[position + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def given_language(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The language --lang, KPIS_LANG, LC_ALL or LANG asks for (in that order), if we speak it.

    None leaves the choice to kpis.yaml's calendar.locale, read later, then English. C, POSIX
    and languages we do not speak are skipped.
    """
    for candidate in [asked_language(argv), *from_environment(environ)]:
        lang = supported(candidate)
        if lang:
            return lang
    return None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Usage errors in the same one-line shape as every other error."""
        self.exit(
            2,
            _("Error: {message} (see {prog} --help)").format(message=message, prog=self.prog)
            + "\n",
        )


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--db, --config and --lang, accepted before or after the command (given after, they win)."""
    db: object = os.environ.get("KPIS_DB", DEFAULT_DB) if defaults else argparse.SUPPRESS
    config: object = (
        os.environ.get("KPIS_CONFIG", DEFAULT_CONFIG) if defaults else argparse.SUPPRESS
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=db,
        help=_("DuckDB file (env KPIS_DB; default {default})").format(default=DEFAULT_DB),
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=config,
        help=_("KPI definitions (env KPIS_CONFIG; default {default})").format(
            default=DEFAULT_CONFIG
        ),
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None if defaults else argparse.SUPPRESS,
        help=_(
            "language of tables, CSV and messages (default: env KPIS_LANG, LC_ALL or LANG, "
            "then kpis.yaml's calendar.locale, else en); JSON is never translated"
        ),
    )


def _engine_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--engine and --lake: which engine computes, and the lake Spark reads (README)."""
    engine: object = os.environ.get("KPIS_ENGINE", "duckdb") if defaults else argparse.SUPPRESS
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=engine,
        help=_(
            "duckdb computes on the database file; spark on a lake's Parquet datasets "
            "(env KPIS_ENGINE; default duckdb)"
        ),
    )
    parser.add_argument(
        "--lake",
        metavar="DIR",
        default=os.environ.get("KPIS_LAKE") if defaults else argparse.SUPPRESS,
        help=_("the lake Spark reads: a folder or a URL (env KPIS_LAKE)"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kpis", description=_("Operations KPIs from weekly exports, computed by DuckDB.")
    )
    _global_options(parser, defaults=True)
    _engine_options(parser, defaults=True)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        _global_options(sub, defaults=False)
        return sub

    _engine_options(
        command("validate", _("check kpis.yaml and list every problem with its line")),
        defaults=False,
    )
    ingest = command("ingest", _("load export files (each file is one all-or-nothing upload)"))
    ingest.add_argument(
        "--source", help=_("the source of the files (default: recognised from the header)")
    )
    ingest.add_argument(
        "--mapping",
        metavar="NAME",
        help=_(
            "a mapping profile for a tool's own headers and values (kpis.yaml or saved on upload)"
        ),
    )
    ingest.add_argument(
        "--through",
        metavar="YYYY-MM-DD",
        help=_(
            "the last day the exports cover, when it has no rows of its own (default: the "
            "latest time in them)"
        ),
    )
    ingest.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help=_(
            "a value for a column the files lack, the same for every row (e.g. "
            "--set snapshot_date=2026-01-05); repeat for several columns"
        ),
    )
    ingest.add_argument("files", nargs="+", metavar="FILE", help=_("CSV, CSV.GZ or XLSX exports"))

    comp = command("compute", _("KPI values per period"))
    _engine_options(comp, defaults=False)
    comp.add_argument(
        "--grain", choices=GRAINS, default="week", help=_("period length (default: week)")
    )
    comp.add_argument("--start", help=_("first day, YYYY-MM-DD (default: first day with data)"))
    comp.add_argument("--end", help=_("last day, YYYY-MM-DD (default: last day with data)"))
    comp.add_argument(
        "--kpi", action="append", help=_("a KPI to compute (repeatable; default: all)")
    )
    comp.add_argument(
        "--by", metavar="DIMENSION", help=_("break down by a dimension, e.g. channel")
    )
    comp.add_argument("--format", choices=["table", "json", "csv"], default="table")

    cmp_ = command("compare", _("each KPI before and after a change"))
    _engine_options(cmp_, defaults=False)
    cmp_.add_argument("--before", metavar="START:END", help=_("the range before, inclusive"))
    cmp_.add_argument("--after", metavar="START:END", help=_("the range after, inclusive"))
    cmp_.add_argument("--event", help=_("compare whole ISO weeks on each side of this event"))
    cmp_.add_argument(
        "--weeks",
        type=int,
        help=_("weeks on each side of --event (default: all the data covers)"),
    )
    cmp_.add_argument(
        "--washout",
        type=int,
        default=0,
        metavar="DAYS",
        help=_("with --event: leave out the settling-in days after it (default: 0)"),
    )
    cmp_.add_argument(
        "--last-year",
        action="store_true",
        help=_("with --event: compare the weeks after it with the same weeks a year earlier"),
    )
    cmp_.add_argument(
        "--kpi", action="append", help=_("a KPI to compare (repeatable; default: all)")
    )
    cmp_.add_argument("--by", metavar="DIMENSION", help=_("compare per value of a dimension"))
    cmp_.add_argument(
        "--strict",
        action="store_true",
        help=_(
            "refuse windows reaching past a source's data (default: compare those KPIs over "
            "the covered days, and say so)"
        ),
    )
    cmp_.add_argument("--format", choices=["table", "json", "csv"], default="table")

    demo = command("demo", _("(re)build the database from freshly generated sample exports"))
    demo.add_argument(
        "--sample-dir",
        default="data/sample",
        help=_("where to write the exports (default: data/sample)"),
    )
    demo.add_argument(
        "--force", action="store_true", help=_("replace a database that holds other uploads")
    )

    ups = command("uploads", _("list uploads, or the rejected rows of one"))
    ups.add_argument(
        "--rejected", type=int, metavar="BATCH", help=_("show the rejected rows of this batch")
    )
    ups.add_argument("--format", choices=["table", "json"], default="table")

    report = command("report", report_help())
    _engine_options(report, defaults=False)
    add_report_options(report)
    export = command(
        "export",
        _("write the sources as a lake: Parquet by source and month (README: Scaling out)"),
    )
    export.add_argument(
        "--lake", required=True, metavar="DIR",
        help=_("the lake's folder; each source's dataset in it is replaced as a whole"),
    )  # fmt: skip

    undo = command(
        "undo", _("remove the latest upload of a source and restore the rows it replaced")
    )
    undo.add_argument("batch", type=int, metavar="BATCH")
    return parser
