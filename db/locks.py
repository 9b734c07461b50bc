"""Locks between bot processes sharing one database.

Which process delivers the outbox: one at a time per database (one workspace), handed over
within seconds when it stops or dies. And who applies the migrations: one process at a time,
the others waiting, then finding them applied.

On PostgreSQL the lease is a session-level advisory lock held on a connection of its own:
PostgreSQL frees it the moment that connection ends, SIGKILL included. On a SQLite file it is
an exclusive lock on a file beside the database, which the operating system frees with the
process. Whoever takes it knows that every row then still marked claimed was left by a process
that is gone, so those rows are due at once instead of when their claim runs out.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, NamedTuple

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from db.engine import Database

logger = logging.getLogger(__name__)

# Advisory lock keys: bigints no other application on the database is likely to use.
ADVISORY_KEY = 0x414C_4C49_414E_4345  # "ALLIANCE": the outbox's delivery
MIGRATIONS_KEY = 0x414C_4C49_4D49_4752  # "ALLIMIGR"


@contextmanager
def one_process_at_a_time(database: Database, purpose: str, key: int) -> Iterator[None]:
    """Wait for, then hold, a lock every process on this database shares: PostgreSQL's advisory
    lock `key` on a connection of its own, or a lock on the file `<database>.<purpose>-lock`
    beside a SQLite file. Freed on leaving, or when the holder dies."""
    if _on_postgres(database):
        with database.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
    elif (path := _beside_sqlite_file(database, f"{purpose}-lock")) is None:
        yield  # an in-memory database: no other process can open it
    else:
        with path.open("ab") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # closing the file frees it
            yield


class DeliveryTurn(NamedTuple):
    """A delivery pass's standing: whether it may deliver, and whether it has just taken over
    (from a process that stopped or died, or at start-up)."""

    holds: bool
    just_taken: bool


class DeliveryLease:
    """Taken, if free, at the start of each delivery pass; kept until `release` or death."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._on_postgres = _on_postgres(database)
        # SQLite: the lock file beside the database; None for one no other process can open.
        self._lock_path = _beside_sqlite_file(database, "delivery-lock")
        self._passes = threading.Lock()  # one pass at a time in this process, too
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None
        self._held: bool | None = None  # None: not tried yet

    @contextmanager
    def delivering(self) -> Iterator[DeliveryTurn]:
        """A delivery pass, holding the lease if this process has it or can take it."""
        with self._passes:
            holding = self._holding()
            holds = self._hold()
            if holds != self._held:
                logger.info(
                    "this process delivers the outbox now"
                    if holds
                    else "another process delivers the outbox"
                )
                self._held = holds
            yield DeliveryTurn(holds, just_taken=holds and not holding)

    @property
    def held(self) -> bool:
        """Whether the last pass found this process holding the lease."""
        return bool(self._held)

    def release(self) -> None:
        """Hand the lease over; call once the passes in flight have ended."""
        with self._passes:
            self._drop()
            if self._held:
                logger.info("released the outbox delivery to the other processes")
            self._held = False

    def _holding(self) -> bool:
        """Whether this process held the lease at the end of its last pass."""
        if self._on_postgres:
            return self._connection is not None
        return self._file is not None if self._lock_path else bool(self._held)

    def _hold(self) -> bool:
        if self._on_postgres:
            return self._hold_advisory_lock()
        return self._lock_path is None or self._hold_file_lock(self._lock_path)

    def _hold_advisory_lock(self) -> bool:
        if self._connection is not None:
            try:  # still ours while its connection lives
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except Exception as lost:  # the connection broke: so did the lock
                logger.warning("lost the outbox delivery lease: %s", lost)
                self._drop()
        connection = self.database.engine.connect()
        try:
            taken = connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            )
            connection.commit()
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def _hold_file_lock(self, path: Path) -> bool:
        if self._file is not None:
            return True
        lock_file = path.open("ab")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._file = lock_file
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            # Closed, not returned to the pool: a pooled connection would keep the lock.
            self._connection.invalidate()
            self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing the file frees its lock
            self._file = None


class Presence:
    """This process's sign of life, held while it runs, that the others sharing the database
    can test (`is_gone`): PostgreSQL's advisory lock on a key made from the worker id, held on
    a connection of its own, or a lock on a file named after it beside a SQLite file. Either is
    freed when the process dies, however it dies."""

    def __init__(self, database: Database, worker_id: str) -> None:
        self.database = database
        self.worker_id = worker_id
        self._connection: Connection | None = None
        self._path = _presence_file(database, worker_id)
        self._file: IO[bytes] | None = None

    def start(self) -> None:
        if _on_postgres(self.database):
            connection = self.database.engine.connect()
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _key(self.worker_id)})
            connection.commit()
            self._connection = connection
        elif self._path is not None:
            self._path.parent.mkdir(exist_ok=True)
            self._file = self._path.open("ab")
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.invalidate()  # closed, not pooled: the lock goes with it
            self._connection.close()
            self._connection = None
        if self._file is not None and self._path is not None:
            self._path.unlink(missing_ok=True)
            self._file.close()
            self._file = None


def is_gone(database: Database, worker_id: str) -> bool:
    """Whether the process named `worker_id` has stopped or died (its presence is free)."""
    if _on_postgres(database):
        with database.engine.connect() as connection:
            key = {"key": _key(worker_id)}
            free = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key))
            if free:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
            connection.commit()
            return free
    path = _presence_file(database, worker_id)
    if path is None:
        return False  # an in-memory database: only this process can see it
    try:
        with path.open("rb") as presence:
            fcntl.flock(presence, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except FileNotFoundError:
        return True
    except BlockingIOError:
        return False
    path.unlink(missing_ok=True)
    return True


def _on_postgres(database: Database) -> bool:
    return make_url(database.url).get_backend_name() == "postgresql"


def _key(worker_id: str) -> int:
    """A signed 64-bit advisory lock key for the worker id."""
    digest = hashlib.blake2b(worker_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _presence_file(database: Database, worker_id: str) -> Path | None:
    folder = _beside_sqlite_file(database, "processes")
    return None if folder is None else folder / worker_id.replace(":", "-").replace("/", "-")


def _beside_sqlite_file(database: Database, suffix: str) -> Path | None:
    """`<database file>.<suffix>`, or None for a database no other process can open (in
    memory). Only for SQLite."""
    name = make_url(database.url).database
    return None if name in (None, "", ":memory:") else Path(f"{name}.{suffix}")
