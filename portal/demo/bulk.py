"""Writing many rows at once, for the scaled demo data: COPY on PostgreSQL, batched inserts on
SQLite, all of it in one transaction (nothing is left half-written when it stops). Rows carry
Python values; moments are naive UTC datetimes, turned into each database's form here."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, Protocol

BATCH = 10_000


class Bulk(Protocol):
    """One database connection in one transaction."""

    def moment(self, utc: dt.datetime) -> Any:
        """A naive UTC datetime as this database's driver takes it."""
        ...

    def day(self, day: dt.date) -> Any: ...

    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None: ...

    def finish(self, tables: Iterable[str]) -> None:
        """Commit; afterwards the tables' id sequences follow the rows written, and the query
        planner knows their new sizes."""
        ...


class SQLiteBulk:
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA cache_size = -262144")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute("BEGIN IMMEDIATE")

    @staticmethod
    def moment(utc: dt.datetime) -> str:
        # As SQLAlchemy keeps a DateTime in SQLite: "2026-12-02 09:30:00.000000".
        return utc.isoformat(" ", "microseconds")

    @staticmethod
    def day(day: dt.date) -> str:
        return day.isoformat()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(sql))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        places = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({places})"  # noqa: S608 -- names are the module's own
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            self.connection.executemany(statement, batch)

    def finish(self, tables: Iterable[str]) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA synchronous = FULL")
        self.connection.execute("ANALYZE")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.connection.close()


class PostgresBulk:
    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url)

    @staticmethod
    def moment(utc: dt.datetime) -> dt.datetime:
        return utc.replace(tzinfo=dt.UTC)

    @staticmethod
    def day(day: dt.date) -> dt.date:
        return day

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(sql))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def finish(self, tables: Iterable[str]) -> None:
        for table in tables:
            self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 -- own names
                f"(SELECT MAX(id) FROM {table}))"
            )
        self.connection.commit()
        self.connection.autocommit = True
        self.connection.execute("ANALYZE")

    def close(self) -> None:
        self.connection.close()


@contextmanager
def bulk_writer(database_url: str) -> Iterator[Bulk]:
    """A bulk writer for the portal's database URL; rolled back unless finished."""
    writer: SQLiteBulk | PostgresBulk
    if database_url.startswith("sqlite"):
        writer = SQLiteBulk(database_url.split(":///", 1)[1])
    else:
        writer = PostgresBulk("postgresql://" + database_url.split("://", 1)[1])
    try:
        yield writer
    finally:
        writer.close()
