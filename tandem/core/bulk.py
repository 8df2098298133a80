"""Stream rows into the database: COPY on PostgreSQL, batched INSERTs elsewhere.

Both take rows as they come from a generator and keep at most one batch in memory. The seed writes
whole workspaces through them, `triage_index` every ask's vector.
"""

import contextlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql
from psycopg.types.json import Jsonb
from tqdm import tqdm

BATCH = 2_000
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """One table's rows, as tuples in the order of `fields` (model field attnames)."""

    model: type[models.Model]
    fields: tuple[str, ...]
    rows: Iterable[Row]
    total: int | None = None


def _fields(table: Table) -> list[models.Field[Any, Any]]:
    fields = [table.model._meta.get_field(name) for name in table.fields]
    assert all(isinstance(field, models.Field) for field in fields), "rows carry concrete fields only"
    return cast(list[models.Field[Any, Any]], fields)


def progress_bar(
    what: str, *, total: int | None, enabled: bool = True, rows: Iterable[Any] | None = None
) -> "tqdm[Any]":
    """A bar of rows done on stderr, over `rows` or updated by hand: every second on a terminal,
    every 15 s into a log file."""
    return tqdm(
        rows,
        total=total,
        desc=f"{what:<24}",
        unit=" rows",
        unit_scale=True,
        disable=not enabled,
        mininterval=1 if sys.stderr.isatty() else 15,
        file=sys.stderr,
    )


def _progress(table: Table, enabled: bool) -> Iterable[Row]:
    if not enabled:
        return table.rows
    return progress_bar(str(table.model._meta.db_table), total=table.total, rows=table.rows)


class CopyWriter:
    """PostgreSQL: one `COPY … FROM STDIN` per table through psycopg 3, rows sent as generated."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def write(self, table: Table, *, progress: bool) -> int:
        query = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.model._meta.db_table),
            sql.SQL(", ").join([sql.Identifier(str(field.column)) for field in _fields(table)]),
        )
        # COPY would send a list as an array: JSON columns (a notification's links) say they are JSON.
        json_at = [i for i, field in enumerate(_fields(table)) if isinstance(field, models.JSONField)]
        count = 0
        with self.connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
            for row in _progress(table, progress):
                if json_at:
                    row = tuple(Jsonb(value) if i in json_at else value for i, value in enumerate(row))
                copy.write_row(row)
                count += 1
        return count

    @contextlib.contextmanager
    def indexes_deferred(self, tables: list[str]) -> Iterator[None]:
        """Drop the secondary indexes, unique and foreign-key constraints of the big tables for
        the load and build them again after it, from the definitions read from the catalog.

        Building an index once over sorted data is several times faster than updating it row by
        row, and re-adding a foreign key checks it with one join instead of a trigger per row.
        Primary keys stay: the ids arrive in order, so they are cheap to keep.
        """
        restore: list[str] = []
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                    [table],
                )
                constraints = cursor.fetchall()
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                    " AND tablename = %s AND indexname NOT IN"
                    " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
                    [table, table],
                )
                indexes = cursor.fetchall()
                quoted = self.connection.ops.quote_name(table)
                for name, _ in constraints:
                    cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {self.connection.ops.quote_name(name)}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
                restore += [definition for _, definition in indexes]
                restore += [
                    f"ALTER TABLE {quoted} ADD CONSTRAINT {self.connection.ops.quote_name(name)} {definition}"
                    for name, definition in constraints
                ]
        yield
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in restore:
                cursor.execute(statement)


class BatchInsertWriter:
    """Any other database (SQLite): multi-row INSERTs of `BATCH` rows, values prepared by the
    model fields exactly as `bulk_create` prepares them (minus building a model instance per row)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def write(self, table: Table, *, progress: bool) -> int:
        fields = _fields(table)
        quote = self.connection.ops.quote_name
        query = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table.model._meta.db_table),
            ", ".join(quote(str(field.column)) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
        connection, count = self.connection, 0
        rows = iter(_progress(table, progress))
        with connection.cursor() as cursor:
            while batch := list(islice(rows, BATCH)):
                prepared: list[tuple[Any, ...]] = [
                    tuple(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
                    for row in batch
                ]
                cursor.executemany(query, prepared)
                count += len(batch)
        return count

    @contextlib.contextmanager
    def indexes_deferred(self, tables: list[str]) -> Iterator[None]:
        yield


def writer_for(connection: BaseDatabaseWrapper) -> "CopyWriter | BatchInsertWriter":
    """The fastest writer this database takes."""
    return CopyWriter(connection) if connection.vendor == "postgresql" else BatchInsertWriter(connection)
