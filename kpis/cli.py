"""The `kpis` command: validate, ingest, compute, compare, demo, uploads and undo.

Made for a terminal and for cron: results go to stdout (as a table, JSON or CSV), problems
to stderr as `Error: ...`, and the exit status says what happened: 0 done, 1 refused (invalid
kpis.yaml, a file refused, a database problem), 2 a command line that cannot be run.
A traceback is never shown (set KPIS_DEBUG=1 to see one when reporting a bug).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import duckdb

from kpis.cli_parser import build_parser
from kpis.database_file import check
from kpis.database_open import damage
from kpis.definitions import Definitions, load_definitions
from kpis.errors import DefinitionError, KpisError, UsageError
from kpis.periods import parse_date, parse_range
from kpis.sharing import reading, writing
from kpis.store import Store

# Commands import what they use when they run: loading files needs neither pandas'
# rendering nor the statistics, and a cron job starts the command every time.

SHOWN_REJECTS = 10
READ_COMMANDS = ("compute", "compare", "uploads")  # the others write: ingest, undo, demo


def _validate(args: argparse.Namespace) -> int:
    try:
        definitions = load_definitions(args.config)
    except DefinitionError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    counts = (len(definitions.sources), len(definitions.kpis), len(definitions.events))
    words = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in zip(counts, ("source", "KPI", "event"), strict=True)
    ]
    print(f"{args.config}: valid ({', '.join(words)})")
    return 0


def _ingest(store: Store, args: argparse.Namespace) -> int:
    from kpis.access import LOCAL  # the command line is trusted local use (README)
    from kpis.ingest import ingest_file

    status = 0
    through = parse_date(args.through, "--through") if args.through else None
    for name in args.files:
        try:
            result = ingest_file(
                store, Path(name), source=args.source, shown_name=name, mapping=args.mapping,
                through=through, actor=LOCAL,
            )  # fmt: skip
        except UsageError:
            raise
        except KpisError as exc:
            lines = str(exc).splitlines()
            print(f"Error: {lines[0]}", *lines[1:], sep="\n", file=sys.stderr)
            status = 1
            continue
        print(result.summary())
        for note in result.notes:
            print(f"  note: {note}")
        for problem in result.problems[:SHOWN_REJECTS]:
            print(f"  rejected {problem}")
        if result.rows_rejected > SHOWN_REJECTS:
            print(f"  ... all {result.rows_rejected}: kpis uploads --rejected {result.batch_id}")
    return status


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
        print(f"note: {frame.attrs['note']}", file=sys.stderr)
    if args.format == "json":
        print(render.as_json(frame))
    elif args.format == "csv":
        sys.stdout.write(render.as_csv(frame))
    else:
        print(render.compute_table(store.definitions, frame))
    return 0


def _compare(store: Store, args: argparse.Namespace) -> int:
    from kpis import render
    from kpis.compare import compare, windows_around_event

    if args.event and (args.before or args.after):
        raise UsageError("give either --event, or --before and --after, not both")
    scope = None
    if args.event:
        windows = windows_around_event(
            store, args.event, args.weeks, args.kpi, args.washout, args.last_year
        )
        before, after = windows.before, windows.after
        scope = windows.event.scope_pair if windows.event else None
    elif args.before and args.after:
        if args.weeks is not None or args.washout or args.last_year:
            raise UsageError("--weeks, --washout and --last-year go with --event")
        before, after = parse_range(args.before, "--before"), parse_range(args.after, "--after")
    else:
        raise UsageError(
            "say what to compare: --event NAME, or --before START:END --after START:END"
        )
    frame = compare(store, before, after, args.kpi, args.by, scope, strict=args.strict)
    if args.format == "json":
        print(render.as_json(frame))
    else:
        where = f" in {scope[0]} {scope[1]}" if scope else ""
        print(f"before {before} ({before.days} days)  after {after} ({after.days} days){where}\n")
        if not args.by:  # the dashboard's headline: the answer first, fading changes named
            import textwrap

            from kpis.summary import headline

            print(textwrap.fill(headline(store.definitions, frame), width=100) + "\n")
        print(render.compare_table(store.definitions, frame))
        for note in dict.fromkeys(n for n in frame["note"] if isinstance(n, str)):
            print(f"note: {note}")
    return 0


def _uploads(store: Store, args: argparse.Namespace) -> int:
    from kpis import render
    from kpis.ingest import rejected_rows, uploads

    frame = rejected_rows(store, args.rejected) if args.rejected is not None else uploads(store)
    if args.format == "json":
        print(render.as_json(frame))
    elif frame.empty:
        print("No rejected rows." if args.rejected is not None else "No uploads yet.")
    else:
        shown = frame.drop(columns=["sha256"], errors="ignore")
        rows = [[_cell(v) for v in r.values()] for r in shown.to_dict("records")]
        print(render.text_table(list(shown.columns), rows))
    return 0


def _cell(value: object) -> str:
    """A history cell for people: lists as words, times to the minute, nothing as blank."""
    import pandas as pd

    if hasattr(value, "tolist"):  # a numpy array (a list column) or a numpy scalar
        value = value.tolist()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _demo(definitions: Definitions, args: argparse.Namespace) -> int:
    from kpis.demo import build_demo  # only this command needs the generator

    results = build_demo(Path(args.db), definitions, Path(args.sample_dir), force=args.force)
    loaded = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    print(
        f"Built {args.db} from {len(results)} sample exports in {args.sample_dir}: "
        f"{loaded} rows loaded, {rejected} messy rows rejected (see kpis uploads)."
    )
    print("Try: kpis compare --event ops-playbook")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args)
    definitions = load_definitions(args.config)
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
        from kpis.access import LOCAL
        from kpis.ingest import undo_upload

        print(undo_upload(store, args.batch, actor=LOCAL))
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a command and turn any error into one `Error:` line."""
    try:
        return run(argv)
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KpisError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        print(f"Error: {lines[0]}", *lines[1:], sep="\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Error: interrupted; nothing half-done was kept", file=sys.stderr)
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
            f"Error: unexpected {type(exc).__name__}: {exc} (set KPIS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
