"""The last-seat race on a real server. Prints one JSON line per database.

A portal server (its own process, the demo data) and 200 participants, each logged in; the
group meeting's last time is given exactly one free seat, and all 200 post "book" for it at
the same moment (a barrier releases their threads together). Target: exactly one booking,
199 "this time was just taken" answers, no error. The same again for one individual time of
one caseworker. The baseline in the same run is one participant booking alone (its latency).

Run: .venv/bin/python -m bench.booking_race [--postgres postgresql://user@host/db]
(the PostgreSQL database is emptied first: give it one for benchmarks or tests only).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from portal.auth.sessions import token_hash

RACERS = 201  # one books alone first (the baseline); 200 race
SECRET = "bench-secret-0123456789abcdef"  # noqa: S105  (the bench server's own key)


def sync_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgres") else url


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        result = connection.execute(text(statement), params)
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(folder),
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_DEV_IDP": "1",
        "PORTAL_COUNTRY": "SE",
    }
    cli = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo-data"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert server.stderr is not None
    for line in server.stderr:
        if "Uvicorn running" in line:
            break
    else:
        raise RuntimeError("the portal did not start")
    threading.Thread(target=server.stderr.read, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def racers(url: str, team: int, municipality: str, run: str) -> list[str]:
    """RACERS participants who may book either offer, each with a session token."""
    now = dt.datetime.now(dt.UTC)
    engine = create_engine(sync_url(url))
    tokens = []
    with engine.begin() as connection:
        for n in range(RACERS):
            participant = connection.execute(
                text(
                    "INSERT INTO participants (personal_number, first_name, last_name, "
                    "created_at, notify_by_email, notify_by_sms) "
                    "VALUES (:pn, 'Racer', :ln, :now, false, false) RETURNING id"
                ),
                {"pn": f"{run}{n:04d}", "ln": str(n), "now": now},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO participant_teams (participant_id, team_id, municipality) "
                    "VALUES (:p, :t, :m)"
                ),
                {"p": participant, "t": team, "m": municipality},
            )
            token = secrets.token_urlsafe(32)
            connection.execute(
                text(
                    "INSERT INTO web_sessions (id, data, user_kind, user_id, created_at, "
                    "authenticated_at, last_seen_at) "
                    "VALUES (:id, '{}', 'participant', :p, :now, :now, :now)"
                ),
                {"id": token_hash(token, SECRET), "p": participant, "now": now},
            )
            tokens.append(token)
    engine.dispose()
    return tokens


def race(base: str, path: str, start: str, tokens: list[str]) -> dict[str, Any]:
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        status = -1  # a connection error or time-out
        with httpx.Client(base_url=base, cookies={"portal_session": token}, timeout=120) as client:
            barrier.wait()
            with contextlib.suppress(httpx.HTTPError):
                status = client.post(
                    path, data={"start": start, "request_key": secrets.token_urlsafe(16)}
                ).status_code
        with lock:
            statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=one, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "booked": statuses.count(303),
        "just_taken": statuses.count(409),
        "errors": len(statuses) - statuses.count(303) - statuses.count(409),
        "seconds": round(time.perf_counter() - started, 2),
    }


def as_start(value: Any) -> str:
    start = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return (start if start.tzinfo else start.replace(tzinfo=dt.UTC)).isoformat()


def run(url: str, backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(url, Path(folder))
        try:
            group, municipality = sql(
                url, "SELECT id, eligible_municipality FROM meeting_offers WHERE is_group"
            )[0]
            offer, team = sql(
                url, "SELECT id, eligible_team_id FROM meeting_offers WHERE NOT is_group"
            )[0]
            tokens = racers(url, team, municipality, secrets.token_hex(2).upper())
            # Baseline: one participant books a group seat alone.
            session_id, starts_at = sql(
                url,
                "SELECT id, starts_at FROM group_sessions WHERE offer_id = :o "
                "ORDER BY starts_at LIMIT 1",
                o=group,
            )[0]
            started = time.perf_counter()
            with httpx.Client(base_url=base, cookies={"portal_session": tokens[0]}) as client:
                alone = client.post(
                    f"/meetings/offers/{group}/book",
                    data={"start": as_start(starts_at), "request_key": secrets.token_urlsafe(16)},
                ).status_code
            baseline_ms = (time.perf_counter() - started) * 1000
            # The last seat of the last group time.
            session_id, starts_at = sql(
                url,
                "SELECT id, starts_at FROM group_sessions WHERE offer_id = :o "
                "ORDER BY starts_at DESC LIMIT 1",
                o=group,
            )[0]
            sql(url, "UPDATE group_sessions SET seats = booked + 1 WHERE id = :s", s=session_id)
            seat = race(base, f"/meetings/offers/{group}/book", as_start(starts_at), tokens[1:])
            seat["live_bookings"] = sql(
                url,
                "SELECT COUNT(*) FROM bookings WHERE group_session_id = :s AND status = 'booked'",
                s=session_id,
            )[0][0]
            # One individual time with one caseworker.
            keep = sql(
                url, "SELECT MIN(caseworker_id) FROM offer_caseworkers WHERE offer_id = :o", o=offer
            )[0][0]
            sql(
                url,
                "DELETE FROM offer_caseworkers WHERE offer_id = :o AND caseworker_id <> :c",
                o=offer,
                c=keep,
            )
            with httpx.Client(base_url=base, cookies={"portal_session": tokens[1]}) as client:
                page = client.get(f"/meetings/offers/{offer}")
            start = re.findall(r'name="start" value="([^"]+)"', page.text)[-1]
            time_race = race(base, f"/meetings/offers/{offer}/book", start, tokens[1:])
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "bench": "last_seat_race",
        "backend": backend,
        "racers": RACERS - 1,
        "baseline_one_booking_ms": round(baseline_ms, 1),
        "baseline_status": alone,
        "last_group_seat": seat,
        "one_individual_time": time_race,
        "target": "exactly 1 booking, 0 errors",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="also on this PostgreSQL database (emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(f"sqlite:///{folder}/race.db", "sqlite")), flush=True)
    if args.postgres:
        engine = create_engine(sync_url(args.postgres))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        print(json.dumps(run(args.postgres, "postgresql")), flush=True)


if __name__ == "__main__":
    main()
