"""PostgreSQL's fast read path, the counterpart of `portal/sqlite_reads.py`: what pages read on
every request (and the single lines some append) runs on psycopg itself, as server-side
prepared statements on a few connections of its own, several statements in one round trip.

Through SQLAlchemy's async engine a one-row read cost about a millisecond of CPU (its execution
path, the pool's checkout with its ping, the driver's adaptation layer, the greenlet switch) and
the server planned the statement again each time; here a statement is compiled once, planned
once per connection, and a page's reads go out in one pipeline.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError

from portal.fast_rows import (
    CompiledOnce,
    result_columns,
    row_class,
    typed_rows,
    with_fixed_values_inline,
)


def conninfo(url: str) -> str:
    """A libpq connection URI of a database URL (driver name dropped, query kept)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class PostgresStatement:
    """A read-only Core query compiled once for psycopg; parameters and results go through the
    type processors SQLAlchemy would apply. A query that is not one plain statement (an
    expanding IN) raises ValueError."""

    def __init__(self, query: Any, dialect: Dialect) -> None:
        compiled = with_fixed_values_inline(query, dialect).compile(dialect=dialect)
        sql: str = compiled.string
        escaped = compiled.escaped_bind_names
        self.parameters: list[tuple[str, str, Any, Callable[[Any], Any] | None]] = []
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            token = f"__[POSTCOMPILE_{name}]"
            if bind.expanding and token in sql:
                # An IN of values fixed in the query: one placeholder per value.
                values = bind.effective_value
                if bind.required or bind.literal_execute or not values:
                    raise ValueError("an IN whose values come at execution")
                names = [f"{name}__{index}" for index in range(len(values))]
                sql = sql.replace(token, ", ".join(f"%({n})s" for n in names), 1)
                self.parameters.extend(
                    (n, "", value, process) for n, value in zip(names, values, strict=True)
                )
                continue
            placeholder = escaped.get(name, name)
            if f"%({placeholder})s" not in sql:
                continue
            default = None if bind.required else bind.effective_value
            self.parameters.append((placeholder, bind.key, default, process))
        if "POSTCOMPILE" in sql:
            raise ValueError("a parameter rendered at execution")
        self.sql = sql
        self.dialect = dialect
        returned = result_columns(query, compiled)
        self.types = [column.type for _, column in returned]
        self.row = row_class(tuple(key for key, _ in returned))
        # Result processors depend on the column types the server reports: set at first run.
        self.processors: list[Callable[[Any], Any] | None] | None = None

    def values(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        given = given or {}
        values = {}
        for name, key, default, process in self.parameters:
            value = given.get(key, default)
            values[name] = value if process is None else process(value)
        return values

    def rows(self, cursor: psycopg.AsyncCursor[Any], fetched: list[Any]) -> list[Any]:
        processors = self.processors
        if processors is None:
            codes = [column.type_code for column in cursor.description or ()]
            processors = self.processors = [
                type_.dialect_impl(self.dialect).result_processor(self.dialect, code)
                for type_, code in zip(self.types, codes, strict=True)
            ]
        return typed_rows(self.row, processors, fetched)


class PostgresReads:
    """Runs `PostgresStatement`s on up to `size` autocommit connections of its own (each
    statement sees what was committed when it began, as at READ COMMITTED); `rows` returns
    None for a query it cannot compile, for the caller to run through SQLAlchemy."""

    def __init__(self, url: str, dialect: Dialect, size: int = 10) -> None:
        self.conninfo = conninfo(url)
        self.dialect = dialect
        self.size = size
        self.statements = CompiledOnce(lambda query: PostgresStatement(query, dialect))
        self.loop: asyncio.AbstractEventLoop | None = None
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        # Requests waiting for a connection, first come first served: a connection given back
        # goes to the longest waiting, never to a request that arrived after it.
        self.waiting: deque[asyncio.Future[psycopg.AsyncConnection[Any]]] = deque()
        # The connections of this event loop, idle or in use, and those that have served.
        self.mine: set[int] = set()
        self.served: set[int] = set()

    def statement(self, query: Any) -> PostgresStatement | None:
        return self.statements.get(query)

    def _same_loop(self) -> None:
        """Connections belong to one event loop; a new loop (a test's client, a command)
        starts afresh."""
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.close()
            self.mine = set()
            self.served = set()
            self.waiting = deque()
            self.loop = loop

    async def _take(self) -> psycopg.AsyncConnection[Any]:
        self._same_loop()
        while self.idle and not self.waiting:
            connection = self.idle.pop()
            if not connection.closed:
                return connection
            self.mine.discard(id(connection))
            self.served.discard(id(connection))
        if len(self.mine) < self.size:
            return await self._connect()
        turn: asyncio.Future[psycopg.AsyncConnection[Any]] = asyncio.Future()
        self.waiting.append(turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                await self._give_back(turn.result(), broken=False)
            raise

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        placeholder = object()  # holds the connection's place while it opens
        self.mine.add(id(placeholder))
        try:
            connection = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, prepare_threshold=0
            )
        except psycopg.Error as error:
            raise DBAPIError.instance("", None, error, psycopg.Error) from error
        finally:
            self.mine.discard(id(placeholder))
        # Every statement a page reads stays prepared (psycopg keeps 100 by default).
        connection.prepared_max = 1000
        self.mine.add(id(connection))
        return connection

    async def _give_back(self, connection: psycopg.AsyncConnection[Any], broken: bool) -> None:
        if id(connection) not in self.mine:  # taken on an event loop since left
            connection.pgconn.finish()
            return
        if broken or connection.closed or connection.info.transaction_status != 0:
            self.mine.discard(id(connection))
            self.served.discard(id(connection))
            await connection.close()
            while self.waiting:  # its place is free: open another for the first waiting
                turn = self.waiting.popleft()
                if turn.done():
                    continue
                try:
                    replacement = await self._connect()
                except Exception as error:
                    if not turn.done():
                        turn.set_exception(error)
                    return
                if turn.done():
                    self.idle.append(replacement)
                else:
                    turn.set_result(replacement)
                return
            return
        self.served.add(id(connection))
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(connection)
                return
        self.idle.append(connection)

    async def rows_of_all(
        self,
        queries: Sequence[tuple[Any, Mapping[str, Any] | None]],
    ) -> list[list[Any]] | None:
        """The rows of each query, sent together in one pipeline; None when one of them
        cannot run here."""
        statements = [self.statement(query) for query, _ in queries]
        if any(statement is None for statement in statements):
            return None
        runs = [
            (statement, statement.values(parameters))
            for statement, (_, parameters) in zip(statements, queries, strict=True)
            if statement is not None
        ]
        # A connection that the server closed while it sat idle (a restart, a time-out)
        # fails at its next use: reads are safe to send again, once, on a new connection (see
        # `write` for writes).
        for attempt in (1, 2):
            connection = await self._take()
            reused = id(connection) in self.served
            try:
                results = await self._run(connection, runs)
            except psycopg.Error as error:
                broken = connection.broken or connection.closed
                await self._give_back(connection, broken)
                if broken and reused and attempt == 1:
                    continue
                sql = "; ".join(statement.sql for statement, _ in runs)
                raise DBAPIError.instance(sql, None, error, psycopg.Error) from error
            except BaseException:
                await self._give_back(connection, broken=True)
                raise
            await self._give_back(connection, broken=False)
            return results
        raise AssertionError("unreachable")

    async def write(self, statement: Any, parameters: Mapping[str, Any] | None) -> list[Any] | None:
        """One write statement in a transaction of its own (an autocommit connection): its
        RETURNING rows once committed, or None when it cannot run here. Sent again once on a
        new connection when the one it went out on proves closed by the server (a restart, a
        time-out): for the lines a page appends, which may then, after a lost connection, be
        written twice but never lost."""
        found = await self.rows_of_all([(statement, parameters)])
        return None if found is None else found[0]

    @staticmethod
    async def _run(
        connection: psycopg.AsyncConnection[Any],
        runs: list[tuple[PostgresStatement, dict[str, Any]]],
    ) -> list[list[Any]]:
        cursors = [connection.cursor() for _ in runs]
        if len(runs) == 1:
            (statement, values), cursor = runs[0], cursors[0]
            await cursor.execute(statement.sql, values, prepare=True)
            # Whether rows came back (`description` would make a Column of each to say so).
            result = cursor.pgresult
            returned = result is not None and result.status == psycopg.pq.ExecStatus.TUPLES_OK
            return [statement.rows(cursor, await cursor.fetchall() if returned else [])]
        async with connection.pipeline():
            for (statement, values), cursor in zip(runs, cursors, strict=True):
                await cursor.execute(statement.sql, values, prepare=True)
        return [
            statement.rows(cursor, await cursor.fetchall())
            for (statement, _), cursor in zip(runs, cursors, strict=True)
        ]

    def close(self) -> None:
        """Close every idle connection (at once, without a round trip)."""
        for connection in self.idle:
            connection.pgconn.finish()
            self.mine.discard(id(connection))
            self.served.discard(id(connection))
        self.idle.clear()
