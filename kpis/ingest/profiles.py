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
from kpis.errors import UsageError
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
        f"did you mean {close[0]!r}?" if close else f"profiles: {', '.join(profiles) or 'none yet'}"
    )
    raise UsageError(f"unknown mapping profile {name!r} ({hint})")


def save_mapping(
    store: Store, name: str, profile: MappingProfile, actor: Actor | None = None
) -> None:
    """Save (or replace) a profile in the database; kpis.yaml's names are reserved.

    `actor` (kpis.access) must be an analyst or admin; their e-mail is kept with the profile.
    """
    require(actor, "mappings")
    name = name.strip()
    if not name:
        raise UsageError("a mapping profile needs a name")
    if name in store.definitions.mappings:
        raise UsageError(f"{name!r} is a mapping profile of kpis.yaml; choose another name")
    if profile.source not in store.definitions.sources:
        raise UsageError(f"unknown source {profile.source!r}")
    spec = profile.model_dump_json(exclude_defaults=True)
    with store.transaction() as cur:
        cur.execute(f"DELETE FROM {MAPPINGS} WHERE name = ?", [name])
        cur.execute(
            f"INSERT INTO {MAPPINGS} (name, spec, saved_at, changed_by) VALUES (?, ?, ?, ?)",
            [name, spec, dt.datetime.now(), recorded(actor)],
        )
