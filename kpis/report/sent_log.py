"""The sent log: which week's report went to which address, when, in which language.

A cron job that runs twice (a retry, a clock change) must send once: a send is refused for
a week and address already in the log, unless forced. A row is written only after the SMTP
server accepted that message, so a failed send leaves nothing and can simply be run again.
The table is created on the first send, through the Store's own connection, so databases
that never send a report are left exactly as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from kpis.store import Store

SENT_LOG = "_kpis_report_sent"
_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {SENT_LOG} (week VARCHAR NOT NULL, email VARCHAR NOT NULL, "
    "language VARCHAR NOT NULL, sent_at TIMESTAMP NOT NULL, message_id VARCHAR NOT NULL)"
)


@dataclass(frozen=True)
class Sent:
    """One message the server accepted: the week's report, to whom, when, its Message-ID."""

    week: str
    email: str
    language: str
    sent_at: dt.datetime
    message_id: str


def _exists(cur: duckdb.DuckDBPyConnection) -> bool:
    row = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'",
        [SENT_LOG],
    ).fetchone()
    return bool(row and row[0])


def already_sent(store: Store, week: str, emails: Iterable[str]) -> dict[str, Sent]:
    """The latest send of `week` to each of `emails` that has one, by lower-cased address."""
    wanted = sorted({e.lower() for e in emails})
    cur = store.cursor()
    if not wanted or not _exists(cur):
        return {}
    rows = cur.execute(
        f"SELECT week, email, language, sent_at, message_id FROM {SENT_LOG} "
        "WHERE week = ? AND email IN (SELECT unnest(?)) ORDER BY sent_at, rowid",
        [week, wanted],
    ).fetchall()
    return {row[1]: Sent(*row) for row in rows}  # later rows win: the latest send


def history(store: Store, week: str | None = None) -> list[Sent]:
    """Every send recorded (of `week` only, if given), oldest first."""
    cur = store.cursor()
    if not _exists(cur):
        return []
    where, params = ("WHERE week = ? ", [week]) if week else ("", [])
    rows = cur.execute(
        f"SELECT week, email, language, sent_at, message_id FROM {SENT_LOG} {where}"
        "ORDER BY sent_at, rowid",
        params,
    ).fetchall()
    return [Sent(*row) for row in rows]


def record(store: Store, sent: Sent) -> None:
    """Write one accepted message to the log (the address lower-cased), in one transaction."""
    with store.transaction() as cur:
        cur.execute(_CREATE)
        cur.execute(
            f"INSERT INTO {SENT_LOG} VALUES (?, ?, ?, ?, ?)",
            [sent.week, sent.email.lower(), sent.language, sent.sent_at, sent.message_id],
        )
