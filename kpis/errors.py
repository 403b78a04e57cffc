"""The exceptions the engine raises, all meant to be read by a person.

Every error a user can cause derives from `KpisError`, so the CLI and the dashboard catch one
type, print its message and never show a traceback. Anything else escaping is a bug.

    KpisError
    ├── DefinitionError      kpis.yaml (or the access file) is missing, unreadable or invalid
    ├── UsageError           a request the definitions cannot answer: unknown KPI, event,
    │                        dimension or grain, a malformed date range
    ├── StoreError           the database file cannot be used: locked by another process,
    │                        not a kpis database, nothing to undo
    ├── PermissionDenied     the person asking may not make this change (their role)
    ├── IncompleteDataError  asked to be strict, a request reaches past a source's data
    ├── DeliveryError        the report cannot be e-mailed: bad SMTP settings or recipients,
    │                        a server that refused the connection, the login or an address
    └── IngestError          a file was refused; the database is exactly as it was
        └── SourceNotRecognised   the header matches no source, or several (ambiguous)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, with where it is, so a person can go and fix it.

    Used for kpis.yaml validation (path is a dotted key such as `kpis.csat.numerator.expr`)
    and for rejected rows of an upload (path names the column).
    """

    file: str
    line: int | None
    path: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class KpisError(Exception):
    """Base of every error meant for a user; its message is one readable sentence."""


class DefinitionError(KpisError):
    """kpis.yaml cannot be used; `problems` lists every problem found, each with its line."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        if not self.problems:
            return str(self.args[0])
        lines = [str(self.args[0]), *(f"  {problem}" for problem in self.problems)]
        return "\n".join(lines)


class UsageError(KpisError):
    """A request the definitions cannot answer (unknown name, bad range); nothing was run."""


class StoreError(KpisError):
    """The database file cannot be opened or changed as asked."""


class PermissionDenied(KpisError):
    """The actor's role does not allow the change they asked for; nothing was changed."""


class IncompleteDataError(KpisError):
    """A strict request reaches past the last day a source's data covers; nothing was run."""


class DeliveryError(KpisError):
    """The weekly report cannot be e-mailed as asked (settings, recipients, the SMTP server)."""


class IngestError(KpisError):
    """A file was refused as a whole; the database is unchanged.

    `problems` holds the details (line and column where they apply) when there are several.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)


class SourceNotRecognised(IngestError):
    """The file's header matches no declared source, or more than one."""
