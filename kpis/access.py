"""Who may change what: three roles, the access file that gives them, and the one check.

The dashboard is a team's tool, so the engine itself refuses a change the person asking may
not make (the dashboard also hides what a role cannot use, but a hidden button is not a
check). Roles come from a small YAML file kept apart from kpis.yaml, because who may upload
is not a KPI definition and changes on a different rhythm:

    claim: roles                 # optional: an ID-token claim whose value names the role
    users:
      ana@example.com: analyst
      boss@example.com: admin
    domains:
      example.com: viewer        # everyone of the domain who has no line of their own

A person's own line wins, then the claim, then their domain. The CLI is local, trusted use:
it acts as `LOCAL`, an admin without an e-mail.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from kpis.definitions.yaml_lines import parse_lined_yaml
from kpis.errors import DefinitionError, PermissionDenied, Problem, UsageError
from kpis.formatting import number
from kpis.i18n import N_, _, translate

Role = Literal["viewer", "analyst", "admin"]
Action = Literal["upload", "undo", "events", "mappings", "roles"]
ROLES: tuple[Role, ...] = get_args(Role)  # in rank order
ACTIONS: tuple[Action, ...] = get_args(Action)
NEEDS: dict[Action, Role] = {
    "upload": "analyst",
    "undo": "analyst",
    "events": "analyst",
    "mappings": "analyst",
    "roles": "admin",
}
_WORDS: dict[Action, str] = {
    "upload": N_("load files"),
    "undo": N_("undo uploads"),
    "events": N_("add, change or remove events"),
    "mappings": N_("save mapping profiles"),
    "roles": N_("assign roles"),
}
# A role as a word in a sentence (the access file itself keeps viewer, analyst and admin).
_ROLE_WORDS: dict[Role, str] = {
    "viewer": N_("viewer"),
    "analyst": N_("analyst"),
    "admin": N_("admin"),
}
DEFAULT_FILE = "access.yaml"
MAX_ENTRIES = 10_000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$")
_CLAIM = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:/-]{0,99}$")


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: their e-mail (None for the local CLI) and role."""

    email: str | None
    role: Role

    def can(self, action: Action) -> bool:
        return ROLES.index(self.role) >= ROLES.index(NEEDS[action])

    @property
    def name(self) -> str:
        return self.email or _("the local user")


LOCAL = Actor(None, "admin")  # the CLI, scripts and the dashboard in local mode: trusted


def require(actor: Actor | None, action: Action) -> Actor:
    """The actor (None: `LOCAL`), or PermissionDenied when their role may not do `action`."""
    who = LOCAL if actor is None else actor
    if not who.can(action):
        raise PermissionDenied(
            _("{name} is a {role} and may not {action}; ask an admin for the {needed} role").format(
                name=who.name,
                role=translate(_ROLE_WORDS[who.role]),
                action=translate(_WORDS[action]),
                needed=translate(_ROLE_WORDS[NEEDS[action]]),
            )
        )
    return who


def recorded(actor: Actor | None) -> str | None:
    """What the database keeps about who made a change: the e-mail only (None for LOCAL)."""
    return None if actor is None else actor.email


@dataclass(frozen=True)
class Access:
    """The access file's assignments: e-mails and domains to roles, and the claim's name."""

    users: Mapping[str, Role] = field(default_factory=dict)
    domains: Mapping[str, Role] = field(default_factory=dict)
    claim: str | None = None

    def role_of(self, email: str | None, claims: Mapping[str, object] | None = None) -> Role | None:
        """The role of a signed-in person, or None when the file gives them none."""
        if email:
            email = email.strip().lower()
            if email in self.users:
                return self.users[email]
        if self.claim and claims is not None:
            found = _claimed_role(claims.get(self.claim))
            if found is not None:
                return found
        if email and "@" in email:
            return self.domains.get(email.rsplit("@", 1)[1])
        return None


def _claimed_role(value: object) -> Role | None:
    """A claim naming a role ("analyst"), or listing several (the highest counts)."""
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    found = [ROLES.index(n) for n in (str(v).strip().lower() for v in names[:100]) if n in ROLES]
    return ROLES[max(found)] if found else None


