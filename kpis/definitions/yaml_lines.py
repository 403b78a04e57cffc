"""Load YAML into plain Python data while remembering the line of every key and item.

Validation problems must name the line of kpis.yaml to fix; PyYAML's constructors throw
that away, so this walks the composed node tree itself. It also refuses duplicate keys,
which PyYAML would otherwise resolve silently by keeping the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kpis.errors import DefinitionError, Problem

Path_ = tuple[str | int, ...]


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


def load_lined_yaml(path: Path) -> LinedDocument:
    """Read `path` as YAML; raise DefinitionError with the line on syntax errors."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            f"{name}: no such file; pass --config or set KPIS_CONFIG to your kpis.yaml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{name}: cannot be read ({exc})") from None
    return parse_lined_yaml(text, name)


def parse_lined_yaml(text: str, file: str) -> LinedDocument:
    """Parse YAML text; `file` is only used in messages."""
    loader = yaml.SafeLoader(text)
    doc = LinedDocument(file=file, data=None)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _build(loader, node, (), doc, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DefinitionError(
            f"{file} is not valid YAML",
            [
                Problem(
                    file, line, "", str(exc.problem or exc).strip(), "check indentation and quoting"
                )
            ],
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{file} is not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if problems:
        raise DefinitionError(f"{file} has duplicate keys", problems)
    return doc


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
            key = loader.construct_object(key_node, deep=True)
            key_path = (*path, str(key))
            if key in result:
                first = doc.lines.get(key_path)
                problems.append(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        ".".join(map(str, key_path)),
                        f"duplicate key (first defined on line {first})",
                        "remove one of them",
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
    return loader.construct_object(node, deep=True)
