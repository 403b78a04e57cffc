"""Widgets whose values live in the URL, as short stable ids (?kpi=csat&grain=month).

A COO sends a link and the recipient sees exactly the same view. Streamlit's own binding
puts the displayed label in the URL when a widget formats its options, which makes links
long and breaks them when a label is renamed; these helpers keep the id instead.

A value that depends on the data (the latest week, the newest event, the data's range) is
`pinned`: written to the URL as soon as the page shows it, so the link still shows the same
view next week. A value from a link that the page cannot show is never dropped silently: a
message names it and the value used instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from kpis.formatting import format_input_date
from kpis.i18n import _

T = TypeVar("T")


def _sync(key: str, text: str, default_text: str, pinned: bool = False) -> None:
    """Write the value to the URL; remove a default that cannot change (clean links)."""
    if text == default_text and not pinned:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text


def _unusable(key: str, wanted: str, used: str) -> None:
    """Say that the link asked for something this page cannot show, and what it shows."""
    # Echoed only when it looks like a value (letters, digits, - : . _ and spaces): markup or a
    # script would be shown as text, but a link that carries one need not be repeated at all.
    if re.fullmatch(r"[\w\-:. ]{1,40}", wanted, flags=re.ASCII):
        asked = f"{key} {wanted!r}"
    else:
        asked = _("a {name} that is not one this page knows").format(name=key)
    st.warning(
        _("This link asks for {asked}, which is not available here; showing {used}.").format(
            asked=asked, used=used
        )
    )


def select(
    label: str,
    options: Sequence[T],
    key: str,
    *,
    default: T | None = None,
    format_func: Callable[[T], str] = str,
    to_url: Callable[[T], str] = str,
    widget: Callable[..., Any] | None = None,
    pinned: bool = False,
    **kwargs: Any,
) -> T:
    """A selectbox (or radio, via `widget`) kept in the URL under `key`.

    `pinned` keeps the value in the URL even when it is the default: for defaults that move
    with the data, such as the latest week.
    """
    choices = list(options)
    fallback = default if default is not None else choices[0]
    texts = [to_url(option) for option in choices]
    current = st.session_state.get(key)
    if current not in choices:
        wanted = st.query_params.get(key)
        if wanted is not None and wanted not in texts:
            _unusable(label.lower(), wanted, format_func(fallback))
        st.session_state[key] = choices[texts.index(wanted)] if wanted in texts else fallback
    value: T = (widget or st.selectbox)(label, choices, key=key, format_func=format_func, **kwargs)
    _sync(key, to_url(value), to_url(fallback), pinned)
    return value


def _parse_range(text: str | None) -> tuple[dt.date, dt.date] | None:
    """START:END from a URL, or None for anything else (a link is anyone's to write)."""
    if not text or len(text) > 64:
        return None
    try:
        start, end = (dt.date.fromisoformat(part) for part in text.split(":"))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def _overlap(
    chosen: tuple[dt.date, dt.date], bounds: tuple[dt.date, dt.date]
) -> tuple[dt.date, dt.date] | None:
    """The days of `chosen` inside `bounds`, or None when it holds none of them."""
    start, end = max(chosen[0], bounds[0]), min(chosen[1], bounds[1])
    return (start, end) if start <= end else None


def _clamped(
    chosen: tuple[dt.date, dt.date], bounds: tuple[dt.date, dt.date]
) -> tuple[dt.date, dt.date]:
    """`chosen` moved inside `bounds` (a default before the data becomes its first day)."""
    low, high = bounds
    return min(max(chosen[0], low), high), max(min(chosen[1], high), low)


def _inside(value: object, bounds: tuple[dt.date, dt.date]) -> bool:
    return isinstance(value, tuple) and all(
        isinstance(day, dt.date) and bounds[0] <= day <= bounds[1] for day in value
    )


def date_range(
    label: str,
    key: str,
    default: tuple[dt.date, dt.date],
    bounds: tuple[dt.date, dt.date],
    pinned: bool = False,
    **kwargs: Any,
) -> tuple[dt.date, dt.date] | None:
    """A date-range picker kept in the URL as START:END; None while half chosen.

    `bounds` are the first and last days of the data. A range from the URL is cut to them
    (one reaching year 9999 would have the engine list millions of days, and would make
    st.date_input overflow computing its own bounds); a malformed or reversed one, or one
    outside the data, gives `default`. The picker cannot go outside them either.
    """
    fallback = _clamped(default, bounds)
    current = st.session_state.get(key)
    if key not in st.session_state:
        text = st.query_params.get(key)
        wanted = _parse_range(text)
        kept = (wanted and _overlap(wanted, bounds)) or fallback
        if text is not None and (wanted is None or kept != wanted):
            # The days in the link's own form (ISO), to be read beside the link's text.
            days = _("{start} to {end} (the data's days)").format(start=kept[0], end=kept[1])
            _unusable(label.lower(), text, days)
        st.session_state[key] = kept
    elif not _inside(current, bounds):  # the data shrank (an undone upload) under the choice
        pair = current if isinstance(current, tuple) and len(current) == 2 else None
        st.session_state[key] = (pair and _overlap(pair, bounds)) or fallback
    kwargs.setdefault("format", format_input_date())  # DD/MM/YYYY in French
    chosen = st.date_input(label, key=key, min_value=bounds[0], max_value=bounds[1], **kwargs)
    if not (isinstance(chosen, tuple) and len(chosen) == 2):
        return None
    start, end = chosen
    _sync(key, f"{start}:{end}", f"{fallback[0]}:{fallback[1]}", pinned)
    return start, end