def access_path(config: str | Path) -> Path:
    """KPIS_ACCESS, or access.yaml beside kpis.yaml."""
    given = os.environ.get("KPIS_ACCESS")
    return Path(given) if given else Path(config).with_name(DEFAULT_FILE)


def load_access(path: str | Path) -> Access:
    """Read the access file; a missing file gives nobody a role (DefinitionError if invalid)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:  # bounded, like kpis.yaml: it may be anything
            raw = handle.read(1_000_001)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        return Access()
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            _("{file}: cannot be read ({reason})").format(file=path, reason=exc)
        ) from None
    return parse_access(text, str(path))


def parse_access(text: str, file: str) -> Access:
    """The assignments of an access file's text; every problem is listed with its line."""
    doc = parse_lined_yaml(text, file)
    data = doc.data if doc.data is not None else {}
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str, hint: str | None = None) -> None:
        problems.append(Problem(file, doc.line_of(path), ".".join(map(str, path)), message, hint))

    if not isinstance(data, dict):
        problem((), _("must be a mapping with users:, domains: and claim:"))
        raise DefinitionError(_("{file} cannot be used").format(file=file), problems)
    for key in data:
        if key not in ("users", "domains", "claim"):
            problem(
                (key,),
                _("is not a setting of the access file"),
                _("use users, domains or claim"),
            )
    claim = data.get("claim")
    if claim is not None and not (isinstance(claim, str) and _CLAIM.match(claim)):
        problem(("claim",), _("must be the name of an ID-token claim, such as roles or groups"))
    tables: dict[str, dict[str, Role]] = {}
    sections = (("users", _EMAIL, N_("an e-mail")), ("domains", _DOMAIN, N_("a domain")))
    for section, pattern, what in sections:
        entries = data.get(section) or {}
        tables[section] = {}
        if not isinstance(entries, dict):
            problem(
                (section,), _("must map {what} to a role, one a line").format(what=translate(what))
            )
            continue
        if len(entries) > MAX_ENTRIES:
            problem(
                (section,),
                _("has more than {count} lines").format(count=number(MAX_ENTRIES, 0)),
                _("use domains or a claim"),
            )
            continue
        for name, role in entries.items():
            where = (section, name)
            key = str(name).strip().lower()
            if not pattern.match(key):
                problem(where, _("is not {what}").format(what=translate(what)))
            elif role not in ROLES:
                problem(
                    where,
                    _("has role {role}").format(role=repr(str(role)[:40])),
                    _("use viewer, analyst or admin"),
                )
            elif key in tables[section]:
                problem(where, _("is listed twice (names are compared in lower case)"))
            else:
                tables[section][key] = role
    if problems:
        raise DefinitionError(_("{file} cannot be used").format(file=file), problems)
    return Access(tables["users"], tables["domains"], claim)


def render_access(access: Access) -> str:
    """The access file's text for these assignments (what an admin's change writes)."""
    lines = ["# Who may do what in the dashboard: viewer < analyst < admin (see README)."]
    if access.claim:
        lines.append(f"claim: {access.claim}")
    for section, entries in (("users", access.users), ("domains", access.domains)):
        lines.append(f"{section}:" + ("" if entries else " {}"))
        lines += [f"  {name}: {role}" for name, role in sorted(entries.items())]
    return "\n".join(lines) + "\n"


def assign(path: str | Path, actor: Actor | None, email: str, role: Role | None) -> Access:
    """Give `email` a role (None: remove their line), written atomically; admins only."""
    who = require(actor, "roles")
    key = email.strip().lower()
    if not _EMAIL.match(key):
        raise UsageError(_("{email} is not an e-mail address").format(email=repr(email[:80])))
    if who.email is not None and key == who.email.strip().lower():
        raise UsageError(_("you cannot change your own role; ask another admin"))
    path = Path(path)
    current = load_access(path)
    users = dict(current.users)
    if role is None:
        if users.pop(key, None) is None:
            raise UsageError(
                _("{email} has no line of their own in {file}").format(email=key, file=path.name)
            )
    elif role not in ROLES:
        raise UsageError(
            _("{role} is not a role; use viewer, analyst or admin").format(role=repr(role))
        )
    else:
        users[key] = role
    updated = Access(users, current.domains, current.claim)
    _write_atomically(path, render_access(updated))
    return updated


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: a reader sees the old file or the new."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
