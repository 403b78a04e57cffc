"""The `kpis` command: validate, ingest, compute, compare, report, demo, uploads and undo.

Made for a terminal and for cron: results go to stdout (as a table, JSON or CSV), problems
to stderr as `Error: ...`, and the exit status says what happened: 0 done, 1 refused (invalid
kpis.yaml, a file refused, a database problem), 2 a command line that cannot be run.
A traceback is never shown (set KPIS_DEBUG=1 to see one when reporting a bug).

Tables, CSV and messages are in the reader's language: --lang, else KPIS_LANG, LC_ALL or LANG,
else kpis.yaml's calendar.locale, else English. JSON is the same in every language.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from kpis.cli_parser import build_parser, given_language, parsing
from kpis.database_file import check
from kpis.database_open import damage
from kpis.definitions import Definitions, load_definitions
from kpis.dialects import ENGINES
from kpis.errors import DefinitionError, KpisError, UsageError
from kpis.formatting import number
from kpis.i18n import _, choose, ngettext, set_language
from kpis.notes_text import say_note
from kpis.periods import parse_date, parse_range
from kpis.sharing import reading, writing
from kpis.store import Store

if TYPE_CHECKING:
    import pandas as pd

# Commands import what they use when they run: loading files needs neither pandas'
# rendering nor the statistics, and a cron job starts the command every time.

SHOWN_REJECTS = 10
READ_COMMANDS = (
    "compute",
    "compare",
    "uploads",
    "export",
)  # the others write (ingest, ...); report
# opens the file itself: it reads, then (with --send) writes its sent log after the read


def _validate(args: argparse.Namespace) -> int:
    try:
        definitions = load_definitions(args.config, engine=args.engine)
    except DefinitionError as exc:
        _error(str(exc))
        return 1
    _refine_language(args, definitions)
    sources, kpis, events = (
        len(definitions.sources),
        len(definitions.kpis),
        len(definitions.events),
    )
    words = [
        ngettext("{count} source", "{count} sources", sources).format(count=number(sources, 0)),
        ngettext("{count} KPI", "{count} KPIs", kpis).format(count=number(kpis, 0)),
        ngettext("{count} event", "{count} events", events).format(count=number(events, 0)),
    ]
    print(_("{file}: valid ({counts})").format(file=args.config, counts=", ".join(words)))
    return 0


def _error(text: str) -> None:
    """A refusal on stderr: `Error: ` and its first line, then any further lines as they are."""
    lines = text.splitlines() or [text]
    print(_("Error: {message}").format(message=lines[0]), *lines[1:], sep="\n", file=sys.stderr)


def _ingest(store: Store, args: argparse.Namespace) -> int:
    from kpis.access import LOCAL  # the command line is trusted local use (README)
    from kpis.ingest import ingest_file

    status = 0
    through = parse_date(args.through, "--through") if args.through else None
    values = _set_values(args.set)
    for name in args.files:
        try:
            result = ingest_file(
                store, Path(name), source=args.source, shown_name=name, mapping=args.mapping,
                through=through, actor=LOCAL, values=values,
            )  # fmt: skip
        except UsageError:
            raise
        except KpisError as exc:
            _error(str(exc))
            status = 1
            continue
        print(result.summary())
        for note in result.notes:
            print("  " + _("note: {note}").format(note=note))
        for warning in result.warnings:
            print("  " + _("warning: {warning}").format(warning=warning))
        for problem in result.problems[:SHOWN_REJECTS]:
            print("  " + _("rejected {problem}").format(problem=problem))
        if result.rows_rejected > SHOWN_REJECTS:
            print(
                "  "
                + _("... all {count}: kpis uploads --rejected {batch}").format(
                    count=number(result.rows_rejected, 0), batch=result.batch_id
                )
            )
    return status


def _set_values(given: list[str]) -> dict[str, str]:
    """`--set column=value` options as a dict; a malformed one is refused before any file."""
    values: dict[str, str] = {}
    for item in given:
        column, sign, value = item.partition("=")
        if not sign or not column.strip() or not value.strip():
            raise UsageError(
                _(
                    "--set {item}: write it as column=value, e.g. --set snapshot_date=2026-01-05"
                ).format(item=repr(item))
            )
        if column.strip() in values:
            raise UsageError(_("--set gives {column} twice").format(column=column.strip()))
        values[column.strip()] = value.strip()
    return values


def _write_csv(frame: pd.DataFrame) -> None:
    """CSV as bytes (UTF-8 whatever the terminal's encoding; French starts with a BOM)."""
    from kpis.downloads import csv_download

    content, _suffix, _mime = csv_download(frame)
    sys.stdout.flush()
    sys.stdout.buffer.write(content)
    sys.stdout.buffer.flush()


def _compute(store: Store, args: argparse.Namespace) -> int:
    from kpis import render
    from kpis.compute import compute

    frame = compute(
        store,
        args.kpi,
        args.grain,
        parse_date(args.start, "--start") if args.start else None,
        parse_date(args.end, "--end") if args.end else None,
        args.by,
    )
    if "note" in frame.attrs:
        print(_("note: {note}").format(note=say_note(frame.attrs["note"])), file=sys.stderr)
    if args.format == "json":
        print(render.as_json(frame))
    elif args.format == "csv":
        _write_csv(frame)
    else:
        print(render.compute_table(store.definitions, frame))
    return 0


def _compare(store: Store, args: argparse.Namespace) -> int:
    from kpis import render
    from kpis.compare import compare, windows_around_event

    if args.event and (args.before or args.after):
        raise UsageError(_("give either --event, or --before and --after, not both"))
    scope, control = None, None
    if args.event:
        windows = windows_around_event(
            store, args.event, args.weeks, args.kpi, args.washout, args.last_year
        )
        before, after = windows.before, windows.after
        scope = windows.event.scope_pair if windows.event else None
        control = windows.event.control if windows.event else None
    elif args.before and args.after:
        if args.weeks is not None or args.washout or args.last_year:
            raise UsageError(_("--weeks, --washout and --last-year go with --event"))
        before, after = parse_range(args.before, "--before"), parse_range(args.after, "--after")
    else:
        raise UsageError(
            _("say what to compare: --event NAME, or --before START:END --after START:END")
        )
    frame = compare(
        store, before, after, args.kpi, args.by, scope, strict=args.strict, control=control
    )
    if args.format == "json":
        print(render.as_json(frame))
    elif args.format == "csv":
        _write_csv(frame)
    else:
        print(render.compare_header(before, after, scope) + "\n")
        if not args.by:  # the dashboard's headline: the answer first, fading changes named
            import textwrap

            from kpis.summary import headline

            print(textwrap.fill(headline(store.definitions, frame), width=100) + "\n")
        print(render.compare_table(store.definitions, frame))
        if scope is not None and "did_effect" in frame:
            print("\n" + render.did_lines(store.definitions, frame, scope[1]))
        for note in dict.fromkeys(n for n in frame["note"] if isinstance(n, str)):
            print(_("note: {note}").format(note=say_note(note)))
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    from kpis.lake import export_lake

    for done in export_lake(store, args.lake):
        print(
            ngettext(
                "{source}: {rows} row in {months} month -> {path}",
                "{source}: {rows} rows in {months} months -> {path}",
                done.rows,
            ).format(
                source=done.source,
                rows=number(done.rows, 0),
                months=number(done.months, 0),
                path=done.path,
            )
        )
    return 0


def _uploads(store: Store, args: argparse.Namespace) -> int:
    from kpis import render
    from kpis.ingest import rejected_rows, uploads

    frame = rejected_rows(store, args.rejected) if args.rejected is not None else uploads(store)
    if args.format == "json":
        print(render.as_json(frame))
    elif frame.empty:
        print(_("No rejected rows.") if args.rejected is not None else _("No uploads yet."))
    else:
        print(render.uploads_table(frame))
    return 0


def _demo(definitions: Definitions, args: argparse.Namespace) -> int:
    from kpis.demo import build_demo  # only this command needs the generator

    results = build_demo(Path(args.db), definitions, Path(args.sample_dir), force=args.force)
    loaded = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    print(
        _(
            "Built {db} from {files} sample exports in {folder}: {loaded} rows loaded, "
            "{rejected} messy rows rejected (see kpis uploads)."
        ).format(
            db=args.db,
            files=number(len(results), 0),
            folder=args.sample_dir,
            loaded=number(loaded, 0),
            rejected=number(rejected, 0),
        )
    )
    print(_("Try: kpis compare --event ops-playbook"))
    return 0


def _refine_language(args: argparse.Namespace, definitions: Definitions) -> None:
    """kpis.yaml's default language, when neither --lang nor the environment gave one."""
    if not args.language_given:
        set_language(choose(definitions.calendar.locale))


def run(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Set before the parser is built: its help and usage errors are in this language too.
    given = given_language(argv, os.environ)
    set_language(given)
    with parsing():
        args = build_parser().parse_args(argv)
    if args.lang:  # --lang given after the command wins, as --db and --config do
        set_language(args.lang)
    args.language_given = bool(args.lang or given)
    if args.engine not in ENGINES:  # from KPIS_ENGINE, which argparse does not check
        raise UsageError(
            _("unknown engine {engine} (KPIS_ENGINE); use one of {engines}").format(
                engine=repr(args.engine), engines=", ".join(ENGINES)
            )
        )
    if args.command == "validate":
        return _validate(args)
    definitions = load_definitions(args.config, engine=args.engine)
    _refine_language(args, definitions)
    try:
        if args.command == "demo":
            # Checked here too, so the refusal names the path as typed (build_demo gets a Path).
            check(args.db, read_only=False, replace=True)
            return _demo(definitions, args)
        return _with_store(definitions, args)
    except duckdb.Error as exc:
        # Damage in a part of the file that opening does not read shows only now.
        problem = damage(args.db, exc)
        if problem is None:
            raise
        raise problem from None


def _with_store(definitions: Definitions, args: argparse.Namespace) -> int:
    # Reading commands open the file read-only: they work on a file this user cannot write,
    # and several of them (and the dashboard) can read at once. Every command queues for the
    # file (kpis.sharing) instead of failing while another process uses it.
    if args.engine != "duckdb":
        return _on_lake(definitions, args)
    if args.command == "report":
        from kpis.report.command import run_report

        return run_report(args.db, definitions, args)
    opened = reading if args.command in READ_COMMANDS else writing
    with opened(args.db, definitions) as store:
        if args.command == "ingest":
            return _ingest(store, args)
        if args.command == "compute":
            return _compute(store, args)
        if args.command == "compare":
            return _compare(store, args)
        if args.command == "uploads":
            return _uploads(store, args)
        if args.command == "export":
            return _export(store, args)
        from kpis.access import LOCAL
        from kpis.ingest import undo_upload

        print(undo_upload(store, args.batch, actor=LOCAL))
        return 0


def _on_lake(definitions: Definitions, args: argparse.Namespace) -> int:
    """compute, compare and report on the lake, by Spark (the only engine that reads one)."""
    if args.command not in ("compute", "compare", "report"):
        raise UsageError(
            _("{command} works on the DuckDB database; --engine spark is for compute, "
              "compare and report").format(command=args.command)
        )  # fmt: skip
    if not args.lake:
        raise UsageError(_("--engine spark reads a lake: give --lake DIR (or KPIS_LAKE)"))
    if args.command == "report":
        from kpis.report.command import run_report

        return run_report(args.db, definitions, args, lake=args.lake)
    from kpis.spark_engine import LakeStore

    store = LakeStore(args.lake, definitions)
    return _compute(store, args) if args.command == "compute" else _compare(store, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a command and turn any error into one `Error:` line."""
    try:
        return run(argv)
    except UsageError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 2
    except KpisError as exc:
        _error(str(exc) or type(exc).__name__)
        return 1
    except KeyboardInterrupt:
        print(_("Error: interrupted; nothing half-done was kept"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`kpis compute | head`): what it wanted was printed. Python
        # would complain again when it flushes stdout at exit, so point stdout at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: still no traceback for the user
        if os.environ.get("KPIS_DEBUG"):
            traceback.print_exc()
        print(
            _("Error: unexpected {kind}: {error} (set KPIS_DEBUG=1 for details)").format(
                kind=type(exc).__name__, error=exc
            ),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
