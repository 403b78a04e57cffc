"""Widgets whose values live in the URL, as short stable ids (?kpi=csat&grain=month).

A COO sends a link and the recipient sees exactly the same view. Streamlit's own binding
puts the displayed label in the URL when a widget formats its options, which makes links
long and breaks them when a label is renamed; these helpers keep the id instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def _sync(key: str, text: str, default_text: str) -> None:
    """Write the value to the URL, or remove it when it is the default (clean links)."""
    if text == default_text:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != text:
        st.query_params[key] = text


def select(
    label: str,
    options: Sequence[T],
    key: str,
    *,
    default: T | None = None,
    format_func: Callable[[T], str] = str,
    to_url: Callable[[T], str] = str,
    widget: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> T:
    """A selectbox (or radio, via `widget`) kept in the URL under `key`."""
    choices = list(options)
    fallback = default if default is not None else choices[0]
    texts = [to_url(option) for option in choices]
    current = st.session_state.get(key)
    if current not in choices:
        wanted = st.query_params.get(key)
        st.session_state[key] = choices[texts.index(wanted)] if wanted in texts else fallback
    value: T = (widget or st.selectbox)(label, choices, key=key, format_func=format_func, **kwargs)
    _sync(key, to_url(value), to_url(fallback))
    return value


def _parse_range(text: str | None) -> tuple[dt.date, dt.date] | None:
    try:
        start, end = (dt.date.fromisoformat(part) for part in (text or "").split(":"))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def date_range(
    label: str, key: str, default: tuple[dt.date, dt.date], **kwargs: Any
) -> tuple[dt.date, dt.date] | None:
    """A date-range picker kept in the URL as START:END; None while half chosen."""
    if key not in st.session_state:
        st.session_state[key] = _parse_range(st.query_params.get(key)) or default
    chosen = st.date_input(label, key=key, **kwargs)
    if not (isinstance(chosen, tuple) and len(chosen) == 2):
        return None
    start, end = chosen
    _sync(key, f"{start}:{end}", f"{default[0]}:{default[1]}")
    return start, end
