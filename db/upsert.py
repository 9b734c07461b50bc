"""Inserts that quietly skip rows already present, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """Insert `values` unless a row with the same key exists; True when this call inserted it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING says whether a row went in; rowcount is not reliable across drivers.
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    return session.execute(statement).first() is not None


def insert_many_if_absent(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert every row whose key is not present yet, in one executemany."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def upsert(
    session: Session,
    table: Table,
    *,
    key: tuple[str, ...],
    values: dict[str, Any],
    on_conflict: dict[str, Any],
) -> Row[Any]:
    """Insert `values`, or update the row with the same `key` with `on_conflict`, in one
    statement; returns the row's primary key and every column as stored."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_update(index_elements=list(key), set_=on_conflict)
        .returning(*table.columns)
    )
    return session.execute(statement).one()


def upsert_many(
    session: Session,
    table: Table,
    *,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    updated: tuple[str, ...],
) -> None:
    """Insert every row, or update the `updated` columns of the row with the same `key`, in
    one executemany."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: statement.excluded[name] for name in updated},
        ),
        rows,
    )
