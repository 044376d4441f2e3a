"""Database engine, session factory, declarative base and the column types every domain shares."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar, cast

import anyio.to_thread
from sqlalchemy import (
    MetaData,
    Select,
    bindparam,
    event,
    select,
    text,
)
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session

from portal.postgres_reads import PostgresReads
from portal.row_objects import attach as attach
from portal.row_objects import detached as detached
from portal.row_objects import objects_of
from portal.row_objects import select_objects as select_objects
from portal.sqlite_reads import (
    InlineReadSession,
    SQLiteReads,
    SQLiteWrites,
    WriteTurn,
    inline_read_engine,
)

# The column type and clock every domain's models and services use, from here as ever.
from portal.timestamps import UTCDateTime as UTCDateTime
from portal.timestamps import utcnow as utcnow
from portal.together import Together

M = TypeVar("M")
R = TypeVar("R")
# One statement with its parameters (a write), and the statements a page reads together.
Write = tuple[Any, Mapping[str, Any] | None]
Reads = Sequence[tuple[Any, Mapping[str, Any] | None]]
# On PostgreSQL, the reads of at most this many requests share a round trip: the statements of
# one pipeline run one after another in one database process (a slow one holds up those after
# it), and the next group runs beside it on a connection of its own. Under wrk's 32
# connections, 16 gave more requests/s than one group of all (the start page +11 %, the board
# +24 %) at the same CPU; 10 more again where the statements are long (the staff overview
# +5-10 %: a third group keeps a database process working while the application waits on the
# other two), the other pages the same within the noise; 6 and 4 cost the board 5-10 %.
READS_TOGETHER = 10

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_into(db: AsyncSession, table: Any) -> Any:
    """An INSERT into `table` (a model or a Table) that knows the database's ON CONFLICT
    clauses (`on_conflict_do_update`, `on_conflict_do_nothing`, `excluded`)."""
    return insert_for(db.get_bind().dialect.name, table)


def insert_for(dialect: str, table: Any) -> Any:
    """The same for the database of the dialect's name (a statement built once)."""
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


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


# Inside `one_file_check` (a request): the databases whose file it has looked at.
_FILE_CHECKED: ContextVar[set[Database] | None] = ContextVar("portal_file_checked", default=None)


