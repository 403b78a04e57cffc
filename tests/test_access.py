"""The access file and the role check: parsing with lines, roles by e-mail, claim and domain."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kpis import LOCAL, Actor, DefinitionError, PermissionDenied, UsageError, require
from kpis.access import (
    ACTIONS,
    ROLES,
    Access,
    access_path,
    assign,
    load_access,
    parse_access,
    render_access,
)

ALLOWED = {
    "viewer": set(),
    "analyst": {"upload", "undo", "events", "mappings"},
    "admin": {"upload", "undo", "events", "mappings", "roles"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_require_allows_exactly_what_each_role_may_do(role: str, action: str) -> None:
    actor = Actor("someone@example.com", role)  # type: ignore[arg-type]
    if action in ALLOWED[role]:
        assert require(actor, action) is actor  # type: ignore[arg-type]
    else:
        with pytest.raises(PermissionDenied, match=f"someone@example.com is a {role} and may not"):
            require(actor, action)  # type: ignore[arg-type]


@pytest.mark.parametrize("action", ACTIONS)
def test_no_actor_is_the_trusted_local_user(action: str) -> None:
    assert require(None, action) is LOCAL  # type: ignore[arg-type]
    assert Actor(None, "admin") == LOCAL


def test_an_actor_is_frozen() -> None:
    actor = Actor("a@example.com", "viewer")
    with pytest.raises(AttributeError):
        actor.role = "admin"  # type: ignore[misc]


GOOD = """\
claim: roles
users:
  Ana@Example.com: analyst
  boss@example.com: admin
  coo@example.com: viewer
domains:
  example.com: viewer
  partner.org: analyst
