"""Shared by the benchmarks: start servers on free ports and load them over keep-alive HTTP/1.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from portal.participants.search import terms_of

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(process: subprocess.Popen[str], workers: int = 1) -> None:
    """Read the server's log until every worker has started."""
    assert process.stderr is not None
    lines = []
    started = 0
    listening = False
    for line in process.stderr:
        lines.append(line)
        started += "Application startup complete" in line
        listening = listening or "Uvicorn running" in line
        if listening and started == workers:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return
    raise RuntimeError("server did not start:\n" + "".join(lines))


@contextmanager
def bare_server(workers: int = 1, loop: str = "auto") -> Iterator[str]:
    """The bare endpoint, on uvicorn's default event loop (uvloop, the faster of the two) unless
    `loop` says otherwise: the ratios are taken against the fastest baseline."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--port",
            str(port),
            "--no-access-log",
            "--workers",
            str(workers),
            "--loop",
            loop,
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_listening(process, workers)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def portal_server(
    database_url: str | None = None, workers: int = 1, scale: int = 0
) -> Iterator[tuple[str, dict[str, str]]]:
    """A portal with the demo data on its own database (a fresh SQLite file by default), and
    with `scale`, that many generated participants too (`portal demo-data --scale`)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url or f"sqlite:///{folder / 'portal.db'}",
        "PORTAL_VAR_DIR": str(folder),
        "PORTAL_SECRET_KEY": "bench-secret-0123456789abcdef",
        "PORTAL_BASE_URL": url,
        "PORTAL_DEV_IDP": "1",
        # A thousand people log in from this one address in a few seconds, and sign often.
        "PORTAL_RATE_LIMITS": "login=1000000/600,signing=1000000/600,share=1000000/600",
    }
    cli = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    generated = ["--scale", str(scale)] if scale else []
    subprocess.run(
        [*cli, "demo-data", *generated], env=env, check=True, capture_output=True, cwd=ROOT
    )
    if scale:
        settle(env["PORTAL_DATABASE_URL"])
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        wait_until_listening(process, workers)
        yield url, {**env, "PORTAL_SERVER_PID": str(process.pid)}
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)  # at --scale, a database of gigabytes


async def _one_connection(
    host: str,
    port: int,
    request: bytes,
    deadline: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def load(
    url: str,
    path: str,
    cookie: str = "",
    connections: int = 32,
    seconds: float = 8.0,
    warmup: float = 1.0,
) -> dict[str, float]:
    """Requests/s and latency percentiles (ms) of GET path at a fixed number of connections."""
    host, port = url.removeprefix("http://").split(":")
    headers = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Language: sv\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    request = (headers + "\r\n").encode()

    async def run(duration: float) -> tuple[list[float], list[int], float]:
        latencies: list[float] = []
        errors: list[int] = []
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(
            *(
                _one_connection(host, int(port), request, deadline, latencies, errors)
                for _ in range(connections)
            )
        )
        return latencies, errors, time.perf_counter() - started

    asyncio.run(run(warmup))
    latencies, errors, elapsed = asyncio.run(run(seconds))
    latencies.sort()

    def percentile(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 2)

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
    }


