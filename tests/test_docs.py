"""The README is the front door: its commands and CLI reference must match the real thing."""

from __future__ import annotations

import os
import re
import subprocess

from tests.conftest import KPIS, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = ["", "ingest", "compute", "compare", "report", "demo", "uploads", "undo", "validate"]


def _help(command: str) -> str:
    args = [KPIS, *([command] if command else []), "--help"]
    # argparse wraps help to the terminal's width; the reference is in English on any machine.
    env = {**os.environ, "COLUMNS": "100", "KPIS_LANG": "en"}
    out = subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout
    return f"$ kpis {command + ' ' if command else ''}--help\n{out}"


def test_cli_reference_is_the_real_help() -> None:
    block = README.split("<!-- cli-reference")[1].split("<!-- cli-reference-end -->")[0]
    for command in COMMANDS:
        assert _help(command) in block, f"README's `kpis {command} --help` is out of date"


def test_every_command_is_in_the_reference() -> None:
    listed = set(re.findall(r"^\$ kpis (\w+) --help", README, flags=re.MULTILINE))
    assert listed == set(COMMANDS) - {""}


def test_the_two_commands_exist_in_the_makefile() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "`make run`" in README and "`make test`" in README
    assert re.search(r"^run:", makefile, re.MULTILINE) and re.search(
        r"^test:", makefile, re.MULTILINE
    )
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def cli_reference() -> str:
    """The README's CLI reference block, from the real --help of every command."""
    return "```\n" + "\n".join(_help(c) for c in COMMANDS) + "```\n"


if __name__ == "__main__":  # python -m tests.test_docs: rewrite the README's CLI reference
    start = (
        "<!-- cli-reference: generated from `kpis ... --help`; tests/test_docs.py checks it -->\n"
    )
    end = "<!-- cli-reference-end -->"
    head, rest = README.split(start)
    _, tail = rest.split(end)
    (ROOT / "README.md").write_text(head + start + cli_reference() + end + tail, encoding="utf-8")
