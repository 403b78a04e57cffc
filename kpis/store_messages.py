"""The store's refusals, as sentences in the reader's language; apart so store.py stays short."""

from __future__ import annotations

from pathlib import Path

from kpis.errors import StoreError
from kpis.formatting import number
from kpis.i18n import _


def type_changed(column: str, stored: str, declared: str, sql_type: str) -> StoreError:
    return StoreError(
        _(
            "column {column} is stored as {stored} but kpis.yaml now declares {declared} "
            "({sql_type}); restore the old type, or start a new database (--db) and load the "
            "exports again"
        ).format(column=column, stored=stored, declared=declared, sql_type=sql_type)
    )


def already_open(path: Path) -> StoreError:
    return StoreError(
        _("{file} is already open in this process; reuse its Store").format(file=path)
    )


def no_table(table: str) -> str:
    return _("no {table} table").format(table=table)


def no_source_table(table: str, source: str) -> str:
    return _("no table {table} for source {source}").format(table=table, source=source)


def no_column(column: str) -> str:
    return _("no column {column}").format(column=column)


def lacking(path: Path, missing: list[str]) -> StoreError:
    """A read-only database without tables or columns kpis.yaml needs (`missing`, said above)."""
    what = (
        _("{first} (and {count} more)").format(first=missing[0], count=number(len(missing) - 1, 0))
        if len(missing) > 1
        else missing[0]
    )
    return StoreError(
        _(
            "{file} has {what}, which kpis.yaml needs; open it once writable, with kpis ingest, "
            "to add it"
        ).format(file=path, what=what)
    )


def read_only(path: Path) -> StoreError:
    return StoreError(
        _("{file} was opened read-only; open it writable to change it").format(file=path)
    )


def read_only_trial(path: Path) -> StoreError:
    return StoreError(
        _("{file} was opened read-only: nothing can be tried in it").format(file=path)
    )
