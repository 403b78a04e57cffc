"""Stage a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) as CSV, read in a child process.

A 1.6 KB workbook can claim a billion cells, and python-calamine allocates what it is told,
aborting its process when the memory is not there; on the dashboard that process would be
the server. So the reading runs in a child (workbook_child.py, started by path with this
interpreter): zip-based workbooks are pre-scanned there first (workbook_scan.py: unpacked
size, document types, the rectangle of cells, within kpis.yaml `limits:`), and the child's
memory, output size and time are capped, so the worst a file can do is end the child. Each
way it can end becomes one sentence naming the file, the limit and what to do.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import tempfile
import uuid
from array import array
from pathlib import Path
from typing import Any

from kpis.definitions import Limits
from kpis.errors import IngestError
from kpis.formatting import number
from kpis.i18n import _
from kpis.ingest.staged import Staged

CHILD = Path(__file__).with_name("workbook_child.py")
_CHUNK = 1 << 20


def stage_workbook(path: Path, staging: Path, shown: str, limits: Limits, zipped: bool) -> Staged:
    """The first sheet with data as UTF-8 CSV; IngestError (nothing staged) when refused."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    target = staging / f"{uuid.uuid4().hex}.csv"
    rows_path = target.with_suffix(".rows")
    request = {
        "path": str(path), "csv": str(target), "rows": str(rows_path), "zip": zipped,
        "memory": limits.workbook_memory_mb * 1_000_000,
        "max_unpacked": limits.max_unpacked_bytes, "max_rows": limits.max_rows,
        "max_columns": limits.max_columns, "max_cells": limits.max_cells,
    }  # fmt: skip
    try:
        answer = _run(request, shown, limits)
        if "refused" in answer:
            raise IngestError(_refusal(answer, shown, limits))
        rows = array("I")
        rows.frombytes(rows_path.read_bytes())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        rows_path.unlink(missing_ok=True)
    return Staged(target, digest.hexdigest(), "UTF-8", "xlsx", str(answer["sheet"]), rows[1:])


def _run(request: dict[str, Any], shown: str, limits: Limits) -> dict[str, Any]:
    """The child's answer; IngestError when it was killed, ran out of memory or of time."""
    out_of_memory = _(
        "{file} needs more memory than the workbook reader may use ({size} MB, limits: "
        "workbook_memory_mb in kpis.yaml): it may claim far more cells than it holds; save it "
        "again as CSV"
    ).format(file=shown, size=number(limits.workbook_memory_mb, 0))
    # The child's messages go to a file, not a pipe: however much it wrote, only the end
    # is read (a Rust abort prints a backtrace).
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                [sys.executable, "-I", str(CHILD), json.dumps(request)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                timeout=limits.workbook_seconds, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise IngestError(
                _(
                    "{file} takes longer to read than the workbook reader may take ({seconds} s, "
                    "limits: workbook_seconds in kpis.yaml); save it again as CSV"
                ).format(file=shown, seconds=number(limits.workbook_seconds, 0))
            ) from None
        errors.seek(max(0, errors.seek(0, 2) - 4000))
        tail = errors.read().decode("utf-8", errors="replace")
    if done.returncode == 0:
        try:
            answer: dict[str, Any] = json.loads(done.stdout)
        except ValueError:
            answer = {"refused": "crashed", "reason": "no answer"}
        if answer.get("refused") == "memory":
            raise IngestError(out_of_memory)
        return answer
    if "memory allocation" in tail or "MemoryError" in tail or done.returncode == -signal.SIGKILL:
        raise IngestError(out_of_memory)
    if done.returncode < 0:
        reason = f"signal {signal.Signals(-done.returncode).name}"
    else:
        reason = (tail.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return {"refused": "crashed", "reason": reason}


def _refusal(answer: dict[str, Any], shown: str, limits: Limits) -> str:
    """The child's refusal, said for the person holding the file."""
    kind = answer["refused"]
    if kind == "empty":
        return _("{file} is empty: the workbook has no sheet with data").format(file=shown)
    if kind == "extent":
        return _extent(answer, shown, limits)
    if kind == "strings":
        return _(
            "{file} declares {count} different texts, more than the {limit} cells allowed "
            "(limits: max_cells in kpis.yaml); save it again from Excel or as CSV"
        ).format(
            file=shown, count=number(int(answer["strings"]), 0), limit=number(limits.max_cells, 0)
        )
    if kind in ("unpacked", "written"):
        text = (
            _(
                "{file} unpacks to more than {size} MB (limits: max_unpacked_mb in kpis.yaml); "
                "save it again as CSV, or split it"
            )
            if kind == "unpacked"
            else _(
                "{file} holds more text than that: it unpacks to more than {size} MB (limits: "
                "max_unpacked_mb in kpis.yaml); save it again as CSV, or split it"
            )
        )
        return text.format(file=shown, size=number(limits.max_unpacked_mb, 0))
    if kind == "members":
        return _(
            "{file} is a zip of {count} parts, far more than any workbook has; it is damaged or "
            "not a workbook: save it again from Excel"
        ).format(file=shown, count=number(int(answer["members"]), 0))
    if kind == "doctype":
        return _(
            "{file} holds an XML document type declaration ({part}), which no spreadsheet "
            "program writes; save it again from Excel"
        ).format(file=shown, part=answer["part"])
    if kind == "crashed":
        return _(
            "{file} stopped the workbook reader ({reason}); it may be damaged: save it again "
            "from Excel, or as CSV"
        ).format(file=shown, reason=answer["reason"])
    if answer.get("reason"):
        return _(
            "{file} cannot be opened as a workbook ({reason}); save it again from Excel"
        ).format(file=shown, reason=answer["reason"])
    return _("{file} cannot be opened as a workbook; save it again from Excel").format(file=shown)


def _extent(answer: dict[str, Any], shown: str, limits: Limits) -> str:
    rows, columns = int(answer["rows"]), int(answer["columns"])
    span = f" ({answer['span']})" if answer.get("span") else ""
    if rows - 1 > limits.max_rows:  # the header row is not one of the rows counted
        over = _("more than a header and the {limit} rows allowed (limits: max_rows").format(
            limit=number(limits.max_rows, 0)
        )
    elif columns > limits.max_columns:
        over = _("more than the {limit} columns allowed (limits: max_columns").format(
            limit=number(limits.max_columns, 0)
        )
    else:
        over = _("more than the {limit} cells allowed (limits: max_cells").format(
            limit=number(limits.max_cells, 0)
        )
    return _(
        "{file}: a sheet's cells span at least {rows} rows by {columns} columns{span}, {over} "
        "in kpis.yaml); delete what lies beyond the data (often one stray cell far below or to "
        "the right), or save the sheet as CSV"
    ).format(file=shown, rows=number(rows, 0), columns=number(columns, 0), span=span, over=over)