def alternate(
    bare_url: str,
    url: str,
    path: str,
    cookie: str,
    rounds: int = 9,
    connections: int = 32,
    seconds: float = 2.0,
) -> dict[str, Any]:
    """Load the bare endpoint and the page in turn, `rounds` times, so that a machine whose
    speed drifts (shared cores) weighs on both alike. Returns each round, the median round of
    each side (by requests/s), the median of the rounds' ratios and the page's worst p99."""
    bares: list[dict[str, float]] = []
    pages: list[dict[str, float]] = []
    for _ in range(rounds):
        bares.append(load(bare_url, "/", connections=connections, seconds=seconds))
        pages.append(load(url, path, cookie, connections=connections, seconds=seconds))
    ratios = sorted(
        round(page["requests_per_second"] / bare["requests_per_second"], 3)
        for bare, page in zip(bares, pages, strict=True)
    )

    def median_round(results: list[dict[str, float]]) -> dict[str, float]:
        return sorted(results, key=lambda r: r["requests_per_second"])[len(results) // 2]

    return {
        "rounds": rounds,
        "seconds_per_round": seconds,
        "bare_endpoint": median_round(bares),
        "page": median_round(pages),
        "ratio": ratios[len(ratios) // 2],
        "ratios": ratios,
        "page_p99_ms_worst": max(page["p99_ms"] for page in pages),
        "page_p99_ms_rounds": [page["p99_ms"] for page in pages],
        "page_errors": sum(page["errors"] for page in pages),
    }


def session_cookie(url: str, persona: str, greeting: str, login: str = "/staff/login") -> str:
    """The session cookie of a staff (or, with `login`, another) persona logged in through the
    development IdP."""
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        response = client.get(f"{login}?login_hint={persona}")
        assert response.status_code == 200 and greeting in response.text, "login failed"
        return f"portal_session={client.cookies['portal_session']}"


def sync_url(url: str) -> str:
    """A database URL for a synchronous SQLAlchemy engine (psycopg for PostgreSQL)."""
    if url.startswith("postgresql"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def settle(url: str) -> None:
    """After a bulk load: its pages written out to the database's files now, rather than by
    the database server's background writers while the pages are measured (on PostgreSQL a
    checkpoint, which spreads its writes over minutes; on SQLite the log copied into the
    file), and PostgreSQL's visibility map set, which a fresh table lacks until autovacuum."""
    engine = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if url.startswith("postgresql"):
            connection.execute(text("VACUUM"))
            connection.execute(text("CHECKPOINT"))
        else:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


def reset_postgres(url: str) -> None:
    """An empty schema in the URL's database (created first when the server has none)."""
    make_url_database(url)
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_url_database(url: str) -> None:
    """The database of a PostgreSQL URL, created when it does not exist yet."""
    with postgres_server(url) as (connection, name):
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if found is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))


def drop_postgres_database(url: str) -> None:
    """The database of a PostgreSQL URL dropped, with any connection still open to it."""
    with postgres_server(url) as (connection, name):
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def postgres_server(url: str) -> Iterator[tuple[Any, str]]:
    """A connection to the server of a PostgreSQL URL (its maintenance database), outside a
    transaction, and the URL's database name."""
    parsed = make_url(sync_url(url))
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            yield connection, str(parsed.database)
    finally:
        server.dispose()


def measure_at_sizes(
    bench: str,
    target_p99_ms: int,
    sizes: Sequence[int],
    fill: Callable[[str, int], None],
    login: tuple[str, str],
    pages: Callable[[int], dict[str, str]],
    seconds: float,
    connections: int | Sequence[int] = 8,
    login_path: str = "/staff/login",
    target: str = "target_p99_ms",
) -> None:
    """For each size, on SQLite and (with PORTAL_BENCH_POSTGRES_URL) on PostgreSQL: a portal
    whose database `fill` brings to that size, a staff persona logged in (`login`: persona and
    a word of their start page), and each of `pages(size)` loaded; one JSON line per page,
    with the bare endpoint's rate measured in the same run."""
    counts = [connections] if isinstance(connections, int) else list(connections)
    with bare_server() as bare_url:
        bare = load(bare_url, "/", "", max(counts), seconds)
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    postgres = os.environ.get("PORTAL_BENCH_POSTGRES_URL")
    if postgres:
        databases.append(("postgresql", postgres))
    for database, url_of_database in databases:
        for size in sizes:
            if url_of_database:
                reset_postgres(url_of_database)
            with portal_server(url_of_database) as (url, env):
                fill(env["PORTAL_DATABASE_URL"], size)
                cookie = session_cookie(url, *login, login=login_path)
                for name, path in pages(size).items():
                    for count in counts:
                        figures = load(url, path, cookie, count, seconds)
                        line = {
                            "bench": bench,
                            "database": database,
                            "participants": size,
                            "page": name,
                            "connections": count,
                            **figures,
                            "bare_requests_per_second": bare["requests_per_second"],
                            target: target_p99_ms,
                        }
                        print(json.dumps(line), flush=True)


FIRST = ["Anna", "Erik", "Sara", "Omar", "Maja", "Nils", "Fatima", "Lars", "Ida", "Yusuf"]
LAST = ["Andersson", "Berg", "Dahl", "Ek", "Holm", "Lind", "Nilsson", "Öberg", "Sund", "Wall"]


def insert_participants(
    connection: Any, size: int, prefix: str, chance: random.Random, now: dt.datetime
) -> list[dict[str, Any]]:
    """`size` generated participants (personal numbers `prefix` + 12 digits) with their search
    terms, numbered after the existing ones; their rows as inserted."""
    start = connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM participants"))
    first_id = int(start.scalar_one()) + 1
    people = [
        {
            "id": first_id + n,
            "pnr": f"{prefix}{n:012d}",
            "first": chance.choice(FIRST),
            "last": chance.choice(LAST),
            "now": now,
        }
        for n in range(size)
    ]
    connection.execute(
        text(
            "INSERT INTO participants (id, personal_number, first_name, last_name, "
            "created_at, notify_by_email, notify_by_sms) "
            "VALUES (:id, :pnr, :first, :last, :now, false, false)"
        ),
        people,
    )
    connection.execute(
        text("INSERT INTO participant_search_terms (term, participant_id) VALUES (:t, :id)"),
        [
            {"t": term, "id": p["id"]}
            for p in people
            for term in terms_of(str(p["first"]), str(p["last"]), str(p["pnr"]))
        ],
    )
    return people
