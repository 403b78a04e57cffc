"""Events: the dated changes comparisons are anchored on, from kpis.yaml and the dashboard.

Events in kpis.yaml are reviewed with the definitions and cannot be changed from the
dashboard; events added on the Before / after page are kept in the database beside the data
they explain. Both are listed together, by date, and every trend chart draws them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import ValidationError

from kpis.access import Actor, recorded, require
from kpis.definitions import Event
from kpis.definitions.pydantic_text import pydantic_message
from kpis.errors import UsageError
from kpis.i18n import _
from kpis.store import EVENT_LOG, EVENTS, Store


def make_event(
    name: str, date: dt.date, description: str = "", scope: dict[str, str] | None = None
) -> Event:
    """An event from a form's fields, or a UsageError saying which field is wrong and why."""
    try:
        return Event(name=name.strip(), date=date, description=description.strip(), scope=scope)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "event"
        message = pydantic_message(error)
        raise UsageError(f"{field}: {message}") from None


def saved_events(store: Store) -> list[Event]:
    """Events added from the dashboard (a lake has none: it holds the sources only)."""
    if store.engine != "duckdb":
        return []
    rows = (
        store.cursor()
        .execute(f"SELECT name, day, description, scope FROM {EVENTS} ORDER BY day, name")
        .fetchall()
    )
    found = []
    for name, day, description, scope in rows:
        try:
            found.append(Event(name=name, date=day, description=description or "",
                               scope=json.loads(scope) if scope else None))  # fmt: skip
        except ValidationError:
            continue
    return found


def all_events(store: Store) -> list[Event]:
    """kpis.yaml's events, then the dashboard's, in date order."""
    return sorted([*store.definitions.events, *saved_events(store)], key=lambda e: (e.date, e.name))


def save_event(
    store: Store, event: Event, replaces: str | None = None, actor: Actor | None = None
) -> None:
    """Add an event, or replace the saved event called `replaces` (which may be renamed).

    `actor` (kpis.access) must be an analyst or admin; their e-mail is kept with the event.
    """
    require(actor, "events")
    name = event.name.strip()
    if not name:
        raise UsageError(_("an event needs a name"))
    if name in {e.name for e in store.definitions.events}:
        raise UsageError(
            _("{name} is an event of kpis.yaml; choose another name").format(name=repr(name))
        )
    scope = event.scope_pair
    if scope is not None:
        dimensions = {d for s in store.definitions.sources.values() for d in s.dimensions}
        if scope[0] not in dimensions:
            raise UsageError(
                _("{name} is not a dimension; use one of {dimensions}").format(
                    name=repr(scope[0]), dimensions=", ".join(sorted(dimensions))
                )
            )
    with store.transaction() as cur:
        if replaces is not None:
            cur.execute(f"DELETE FROM {EVENTS} WHERE name = ?", [replaces])
        taken = cur.execute(f"SELECT 1 FROM {EVENTS} WHERE name = ?", [name]).fetchone()
        if taken is not None:
            raise UsageError(_("there is already an event called {name}").format(name=repr(name)))
        now = dt.datetime.now()
        cur.execute(
            f"INSERT INTO {EVENTS} (name, day, description, scope, saved_at, changed_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [name, event.date, event.description, json.dumps(event.scope) if event.scope else None,
             now, recorded(actor)],
        )  # fmt: skip
        if replaces is not None and replaces != name:
            _log(cur, now, "renamed", replaces, actor)
        _log(cur, now, "changed" if replaces is not None else "added", name, actor)


def delete_event(store: Store, name: str, actor: Actor | None = None) -> None:
    """Remove an event added from the dashboard; `actor` must be an analyst or admin."""
    require(actor, "events")
    if name in {e.name for e in store.definitions.events}:
        raise UsageError(
            _("{name} is defined in kpis.yaml: remove it there").format(name=repr(name))
        )
    with store.transaction() as cur:
        if cur.execute(f"SELECT 1 FROM {EVENTS} WHERE name = ?", [name]).fetchone() is None:
            raise UsageError(_("there is no saved event called {name}").format(name=repr(name)))
        cur.execute(f"DELETE FROM {EVENTS} WHERE name = ?", [name])
        # The row goes, so who removed it is kept in the log (an e-mail only, as elsewhere).
        _log(cur, dt.datetime.now(), "removed", name, actor)


def _log(cur: Any, at: dt.datetime, action: str, name: str, actor: Actor | None) -> None:
    cur.execute(
        f"INSERT INTO {EVENT_LOG} (happened_at, action, name, changed_by) VALUES (?, ?, ?, ?)",
        [at, action, name, recorded(actor)],
    )


def event_log(store: Store) -> list[tuple[dt.datetime, str, str, str | None]]:
    """Who added, changed, renamed or removed which saved event, newest first."""
    tables = {
        r[0] for r in store.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()
    }
    if EVENT_LOG not in tables:  # a database no one has written since the log came
        return []
    rows = (
        store.cursor()
        .execute(
            f"SELECT happened_at, action, name, changed_by FROM {EVENT_LOG} "
            "ORDER BY happened_at DESC, rowid DESC"
        )
        .fetchall()
    )
    return [(r[0], str(r[1]), str(r[2]), r[3]) for r in rows]
