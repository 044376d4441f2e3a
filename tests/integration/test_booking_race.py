"""Never two bookings for one slot: 50 participants ask for the last seat of a group meeting,
and for one individual time, at the same moment, against a real server (SQLite and
PostgreSQL). Exactly one gets it; the others get the "just taken" page; nobody gets a 500."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portal.auth.sessions import token_hash
from tests.conftest import SECRET, server_env
from tests.e2e.conftest import free_port
from tests.integration.test_meetings import sql

RACERS = 50


@pytest.fixture
def server(database_url: str, var_dir: Path) -> Iterator[str]:
    port = free_port()
    env = server_env(database_url, var_dir, port)
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "Uvicorn running" in line:
            break
    threading.Thread(target=process.stderr.read, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def racers(url: str, municipality: str, run: str) -> list[tuple[int, str]]:
    """RACERS participants who may book (same municipality as the group offer's rule, the
    adults' team for the individual offer), each with a logged-in session cookie."""
    query = "SELECT eligible_team_id FROM meeting_offers WHERE NOT is_group ORDER BY id"
    adults = sql(url, query)[0][0]
    now = dt.datetime.now(dt.UTC)
    people = []
    for n in range(RACERS):
        number = f"{run}{n:04d}"
        row = sql(
            url,
            "INSERT INTO participants (personal_number, first_name, last_name, created_at, "
            "notify_by_email, notify_by_sms) VALUES (:pn, 'Racer', :ln, :now, false, false) "
            "RETURNING id",
            pn=number,
            ln=str(n),
            now=now,
        )
        participant = int(row[0][0])
        sql(
            url,
            "INSERT INTO participant_teams (participant_id, team_id, municipality) "
            "VALUES (:p, :t, :m)",
            p=participant,
            t=adults,
            m=municipality,
        )
        token = secrets.token_urlsafe(32)
        sql(
            url,
            "INSERT INTO web_sessions (id, data, user_kind, user_id, created_at, "
            "authenticated_at, last_seen_at) "
            "VALUES (:id, '{}', 'participant', :p, :now, :now, :now)",
            id=token_hash(token, SECRET),
            p=participant,
            now=now,
        )
        people.append((participant, token))
    return people


def race(base: str, path: str, start: str, people: list[tuple[int, str]]) -> list[int]:
    """Every racer posts at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(people))
    statuses: list[int] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        with httpx.Client(base_url=base, cookies={"portal_session": token}, timeout=60) as client:
            barrier.wait()
            response = client.post(
                path, data={"start": start, "request_key": secrets.token_urlsafe(16)}
            )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=(token,)) for _, token in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_fifty_participants_racing_for_the_last_seat_get_exactly_one_booking(
    server: str, database_url: str
) -> None:
    (group, municipality) = sql(
        database_url,
        "SELECT id, eligible_municipality FROM meeting_offers WHERE is_group ORDER BY id",
    )[0]
    people = racers(database_url, municipality, "L" + secrets.token_hex(3))
    (session_id, starts_at, booked, seats) = sql(
        database_url,
        "SELECT id, starts_at, booked, seats FROM group_sessions WHERE offer_id = :o "
        "ORDER BY starts_at DESC LIMIT 1",
        o=group,
    )[0]
    sql(database_url, "UPDATE group_sessions SET seats = booked + 1 WHERE id = :s", s=session_id)
    try:
        with httpx.Client(base_url=server, cookies={"portal_session": people[0][1]}) as client:
            page = client.get(f"/meetings/offers/{group}", params={"week": "2099-01-05"})
            assert page.status_code == 200
        start = (
            starts_at
            if isinstance(starts_at, dt.datetime)
            else dt.datetime.fromisoformat(str(starts_at))
        )
        if start.tzinfo is None:
            start = start.replace(tzinfo=dt.UTC)
        statuses = race(server, f"/meetings/offers/{group}/book", start.isoformat(), people)
        assert sorted(statuses).count(303) == 1, statuses
        assert statuses.count(409) == RACERS - 1, statuses
        live = sql(
            database_url,
            "SELECT COUNT(*) FROM bookings WHERE group_session_id = :s AND status = 'booked' "
            "AND participant_id IN (SELECT id FROM participants WHERE first_name = 'Racer')",
            s=session_id,
        )
        assert live[0][0] == 1
        after = sql(
            database_url, "SELECT booked, seats FROM group_sessions WHERE id = :s", s=session_id
        )
        assert after[0][0] == after[0][1] == booked + 1
    finally:
        sql(
            database_url,
            "UPDATE bookings SET status = 'cancelled' WHERE group_session_id = :s "
            "AND participant_id IN (SELECT id FROM participants WHERE first_name = 'Racer')",
            s=session_id,
        )
        sql(
            database_url,
            "UPDATE group_sessions SET booked = :b, seats = :n WHERE id = :s",
            b=booked,
            n=seats,
            s=session_id,
        )


def test_fifty_participants_racing_for_one_individual_time_get_exactly_one_booking(
    server: str, database_url: str
) -> None:
    (offer, municipality) = sql(
        database_url, "SELECT id, 'x' FROM meeting_offers WHERE NOT is_group ORDER BY id"
    )[0]
    people = racers(database_url, municipality, "I" + secrets.token_hex(3))
    # One caseworker only, so the time has exactly one place.
    caseworkers = sql(
        database_url, "SELECT caseworker_id FROM offer_caseworkers WHERE offer_id = :o", o=offer
    )
    sql(
        database_url,
        "DELETE FROM offer_caseworkers WHERE offer_id = :o AND caseworker_id <> :c",
        o=offer,
        c=caseworkers[0][0],
    )
    try:
        with httpx.Client(base_url=server, cookies={"portal_session": people[0][1]}) as client:
            page = client.get(f"/meetings/offers/{offer}")
        start = re.findall(r'name="start" value="([^"]+)"', page.text)[-1]
        statuses = race(server, f"/meetings/offers/{offer}/book", start, people)
        assert statuses.count(303) == 1, statuses
        assert statuses.count(409) == RACERS - 1, statuses
        live = sql(
            database_url,
            "SELECT COUNT(*) FROM bookings WHERE offer_id = :o AND status = 'booked' "
            "AND participant_id IN (SELECT id FROM participants WHERE first_name = 'Racer')",
            o=offer,
        )
        assert live[0][0] == 1
    finally:
        sql(
            database_url,
            "UPDATE bookings SET status = 'cancelled' WHERE offer_id = :o "
            "AND participant_id IN (SELECT id FROM participants WHERE first_name = 'Racer')",
            o=offer,
        )
        for (caseworker,) in caseworkers[1:]:
            sql(
                database_url,
                "INSERT INTO offer_caseworkers (offer_id, caseworker_id) VALUES (:o, :c)",
                o=offer,
                c=caseworker,
            )
