"""Fixtures shared by the whole suite: real kpis.yaml, real DuckDB files, real CSV files."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from kpis import Definitions, Store, load_definitions
from kpis.demo import build_demo
from kpis.i18n import use_language

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "kpis.yaml"
KPIS = str(Path(sys.executable).parent / "kpis")  # the installed entry point

# English unless a test asks for French: a developer's French locale (LANG=fr_FR.UTF-8) must
# not change what the commands and servers the tests start say.
for _variable in ("KPIS_LANG", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Each test starts in English and leaves the language as it found it."""
    with use_language("en"):
        yield


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """Run the installed `kpis` command; never lets a traceback pass unnoticed."""
    result = subprocess.run(
        [KPIS, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode != 0:
        assert result.stderr.startswith("Error: "), result.stderr
    return result


def run_cli_peak(*args: str, timeout: int = 600) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the CLI in a fresh interpreter; also return its peak memory in MB.

    The command's own process reports its peak (DuckDB's threads included) as it exits:
    VmHWM, which starts afresh at exec, unlike ru_maxrss, which would count the copy of
    the (large) test process the child was forked from. It is the last line of stderr,
    taken off before the result is returned.
    """
    script = (
        "import sys\n"
        "from kpis.cli import main\n"
        f"code = main({list(args)!r})\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(status.split('VmHWM:')[1].split()[0]) // 1024, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    *before, peak = result.stderr.rstrip("\n").split("\n")
    result.stderr = "\n".join(before)
    return result, int(peak)


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    """The project's own kpis.yaml, validated: every test computes the shipped KPIs."""
    return load_definitions(CONFIG)


@pytest.fixture
def store(tmp_path: Path, definitions: Definitions) -> Iterator[Store]:
    """A fresh, empty DuckDB file in its own folder, closed after the test."""
    with Store(tmp_path / "db" / "ops.duckdb", definitions) as opened:
        yield opened


WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write a CSV file from a header and rows (or raw text) and return its path.

    `write_csv("leads.csv", ["lead_id", ...], [[...], ...])` writes with the csv module;
    `write_csv("x.csv", text="...")` writes the text as it is, for malformed files.
    """

    def write(
        name: str,
        header: Sequence[str] | None = None,
        rows: Sequence[Sequence[Any]] = (),
        *,
        text: str | None = None,
    ) -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is not None:
            path.write_text(text, encoding="utf-8")
            return path
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header or [])
            writer.writerows(["" if v is None else v for v in row] for row in rows)
        return path

    return write


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, definitions: Definitions) -> Path:
    """The demo database, built once per session through the real upload path.

    Tests that read it copy it first (see `demo_store`), so none can disturb another.
    """
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder / "ops.duckdb", definitions, folder / "sample")
    return folder / "ops.duckdb"


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path, definitions: Definitions) -> Iterator[Store]:
    """A private copy of the demo database, opened."""
    target = tmp_path / "demo" / "ops.duckdb"
    target.parent.mkdir(parents=True)
    shutil.copyfile(demo_db, target)
    with Store(target, definitions) as opened:
        yield opened


def table_rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, sorted, for comparing database states."""
    return sorted(store.cursor().execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """The content of every table of the store: sources, history, uploads and rejects."""
    names = [
        row[0]
        for row in store.cursor()
        .execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1")
        .fetchall()
    ]
    return {name: table_rows(store, name) for name in names}
