"""Hostile YAML in kpis.yaml: refused quickly, in bounded memory, with a line to fix.

YAML can describe far more than it spells out (aliases, merge keys) and nests as deep as a
file is long; each case here would otherwise take gigabytes, minutes, or a RecursionError.
The cost is measured in a fresh interpreter, whose peak memory (VmHWM) is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kpis import DefinitionError, load_definitions, parse_definitions
from kpis.definitions import MAX_EXPRESSIONS
from kpis.definitions.yaml_lines import MAX_BYTES
from tests.definitions.edits import TEXT


def _laughs(levels: int = 9) -> str:
    """Nine levels of nine aliases: 387 million values from 400 bytes."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _merges(levels: int = 9) -> str:
    """The same with merge keys, which PyYAML's flatten_mapping copies level by level."""
    lines = ["m0: &m0 {a: 1, b: 2, c: 3}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i}\n  <<: [{', '.join([f'*m{i - 1}'] * 9)}]\n  k{i}: 1")
    return "\n".join(lines) + "\n"


def _merged_lists(levels: int = 30) -> str:
    """Each level merges the one below and lists it twice: 2**30 values."""
    lines = ["m0: &m0 {a0: 1}"]
    lines += [
        f"m{i}: &m{i} {{<<: *m{i - 1}, a{i}: [*m{i - 1}, *m{i - 1}]}}" for i in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


BOMBS = [
    # (id, kpis.yaml text, words of the message, line)
    ("billion laughs", _laughs(), "expands to more than 100,000 values", 6),
    ("merge keys", _merges(), "expands to more than 100,000 values", 15),
    ("merges and aliases", _merged_lists(), "expands to more than 100,000 values", 11),
    ("laughs after a real file", TEXT + _laughs(), "expands to more than 100,000 values", None),
    ("deep flow nesting", "kpis: " + "[" * 200_000 + "]" * 200_000, "nests deeper than 64", 1),
    (
        "deep block nesting",
        "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",
        "nests deeper than 64",
        64,
    ),
    ("deep mapping flow", "kpis: " + "{a: " * 5000 + "1" + "}" * 5000, "nests deeper than 64", 1),
    ("alias in its own anchor", "kpis: &a [1, *a]\n", "refers to itself", 1),
    ("mapping in its own anchor", "sources:\n  a: &a {b: *a}\n", "refers to itself", 2),
    ("list as a key", "kpis:\n  ? [a, b]\n  : 1\n", "list or a mapping as a key", 2),
    ("mapping as a key", "kpis: {{a: 1}: 2}\n", "list or a mapping as a key", 1),
    ("huge integer", "version: " + "1" * 5000 + "\n", "number of more than 100 characters", 1),
    (
        "sexagesimal number",
        "version: 1" + ":00" * 300_000 + "\n",
        "number of more than 100 characters",
        1,
    ),
    ("impossible date", "events:\n  - {name: x, date: 2026-02-30}\n", "day is out of range", 2),
    ("larger than 1 MB", "#" * (MAX_BYTES + 1), "is too large", None),
    ("larger in bytes than in characters", "#" + "é" * (MAX_BYTES // 2 + 1), "is too large", None),
]


@pytest.mark.parametrize(
    ("text", "words", "line"), [pytest.param(*case[1:], id=case[0]) for case in BOMBS]
)
def test_yaml_bombs_are_refused_with_a_line(text: str, words: str, line: int | None) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(text)
    shown = str(caught.value)
    assert words in shown, shown
    assert "Traceback" not in shown
    if line is not None:
        assert caught.value.problems[0].line == line, shown


_MEASURE = """
import json, resource, sys, time
from kpis import DefinitionError, parse_definitions
text = json.loads(sys.stdin.read())
started = time.perf_counter()
try:
    parse_definitions(text)
    outcome = "valid"
except DefinitionError as exc:
    outcome = str(exc)
seconds = time.perf_counter() - started
status = open("/proc/self/status").read()
peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) // 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak}))
"""


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(_laughs(), id="billion laughs"),
        pytest.param(_merges(), id="merge keys"),
        pytest.param(_merged_lists(), id="merges and aliases"),
        pytest.param("kpis: " + "[" * 400_000 + "]" * 400_000, id="deep nesting"),
    ],
)
def test_bombs_cost_little_time_and_memory(text: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        input=json.dumps(text),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(result.stdout)
    assert measured["outcome"].startswith("kpis.yaml cannot be loaded"), measured
    assert measured["seconds"] < 5, measured
    assert measured["peak_mb"] < 300, measured


def test_a_file_too_large_is_read_no_further(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text("#" * (3 * MAX_BYTES), encoding="utf-8")
    with pytest.raises(DefinitionError, match="larger than 1 MB"):
        load_definitions(path)
    with pytest.raises(DefinitionError, match="larger than 1 MB"):
        load_definitions(Path("/dev/zero"))


def test_anchors_aliases_and_merges_in_a_normal_file_still_work(definitions) -> None:
    warehouse = 'warehouse: {type: string,\n        aliases: ["entrepôt", "dépôt", "site"]}'
    assert TEXT.count(warehouse) == 3
    text = (
        TEXT.replace(warehouse, "warehouse: &warehouse {type: string,\n"
                     '        aliases: ["entrepôt", "dépôt", "site"]}', 1)
        .replace(warehouse, "warehouse: *warehouse", 1)
        .replace(warehouse, "warehouse: {<<: *warehouse}", 1)
    )  # fmt: skip
    edited = parse_definitions(text)
    assert edited.sources == definitions.sources
    assert edited.kpis == definitions.kpis


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        pytest.param(
            "min: 1, max: 5,",
            "min: .nan, max: 5,",
            "sources.tickets.columns.csat_score.min",
            id="min nan",
        ),
        pytest.param(
            "min: 1, max: 5,",
            "min: -.inf, max: 5,",
            "sources.tickets.columns.csat_score.min",
            id="min -inf",
        ),
        pytest.param(
            "min: 1, max: 5,",
            "min: 1, max: .inf,",
            "sources.tickets.columns.csat_score.max",
            id="max inf",
        ),
        pytest.param(
            "min: 1, max: 5,",
            "min: 1, max: .NaN,",
            "sources.tickets.columns.csat_score.max",
            id="max NaN",
        ),
        pytest.param("target: 0.85", "target: .nan", "kpis.csat.target", id="target nan"),
        pytest.param("target: 0.85", "target: .inf", "kpis.csat.target", id="target inf"),
        pytest.param("target: 0.85", "target: -.Inf", "kpis.csat.target", id="target -inf"),
    ],
)
def test_nan_and_infinity_are_refused(old: str, new: str, path: str) -> None:
    assert TEXT.count(old) == 1
    edited = TEXT.replace(old, new)
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(edited)
    found = [p for p in caught.value.problems if p.path == path]
    assert found, [str(p) for p in caught.value.problems]
    assert found[0].line == edited[: edited.index(new)].count("\n") + 1


def test_the_number_of_sql_expressions_is_bounded() -> None:
    kpi = textwrap.dedent("""\
          k{i}:
            label: x
            description: x
            format: number
            direction: higher_is_better
            measure: {{source: shipments, expr: sum(units) + {i}, filter: units > {i}}}
        """)
    many = "".join(textwrap.indent(kpi.format(i=i), "  ") for i in range(MAX_EXPRESSIONS // 2))
    end = TEXT.index("\nevents:")
    with pytest.raises(DefinitionError) as caught:
        parse_definitions(TEXT[:end] + many + TEXT[end:])
    assert [p.path for p in caught.value.problems] == ["kpis"]
    assert f"the limit is {MAX_EXPRESSIONS:,}" in caught.value.problems[0].message
