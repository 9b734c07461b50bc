"""Alembic environment: runs migrations on the connection or URL handed in by db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.engine import create_db_engine
from db.models import Base

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Alliance runs migrations online only: use `alliance db upgrade`.")
run_migrations_online()
