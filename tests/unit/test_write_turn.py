"""SQLite's units of work take turns in the process: one at a time, again by the same task,
and never a wait without end."""

from __future__ import annotations

import asyncio

from portal.sqlite_reads import WriteTurn
from tests.conftest import run_in_own_thread

run = run_in_own_thread


def test_units_of_work_take_turns_one_at_a_time() -> None:
    turn = WriteTurn()
    inside: list[int] = []
    most = 0

    async def unit() -> None:
        nonlocal most
        async with turn:
            inside.append(1)
            most = max(most, len(inside))
            await asyncio.sleep(0.001)
            inside.pop()

    async def main() -> None:
        await asyncio.gather(*(unit() for _ in range(5)))

    run(main())
    assert most == 1 and not turn.lock.locked()


def test_a_task_holding_the_turn_takes_it_again() -> None:
    turn = WriteTurn()

    async def main() -> bool:
        async with turn, turn:
            held = turn.lock.locked()
        return held and not turn.lock.locked()

    assert run(main())


def test_two_units_waiting_for_each_other_go_on_after_the_wait() -> None:
    turn = WriteTurn()
    turn.WAIT_SECONDS = 0.05

    async def main() -> list[str]:
        barrier = asyncio.Barrier(2)
        done: list[str] = []

        async def unit(name: str) -> None:
            async with turn:
                await barrier.wait()  # each waits for the other to be inside
                done.append(name)

        await asyncio.wait_for(asyncio.gather(unit("a"), unit("b")), 5)
        return done

    assert sorted(run(main())) == ["a", "b"]
    assert not turn.lock.locked()
