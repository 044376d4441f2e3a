"""The access log's lines are the JSON objects json.dumps would write, and the lines of one
turn of the event loop are written together."""

from __future__ import annotations

import asyncio
import io
import json
from concurrent.futures import ThreadPoolExecutor

from portal.web.observability import AccessLog, log_line, new_request_id
from tests.conftest import run_in_own_thread


def test_a_line_is_the_json_object_of_the_request() -> None:
    line = log_line("GET", '/odd/"route"\\ä', 200, 0.012345, "participant", "abc-123")
    found = json.loads(line)
    assert list(found) == ["time", "method", "route", "status", "duration_ms", "user", "request_id"]
    assert found["route"] == '/odd/"route"\\ä' and found["method"] == "GET"
    assert found["status"] == 200 and found["duration_ms"] == 12.35
    assert found["user"] == "participant" and found["request_id"] == "abc-123"
    assert line == json.dumps(found, ensure_ascii=False)


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_the_lines_of_one_turn_of_the_loop_go_out_in_one_write() -> None:
    stream = CountingStream()
    log = AccessLog(True, stream)

    async def requests_answered() -> None:
        for number in range(3):
            log.add(f'{{"n": {number}}}')
        assert stream.getvalue() == ""  # not yet: at the end of this turn
        await asyncio.sleep(0)
        log.add('{"n": 3}')
        await asyncio.sleep(0)

    run_in_own_thread(requests_answered())
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == [0, 1, 2, 3]
    assert stream.writes == 2


def test_outside_the_event_loop_a_line_is_written_at_once() -> None:
    stream = io.StringIO()
    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread without an event loop
        pool.submit(AccessLog(True, stream).add, '{"n": 1}').result()
    assert stream.getvalue() == '{"n": 1}\n'


def test_request_ids_differ_and_look_alike() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)


def test_lines_of_a_loop_that_ended_before_its_turn_go_out_with_the_next() -> None:
    stream = io.StringIO()
    log = AccessLog(True, stream)

    def ended_loop() -> None:
        loop = asyncio.new_event_loop()
        loop.call_soon(log.add, '{"n": 1}')
        loop.call_soon(loop.stop)  # stops before the turn that would write the line
        loop.run_forever()
        loop.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(ended_loop).result()
    assert stream.getvalue() == ""

    async def next_request() -> None:
        log.add('{"n": 2}')
        await asyncio.sleep(0)

    run_in_own_thread(next_request())
    assert stream.getvalue() == '{"n": 1}\n{"n": 2}\n'


class ClosedStream(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError("standard output is gone")


def test_a_log_that_cannot_be_written_does_not_stop_the_answers() -> None:
    log = AccessLog(True, ClosedStream())
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(log.add, '{"n": 1}').result()
    assert log.pending == []
