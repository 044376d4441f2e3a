"""What comes in the same turn of the event loop, sent to the database together at the next.

Writes of one statement (`Database.write`) are committed in one transaction: under load, the
line each page appends costs a share of one commit rather than a commit of its own (on SQLite a
commit writes every page it changed to the log and leaves every reader's cache to be read
again; on PostgreSQL it is a round trip and a flush of the log). On PostgreSQL, the reads of
pages (`Database.read_all`) go in one pipeline too: a round trip costs the portal more than the
statements in it. Each caller still waits for its own answer, as alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class _Group(Generic[Item, Answer]):
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.futures: list[asyncio.Future[Answer]] = []
        self.task: asyncio.Task[None] | None = None

    def open(self, loop: asyncio.AbstractEventLoop, most: int | None) -> bool:
        """Whether it still takes items: not full, and its run not begun or stopped, on this
        loop (a loop that closed before the group ran, a test's or a command's, leaves it)."""
        task = self.task
        return (
            len(self.items) != most
            and task is not None
            and not task.done()
            and task.get_loop() is loop
        )


class Together(Generic[Item, Answer]):
    """Groups the items (a write, a page's reads) of a turn of the event loop and runs them
    together (`together`: their answers in order, or None when they cannot run together here)
    at the next turn.

    When a group cannot run together (SQLite's write lock held by another process, one
    statement failing), each item runs alone (`alone`): a failing statement fails only its
    own request. An item `goes_alone` picks (one the fast path cannot run; a write inside a
    unit of work, which would otherwise wait for the group while the group waits for it) runs
    alone at once. With `abandon` (reads), a group whose callers have all stopped waiting
    stops too (its connection is closed rather than left half-read); otherwise (writes) what
    was asked is done. With `most`, a group holds at most that many items and the next ones
    start another, run beside it: one slow statement holds up the rest of its own group only.
    """

    def __init__(
        self,
        together: Callable[[list[Item]], Awaitable[list[Answer] | None]],
        alone: Callable[[Item], Awaitable[Answer]],
        goes_alone: Callable[[Item], bool],
        abandon: bool = False,
        most: int | None = None,
    ) -> None:
        self.together = together
        self.alone = alone
        self.goes_alone = goes_alone
        self.abandon = abandon
        self.most = most
        self.collecting: _Group[Item, Answer] | None = None
        self.running: set[asyncio.Task[None]] = set()

    async def run(self, item: Item) -> Answer:
        if self.goes_alone(item):
            return await self.alone(item)
        loop = asyncio.get_running_loop()
        group = self.collecting
        if group is None or not group.open(loop, self.most):
            group = self.collecting = _Group()
            # Runs at the loop's next turn, once this turn's requests have come this far.
            group.task = task = loop.create_task(self._run_group(group))
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        future: asyncio.Future[Answer] = loop.create_future()
        group.items.append(item)
        group.futures.append(future)
        try:
            return await future
        except asyncio.CancelledError:
            if self.abandon and all(waiting.cancelled() for waiting in group.futures):
                await self._stop(group)
            raise

    async def _stop(self, group: _Group[Item, Answer]) -> None:
        """Stop a group no one waits for any more, and wait until it has stopped."""
        if self.collecting is group:
            self.collecting = None
        assert group.task is not None
        group.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await group.task

    async def _run_group(self, group: _Group[Item, Answer]) -> None:
        if self.collecting is group:
            self.collecting = None
        try:
            try:
                answers = await self.together(group.items)
            except Exception:
                answers = None
            if answers is not None:
                for future, answer in zip(group.futures, answers, strict=True):
                    _settle(future, answer)
                return
            for item, future in zip(group.items, group.futures, strict=True):
                if self.abandon and future.done():
                    continue
                try:
                    _settle(future, await self.alone(item))
                except Exception as error:
                    _settle(future, error=error)
        finally:
            # Stopped before the end (the loop shutting down): no caller waits forever.
            for future in group.futures:
                future.cancel()


def _settle(
    future: asyncio.Future[Answer],
    answer: Answer | None = None,
    error: Exception | None = None,
) -> None:
    """A caller's answer, unless it stopped waiting (its request was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(answer)  # type: ignore[arg-type]
