"""The analytics export: the live database, SQLite or PostgreSQL, copied into a standalone SQLite
file for Datasette or any SQLite tool, without what docs/data-model.md marks personal."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Table,
    UniqueConstraint,
    distinct,
    func,
    select,
)
from sqlite_utils import Database as SQLiteFile

from db.engine import Database
from db.migrate import current_revision, head_revision
from db.models import (
    AuditEntry,
    Base,
    Conversation,
    Inbox,
    Learning,
    Opportunity,
    Outbox,
    ProcessedEvent,
    ReportingLine,
    ValueStatement,
)
from db.privacy import Privacy, privacy_of
from services.refusals import Refusal

# docs/data-model.md ("Privacy"): never in the export, whatever the options.
NEVER_EXPORTED = frozenset(
    model.__tablename__
    for model in (ValueStatement, Conversation, AuditEntry, ProcessedEvent, Outbox, Inbox)
)
# Full-text search over these columns, when they are exported (free text, so --include-text).
SEARCHABLE = {
    Learning.__tablename__: (Learning.text.key, Learning.source.key),
    Opportunity.__tablename__: (Opportunity.title.key, Opportunity.description.key),
}
# A dimension of the export's own: each workspace's departments in the org chart now, with how
# many people and managers have a current line in them (join on reporting_lines.department).
DEPARTMENTS = "departments"
BATCH_ROWS = 5_000  # rows read, written and reported at a time
NUMBERS: dict[type, type] = {int: int, bool: int, float: float}  # SQLite types; others are TEXT

# Told the table being written, how many of its rows are written, and how many it has.
Progress = Callable[[str, int, int], None]


class ExportRefusal(Refusal):
    """The export cannot be written where it was asked to be."""


@dataclass(frozen=True)
class ExportSummary:
    tables: int
    rows: int
    searchable: tuple[str, ...]  # the tables with full-text search


def export_analytics(
    database: Database,
    path: Path,
    *,
    include_text: bool,
    replace: bool,
    progress: Progress,
    batch_rows: int = BATCH_ROWS,
) -> ExportSummary:
    """Write the export to `path`, where it appears only once complete. Raises ExportRefusal."""
    _refuse_target(path, replace=replace)
    if current_revision(database) != head_revision(database):
        raise ExportRefusal("The database is not up to date: run `alliance db upgrade` first.")
    tables, rows, searchable = exported_tables(), 0, []
    with _written_beside(path, replace=replace) as scratch:
        output = SQLiteFile(scratch)
        # A new file, thrown away on any failure: it needs no journal, nor syncs until complete.
        output.execute("PRAGMA journal_mode=OFF")
        output.execute("PRAGMA synchronous=OFF")
        try:
            with database.snapshot() as connection:  # one moment across every table
                for table in tables:
                    columns = exported_columns(table, include_text=include_text)
                    _create(output, table, columns)
                    rows += _copy(connection, output, table, columns, batch_rows, progress)
                    _index(output, table, columns)
                    if _enable_search(output, table, columns):
                        searchable.append(table.name)
                departments = _write_departments(connection, output)
                progress(DEPARTMENTS, departments, departments)
                rows += departments
        finally:
            output.close()
    return ExportSummary(len(tables) + 1, rows, tuple(searchable))


def exported_tables() -> list[Table]:
    """Every table but the never-exported ones, each after the tables it refers to."""
    return [table for table in Base.metadata.sorted_tables if table.name not in NEVER_EXPORTED]


def exported_columns(table: Table, *, include_text: bool) -> list[Column[Any]]:
    """The columns with no privacy mark, and the free text (T) ones if asked; never an I."""
    allowed = {None, Privacy.TEXT} if include_text else {None}
    return [column for column in table.columns if privacy_of(column) in allowed]


def _refuse_target(path: Path, *, replace: bool) -> None:
    if path.is_dir():
        raise ExportRefusal(f"{path} is a directory: name the file to write.")
    if path.exists() and not replace:
        raise ExportRefusal(f"{path} already exists: add --force to replace it.")
    if not path.parent.is_dir():
        raise ExportRefusal(f"There is no directory {path.parent} to write {path.name} in.")


@contextmanager
def _written_beside(path: Path, *, replace: bool) -> Iterator[Path]:
    """A new file beside `path` that takes its name when the block completes, or vanishes."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    scratch = Path(name)
    try:
        yield scratch
        with scratch.open("rb") as written:
            os.fsync(written.fileno())  # on disk before it takes the name
        _refuse_target(path, replace=replace)  # a file may have appeared meanwhile
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def _create(output: SQLiteFile, table: Table, columns: list[Column[Any]]) -> None:
    primary_key = [column.name for column in table.primary_key.columns]
    output.table(table.name).create(
        {column.name: NUMBERS.get(column.type.python_type, str) for column in columns},
        pk=primary_key[0] if len(primary_key) == 1 else tuple(primary_key),
        not_null={column.name for column in columns if not column.nullable},
        foreign_keys=[
            (column.name, key.column.table.name, key.column.name)
            for column in columns
            for key in column.foreign_keys
            if key.column.table.name not in NEVER_EXPORTED
        ],
    )


