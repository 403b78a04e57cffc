"""Write a workbook's first sheet with data as UTF-8 CSV: a child process with bounded memory.

A spreadsheet reader sizes its allocations from what the file claims, and a hostile file
can make python-calamine ask for terabytes and abort its process with a Rust backtrace.
So it never runs in the server or the CLI: kpis/ingest/workbook.py runs this script as
`python -I workbook_child.py REQUEST`, with the address space (RLIMIT_AS) and the size of
any file it writes (RLIMIT_FSIZE) capped before the reader is imported, and stops it after
a timeout. Zip-based workbooks are first checked by workbook_scan.py (loaded by path).

It imports only the standard library, that scan and python_calamine, never the kpis
package (duckdb and pydantic would make every workbook pay for their import).

REQUEST is JSON: path, csv, rows (where to write the sheet row number of each record, as
32-bit integers), memory and max_unpacked (bytes), max_rows, max_columns, max_cells, zip.
The answer is one JSON line on stdout: {"sheet": name} or {"refused": kind, ...details}.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import importlib.util
import json
import resource
import signal
import sys
from array import array
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    memory = int(request["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # A sheet of cells repeating one long shared string writes terabytes of CSV: writes
    # past the cap fail (with the signal ignored, as an OSError) instead of filling the disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    written = int(request["max_unpacked"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (written, written))
    try:
        answer = convert(request)
    except MemoryError:
        answer = {"refused": "memory"}
    except OSError as exc:
        kind = "written" if exc.errno == errno.EFBIG else "damaged"
        answer = {"refused": kind, "reason": str(exc)}
    print(json.dumps(answer))
    return 0


def convert(request: dict[str, Any]) -> dict[str, Any]:
    path = Path(request["path"])
    if request["zip"]:
        scan = _sibling("workbook_scan")
        # A sheet's rows include its header: max_rows counts those after it, as in a CSV.
        bounds = scan.Bounds(
            request["max_unpacked"], request["max_rows"] + 1, request["max_columns"],
            request["max_cells"],
        )  # fmt: skip
        try:
            scan.prescan(path, bounds)
        except scan.Refused as exc:
            return {"refused": exc.kind, **exc.details}
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            if sheet.height > 0:
                break
        else:
            return {"refused": "empty"}
    except Exception as exc:  # calamine raises its own types (and PanicException) for damage
        return {
            "refused": "damaged",
            "reason": str(exc).strip().splitlines()[0] if str(exc) else "",
        }
    rows, columns = sheet.height, sheet.width
    too_big = (
        rows - 1 > request["max_rows"]
        or columns > request["max_columns"]
        or rows * columns > request["max_cells"]
    )
    if too_big:  # .xls and .xlsb are not pre-scanned: their size is known only now
        return {"refused": "extent", "rows": rows, "columns": columns, "span": ""}
    _write(sheet, Path(request["csv"]), Path(request["rows"]))
    return {"sheet": sheet.name}


def _write(sheet: Any, target: Path, rows_path: Path) -> None:
    """The sheet as CSV, blank rows skipped; the sheet row of each record kept beside it."""
    first_row = sheet.start[0] + 1 if sheet.start else 1
    rows = array("I")
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for offset, values in enumerate(sheet.iter_rows()):
            if all(v in ("", None) for v in values):
                continue
            writer.writerow([_cell(v) for v in values])
            rows.append(first_row + offset)
    with rows_path.open("wb") as handle:
        rows.tofile(handle)


def _cell(value: object) -> str:
    """A workbook cell as export text: ISO dates, whole numbers without '.0'."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    text = str(value)
    # A cell's own line breaks stay, as LF: DuckDB's reader fails on a CR even in quotes.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _sibling(name: str) -> Any:
    """A module beside this script, loaded by path (the kpis package is not imported)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while building a class
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(main(sys.argv))
