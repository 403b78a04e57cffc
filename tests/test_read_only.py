"""A database this user cannot write: reading commands work on it, writing ones refuse.

As root, chmod stops nothing, so the command runs as an unprivileged user (nobody, or root
without its file-override capabilities); the folder and file modes then apply as they would
to an analyst's account.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kpis import Store
from tests.conftest import CONFIG, KPIS, run_cli
from tests.database_files import LEADS, refused, state, write_leads

NOBODY = 65534


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    return write_leads(tmp_path)


_libc = ctypes.CDLL(None, use_errno=True)
_prctl = _libc.prctl  # looked up before any fork: the child only calls it


def _as_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _without_override() -> None:
    """Root without the capabilities that let it write any file: file modes apply again."""
    for capability in (1, 2, 3, 4):  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID
        if _prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP, applied at exec
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _probe(drop: Callable[[], None] | None, folder: Path) -> bool:
    """Can this way of dropping privileges run kpis, and does a read-only file stop it?"""
    locked = folder / "probe"
    locked.write_text("x")
    locked.chmod(0o444)
    script = f"open({str(locked)!r}, 'a')"
    try:
        runs = subprocess.run([KPIS, "--help"], capture_output=True, preexec_fn=drop, cwd=folder)
        writes = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, preexec_fn=drop, cwd=folder
        )
    except OSError:
        return False
    finally:
        locked.unlink()
    return runs.returncode == 0 and writes.returncode != 0


@pytest.fixture(scope="module")
def unprivileged() -> Iterator[tuple[Callable[[], None] | None, Path]]:
    """How to run kpis as a user file modes apply to, and a folder that user can read.

    As root, chmod 444 stops nothing: the command runs as nobody when nobody can run the
    installed kpis, else as root without its file-override capabilities.
    """
    folder = Path(tempfile.mkdtemp(prefix="kpis-read-only-"))  # not under pytest's 0700 root
    folder.chmod(0o755)
    try:
        ways: list[Callable[[], None] | None] = (
            [_as_nobody, _without_override] if os.geteuid() == 0 else [None]
        )
        for drop in ways:
            if _probe(drop, folder):
                yield drop, folder
                break
        else:
            pytest.skip("cannot run kpis as a user that file permissions apply to")
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def run_as(
    drop: Callable[[], None] | None, *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """conftest.run_cli, as the unprivileged user."""
    result = subprocess.run(
        [KPIS, "--config", str(CONFIG), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "HOME": str(cwd)},
        preexec_fn=drop,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if result.returncode != 0:
        assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    return result


READ_ONLY = [  # (file mode, folder mode)
    pytest.param(0o444, 0o755, id="read-only-file"),
    pytest.param(0o644, 0o555, id="read-only-folder"),
    pytest.param(0o444, 0o555, id="read-only-file-and-folder"),
]  # fmt: skip


@pytest.mark.parametrize(("file_mode", "folder_mode"), READ_ONLY)
def test_a_read_only_database_can_be_read_but_not_written(
    unprivileged, demo_db: Path, tmp_path: Path, file_mode: int, folder_mode: int
) -> None:
    drop, base = unprivileged
    folder = base / f"db-{file_mode:o}-{folder_mode:o}"
    folder.mkdir()
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    leads = base / "leads.csv"
    leads.write_text(LEADS)
    (folder / "ops.duckdb.staging").mkdir()
    (folder / "ops.duckdb.staging" / "left-by-a-killed-upload.csv").write_text(LEADS)
    db.chmod(file_mode)
    folder.chmod(folder_mode)
    before = state(folder)
    reads = {
        "compute": ("compute", "--grain", "month", "--format", "json"),
        "compare": ("compare", "--event", "ops-playbook", "--weeks", "4", "--format", "json"),
        "uploads": ("uploads", "--format", "json"),
    }
    for name, args in reads.items():
        result = run_as(drop, "--db", str(db), *args, cwd=base)
        assert result.returncode == 0, (name, result.stderr)
        assert json.loads(result.stdout), name
    writes = {
        "ingest": ("ingest", str(leads)),
        "undo": ("undo", "65"),
        "demo": ("demo", "--force", "--sample-dir", str(base / "sample")),
    }
    for name, args in writes.items():
        result = run_as(drop, "--db", str(db), *args, cwd=base)
        assert result.returncode == 1, name
        assert result.stderr.startswith(f"Error: {db} is read-only: "), result.stderr
        assert "kpis compute, compare and uploads can still read it" in result.stderr
    assert state(folder) == before  # the leftover in staging is still there, too


def test_no_new_database_in_a_read_only_folder(unprivileged) -> None:
    drop, base = unprivileged
    folder = base / "closed"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    (base / "leads.csv").write_text(LEADS)
    for args in (("ingest", str(base / "leads.csv")), ("demo", "--sample-dir", str(base / "s"))):
        result = run_as(drop, "--db", str(folder / "ops.duckdb"), *args, cwd=base)
        assert result.returncode == 1
        assert result.stderr.startswith(
            f"Error: cannot create {folder}/ops.duckdb: the folder {folder} is read-only"
        )
    assert state(folder) == {}


def test_reading_commands_leave_staging_alone_and_create_nothing(
    demo_db: Path, tmp_path: Path, leads: Path
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    before = state(folder)
    for args in (("compute",), ("uploads",), ("compare", "--event", "ops-playbook")):
        assert run_cli("--db", str(db), *args).returncode == 0
    assert state(folder) == before  # no staging folder, no .tmp, no .wal
    leftover = folder / "ops.duckdb.staging" / "left-by-a-killed-upload.csv"
    leftover.parent.mkdir()
    leftover.write_text(LEADS)
    assert run_cli("--db", str(db), "compute").returncode == 0
    assert leftover.exists()  # a reader cannot know the upload that left it is dead
    assert run_cli("--db", str(db), "ingest", str(leads)).returncode == 0
    assert not leftover.exists()  # the writer holds the lock: it is


def test_several_readers_at_once(demo_db: Path, tmp_path: Path, leads: Path, definitions) -> None:
    db = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    with Store(db, definitions, read_only=True):
        result = run_cli("--db", str(db), "compute", "--kpi", "csat")
        assert result.returncode == 0 and "csat" in result.stdout
        assert refused("--db", str(db), "ingest", str(leads)).startswith(
            f"Error: {db} is in use by another process"
        )


def test_a_column_kpis_yaml_added_needs_one_writable_open(
    demo_db: Path, tmp_path: Path, leads: Path
) -> None:
    db = tmp_path / "ops.duckdb"
    shutil.copyfile(demo_db, db)
    config = tmp_path / "kpis.yaml"
    config.write_text(
        CONFIG.read_text().replace(
            "      campaign: {type: string, nullable: true, optional: true}\n",
            "      campaign: {type: string, nullable: true, optional: true}\n"
            "      region: {type: string, nullable: true, optional: true}\n",
        )
    )
    before = db.read_bytes()
    result = run_cli("--config", str(config), "--db", str(db), "compute")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: {db} has no column leads.region (and 1 more), which kpis.yaml needs; open it "
        "once writable, with kpis ingest, to add it"
    )
    assert db.read_bytes() == before
    assert run_cli("--config", str(config), "--db", str(db), "ingest", str(leads)).returncode == 0
    assert run_cli("--config", str(config), "--db", str(db), "compute").returncode == 0
