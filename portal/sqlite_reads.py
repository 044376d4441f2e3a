"""What only the embedded SQLite database needs: reads run on the event loop itself, compiled
once and without SQLAlchemy's execution path (`SQLiteReads`), so do single-statement writes
(`SQLiteWrites`, several in one transaction for `portal.together`), ORM reads on the event
loop too (`inline_read_engine`), and units of work that take turns in the process
(`WriteTurn`)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from portal.fast_rows import (
    CompiledOnce,
    result_columns,
    row_class,
    rows_maker,
    with_fixed_values_inline,
)
from portal.timestamps import UTCDateTime, utc_from_sqlite


def result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return utc_from_sqlite
    processor: Callable[[Any], Any] | None = type_.dialect_impl(dialect).result_processor(
        dialect, None
    )
    return processor


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
        returned = result_columns(query, compiled)
        processors = [result_processor(column.type, dialect) for _, column in returned]
        self.row = row_class(tuple(key for key, _ in returned))
        self.make_rows = rows_maker(self.row, processors)

    def run(self, connection: sqlite3.Connection, given: Mapping[str, Any] | None) -> list[Any]:
        given = given or {}
        values = []
        for key, default, process in self.parameters:
            value = given.get(key, default)
            values.append(value if process is None else process(value))
        return self.make_rows(connection.execute(self.sql, values).fetchall())


class SQLiteReads:
    """Runs `SQLiteStatement`s on one read-only connection per thread; queries it cannot
    compile that way go through the SQLAlchemy engine instead."""

    def __init__(self, path: str, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self.local = threading.local()
        self.opened: list[sqlite3.Connection] = []
        self.statements = CompiledOnce(lambda query: SQLiteStatement(query, engine.dialect))

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
        return self.statements.get(query)

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


class SQLiteWrites:
    """One write statement (compiled like a read, see `SQLiteStatement`) in a transaction of
    its own, on this process's write connection, on the event loop itself.

    Through a unit of work (aiosqlite's thread, SQLAlchemy's session) one INSERT cost about a
    millisecond and a turn of the event loop; a line that a page appends on every opening
    costs a tenth of that here. The caller holds the process's `WriteTurn`. The connection
    never waits for the write lock: while another process writes, `run` answers None and the
    caller writes through a unit of work instead, whose waiting holds up no one.
    """

    def __init__(self, path: str, reads: SQLiteReads) -> None:
        self.path = path
        self.reads = reads
        self.opened: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection:
        if self.opened is None:
            connection = sqlite3.connect(
                f"file:{self.path}?mode=rw", isolation_level=None, check_same_thread=False, uri=True
            )
            connection.execute("PRAGMA busy_timeout=0")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
            self.opened = connection
        return self.opened

    def run(self, statement: Any, parameters: Mapping[str, Any] | None) -> list[Any] | None:
        """The statement's RETURNING rows once it is committed; None when it was not run (it
        cannot be compiled once, or the database is locked by another writer)."""
        compiled = self.reads.statement(statement)
        if compiled is None:
            return None
        try:
            return compiled.run(self.connection(), parameters)
        except sqlite3.OperationalError as error:
            if _locked(error):
                return None
            raise

    def run_together(
        self, writes: Sequence[tuple[Any, Mapping[str, Any] | None]]
    ) -> list[list[Any]] | None:
        """Several statements (each one `run` could run) in one transaction: each one's
        RETURNING rows once all are committed; None when another process holds the write lock
        (nothing written). When one fails, none is written and its error is raised."""
        compiled = [self.reads.statement(statement) for statement, _ in writes]
        connection = self.connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if _locked(error):
                return None
            raise
        try:
            rows = []
            for statement, (_, parameters) in zip(compiled, writes, strict=True):
                if statement is None:
                    raise ValueError("a statement not compiled once")
                rows.append(statement.run(connection, parameters))
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return rows

    def close(self) -> None:
        if self.opened is not None:
            self.opened.close()
            self.opened = None


def _locked(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _AtOnce:
    """Stands in for aiosqlite's queue to its thread: runs what is put in it at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineSQLite(aiosqlite.Connection):
    """aiosqlite's connection, run on the calling thread instead of a thread of its own.

    Handing each statement to aiosqlite's thread and back costs more than a read of a local
    WAL-mode file, in which a reader never waits for a writer; so the sessions pages read with
    run on the event loop itself (writes keep aiosqlite's thread, where waiting for the write
    lock holds up no one)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, 64)
        self._tx = _AtOnce()  # type: ignore[assignment]

    def __await__(self) -> Any:
        return self._connect().__await__()

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def inline_read_engine(path: str) -> AsyncEngine:
    """An async engine over read-only connections to the file, run on the calling thread."""

    async def connect() -> InlineSQLite:
        connector = partial(
            sqlite3.connect, f"file:{path}?mode=rw", uri=True, check_same_thread=False, timeout=5
        )
        return await InlineSQLite(connector)

    engine = create_async_engine("sqlite+aiosqlite:///" + path, async_creator=connect)
    event.listen(engine.sync_engine, "connect", _read_only)
    return engine


class InlineReadSession(AsyncSession):
    """A session over `inline_read_engine`: closing it waits for nothing, so it closes at once
    rather than in a task of its own (SQLAlchemy's guard against a cancelled close), which
    held each request's connection over a turn of the event loop and made the pool open more.
    """

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


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

    def held(self) -> bool:
        """Whether the current task holds the turn."""
        return any(self.taken.get())

    async def __aexit__(self, *exc: object) -> None:
        taken = self.taken.get()
        self.taken.set(taken[:-1])
        if taken and taken[-1]:
            self.lock.release()