"""


@pytest.mark.parametrize(
    ("email", "claims", "role"),
    [
        ("ana@example.com", None, "analyst"),  # own line, compared in lower case
        ("ANA@EXAMPLE.COM", None, "analyst"),
        (" boss@example.com ", None, "admin"),
        ("coo@example.com", {"roles": ["admin"]}, "viewer"),  # own line wins over the claim
        ("new@example.com", None, "viewer"),  # the domain
        ("new@example.com", {"roles": "analyst"}, "analyst"),  # the claim wins over the domain
        ("new@example.com", {"roles": ["viewer", "admin"]}, "admin"),  # the highest listed
        ("new@example.com", {"roles": ["Analyst"]}, "analyst"),
        ("new@example.com", {"roles": ["owner"]}, "viewer"),  # not a role: the domain
        ("new@example.com", {"roles": 3}, "viewer"),
        ("new@example.com", {"other": "admin"}, "viewer"),  # another claim is ignored
        ("x@partner.org", None, "analyst"),
        ("x@sub.example.com", None, None),  # domains match exactly
        ("x@example.com.evil.io", None, None),
        ("stranger@elsewhere.net", None, None),
        ("stranger@elsewhere.net", {"roles": "analyst"}, "analyst"),
        (None, None, None),
        ("", None, None),
        ("not-an-email", None, None),
    ],
)
def test_role_of(email: str | None, claims: dict[str, object] | None, role: str | None) -> None:
    assert parse_access(GOOD, "access.yaml").role_of(email, claims) == role


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("users: [a@b.com]\n", 1, "users: must map an e-mail to a role"),
        ("users:\n  a@b.com: owner\n", 2, "users.a@b.com: has role 'owner'"),
        ("users:\n  a@b.com: Admin\n", 2, "has role 'Admin'"),
        ("users:\n  a@b.com: analyst\n  A@B.com: viewer\n", 3, "is listed twice"),
        ("users:\n  not an email: analyst\n", 2, "is not an e-mail"),
        ("users:\n  a@b: analyst\n", 2, "is not an e-mail"),
        ("domains:\n  '@b.com': viewer\n", 2, "is not a domain"),
        ("domains:\n  b.com: 1\n", 2, "has role '1'"),
        ("claim: [roles]\n", 1, "claim: must be the name of an ID-token claim"),
        ("claim: 'a b'\n", 1, "must be the name of an ID-token claim"),
        ("groups:\n  a: b\n", 1, "groups: is not a setting of the access file"),
        ("- users\n", None, "must be a mapping"),
        ("users:\n  a@b.com: analyst\n  a@b.com: viewer\n", 3, "duplicate"),
        ("users: {a@b.com: [analyst\n", None, "not valid YAML"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1]\n"
            + "".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            None,
            "expands to more than",
        ),
    ],
)
def test_an_invalid_access_file_is_refused_with_its_line(
    text: str, line: int | None, message: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_access(text, "access.yaml")
    shown = str(raised.value)
    assert message in shown
    assert "access.yaml" in shown
    if line is not None:
        assert f"access.yaml:{line}" in shown


def test_an_empty_or_missing_file_gives_nobody_a_role(tmp_path: Path) -> None:
    assert parse_access("", "access.yaml") == Access()
    assert load_access(tmp_path / "none.yaml").role_of("a@b.com") is None


def test_a_huge_or_binary_file_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "access.yaml"
    big.write_text("users:\n" + "  # padding\n" * 200_000)
    with pytest.raises(DefinitionError, match="larger than 1 MB"):
        load_access(big)
    big.write_bytes(b"\xff\xfe\x00users")
    with pytest.raises(DefinitionError, match="cannot be read"):
        load_access(big)


def test_the_file_is_found_beside_kpis_yaml_or_from_kpis_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KPIS_ACCESS", raising=False)
    assert access_path(tmp_path / "conf" / "kpis.yaml") == tmp_path / "conf" / "access.yaml"
    monkeypatch.setenv("KPIS_ACCESS", str(tmp_path / "elsewhere.yaml"))
    assert access_path("kpis.yaml") == tmp_path / "elsewhere.yaml"


def test_rendered_assignments_read_back_the_same() -> None:
    access = parse_access(GOOD, "access.yaml")
    assert parse_access(render_access(access), "x") == access
    assert parse_access(render_access(Access()), "x") == Access()


ADMIN = Actor("boss@example.com", "admin")


def test_an_admin_assigns_and_removes_a_role_atomically(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(GOOD)
    assign(path, ADMIN, "New@Example.com", "analyst")
    assert load_access(path).role_of("new@example.com") == "analyst"
    assign(path, ADMIN, "new@example.com", None)
    assert load_access(path).role_of("new@example.com") == "viewer"  # the domain again
    assert load_access(path).claim == "roles"
    assert sorted(os.listdir(tmp_path)) == ["access.yaml"]  # no temporary file left


def test_assign_creates_the_file_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    assign(path, None, "first@example.com", "admin")  # the local user (make run)
    assert load_access(path).role_of("first@example.com") == "admin"


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_an_admin_assigns_roles_and_the_file_is_unchanged(tmp_path: Path, role: str) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(GOOD)
    with pytest.raises(PermissionDenied, match="may not assign roles"):
        assign(path, Actor("ana@example.com", role), "ana@example.com", "admin")  # type: ignore[arg-type]
    assert path.read_text() == GOOD


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("boss@example.com", "viewer", "cannot change your own role"),
        ("BOSS@example.com", None, "cannot change your own role"),
        ("not an e-mail", "viewer", "is not an e-mail address"),
        ("x@example.com", "owner", "'owner' is not a role"),
        ("nobody@example.com", None, "has no line of their own"),
    ],
)
def test_assignments_that_are_refused(
    tmp_path: Path, email: str, role: str | None, message: str
) -> None:
    path = tmp_path / "access.yaml"
    path.write_text(GOOD)
    with pytest.raises(UsageError, match=message):
        assign(path, ADMIN, email, role)  # type: ignore[arg-type]
    assert path.read_text() == GOOD
