"""`portal serve`: uvicorn, in one process or in several that share the port evenly.

With several workers uvicorn lets them all accept from one listening socket, and the worker
that wakes first takes every connection waiting (asyncio accepts up to the backlog at a time):
a browser's or a proxy's few kept-alive connections mostly end up in one worker, which works
while the others wait. Here each worker listens on a socket of its own on the same port
(SO_REUSEPORT), and the kernel spreads new connections over them; a worker that stops is
started again, and the server stops when it is told to (SIGTERM, SIGINT), each worker
finishing the requests it has.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

# Workers that stop more often than this are not started again (a fault at start-up).
RESTART_WINDOW_SECONDS = 10.0
STOP_SECONDS = 20.0


class JoinedWrites(asyncio.Transport):
    """A connection's transport that sends an answer's head with its body: uvicorn writes
    them apart, two system calls and two packets for what fits in one. A first write is held
    until the next one (the body, a moment later in the same turn of the event loop) or until
    the loop's next turn, whichever comes first; later writes go out as they come."""

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__()
        self.transport = transport
        self.held: bytes | None = None
        self.loop = asyncio.get_running_loop()  # once: each call asks the system for the pid

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            self.transport.write(held + data)
        elif self.transport.get_write_buffer_size() or self.transport.is_closing():
            self.transport.write(data)  # the socket is behind already: nothing to join
        else:
            self.held = bytes(data)
            self.loop.call_soon(self.flush)

    def flush(self) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            self.transport.write(held)

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def can_write_eof(self) -> bool:
        return self.transport.can_write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self.held = None
        self.transport.abort()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + len(self.held or b"")

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.transport.set_write_buffer_limits(high, low)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        self.transport.resume_reading()

    def is_reading(self) -> bool:
        return self.transport.is_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.transport.get_protocol()


def http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol (httptools), sending each answer in one write."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class OneWriteAnswers(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(JoinedWrites(cast(asyncio.Transport, transport)))

    return OneWriteAnswers


def uvicorn_config(host: str, port: int) -> Any:
    import uvicorn

    return uvicorn.Config(
        "portal.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        http=http_protocol(),
        access_log=False,
        # asyncio's own loop, not uvloop: uvloop leaves a response unsent until its loop's next
        # turn while it takes on new requests, so under load a few answers wait ten times as
        # long as the rest (bench.tail: p99 331 ms against 38 ms at 1 ms of CPU a request).
        loop="asyncio",
        log_level="info",
    )


def serve(host: str, port: int, workers: int) -> int:
    """Serve until stopped; the exit status (1 when a worker could not start)."""
    import uvicorn

    if workers <= 1:
        uvicorn.Server(uvicorn_config(host, port)).run()
        return 0
    return Workers(host, port, workers).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket of this worker's own on the shared port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # As TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # an answer sent in two writes waits for the client's delayed ACK (some 40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_worker(host: str, port: int) -> None:
    import uvicorn

    sock = listening_socket(host, port)
    uvicorn.Server(uvicorn_config(host, port)).run(sockets=[sock])


class Workers:
    """Keeps `count` worker processes serving until told to stop."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[BaseProcess] = []
        self.stopping = False

    def start_one(self) -> BaseProcess:
        process = self.context.Process(target=run_worker, args=(self.host, self.port))
        process.start()
        return process

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> int:
        # Fails at once when the port is held by a server that does not share it.
        listening_socket(self.host, self.port).close()
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.processes = [self.start_one() for _ in range(self.count)]
        uvicorn_config(self.host, self.port)  # the log's format, as the workers have it
        logging.getLogger("uvicorn.error").info(
            "Uvicorn running on http://%s:%d in %d workers (Press CTRL+C to quit)",
            self.host,
            self.port,
            self.count,
        )
        started_at = [time.monotonic()] * self.count
        failed = False
        while not self.stopping:
            wait([process.sentinel for process in self.processes], timeout=0.5)
            for index, process in enumerate(self.processes):
                if process.is_alive() or self.stopping:
                    continue
                if time.monotonic() - started_at[index] < RESTART_WINDOW_SECONDS:
                    # It stopped while starting: so would the next one.
                    self.stopping = failed = True
                    break
                self.processes[index] = self.start_one()
                started_at[index] = time.monotonic()
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes what it has and stops
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
        return 1 if failed else 0
