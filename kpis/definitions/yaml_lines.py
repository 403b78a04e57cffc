"""Load YAML into plain Python data while remembering the line of every key and item.

Validation problems must name the line of kpis.yaml to fix; PyYAML's constructors throw
that away, so this walks the composed node tree itself. It also refuses duplicate keys,
which PyYAML would otherwise resolve silently by keeping the last one.

kpis.yaml may be hostile, and YAML can describe far more than it spells out: nine levels of
nine aliases (`b: [*a, *a, ...]`, "billion laughs") or of merge keys expand to 387 million
values from 1 KB. So the text is bounded, the composer may not nest deeper than MAX_DEPTH
(it recurses), and the values the file expands to are counted over the composed node graph,
each shared node once, before anything is built or merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpis.errors import DefinitionError, Problem
from kpis.i18n import _, language

Path_ = tuple[str | int, ...]

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_VALUES = 100_000
MAX_NUMBER_CHARACTERS = 100  # PyYAML's int() of a long sexagesimal number is quadratic
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass
class LinedDocument:
    """Parsed YAML data plus the 1-based line of each key path, e.g. ("kpis", "csat")."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its closest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Refused(Exception):
    """A bound of this module was reached at `line`."""

    def __init__(self, line: int | None, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing no deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(
                    self.get_mark().line + 1,
                    _("nests deeper than {count} levels").format(count=_number(MAX_DEPTH)),
                    _("kpis.yaml needs a few levels; remove the extra brackets or indentation"),
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def load_lined_yaml(path: Path) -> LinedDocument:
    """Read `path` as YAML; raise DefinitionError with the line on syntax errors."""
    name = str(path)
    try:
        with path.open("rb") as handle:  # bounded: the path may be a pipe or /dev/zero
            raw = handle.read(MAX_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            _("{file}: no such file; pass --config or set KPIS_CONFIG to your kpis.yaml").format(
                file=name
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            _("{file}: cannot be read ({reason})").format(file=name, reason=exc)
        ) from None
    return parse_lined_yaml(text, name)


def parse_lined_yaml(text: str, file: str) -> LinedDocument:
    """Parse YAML text; `file` is only used in messages."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise DefinitionError(
            _("{file} is larger than {size} MB").format(
                file=file, size=_number(MAX_BYTES // 1_000_000)
            ),
            [
                Problem(
                    file, None, "", _("is too large to be a kpis.yaml"), _("check the file's path")
                )
            ],
        )
    loader = _BoundedLoader(text)
    doc = LinedDocument(file=file, data=None)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is not None:
            _measure(node)
            doc.data = _build(loader, node, (), doc, problems)
    except _Refused as exc:
        problem = Problem(file, exc.line, "", exc.message, exc.hint)
        raise DefinitionError(_("{file} cannot be loaded").format(file=file), [problem]) from None
    except RecursionError:
        where = loader.get_mark().line + 1
        problem = Problem(file, where, "", _("nests too deeply"), _("remove the extra nesting"))
        raise DefinitionError(_("{file} cannot be loaded").format(file=file), [problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DefinitionError(
            _("{file} is not valid YAML").format(file=file),
            [
                Problem(
                    file,
                    line,
                    "",
                    _yaml_problem(str(exc.problem or exc).strip()),
                    _("check indentation and quoting"),
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(
            _("{file} is not valid YAML: {reason}").format(file=file, reason=exc)
        ) from None
    finally:
        loader.dispose()
    if problems:
        raise DefinitionError(_("{file} has duplicate keys").format(file=file), problems)
    return doc


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        found = []
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(
                    key.start_mark.line + 1,
                    _("uses a list or a mapping as a key"),
                    _("keys are plain names, such as csat:"),
                )
            found += [key, value]
        return found
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if node.tag in _NUMBERS and len(node.value) > MAX_NUMBER_CHARACTERS:
        raise _Refused(
            node.start_mark.line + 1,
            _("has a number of more than {count} characters").format(
                count=_number(MAX_NUMBER_CHARACTERS)
            ),
            _("quote it if it is text"),
        )
    return []


def _measure(root: yaml.Node) -> None:
    """Refuse a graph expanding beyond MAX_VALUES values or MAX_DEPTH levels, or a cycle.

    Aliases make the graph share nodes; each is measured once (memoised), without recursion,
    so the cost follows the text, not what it expands to. Merge keys (`<<: *a`) are counted
    like any other value, which bounds what PyYAML's flatten_mapping will copy.
    """
    measured: dict[int, tuple[int, int]] = {}  # id(node): (values, depth)
    open_: set[int] = set()  # nodes whose children are being measured: their ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        key = id(node)
        if ready:
            kids = [measured[id(kid)] for kid in _children(node)]
            values = 1 + sum(v for v, _ in kids)
            depth = 1 + max((d for _, d in kids), default=0)
            line = node.start_mark.line + 1
            if values > MAX_VALUES:
                raise _Refused(
                    line,
                    _("expands to more than {count} values (through aliases or merges)").format(
                        count=_number(MAX_VALUES)
                    ),
                    _("write the definitions out, or use fewer aliases"),
                )
            if depth > MAX_DEPTH:
                raise _Refused(
                    line,
                    _("nests deeper than {count} levels").format(count=_number(MAX_DEPTH)),
                    _("use fewer aliases"),
                )
            open_.discard(key)
            measured[key] = (values, depth)
        elif key in open_:
            raise _Refused(
                node.start_mark.line + 1,
                _("refers to itself (an alias inside its own anchor)"),
                _("an alias must refer to an anchor defined before it and outside it"),
            )
        elif key not in measured:
            open_.add(key)
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(_children(node)))


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    doc: LinedDocument,
    problems: list[Problem],
) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            key_path = (*path, str(key))
            if key in result:
                first = doc.lines.get(key_path)
                problems.append(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        ".".join(map(str, key_path)),
                        _("duplicate key (first defined on line {line})").format(line=first),
                        _("remove one of them"),
                    )
                )
                continue
            doc.lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, key_path, doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, (*path, index), doc, problems)
            for index, item in enumerate(node.value)
        ]
    return _scalar(loader, node)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date such as 2026-02-30
        raise _Refused(
            node.start_mark.line + 1,
            _("cannot be read: {reason}").format(reason=exc),
            _("quote it"),
        ) from None


def _number(value: int) -> str:
    from kpis.formatting import number  # kpis.formatting imports kpis.definitions

    return number(value, 0)


def _yaml_problem(problem: str) -> str:
    """PyYAML's most common complaints in the reader's language (others as PyYAML words them)."""
    if language() == "en":
        return problem
    known = {
        "mapping values are not allowed here": _("mapping values are not allowed here"),
        "could not find expected ':'": _("could not find expected ':'"),
        "found character '\\t' that cannot start any token": _(
            "found a tab character, which YAML does not allow for indentation"
        ),
        "found unexpected end of stream": _("found unexpected end of stream"),
    }
    if problem in known:
        return known[problem]
    for english, said in (
        ("expected <block end>, but found", _("expected <block end>, but found")),
        ("found unknown escape character", _("found unknown escape character")),
        ("found duplicate anchor", _("found duplicate anchor")),
        ("found undefined alias", _("found undefined alias")),
    ):
        if problem.startswith(english):
            return said + problem[len(english) :]
    return problem
