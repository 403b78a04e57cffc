"""Named mapping profiles: from kpis.yaml (reviewed with the definitions) or saved on upload.

An analyst who mapped a tool's export by hand once should not do it again next week: the
Upload page saves the mapping under a name, and `kpis ingest --mapping NAME` (or the page)
reuses it. Profiles written in kpis.yaml take precedence and cannot be overwritten from the
page, so a reviewed mapping stays as reviewed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json

from pydantic import ValidationError

from kpis.access import Actor, recorded, require
from kpis.definitions import MappingProfile
from kpis.definitions.mapping_rules import PROFILE_RULES
from kpis.definitions.parsed import Parsed
from kpis.errors import UsageError
from kpis.i18n import _
from kpis.store import MAPPINGS, Store


def mapping_profiles(store: Store) -> dict[str, MappingProfile]:
    """Every profile: kpis.yaml's, then those saved in the database (by name)."""
    found = dict(store.definitions.mappings)
    rows = store.cursor().execute(f"SELECT name, spec FROM {MAPPINGS} ORDER BY name").fetchall()
    for name, spec in rows:
        if name in found:
            continue
        try:
            found[name] = MappingProfile.model_validate(json.loads(spec))
        except (ValidationError, json.JSONDecodeError):
            continue  # saved for definitions that changed since; not offered
    return found


def find_mapping(store: Store, name: str) -> MappingProfile:
    """The profile called `name`, or a UsageError listing the ones there are."""
    profiles = mapping_profiles(store)
    if name in profiles:
        return profiles[name]
    close = difflib.get_close_matches(name, list(profiles), n=1)
    hint = (
        _("did you mean {name}?").format(name=repr(close[0]))
        if close
        else _("profiles: {names}").format(names=", ".join(profiles) or _("none yet"))
    )
    raise UsageError(
        _("unknown mapping profile {name} ({hint})").format(name=repr(name), hint=hint)
    )


def save_mapping(
    store: Store, name: str, profile: MappingProfile, actor: Actor | None = None
) -> None:
    """Save (or replace) a profile in the database; kpis.yaml's names are reserved.

    `actor` (kpis.access) must be an analyst or admin; their e-mail is kept with the profile.
    """
    require(actor, "mappings")
    name = name.strip()
    if not name:
        raise UsageError(_("a mapping profile needs a name"))
    if name in store.definitions.mappings:
        raise UsageError(
            _("{name} is a mapping profile of kpis.yaml; choose another name").format(
                name=repr(name)
            )
        )
    if profile.source not in store.definitions.sources:
        raise UsageError(_("unknown source {name}").format(name=repr(profile.source)))
    _check(store, name, profile)
    # Unset, not default: `otherwise: null` said is not `otherwise` left out (FieldMap).
    spec = profile.model_dump_json(exclude_unset=True)
    with store.transaction() as cur:
        cur.execute(f"DELETE FROM {MAPPINGS} WHERE name = ?", [name])
        cur.execute(
            f"INSERT INTO {MAPPINGS} (name, spec, saved_at, changed_by) VALUES (?, ?, ?, ?)",
            [name, spec, dt.datetime.now(), recorded(actor)],
        )


def _check(store: Store, name: str, profile: MappingProfile) -> None:
    """The rules kpis.yaml's profiles pass, for one made on the page: refused before saving."""
    parsed = Parsed(sources=dict(store.definitions.sources), mappings={name: profile})
    for rule in PROFILE_RULES:
        for issue in rule(parsed):
            where = ".".join(str(part) for part in issue.path[2:])
            hint = f" ({issue.hint})" if issue.hint else ""
            raise UsageError(
                _("the mapping profile cannot be saved: {key}: {problem}").format(
                    key=where, problem=issue.message + hint
                )
            )
