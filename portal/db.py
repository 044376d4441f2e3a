"""Database engine, session factory, declarative base and the column types every domain shares."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar, cast

import anyio.to_thread
from sqlalchemy import (
    DateTime,
    MetaData,
    Select,
    bindparam,
    event,
    literal_column,
    select,
    text,
)
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session, configure_mappers
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter
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
        return None if value is None else as_utc(value)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A moment read back from the database, in UTC (a naive one was stored as UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def insert_into(db: AsyncSession, table: Any) -> Any:
    """An INSERT into `table` (a model or a Table) that knows the database's ON CONFLICT
    clauses (`on_conflict_do_update`, `on_conflict_do_nothing`, `excluded`)."""
    dialect = db.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


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


def sqlite_file(url: str) -> str | None:
    """The file of an embedded database's URL (None for PostgreSQL or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return database if database and database != ":memory:" else None


def existing_file_url(url: str) -> str:
    """The URL that opens the embedded database's file only when it exists: a request never
    creates an empty database in place of a missing one (`portal db upgrade` creates it)."""
    path = sqlite_file(url)
    if path is None:
        return url
    return (
        make_url(url)
        .set(database=f"file:{path}", query={"mode": "rw", "uri": "true"})
        .render_as_string()
    )


def file_identity(path: str) -> tuple[int, int] | None:
    """Which file is at the path (device and inode), or None when none is."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            async_url(existing_file_url(url)), connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(async_url(url), pool_size=10, max_overflow=10, pool_pre_ping=True)


def create_sqlite_reader(url: str) -> Engine:
    """A plain SQLite engine for reads on the event loop itself.

    Handing a query to aiosqlite's thread costs several thread switches (about 1 ms with
    SQLAlchemy on top); reading a row from a local WAL-mode file takes some 20 µs, and in WAL
    mode a reader never waits for a writer. So reads run inline; every write still goes
    through the async engine.
    """
    engine = create_sync_engine(
        existing_file_url(url), connect_args={"check_same_thread": False, "timeout": 5}
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class FastRow(tuple[Any, ...]):
    """A result row of `SQLiteStatement`: a tuple, with `_mapping` and attributes by column
    name like SQLAlchemy's Row (each statement makes its own subclass, see below)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


T = TypeVar("T", bound=tuple[Any, ...])


def typed_row(row_type: type[T], row: Any) -> T:
    """A row of a fast read (or SQLAlchemy's) as the named tuple a caller declares: read by
    field name elsewhere, and refused at once if the query's column names ever differ."""
    fields: tuple[str, ...] = getattr(row_type, "_fields")  # noqa: B009
    if tuple(row._fields) != fields:
        raise TypeError(f"columns {tuple(row._fields)} are not {row_type.__name__}{fields}")
    return row_type(*row)


