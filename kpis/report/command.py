"""`kpis report`: build a week's report, write it in the formats asked for, and e-mail it.

The report is built once, under a read of the database that ends before anything is sent:
the sent log is written under a short write lock of its own (kpis.report.delivery), which a
process still reading the file could never get. Settings and recipients are checked before
the report is built, so a wrong setting costs nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kpis import database_file
from kpis.definitions import Definitions
from kpis.errors import KpisError, UsageError
from kpis.i18n import _, language
from kpis.report.content import build_report
from kpis.report.dashboard_link import dashboard_url
from kpis.report.delivery import Content, deliver
from kpis.report.json_out import report_json
from kpis.report.model import Report
from kpis.report.options import DEFAULT_FORMAT
from kpis.report.recipients import Recipient, recipients
from kpis.report.smtp_settings import smtp_settings
from kpis.sharing import reading

FOLDER = Path("reports")
PDF_MIME = "application/pdf"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen_formats(args: argparse.Namespace) -> list[str]:
    """The formats to write, once each: --format, else html; none when only sending."""
    if args.format is None and args.send and args.output is None:
        return []
    return list(dict.fromkeys(args.format or [DEFAULT_FORMAT]))


def output_paths(output: str | None, week: str, formats: list[str]) -> dict[str, Path]:
    """Where each format goes: reports/<week>.<format>, or --output (a file, or a folder)."""
    if output is None:
        return {name: FOLDER / f"{week}.{name}" for name in formats}
    path = Path(output)
    if len(formats) == 1 and not path.is_dir() and not output.endswith(("/", "\\")):
        return {formats[0]: path}
    if path.exists() and not path.is_dir():
        raise UsageError(
            _("--output {path} is a file; give a folder to write several formats").format(path=path)
        )
    return {name: path / f"{week}.{name}" for name in formats}


def render(name: str, report: Report, definitions: Definitions, url: str | None) -> bytes:
    """The report in one format, in the language in force (JSON: the same in every one)."""
    if name == "json":
        return report_json(report, definitions).encode("utf-8")
    if name == "html":
        from kpis.report.html import render_html

        return render_html(report, definitions, dashboard_url=url).html.encode("utf-8")
    if name == "pdf":
        from kpis.report.pdf import render_pdf

        return render_pdf(report, definitions, dashboard_url=url)
    from kpis.report.xlsx import render_xlsx

    return render_xlsx(report, definitions)


def attachment_name(week: str, suffix: str) -> str:
    """An attached file's name in the reader's language: weekly-review-2026-W46.pdf."""
    return _("weekly-review-{week}").format(week=week) + "." + suffix


def composer(
    report: Report, definitions: Definitions, url: str | None
) -> Callable[[Recipient], Content]:
    """What each recipient's copy says; made once per language, however many read it."""
    made: dict[str, Content] = {}

    def compose(recipient: Recipient) -> Content:
        lang = language()  # deliver() sets the recipient's language around this call
        if lang not in made:
            from kpis.report.html import render_html

            mail = render_html(report, definitions, dashboard_url=url, for_email=True)
            attachments = [
                (attachment_name(report.week, "pdf"), PDF_MIME,
                 render("pdf", report, definitions, url)),
                (attachment_name(report.week, "xlsx"), XLSX_MIME,
                 render("xlsx", report, definitions, url)),
            ]  # fmt: skip
            made[lang] = Content(mail.subject, mail.html, mail.text, mail.images, attachments)
        return made[lang]

    return compose


def _check_options(args: argparse.Namespace) -> None:
    if args.send:
        return
    for given, option in ((args.to, "--to"), (args.dry_run, "--dry-run"), (args.force, "--force")):
        if given:
            raise UsageError(_("{option} goes with --send").format(option=option))


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise KpisError(
            _("cannot write the report to {path}: {reason}").format(
                path=path, reason=exc.strerror or exc
            )
        ) from None


def run_report(
    db: str | Path, definitions: Definitions, args: argparse.Namespace, lake: str | None = None
) -> int:
    """Write the files asked for, then send; the exit status (1: a recipient not reached).

    With `lake`, Spark computes the report from it; the sent log stays in the database.
    """
    _check_options(args)
    formats = chosen_formats(args)
    url = dashboard_url(definitions)
    settings = smtp_settings() if args.send else None
    people = recipients(args.to or [], language(), definitions) if args.send else []
    if args.send and not args.dry_run:
        database_file.check(db, read_only=False)  # the sent log is written after each send
    if lake is not None:
        from kpis.spark_engine import LakeStore

        report = build_report(LakeStore(lake, definitions), args.week)
    else:
        with reading(db, definitions) as store:
            report = build_report(store, args.week)
    # The read is over: deliver() takes the file for writing to log each message sent.
    paths = output_paths(args.output, report.week, formats)
    print(report.headline.sentence)
    for name, path in paths.items():
        _write(path, render(name, report, definitions, url))
        print(_("Wrote the report of {week} to {path}").format(week=report.week, path=path))
    if settings is None:
        return 0
    delivery = deliver(
        db,
        definitions,
        report.week,
        people,
        composer(report, definitions, url),
        settings,
        force=args.force,
        dry_run=args.dry_run,
    )
    said = delivery.lines()
    failures = len(delivery.failed)
    for line in said[: len(said) - failures]:
        print(line)
    for line in said[len(said) - failures :]:
        print(_("Error: {message}").format(message=line), file=sys.stderr)
    return delivery.exit_code
