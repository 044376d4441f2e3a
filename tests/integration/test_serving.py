"""`portal serve --workers N`: each worker listens on its own socket on the shared port, so the
kernel spreads connections over them; the server answers, and stops when told to."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.harness import free_port, wait_until_listening
from portal import app as app_module
from portal.serving import listening_socket
from portal.web import hyphens
from portal.web.i18n import LANGUAGES
from tests.conftest import server_env

ROOT = Path(__file__).resolve().parents[2]


def test_connections_are_spread_over_the_workers_sockets_and_answered_without_delay() -> None:
    port = free_port()
    first, second = listening_socket("127.0.0.1", port), listening_socket("127.0.0.1", port)
    clients = []
    try:
        for _ in range(40):
            client = socket.create_connection(("127.0.0.1", port))
            clients.append(client)
        first.setblocking(False)
        second.setblocking(False)
        accepted: dict[int, list[socket.socket]] = {0: [], 1: []}
        for index, listener in enumerate((first, second)):
            while True:
                try:
                    accepted[index].append(listener.accept()[0])
                except BlockingIOError:
                    break
        assert len(accepted[0]) + len(accepted[1]) == 40
        assert accepted[0] and accepted[1], "one socket took every connection"
        # Accepted as TCP, so that asyncio turns Nagle's delay off on each connection.
        assert all(conn.proto == socket.IPPROTO_TCP for conn in accepted[0] + accepted[1])
        for conn in accepted[0] + accepted[1]:
            conn.close()
    finally:
        for client in clients:
            client.close()
        first.close()
        second.close()


def test_two_workers_serve_and_stop_when_told(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the processes are the same on either database")
    port = free_port()
    env = server_env(database_url, tmp_path, port)
    command = [sys.executable, "-m", "portal.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        wait_until_listening(server, workers=2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            answers = [client.get("/", headers={"Connection": "close"}) for _ in range(6)]
        assert {answer.status_code for answer in answers} == {200}
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_serving_process_loads_the_hyphenation_dictionaries_before_its_first_page(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page with a long heading in a language does not wait for its dictionary."""
    for name, value in server_env(database_url, tmp_path, 8000).items():
        if name.startswith("PORTAL_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(app_module, "settle_memory", lambda: None)  # the test process's own
    hyphens.dictionary.cache_clear()
    app_module.app_from_env()
    assert hyphens.dictionary.cache_info().currsize == len(LANGUAGES)
