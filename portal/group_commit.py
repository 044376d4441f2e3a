"""Single-statement writes (`Database.write`) that come in the same turn of the event loop,
committed in one transaction: under load, the line each page appends costs a share of one
commit rather than a commit of its own. On SQLite a commit writes every page it changed to the
log and leaves every reader's cache to be read again; on PostgreSQL it is a round trip and a
flush of the log. Each writer still waits until its own write is committed, and gets its own
RETURNING rows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

Writes = Sequence[tuple[Any, Mapping[str, Any] | None]]
# Several writes in one transaction: each one's rows once all are committed; None when they
# cannot be run together here (nothing written). Raises when one fails (nothing written).
Together = Callable[[Writes], Awaitable[list[list[Any]] | None]]
Write = Callable[[Any, Mapping[str, Any] | None], Awaitable[list[Any]]]
Waiting = tuple[Any, Mapping[str, Any] | None, asyncio.Future[list[Any]]]


class GroupCommit:
    """Groups the writes of a turn of the event loop and commits them together at the next.

    When a group cannot be written together (another process holds SQLite's write lock, or
    one statement fails), each of its writes runs alone (`alone`): a failing write fails only
    its own request. A write that `writes_alone` picks (one the fast path cannot run, or one
    made inside a unit of work, which would otherwise wait for the group's commit while the
    group waits for it) runs alone at once."""

    def __init__(self, together: Together, alone: Write, writes_alone: Callable[[Any], bool]):
        self.together = together
        self.alone = alone
        self.writes_alone = writes_alone
        self.waiting: list[Waiting] = []
        self.committing: set[asyncio.Task[None]] = set()

    async def write(self, statement: Any, parameters: Mapping[str, Any] | None) -> list[Any]:
        if self.writes_alone(statement):
            return await self.alone(statement, parameters)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        self.waiting.append((statement, parameters, future))
        if len(self.waiting) == 1:
            # Runs at the loop's next turn, once this turn's requests have come this far.
            task = loop.create_task(self.commit())
            self.committing.add(task)
            task.add_done_callback(self.committing.discard)
        return await future

    async def commit(self) -> None:
        group, self.waiting = self.waiting, []
        try:
            try:
                rows = await self.together([(s, p) for s, p, _ in group])
            except Exception:
                rows = None
            if rows is not None:
                for (_, _, future), found in zip(group, rows, strict=True):
                    _settle(future, found)
                return
            for statement, parameters, future in group:
                try:
                    _settle(future, await self.alone(statement, parameters))
                except Exception as error:
                    _settle(future, error=error)
        finally:
            # Stopped before the end (the loop shutting down): no writer waits forever.
            for _, _, future in group:
                future.cancel()


def _settle(
    future: asyncio.Future[list[Any]], rows: list[Any] | None = None, error: Exception | None = None
) -> None:
    """A writer's answer, unless it stopped waiting (its request was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(rows or [])
