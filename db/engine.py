"""Engines and sessions for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000  # background writes queue behind each other in bursts
POOL_SIZE, POOL_OVERFLOW = 10, 30


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        in_memory = make_url(url).database in (None, "", ":memory:")
        # A connection each for the web threads and the delivery threads at their busiest (an
        # in-memory database is one connection, whatever is asked).
        pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below): the driver's own would always be deferred.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITES = "alliance_writes"


def _begin_sqlite(connection: Connection) -> None:
    """Writing transactions take SQLite's write lock up front.

    A deferred transaction that reads and then writes fails at once with "database is locked"
    when another writer committed in between; BEGIN IMMEDIATE waits its turn (busy_timeout).
    """
    writes = connection.get_execution_options().get(WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url)
        self._sessions = sessionmaker(
            self.engine.execution_options(**{WRITES: True}), expire_on_commit=False
        )
        self._reads = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only look: never holds SQLite's write lock, and is rolled back at the end."""
        with self._reads() as session:
            yield session  # closing the session rolls the read transaction back

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction that sees one moment across every table, however long it
        reads (on SQLite, WAL gives a read transaction its snapshot at its first read)."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with connection.begin():
                yield connection

    def is_reachable(self) -> bool:
        return self.unreachable_reason() is None

    def unreachable_reason(self) -> str | None:
        """None when a query goes through; otherwise the driver's reason, in one line."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any driver failure means "not reachable"
            cause = getattr(error, "orig", None) or error
            lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
            return lines[0] if lines else type(cause).__name__
        return None

    def dispose(self) -> None:
        self.engine.dispose()


T = TypeVar("T")
IN_LIST_MAX = 5000  # ids per IN (...): SQLite allows 32,766 parameters a statement


def in_batches(items: Sequence[T], size: int = IN_LIST_MAX) -> Iterator[Sequence[T]]:
    """`items` a slice at a time: for IN lists longer than a statement may hold."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
