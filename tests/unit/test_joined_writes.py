"""An answer's head and body leave in one write; a head alone leaves at the loop's next turn,
and nothing held is lost when the connection closes."""

from __future__ import annotations

import asyncio
from typing import Any

from portal.serving import JoinedWrites
from tests.conftest import run_in_own_thread


class Recorded(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.buffered = 0

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def test_head_and_body_of_an_answer_leave_in_one_write() -> None:
    async def answer() -> list[bytes]:
        socket = Recorded()
        joined = JoinedWrites(socket)
        joined.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert socket.writes == [] and joined.get_write_buffer_size() == 19
        joined.write(memoryview(b"<html>"))
        joined.write(b"more")  # a streamed answer's next piece goes as it comes
        await asyncio.sleep(0)
        return socket.writes

    assert run_in_own_thread(answer()) == [b"HTTP/1.1 200 OK\r\n\r\n<html>", b"more"]


def test_a_head_alone_leaves_at_the_next_turn_and_before_a_close() -> None:
    async def heads() -> tuple[list[bytes], list[bytes]]:
        alone, closing = Recorded(), Recorded()
        JoinedWrites(alone).write(b"HTTP/1.1 304 Not Modified\r\n\r\n")
        joined = JoinedWrites(closing)
        joined.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        joined.close()
        assert closing.closed and closing.writes == [b"HTTP/1.1 204 No Content\r\n\r\n"]
        await asyncio.sleep(0)
        return alone.writes, closing.writes

    alone, closing = run_in_own_thread(heads())
    assert alone == [b"HTTP/1.1 304 Not Modified\r\n\r\n"]
    assert closing == [b"HTTP/1.1 204 No Content\r\n\r\n"]  # not twice


def test_behind_a_full_socket_writes_are_not_held() -> None:
    async def behind() -> list[bytes]:
        socket = Recorded()
        socket.buffered = 1
        JoinedWrites(socket).write(b"x")
        return socket.writes

    assert run_in_own_thread(behind()) == [b"x"]
