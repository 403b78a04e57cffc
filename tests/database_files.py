"""Helpers for the database-file tests: the state of a folder, a refused command, a real log."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import CONFIG, run_cli

LEADS = "lead_id,created_at,channel,converted\nL1,2026-01-05 09:00,web,true\n"


def state(folder: Path) -> dict[str, str]:
    """Every path under a folder with what it is: a file's sha256, 'folder', or 'other'."""
    found = {}
    for path in sorted(folder.rglob("*")):
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode):
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[str(path.relative_to(folder))] = "folder" if stat.S_ISDIR(mode) else "other"
    return found


def refused(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused: exit 1 and one `Error:` line, which is returned."""
    result = run_cli("--config", str(CONFIG), *args, cwd=cwd or CONFIG.parent, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr.strip()


def write_leads(folder: Path) -> Path:
    """A one-row leads export, outside the folder the database is in."""
    path = folder / "files" / "leads.csv"
    path.parent.mkdir()
    path.write_text(LEADS)
    return path


def commands(leads: Path, tmp_path: Path) -> dict[str, tuple[str, ...]]:
    """Each command's arguments, on the demo database (batch 65 is its last inventory upload)."""
    return {
        "ingest": ("ingest", str(leads)),
        "compute": ("compute",),
        "uploads": ("uploads",),
        "undo": ("undo", "65"),
        "compare": ("compare", "--event", "ops-playbook", "--weeks", "4"),
        "demo": ("demo", "--force", "--sample-dir", str(tmp_path / "sample")),
    }


def killed_writer(db: Path) -> None:
    """Leave a real write-ahead log behind: a process that wrote, then died before closing."""
    script = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('CREATE TABLE t (x INTEGER)'); con.execute('CHECKPOINT')\n"
        "con.execute('INSERT INTO t SELECT range FROM range(1000)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True)
    assert db.with_name(db.name + ".wal").stat().st_size > 0
