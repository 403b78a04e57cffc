"""Every error a user can cause gets one sentence saying what to do, never "unexpected".

"Error: unexpected <Name>" is kept for real bugs. Each row below is a mistake or a hostile
input found by trying the installed command the way people do; each must end with exit
status 1 or 2, one `Error:` sentence holding the words listed, and no "unexpected".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONFIG, KPIS, ROOT, run_cli

CASES = [
    # (id, arguments, environment, exit status, words of the message); {db} is a demo copy
    ("config missing", ["--config", "{tmp}/nope.yaml", "validate"], {}, 1, "no such file"),
    ("config a folder", ["--config", "{tmp}", "validate"], {}, 1, "cannot be read"),
    ("config binary", ["--config", "{tmp}/binary.yaml", "validate"], {}, 1, "cannot be read"),
    ("config a list", ["--config", "{tmp}/list.yaml", "validate"], {}, 1, "must be a mapping"),
    ("config endless", ["--config", "/dev/zero", "validate"], {}, 1, "larger than 1 MB"),
    ("ingest missing", ["--db", "{db}", "ingest", "{tmp}/nope.csv"], {}, 1, "no such file"),
    ("ingest a folder", ["--db", "{db}", "ingest", "{tmp}"], {}, 1, "is a folder"),
    ("ingest a device", ["--db", "{db}", "ingest", "/dev/zero"], {}, 1, "not a regular file"),
    ("ingest unknown source", ["--db", "{db}", "ingest", "--source", "x", "a.csv"], {}, 2,
     "unknown source"),
    ("ingest unknown mapping", ["--db", "{db}", "ingest", "--mapping", "x", "a.csv"], {}, 2,
     "unknown mapping profile"),
    ("ingest a header with a line break", ["--db", "{db}", "ingest", "{tmp}/nl.csv"], {}, 1,
     "the header (a, b c, d) matches no source"),
    ("compute unknown KPI", ["--db", "{db}", "compute", "--kpi", "x"], {}, 2, "unknown KPI"),
    ("compute unknown dimension", ["--db", "{db}", "compute", "--by", "x"], {}, 2,
     "no KPI can be broken down"),
    ("compute February 30", ["--db", "{db}", "compute", "--start", "2026-02-30"], {}, 2,
     "is not a date"),
    ("compute reversed", ["--db", "{db}", "compute", "--start", "2026-05-01", "--end",
                          "2026-04-01"], {}, 2, "ends (2026-04-01) before it starts"),
    ("compare unknown event", ["--db", "{db}", "compare", "--event", "x"], {}, 2,
     "unknown event"),
    ("compare half a range", ["--db", "{db}", "compare", "--before", "2026-01-01:2026-02-01"],
     {}, 2, "say what to compare"),
    ("compare huge weeks", ["--db", "{db}", "compare", "--event", "ops-playbook", "--weeks",
                            "99999999999999999999"], {}, 2, "--weeks must be between"),
    ("undo huge batch", ["--db", "{db}", "undo", "99999999999999999999999"], {}, 1,
     "no upload with batch id"),
    ("demo into a file", ["--db", "{tmp}/new.duckdb", "demo", "--sample-dir", "{tmp}/list.yaml"],
     {}, 1, "cannot write the sample exports"),
    ("memory limit garbage", ["--db", "{db}", "compute"], {"KPIS_MEMORY_LIMIT": "lots"}, 1,
     "KPIS_MEMORY_LIMIT 'lots' is not a memory size"),
    ("memory limit tiny", ["--db", "{db}", "compute"], {"KPIS_MEMORY_LIMIT": "1KB"}, 1,
     "at least 64MB"),
    ("database is a CSV", ["--db", "{tmp}/nl.csv", "compute"], {}, 1,
     "is not a DuckDB database"),
]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path, demo_db: Path) -> Path:
    """A folder with a demo database copy and a few hostile files."""
    shutil.copyfile(demo_db, tmp_path / "ops.duckdb")
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "nl.csv").write_text('a,"b\nc",d\n1,2,3\n')
    return tmp_path


@pytest.mark.parametrize(
    ("args", "env", "status", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_users_mistake_gets_a_sentence(
    folder: Path, args: list[str], env: dict[str, str], status: int, words: str
) -> None:
    filled = [a.format(db=folder / "ops.duckdb", tmp=folder) for a in args]
    before = (folder / "ops.duckdb").read_bytes()
    result = run_cli("--config", str(CONFIG), *filled, env=env, cwd=folder)
    assert result.returncode == status, result.stderr
    assert words in result.stderr and "unexpected" not in result.stderr, result.stderr
    assert (folder / "ops.duckdb").read_bytes() == before  # a refused action changes nothing


def test_a_closed_pipe_ends_quietly(demo_db: Path) -> None:
    """`kpis compute | head -1`: the reader leaves early; no error, no traceback."""
    command = f"{KPIS} --config {CONFIG} --db {demo_db} compute --grain day | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=120,
    )
    assert result.stdout.startswith("period"), result.stdout
    assert result.stderr == "" and result.returncode == 0, result.stderr
