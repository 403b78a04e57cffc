"""The public API of `kpis`: every name importable, and functions never shadowed by modules."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kpis
from tests.conftest import ROOT


@pytest.mark.parametrize("name", kpis.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(kpis, name) is not None


def test_submodules_named_like_functions_do_not_shadow_them() -> None:
    """kpis.compute and kpis.compare are both a module and a function; users get the function.

    Run in a fresh interpreter: the bug only shows when a submodule is imported first.
    """
    script = (
        "import inspect, kpis\n"
        "from kpis.compute import compute_window\n"
        "import kpis.compare\n"
        "from kpis import compare, compute\n"
        "assert inspect.isfunction(kpis.compute) and inspect.isfunction(compute), kpis.compute\n"
        "assert inspect.isfunction(kpis.compare) and inspect.isfunction(compare), kpis.compare\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
