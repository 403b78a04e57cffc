"""Add, edit and remove the dashboard's events (kpis.yaml's are shown, not edited here).

An event is a dated operational change, optionally limited to one value of a dimension
(a warehouse, a channel). Events saved here live in the database, beside the data they
explain; every trend chart draws them, and the Before / after page compares around them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import kpis
from dashboard import auth, context, tables
from kpis.formatting import format_day, format_input_date
from kpis.i18n import _

NEW = "(a new event)"  # i18n: ok (an option's id, shown by _option)
ANYWHERE = "(everywhere)"  # i18n: ok (an option's id, shown by _option)


def _option(option: str) -> str:
    words = {NEW: _("(a new event)"), ANYWHERE: _("(everywhere)")}
    return words.get(option, option)


def table(ctx: context.Context, events: list[kpis.Event], added_on: str) -> None:
    """Show events as a table, each saying whether kpis.yaml or `added_on` holds it.

    The Definitions and Before / after pages list the same events the same way.
    """
    fixed = {e.name for e in ctx.definitions.events}
    name, date, description = _("name"), _("date"), _("description")
    only_for, origin = _("only for"), _("from")
    listed = [
        {
            name: e.name,
            date: e.date,
            description: e.description,
            only_for: " = ".join(e.scope_pair) if e.scope_pair else "",
            origin: "kpis.yaml" if e.name in fixed else added_on,
        }
        for e in events
    ]
    tables.show(
        pd.DataFrame(listed, columns=[name, date, description, only_for, origin]),
        hide_index=True,
        width="stretch",
        column_config={date: st.column_config.DateColumn(date, format=tables.date_format())},
    )


def manage(ctx: context.Context) -> None:
    """The events table and the form to add, change or remove one (analysts and admins)."""
    definitions = ctx.definitions
    fixed = {e.name for e in definitions.events}
    every = kpis.all_events(ctx.database)
    table(ctx, every, _("this dashboard"))
    actor = auth.actor()
    if not actor.can("events"):
        st.caption(_("Analysts and admins can add, change and remove events."))
        return
    editable = [e for e in every if e.name not in fixed]
    chosen = st.selectbox(
        _("Event to edit"),
        [NEW, *[e.name for e in editable]],
        format_func=_option,
        key="event_edit",
    )
    current = next((e for e in editable if e.name == chosen), None)
    dimensions = sorted({d for s in definitions.sources.values() for d in s.dimensions})
    with st.form("event_form", clear_on_submit=current is None):
        name = st.text_input(_("Name"), value=current.name if current else "", key="event_name")
        when = current.date if current else dt.date.today()
        # Explicit bounds (the sources' valid dates): without them st.date_input computes
        # ±10 years around the value, which overflows for an event near year 1 or 9999.
        valid = [s.valid_dates for s in definitions.sources.values()]
        day = st.date_input(
            _("Date"),
            value=when,
            format=format_input_date(),
            min_value=min([when, *(v.min for v in valid)]),
            max_value=max([when, *(v.max for v in valid)]),
            key="event_date",
        )
        description = st.text_area(
            _("What changed"),
            value=current.description if current else "",
            key="event_description",
        )
        scope_now = current.scope_pair if current else None
        left, right = st.columns(2)
        options = [ANYWHERE, *dimensions]
        dimension = left.selectbox(
            _("Only for"),
            options,
            format_func=_option,
            index=options.index(scope_now[0]) if scope_now else 0,
            key="event_scope_dimension",
        )
        value = right.text_input(
            _("value"),
            value=scope_now[1] if scope_now else "",
            key="event_scope_value",
            placeholder=_("e.g. Lyon"),
        )
        saved = st.form_submit_button(_("Save the event"), type="primary")
    if saved:
        scope = {dimension: value.strip()} if dimension != ANYWHERE and value.strip() else None
        try:
            event = kpis.make_event(name, day, description, scope)
            with ctx.writing() as store:
                kpis.save_event(
                    store, event, replaces=current.name if current else None, actor=actor
                )
        except (kpis.KpisError, ValueError) as exc:
            st.error(_("Not saved: {reason}").format(reason=exc))
        else:
            context.invalidate()
            st.session_state["event_message"] = _("Saved {event} ({date}).").format(
                event=event.name, date=format_day(event.date)
            )
            st.rerun()
    if current is not None:
        if st.button(_("Remove {event}…").format(event=current.name), key="event_remove"):
            st.session_state["event_pending"] = current.name
        if st.session_state.get("event_pending") == current.name:
            st.warning(
                _("Remove the event {event}? Comparisons around it go with it.").format(
                    event=current.name
                )
            )
            yes, no = st.columns(2)
            if yes.button(_("Yes, remove it"), key="event_remove_confirm"):
                with ctx.writing() as store:
                    kpis.delete_event(store, current.name, actor=actor)
                del st.session_state["event_pending"]
                st.session_state["event_message"] = _("Removed {event}.").format(event=current.name)
                context.invalidate()
                st.rerun()
            if no.button(_("Cancel"), key="event_remove_cancel"):
                del st.session_state["event_pending"]
                st.rerun()
    if "event_message" in st.session_state:
        st.info(st.session_state.pop("event_message"))
