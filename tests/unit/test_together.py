"""What comes in one turn of the event loop, run together (`portal.together.Together`)."""

from __future__ import annotations

import asyncio

import pytest

from portal.together import Together
from tests.conftest import run_in_own_thread


class Recorder:
    """A `together` and an `alone` that answer each item doubled, and remember their calls."""

    def __init__(self, fails: set[int] | None = None, refuses: bool = False) -> None:
        self.groups: list[list[int]] = []
        self.alone_items: list[int] = []
        self.fails = fails or set()
        self.refuses = refuses
        self.stopped = False
        self.release = asyncio.Event()
        self.release.set()

    async def together(self, items: list[int]) -> list[int] | None:
        self.groups.append(list(items))
        if self.refuses:
            return None
        if self.fails & set(items):
            raise ValueError("one of them fails")
        try:
            await self.release.wait()  # as a database's answer comes
        except asyncio.CancelledError:
            self.stopped = True
            raise
        return [item * 2 for item in items]

    async def alone(self, item: int) -> int:
        self.alone_items.append(item)
        if item in self.fails:
            raise ValueError(f"{item} fails")
        return item * 2


def together_of(recorder: Recorder, **options: object) -> Together[int, int]:
    return Together(recorder.together, recorder.alone, lambda item: item < 0, **options)  # type: ignore[arg-type]


def test_what_comes_in_one_turn_runs_together_and_each_gets_its_own_answer() -> None:
    async def run() -> None:
        recorder = Recorder()
        grouped = together_of(recorder)
        assert await asyncio.gather(*(grouped.run(n) for n in (1, 2, 3))) == [2, 4, 6]
        assert await grouped.run(4) == 8
        assert await grouped.run(-1) == -2  # picked to go alone
        assert recorder.groups == [[1, 2, 3], [4]] and recorder.alone_items == [-1]

    run_in_own_thread(run())


def test_a_group_holds_at_most_so_many_and_the_next_start_another() -> None:
    async def run() -> None:
        recorder = Recorder()
        grouped = together_of(recorder, most=2)
        assert await asyncio.gather(*(grouped.run(n) for n in range(5))) == [0, 2, 4, 6, 8]
        assert recorder.groups == [[0, 1], [2, 3], [4]]

    run_in_own_thread(run())


def test_a_group_that_cannot_run_together_runs_alone_and_a_failure_stays_its_own() -> None:
    async def run() -> None:
        refused = Recorder(refuses=True)
        assert await asyncio.gather(*(together_of(refused).run(n) for n in (1, 2))) == [2, 4]
        assert refused.alone_items == [1, 2]
        failing = Recorder(fails={2})
        grouped = together_of(failing)
        answers = await asyncio.gather(*(grouped.run(n) for n in (1, 2, 3)), return_exceptions=True)
        assert answers[0] == 2 and answers[2] == 6
        assert isinstance(answers[1], ValueError) and "2 fails" in str(answers[1])
        assert failing.groups == [[1, 2, 3]] and failing.alone_items == [1, 2, 3]

    run_in_own_thread(run())


@pytest.mark.parametrize("abandon", [True, False])
def test_a_group_no_one_waits_for_stops_only_when_it_may(abandon: bool) -> None:
    async def run() -> None:
        recorder = Recorder()
        recorder.release.clear()
        grouped = together_of(recorder, abandon=abandon)
        callers = [asyncio.create_task(grouped.run(n)) for n in (1, 2)]
        await asyncio.sleep(0)  # both have asked
        await asyncio.sleep(0)  # the group waits for its answer
        assert recorder.groups == [[1, 2]]
        callers[0].cancel()
        if abandon:
            callers[1].cancel()
        else:
            recorder.release.set()
        answers = await asyncio.gather(*callers, return_exceptions=True)
        assert isinstance(answers[0], asyncio.CancelledError)
        if abandon:
            assert recorder.stopped, "the group stopped with its last caller"
        else:
            assert answers[1] == 4 and not recorder.stopped
        assert not grouped.running, "nothing left running"

    run_in_own_thread(run())


def test_a_group_left_by_a_loop_that_stopped_is_not_joined_on_the_next() -> None:
    recorder = Recorder()
    grouped = together_of(recorder)

    async def ask_and_stop() -> None:
        asking = asyncio.create_task(grouped.run(1))
        await asyncio.sleep(0)  # it has asked; its group has not run yet
        assert grouped.collecting is not None and grouped.collecting.task is not None
        # As a loop shutting down does: its tasks cancelled before the group ever ran.
        grouped.collecting.task.cancel()
        asking.cancel()
        await asyncio.gather(asking, return_exceptions=True)

    run_in_own_thread(ask_and_stop())
    assert grouped.collecting is not None, "left behind"

    async def ask_again() -> int:
        # Joining the group left behind would wait for ever: fail instead.
        return await asyncio.wait_for(grouped.run(2), 10)

    assert run_in_own_thread(ask_again()) == 4
    assert recorder.groups == [[2]]