@contextmanager
def one_file_check() -> Iterator[None]:
    """Inside the block (one request), the SQLite file is looked at by the first read or write
    only: a request's few statements are a moment apart, and a look costs a system call."""
    token = _FILE_CHECKED.set(set())
    try:
        yield
    finally:
        _FILE_CHECKED.reset(token)


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
        # Reads outside a unit of work run without a transaction: no BEGIN and no ROLLBACK
        # round trip around each of them (at READ COMMITTED every statement had its own
        # snapshot anyway).
        self.reads = (
            self.engine
            if url.startswith("sqlite")
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        # Units of work write through the engine; sessions for reading only (`sessions`) run
        # on the event loop on SQLite, over read-only connections, and without a transaction
        # on PostgreSQL (as the reads above).
        self.write_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = self.reads
        self.sqlite_reader = create_sqlite_reader(url) if url.startswith("sqlite") else None
        path = make_url(url).database if url.startswith("sqlite") else None
        self.fast_reads = (
            SQLiteReads(path, self.sqlite_reader)
            if self.sqlite_reader is not None and path and path != ":memory:"
            else None
        )
        self.fast_writes = (
            SQLiteWrites(self.fast_reads.path, self.fast_reads)
            if self.fast_reads is not None
            else None
        )
        self.postgres_reads = (
            None if url.startswith("sqlite") else PostgresReads(url, self.engine.dialect)
        )
        self.sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        if self.fast_reads is not None:
            self.read_engine = inline_read_engine(self.fast_reads.path)
            self.sessions = async_sessionmaker(
                self.read_engine, expire_on_commit=False, class_=InlineReadSession
            )
        self.file = sqlite_file(url)
        self.file_seen = file_identity(self.file) if self.file else None
        # SQLite has one writer at a time; this process's units of work take turns here
        # instead of in SQLite's busy handler, which sleeps up to 100 ms between tries.
        self.write_turn = WriteTurn() if url.startswith("sqlite") else None
        self.writes_together: Together[Write, list[Any]] = Together(
            self._write_together, self._write_alone, self._write_goes_alone
        )
        self.reads_together: Together[Reads, list[list[Any]]] | None = (
            Together(
                self._read_together,
                self._read_alone,
                self._read_goes_alone,
                abandon=True,
                most=READS_TOGETHER,
            )
            if self.postgres_reads is not None
            else None
        )

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
        checked = _FILE_CHECKED.get()
        if checked is not None and self in checked:
            return
        now = file_identity(self.file)
        if now != self.file_seen:
            self.file_seen = now
            await self._close_connections()
        if now is None:
            raise OperationalError("the database file", {}, FileNotFoundError(self.file))
        if checked is not None:
            checked.add(self)

    async def _close_connections(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self.fast_reads is not None:
            self.fast_reads.close()
        if self.fast_writes is not None:
            self.fast_writes.close()
        if self.sqlite_reader is not None:
            self.sqlite_reader.dispose()
        if self.postgres_reads is not None:
            self.postgres_reads.close()

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
        if self.fast_reads is not None:
            await self.check_file()
            rows = self.fast_reads.rows(query, parameters)
            return rows[0] if rows else None
        (rows,) = await self.read_all((query, parameters or {}))
        return rows[0] if rows else None

    async def read_all(self, *queries: tuple[Any, Mapping[str, Any]]) -> list[list[Any]]:
        """The rows of several read-only Core queries (each with its parameters), inline on
        SQLite: what a page reads before it renders, in one go (on SQLite, from one snapshot
        of the committed data; on PostgreSQL each statement sees what was committed when it
        began, as at READ COMMITTED, and the reads of one turn of the event loop share one
        round trip, `portal.together`)."""
        await self.check_file()
        if self.fast_reads is not None:
            return self.fast_reads.rows_of_all(queries)
        if not queries:
            return []
        if self.reads_together is not None:
            return await self.reads_together.run(queries)
        return await self._read_alone(queries)

    def _read_goes_alone(self, queries: Reads) -> bool:
        assert self.postgres_reads is not None
        return any(self.postgres_reads.statement(query) is None for query, _ in queries)

    async def _read_together(self, groups: list[Reads]) -> list[list[list[Any]]] | None:
        assert self.postgres_reads is not None
        found = await self.postgres_reads.rows_of_all([read for reads in groups for read in reads])
        if found is None:
            return None
        answers, at = [], 0
        for reads in groups:
            answers.append(found[at : at + len(reads)])
            at += len(reads)
        return answers

    async def _read_alone(self, queries: Reads) -> list[list[Any]]:
        if self.postgres_reads is not None:
            found = await self.postgres_reads.rows_of_all(queries)
            if found is not None:
                return found
        async with self.reads.connect() as connection:
            return [list(await connection.execute(q, p)) for q, p in queries]

    async def read_objects(self, *queries: tuple[Any, Any, Mapping[str, Any]]) -> list[list[Any]]:
        """The rows of several `select_objects` queries (class, query, parameters) as objects
        of their classes, read together like `read_all` (no ORM session: an object graph costs
        its rows, not a unit of work); with None for the class, the rows as they are, and with
        a tuple of classes, a tuple of objects a row (`objects_of`). Join the objects with
        `attach`; treat them as read-only."""
        found = await self.read_all(*((query, parameters) for _, query, parameters in queries))
        return [objects_of(kind, rows) for (kind, _, _), rows in zip(queries, found, strict=True)]

    async def write(self, statement: Any, parameters: Mapping[str, Any] | None = None) -> list[Any]:
        """One write statement (an INSERT, an upsert; built once, with bound parameters) in a
        transaction outside any unit of work: its RETURNING rows once committed. For the lines
        pages append on every opening (the access log, a shared CV's openings, a rate limit's
        count), on each database's fast path, those of one turn of the event loop committed
        together (`portal.together`), else through a unit of work."""
        await self.check_file()
        return await self.writes_together.run((statement, parameters))

    def _write_goes_alone(self, write: Write) -> bool:
        """Whether a write cannot join a group: off the fast path, or made inside a unit of
        work (which holds the write turn a group's commit on SQLite would wait for)."""
        statement = write[0]
        if self.fast_writes is not None and self.write_turn is not None:
            return self.write_turn.held() or self.fast_writes.reads.statement(statement) is None
        if self.postgres_reads is not None:
            return self.postgres_reads.statement(statement) is None
        return True

    async def _write_together(self, writes: list[Write]) -> list[list[Any]] | None:
        if self.fast_writes is not None and self.write_turn is not None:
            async with self.write_turn:
                return self.fast_writes.run_together(writes)
        assert self.postgres_reads is not None
        # A pipeline's statements before its sync are one (implicit) transaction.
        return await self.postgres_reads.rows_of_all(writes)

    async def _write_alone(self, write: Write) -> list[Any]:
        statement, parameters = write
        if self.fast_writes is not None and self.write_turn is not None:
            async with self.write_turn:
                rows = self.fast_writes.run(statement, parameters)
                if rows is not None:
                    return rows
                return await self._write_in_transaction(statement, parameters)
        if self.postgres_reads is not None:
            found = await self.postgres_reads.write(statement, parameters)
            if found is not None:
                return found
        return await self._write_in_transaction(statement, parameters)

    async def _write_in_transaction(
        self, statement: Any, parameters: Mapping[str, Any] | None
    ) -> list[Any]:
        async with self.transaction() as db:
            connection = await db.connection()
            result = await connection.execute(statement, parameters)
            return list(result) if result.returns_rows else []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        await self.check_file()
        if self.write_turn is None:
            async with self.write_sessions() as session, session.begin():
                yield session
            return
        async with self.write_turn, self.write_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self._close_connections()