def _copy(
    connection: Connection,
    output: SQLiteFile,
    table: Table,
    columns: list[Column[Any]],
    batch_rows: int,
    progress: Progress,
) -> int:
    """Stream the table's rows into the file, a batch at a time; return how many there were."""
    total = connection.scalar(select(func.count()).select_from(table)) or 0
    convert = [(column.name, _converter(column)) for column in columns]
    query = select(*columns).order_by(*table.primary_key.columns)
    result = connection.execute(query.execution_options(yield_per=batch_rows))
    written = 0
    for batch in result.partitions():
        rows = [
            {name: to_sqlite(value) for (name, to_sqlite), value in zip(convert, row, strict=True)}
            for row in batch
        ]
        output.table(table.name).insert_all(rows, batch_size=batch_rows)
        written += len(rows)
        progress(table.name, written, total)
    if not written:
        progress(table.name, 0, total)
    return written


def _write_departments(connection: Connection, output: SQLiteFile) -> int:
    line = ReportingLine
    counted = connection.execute(
        select(line.team_id, line.department, func.count(), func.count(distinct(line.manager_id)))
        .where(line.valid_to.is_(None))
        .group_by(line.team_id, line.department)
        .order_by(line.team_id, line.department)
    )
    rows = [
        {"team_id": team_id, "name": name, "people": people, "managers": managers}
        for team_id, name, people, managers in counted
    ]
    table = output.table(DEPARTMENTS)
    table.create(
        {"team_id": str, "name": str, "people": int, "managers": int},
        pk=("team_id", "name"),
        not_null={"team_id", "name", "people", "managers"},
    )
    table.insert_all(rows)
    return len(rows)


def _converter(column: Column[Any]) -> Callable[[Any], Any]:
    return _json_text if isinstance(column.type, JSON) else _plain


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """Enums as their values, dates and times as ISO text, the rest as they are."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def _index(output: SQLiteFile, table: Table, columns: list[Column[Any]]) -> None:
    """The live table's indexes and unique constraints over exported columns, as plain indexes,
    and one on each foreign key column that leads none of them, for joins."""
    exported = {column.name for column in columns}
    keys = {tuple(column.name for column in index.columns) for index in table.indexes}
    keys |= {
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    }
    keys = {key for key in keys if set(key) <= exported}
    leading = {key[0] for key in keys}
    keys |= {
        (column.name,) for column in columns if column.foreign_keys and column.name not in leading
    }
    for key in sorted(keys):
        output.table(table.name).create_index(key)


def _enable_search(output: SQLiteFile, table: Table, columns: list[Column[Any]]) -> bool:
    """Full-text search over the table's searchable columns that were exported, if any."""
    searchable = [
        column.name for column in columns if column.name in SEARCHABLE.get(table.name, ())
    ]
    if searchable:
        output.table(table.name).enable_fts(searchable, create_triggers=True)
    return bool(searchable)
