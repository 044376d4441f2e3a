"""PostgreSQL's fast read path, the counterpart of `portal/sqlite_reads.py`: what pages read on
every request (and the single lines some append) runs on psycopg itself, as server-side
prepared statements on a few connections of its own, several statements in one round trip.

Through SQLAlchemy's async engine a one-row read cost about a millisecond of CPU (its execution
path, the pool's checkout with its ping, the driver's adaptation layer, the greenlet switch) and
the server planned the statement again each time; here a statement is compiled once, planned
once per connection, and a page's reads go out in one pipeline. The pipeline is driven through
libpq's own calls (`psycopg.pq`) with psycopg's adapters: a page's statements leave in one
write and their results are read when the server has sent them all (psycopg's cursors, in a
pipeline, flush and poll the socket after each statement).
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote, urlencode

import psycopg
import psycopg.abc
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError

from portal.fast_rows import (
    CompiledOnce,
    RowsMaker,
    result_columns,
    row_class,
    rows_maker,
    with_fixed_values_inline,
)


def conninfo(url: str) -> str:
    """A libpq connection URI of a database URL (driver name dropped, query kept; libpq
    reads "+" as itself, so a space in a value, as in `options`, is written %20)."""
    parsed = make_url(url).set(drivername="postgresql")
    base = parsed.set(query={}).render_as_string(hide_password=False)
    if not parsed.query:
        return base
    return f"{base}?{urlencode(parsed.query, doseq=True, quote_via=quote)}"


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
        # libpq's form: $1, $2... in place of the named placeholders (a name used twice is one
        # number), and a percent sign no longer doubled.
        numbers: dict[str, int] = {}

        def number(found: re.Match[str]) -> str:
            if found.group(1) is None:
                return "%"
            return f"${numbers.setdefault(found.group(1), len(numbers) + 1)}"

        self.numbered = re.sub(r"%\(([^)]+)\)s|%%", number, sql).encode()
        by_name = {name: (key, default, process) for name, key, default, process in self.parameters}
        self.ordered = [(name, *by_name[name]) for name in numbers]
        self.formats = [PyFormat.AUTO] * len(numbers)
        self.dialect = dialect
        returned = result_columns(query, compiled)
        self.types = [column.type for _, column in returned]
        self.row = row_class(tuple(key for key, _ in returned))
        # Result processors depend on the column types the server reports: set at first run.
        self.make_rows: RowsMaker | None = None

    def values(self, given: Mapping[str, Any] | None) -> list[Any]:
        """The parameters' values in the order of their numbers."""
        given = given or {}
        values = []
        for _, key, default, process in self.ordered:
            value = given.get(key, default)
            values.append(value if process is None else process(value))
        return values

    def rows(self, result: pq.abc.PGresult, loader: psycopg.abc.Transformer) -> list[Any]:
        """The rows of the statement's result, through the column types' processors."""
        if result.status != pq.ExecStatus.TUPLES_OK:
            return []
        make_rows = self.make_rows
        if make_rows is None:
            codes = [result.ftype(index) for index in range(result.nfields)]
            processors = [
                type_.dialect_impl(self.dialect).result_processor(self.dialect, code)
                for type_, code in zip(self.types, codes, strict=True)
            ]
            make_rows = self.make_rows = rows_maker(self.row, processors)
        loader.set_pgresult(result)
        return make_rows(loader.load_rows(0, result.ntuples, tuple))


# A statement prepared on a connection: its SQL and its parameters' types.
Key = tuple[bytes, tuple[int, ...]]


class Link:
    """What the fast path keeps for each of its connections: the statements prepared on it
    (by SQL and parameter types) and psycopg's adapters in its context."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self.prepared: dict[Key, bytes] = {}
        self.adapter: psycopg.abc.Transformer = Transformer(connection)


async def _ready(pgconn: pq.abc.PGconn, writing: bool = False) -> None:
    """Until the connection's socket can be read (or written)."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    socket = pgconn.socket
    (loop.add_writer if writing else loop.add_reader)(socket, wake)
    try:
        await ready
    finally:
        (loop.remove_writer if writing else loop.remove_reader)(socket)


async def _flushed(pgconn: pq.abc.PGconn) -> None:
    """Everything queued sent to the server (in one write unless the socket is full)."""
    while pgconn.flush():
        await _ready(pgconn, writing=True)


async def _results(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """A pipeline's results up to its sync: one for each command (a statement that failed
    and those after it in the pipeline answer with an error or as aborted)."""
    results: list[pq.abc.PGresult] = []
    while True:
        while pgconn.is_busy():
            await _ready(pgconn)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:  # the end of one command's results
            continue
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


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
        self.links: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], Link] = (
            weakref.WeakKeyDictionary()
        )

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
            connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        except psycopg.Error as error:
            raise DBAPIError.instance("", None, error, psycopg.Error) from error
        finally:
            self.mine.discard(id(placeholder))
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

    async def _run(
        self,
        connection: psycopg.AsyncConnection[Any],
        runs: list[tuple[PostgresStatement, list[Any]]],
    ) -> list[list[Any]]:
        """The statements in one pipeline: each prepared on the connection the first time it
        runs there (with its parameters' types), all sent in one write with one sync, and
        their results read once the server has sent them."""
        link = self.links.get(connection)
        if link is None:
            link = self.links[connection] = Link(connection)
        pgconn, adapter, prepared = connection.pgconn, link.adapter, link.prepared
        # Each statement's parameters as psycopg adapts them (a value it cannot adapt fails
        # here, before anything is sent), with their types and formats.
        adapted = []
        for statement, values in runs:
            params = adapter.dump_sequence(values, statement.formats)
            types = cast(tuple[int, ...], adapter.types)
            adapted.append((statement.numbered, params, types, adapter.formats))
        preparing: dict[Key, bytes] = {}
        # What each result answers: a statement's preparation (its key) or its run (None).
        answers: list[Key | None] = []
        pgconn.enter_pipeline_mode()
        try:
            for sql, params, types, formats in adapted:
                key = (sql, types)
                name = prepared.get(key) or preparing.get(key)
                if name is None:
                    name = preparing[key] = b"portal_%d" % (len(prepared) + len(preparing))
                    pgconn.send_prepare(name, sql, param_types=types)
                    answers.append(key)
                pgconn.send_query_prepared(name, params, param_formats=formats)
                answers.append(None)
            pgconn.pipeline_sync()
            await _flushed(pgconn)
            results = await _results(pgconn)
            pgconn.exit_pipeline_mode()
        except BaseException:
            # Sent but not read to its end: the connection's state is unknown.
            pgconn.finish()
            raise
        error = None
        found = []
        for answer, result in zip(answers, results, strict=True):
            if result.status == pq.ExecStatus.FATAL_ERROR:
                error = error or psycopg.errors.error_from_result(
                    result, encoding=connection.info.encoding
                )
            elif answer is None:
                found.append(result)
            elif result.status == pq.ExecStatus.COMMAND_OK:  # not aborted by an earlier error
                prepared[answer] = preparing[answer]
        if error is not None:
            raise error
        return [
            statement.rows(result, adapter)
            for (statement, _), result in zip(runs, found, strict=True)
        ]

    def close(self) -> None:
        """Close every idle connection (at once, without a round trip)."""
        for connection in self.idle:
            connection.pgconn.finish()
            self.mine.discard(id(connection))
            self.served.discard(id(connection))
        self.idle.clear()
