"""Alembic migrations build exactly the schema the models describe, on each database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from db.engine import Database
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import Base


def test_migrated_schema_matches_the_models(migrated_database: Database) -> None:
    with migrated_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_the_head_revision(migrated_database: Database) -> None:
    assert current_revision(migrated_database) == head_revision(migrated_database)


def test_every_table_is_scoped_to_a_workspace(migrated_database: Database) -> None:
    tables = set(inspect(migrated_database.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    for table in Base.metadata.tables.values():
        assert "team_id" in table.columns, f"{table.name} has no team_id"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A database of each kind of the test's own, which it may take down to nothing."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'downgrade.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    database = Database(url)
    yield database
    database.dispose()


def test_every_revision_downgrades_to_base_and_upgrades_again(empty_database: Database) -> None:
    upgrade(empty_database)
    with empty_database.engine.begin() as connection:
        config = alembic_config(empty_database)
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)
    assert current_revision(empty_database) == head_revision(empty_database)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
    finally:
        database.dispose()