def utc_from_sqlite(value: str | None) -> dt.datetime | None:
    """A UTCDateTime as SQLite keeps it ("2026-12-02 09:30:00.000000", UTC) read back: what
    SQLAlchemy's two processors (text to datetime, then UTC) give, in one step. Parsing it
    with "+00:00" appended is ten times quicker than setting the zone afterwards."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value + "+00:00")
    except ValueError:  # written with an offset of its own
        return as_utc(dt.datetime.fromisoformat(value))


def result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return utc_from_sqlite
    processor: Callable[[Any], Any] | None = type_.dialect_impl(dialect).result_processor(
        dialect, None
    )
    return processor


def with_fixed_values_inline(query: Any, dialect: Dialect) -> Any:
    """The query with each text or integer value fixed in it (``status == "booked"``) written
    into the SQL as a literal, and the values given at execution left as parameters.

    SQLite compares a parameter with the condition of each partial index on its column (such
    as bookings' ``WHERE status = 'booked'``) and then prepares the statement afresh every time
    a value is bound to it; a literal is planned once. The literal is the dialect's own
    rendering of the value (quotes doubled), so it reads the same rows.
    """

    def inline(element: Any, **_: Any) -> Any:
        if (
            isinstance(element, BindParameter)
            and not element.required
            and not element.expanding
            and element.callable is None
            and type(element.value) in (str, int)
            and element.type.bind_processor(dialect) is None
        ):
            render = element.type.literal_processor(dialect)
            if render is not None:
                return literal_column(render(element.value), element.type)
        return None

    return visitors.replacement_traverse(cast(visitors.ExternallyTraversible, query), {}, inline)


class SQLiteStatement:
    """A read-only Core query compiled once for SQLite and run on the driver itself.

    SQLAlchemy's execution path costs some 100 µs a statement, ten times the query itself on
    a local file; what pages read on every request is worth skipping it for. Parameters and
    results go through the same type processors SQLAlchemy would apply, so the values are the
    same; a query this cannot run as one plain statement (an expanding IN) raises ValueError.
    """

    def __init__(self, query: Any, dialect: Dialect) -> None:
        compiled = with_fixed_values_inline(query, dialect).compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError("not a positional statement")
        sql: str = compiled.string
        self.parameters: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.expanding:
                # An IN of values fixed in the query: one placeholder per value.
                values = bind.effective_value
                if bind.required or bind.literal_execute or not values:
                    raise ValueError("an IN whose values come at execution")
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(values)), 1)
                self.parameters.extend(("", value, process) for value in values)
                continue
            default = None if bind.required else bind.effective_value
            self.parameters.append((bind.key, default, process))
        if "POSTCOMPILE" in sql:
            raise ValueError("a parameter rendered at execution")
        self.sql = sql
        columns = list(query.selected_columns)
        self.processors = [result_processor(column.type, dialect) for column in columns]
        self.plain = all(processor is None for processor in self.processors)
        keys = tuple(query.selected_columns.keys())
        attributes: dict[str, Any] = {"__slots__": (), "_fields": keys}
        for index, key in enumerate(keys):
            if key.isidentifier() and keys.count(key) == 1 and not hasattr(FastRow, key):
                attributes[key] = property(itemgetter(index))
        self.row = type("Row", (FastRow,), attributes)

    def run(self, connection: sqlite3.Connection, given: Mapping[str, Any] | None) -> list[Any]:
        given = given or {}
        values = []
        for key, default, process in self.parameters:
            value = given.get(key, default)
            values.append(value if process is None else process(value))
        rows = connection.execute(self.sql, values).fetchall()
        row = self.row
        if self.plain:
            return [row(values) for values in rows]
        processors = self.processors
        return [
            row(
                [
                    value if p is None else p(value)
                    for p, value in zip(processors, values, strict=True)
                ]
            )
            for values in rows
        ]


class SQLiteReads:
    """Runs `SQLiteStatement`s on one read-only connection per thread; queries it cannot
    compile that way go through the SQLAlchemy engine instead."""

    def __init__(self, path: str, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.local = threading.local()
        self.opened: list[sqlite3.Connection] = []
        self.statements: weakref.WeakKeyDictionary[Any, SQLiteStatement | None] = (
            weakref.WeakKeyDictionary()
        )

    def connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                f"file:{self.path}?mode=rw",
                timeout=5,
                isolation_level=None,
                check_same_thread=False,
                uri=True,
            )
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute("PRAGMA query_only=ON")
            self.local.connection = connection
            self.opened.append(connection)
        return connection

    def statement(self, query: Any) -> SQLiteStatement | None:
        try:
            return self.statements[query]
        except KeyError:
            pass
        try:
            statement: SQLiteStatement | None = SQLiteStatement(query, self.engine.dialect)
        except ValueError:
            statement = None
        self.statements[query] = statement
        return statement

    def rows(self, query: Any, parameters: Mapping[str, Any] | None) -> list[Any]:
        statement = self.statement(query)
        if statement is not None:
            return statement.run(self.connection(), parameters)
        with self.engine.connect() as connection:
            return list(connection.execute(query, parameters))

    def rows_of_all(
        self, queries: Sequence[tuple[Any, Mapping[str, Any] | None]]
    ) -> list[list[Any]]:
        """The rows of several queries, read in one transaction: one snapshot of the data, and
        the file's read lock taken once rather than for each statement."""
        if len(queries) < 2:
            return [self.rows(query, parameters) for query, parameters in queries]
        connection = self.connection()
        connection.execute("BEGIN")
        try:
            return [self.rows(query, parameters) for query, parameters in queries]
        finally:
            connection.execute("COMMIT")

    def close(self) -> None:
        for connection in self.opened:
            connection.close()
        self.opened.clear()
        self.local = threading.local()


@cache
def _by_primary_key(model: Any) -> Select[Any]:
    table = model.__table__
    (primary_key,) = table.primary_key.columns
    return select(table).where(primary_key == bindparam("key"))


def detached(model: type[M], values: Mapping[str, Any]) -> M:
    """An instance of a mapped class holding a row's values, as if loaded and detached: its
    attributes are read like any loaded object's, without the per-attribute change tracking
    that calling the constructor sets off. Never add it to a session."""
    instance: M = _new_instance(cast(Any, model))()
    instance.__dict__.update(values)
    return instance


@cache
def _new_instance(model: Any) -> Callable[[], Any]:
    mapper = sa_inspect(model)
    if not mapper.configured:
        configure_mappers()
    new_instance: Callable[[], Any] = mapper.class_manager.new_instance
    return new_instance


class WriteTurn:
    """Units of work take turns: one at a time holds the turn, a task may take it again while
    it holds it. No one waits for a turn longer than WAIT_SECONDS: two units of work that wait
    for each other (a test's barrier) then go on together, and SQLite decides, as before."""

    WAIT_SECONDS = 2.0

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        # Per task: for each unit of work it is in, whether that one took the lock.
        self.taken: ContextVar[tuple[bool, ...]] = ContextVar(f"write_turn_{id(self)}", default=())

    async def __aenter__(self) -> None:
        taken = self.taken.get()
        if any(taken):
            self.taken.set((*taken, False))
            return
        try:
            await asyncio.wait_for(self.lock.acquire(), self.WAIT_SECONDS)
            got = True
        except TimeoutError:
            got = False
        self.taken.set((*taken, got))

    async def __aexit__(self, *exc: object) -> None:
        taken = self.taken.get()
        self.taken.set(taken[:-1])
        if taken and taken[-1]:
            self.lock.release()


class Database:
    """The engine and its session factory; one per application."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        # Reads outside a unit of work run without a transaction: no BEGIN and no ROLLBACK
        # round trip around each of them (at READ COMMITTED every statement had its own
        # snapshot anyway).
        self.reads = (
            self.engine
            if url.startswith("sqlite")
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.sqlite_reader = create_sqlite_reader(url) if url.startswith("sqlite") else None
        path = make_url(url).database if url.startswith("sqlite") else None
        self.fast_reads = (
            SQLiteReads(path, self.sqlite_reader)
            if self.sqlite_reader is not None and path and path != ":memory:"
            else None
        )
        self.file = sqlite_file(url)
        self.file_seen = file_identity(self.file) if self.file else None
        # SQLite has one writer at a time; this process's units of work take turns here
        # instead of in SQLite's busy handler, which sleeps up to 100 ms between tries.
        self.write_turn = WriteTurn() if url.startswith("sqlite") else None

    async def schema_version(self) -> str | None:
        """The migration the database is at (None before the first)."""
        await self.check_file()
        async with self.engine.connect() as connection:
            found = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return found.scalar()

    async def check_file(self) -> None:
        """On SQLite, that the database file is still the one the connections opened.

        Connections keep a removed or replaced file open and would go on reading and writing
        it, acknowledging writes nobody will see again. When the file changed, every
        connection is closed; when none is there, the request fails as the database being
        away (503), and the first request after the file is back opens it anew."""
        if self.file is None:
            return
        now = file_identity(self.file)
        if now != self.file_seen:
            self.file_seen = now
            await self._close_connections()
        if now is None:
            raise OperationalError("the database file", {}, FileNotFoundError(self.file))

    async def _close_connections(self) -> None:
        await self.engine.dispose()
        if self.fast_reads is not None:
            self.fast_reads.close()
        if self.sqlite_reader is not None:
            self.sqlite_reader.dispose()

    async def read(self, function: Callable[..., R], *args: Any) -> R:
        """Run a read-only function of a (sync) Session, for reads of many rows (a plan with
        its versions, the occupation index): on SQLite in a worker thread, so that a long read
        never holds up the event loop (one-statement lookups use `read_one` and `read_all`,
        inline); through the async engine's `run_sync` elsewhere."""
        await self.check_file()
        if self.sqlite_reader is not None:
            return await anyio.to_thread.run_sync(self._read_in_session, function, *args)
        async with self.sessions() as session:
            return await session.run_sync(function, *args)

    def _read_in_session(self, function: Callable[..., R], *args: Any) -> R:
        assert self.sqlite_reader is not None
        with Session(self.sqlite_reader, expire_on_commit=False) as session:
            return function(session, *args)

    async def get(self, model: type[M], key: Any) -> M | None:
        """One object by primary key, with its relationships, read-only."""
        await self.check_file()
        if self.sqlite_reader is not None:
            with Session(self.sqlite_reader, expire_on_commit=False) as session:
                return session.get(model, key)
        async with self.sessions() as session:
            return await session.get(model, key)

    async def get_row(self, model: type[M], key: Any) -> M | None:
        """One row by primary key as a detached object, without relationships: the fast path
        for what every request reads (its session, its user)."""
        row = await self.read_one(_by_primary_key(cast(Any, model)), {"key": key})
        return None if row is None else detached(model, row._mapping)

    async def read_one(self, query: Any, parameters: Mapping[str, Any] | None = None) -> Any:
        """The first row of a read-only Core query (inline on SQLite, see above), or None.
        Build the query once, with bind parameters: SQLite keeps it compiled."""
        await self.check_file()
        if self.fast_reads is not None:
            rows = self.fast_reads.rows(query, parameters)
            return rows[0] if rows else None
        async with self.reads.connect() as connection:
            return (await connection.execute(query, parameters)).first()

    async def read_all(self, *queries: tuple[Any, Mapping[str, Any]]) -> list[list[Any]]:
        """The rows of several read-only Core queries (each with its parameters), inline on
        SQLite: what a page reads before it renders, in one go (on SQLite, from one snapshot
        of the committed data; on PostgreSQL each statement sees what was committed when it
        began, as at READ COMMITTED)."""
        await self.check_file()
        if self.fast_reads is not None:
            return self.fast_reads.rows_of_all(queries)
        async with self.reads.connect() as connection:
            return [list(await connection.execute(q, p)) for q, p in queries]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        await self.check_file()
        if self.write_turn is None:
            async with self.sessions() as session, session.begin():
                yield session
            return
        async with self.write_turn, self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self._close_connections()
