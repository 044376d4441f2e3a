"""Database engine, session factory, declarative base and the column types every domain shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, MetaData, Select, bindparam, event, select
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

M = TypeVar("M")
R = TypeVar("R")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in time, stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def async_url(url: str) -> str:
    """The async-driver form of a plain database URL (sqlite:// or postgresql://)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(async_url(url), connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(async_url(url), pool_size=10, max_overflow=10, pool_pre_ping=True)


def create_sqlite_reader(url: str) -> Engine:
    """A plain SQLite engine for primary-key reads on the event loop itself.

    Handing a query to aiosqlite's thread costs several thread switches (about 1 ms with
    SQLAlchemy on top); reading a row from a local WAL-mode file takes some 20 µs, and in WAL
    mode a reader never waits for a writer. So the per-request reads (the session, the user)
    run inline; every write still goes through the async engine.
    """
    engine = create_sync_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@cache
def _by_primary_key(model: Any) -> Select[Any]:
    table = model.__table__
    (primary_key,) = table.primary_key.columns
    return select(table).where(primary_key == bindparam("key"))


class Database:
    """The engine and its session factory; one per application."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.sqlite_reader = create_sqlite_reader(url) if url.startswith("sqlite") else None

    async def read(self, function: Callable[..., R], *args: Any) -> R:
        """Run a read-only function of a (sync) Session: inline on SQLite, as above; through
        the async engine's `run_sync` elsewhere. For pages that read many rows."""
        if self.sqlite_reader is not None:
            with Session(self.sqlite_reader, expire_on_commit=False) as session:
                return function(session, *args)
        async with self.sessions() as session:
            return await session.run_sync(function, *args)

    async def get(self, model: type[M], key: Any) -> M | None:
        """One object by primary key, with its relationships, read-only."""
        if self.sqlite_reader is not None:
            with Session(self.sqlite_reader, expire_on_commit=False) as session:
                return session.get(model, key)
        async with self.sessions() as session:
            return await session.get(model, key)

    async def get_row(self, model: type[M], key: Any) -> M | None:
        """One row by primary key as a detached object, without relationships: the fast path
        for what every request reads (its session, its user)."""
        row = await self.read_one(_by_primary_key(cast(Any, model)).params(key=key))
        return None if row is None else model(**row._mapping)

    async def read_one(self, query: Any, parameters: Mapping[str, Any] | None = None) -> Any:
        """The first row of a read-only Core query (inline on SQLite, see above), or None."""
        if self.sqlite_reader is not None:
            with self.sqlite_reader.connect() as connection:
                return connection.execute(query, parameters).first()
        async with self.engine.connect() as connection:
            return (await connection.execute(query, parameters)).first()

    async def read_all(self, *queries: tuple[Any, Mapping[str, Any]]) -> list[list[Any]]:
        """The rows of several read-only Core queries (each with its parameters) on one
        connection, inline on SQLite: what a page reads before it renders, in one go."""
        if self.sqlite_reader is not None:
            with self.sqlite_reader.connect() as connection:
                return [list(connection.execute(q, p)) for q, p in queries]
        async with self.engine.connect() as connection:
            return [list(await connection.execute(q, p)) for q, p in queries]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.sqlite_reader is not None:
            self.sqlite_reader.dispose()
