"""A soak: a few minutes of mixed journeys against two server processes, with a bounded number
of virtual users: participants reading their pages, changing their settings, booking and
cancelling a meeting and approving a waiting hour history by eID signature; caseworkers
reading the overview and writing My Plan. Prints one JSON object: requests, answers by status
class (no 5xx is the target), p50/p95/p99 per kind of request and overall, and the server
processes' memory at the start and the end of the run (it should stay flat).

    python -m bench.soak [seconds] [virtual users]

On PostgreSQL when PORTAL_BENCH_POSTGRES_URL names a database whose public schema may be
dropped; else on the embedded SQLite database.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from bench.harness import portal_server, reset_postgres

PARTICIPANTS = ("anna", "bo")
STAFF = ("karin", "lars")


class Tally:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[str] = Counter()
        self.server_errors: list[str] = []
        self.refusals: Counter[str] = Counter()
        self.approved = 0

    async def request(
        self, client: httpx.AsyncClient, kind: str, method: str, url: str, **options: object
    ) -> httpx.Response:
        started = time.perf_counter()
        response = await client.request(method, url, **options)  # type: ignore[arg-type]
        self.latencies[kind].append(time.perf_counter() - started)
        self.statuses[f"{response.status_code // 100}xx"] += 1
        if 400 <= response.status_code < 500:
            self.refusals[f"{response.status_code} {kind}"] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{response.status_code} {method} {url}")
        return response


def field(page: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else None


async def log_in(client: httpx.AsyncClient, tally: Tally, persona: str, staff: bool) -> None:
    path = "/staff/login" if staff else "/auth/login"
    await tally.request(client, "login", "GET", f"{path}?login_hint={persona}")


async def participant_round(
    client: httpx.AsyncClient, tally: Tally, chance: random.Random, persona: str, approve: bool
) -> None:
    for path in ("/", "/plan", "/hours", "/meetings", "/cv", "/cv/presentation", "/settings"):
        await tally.request(client, "participant page", "GET", path)
    # Reminders by e-mail on or off, as the settings form sends it.
    body = "notify_by_email=on&notify_email=soak%40example.org" if chance.random() < 0.5 else ""
    await tally.request(
        client,
        "participant write",
        "POST",
        "/settings/notifications",
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    await book_and_cancel(client, tally)
    if approve:
        await approve_waiting(client, tally, persona)


async def book_and_cancel(client: httpx.AsyncClient, tally: Tally) -> None:
    meetings = (await tally.request(client, "participant page", "GET", "/meetings")).text
    offers = re.findall(r'href="(/meetings/offers/\d+)"', meetings)
    if not offers:
        return
    offer = offers[0]
    page = (await tally.request(client, "booking", "GET", offer)).text
    starts = re.findall(r'name="start" value="([^"]+)"', page)
    if not starts:
        return
    confirm = await tally.request(
        client, "booking", "GET", offer + "/confirm", params={"start": starts[-1]}
    )
    key = field(confirm.text, "request_key")
    if key is None:
        return
    booked = await tally.request(
        client, "booking", "POST", offer + "/book", data={"start": starts[-1], "request_key": key}
    )
    booking = re.search(r"/meetings/bookings/(\d+)", str(booked.url))
    if booking:
        await tally.request(
            client, "booking", "POST", f"/meetings/bookings/{booking.group(1)}/cancel", data={}
        )


async def approve_waiting(client: httpx.AsyncClient, tally: Tally, persona: str) -> None:
    hours = (await tally.request(client, "participant page", "GET", "/hours")).text
    for link in re.findall(r'href="(/hours/\d+)"', hours)[:3]:
        page = (await tally.request(client, "participant page", "GET", link)).text
        version = field(page, "version")
        if f'action="{link}/approve"' in page and version:
            data = {"version": version, "consent": "yes"}
            # The development IdP signs at once for a persona named as login_hint.
            signed = await tally.request(
                client, "approval", "POST", f"{link}/approve?login_hint={persona}", data=data
            )
            tally.approved += "Approved" in signed.text or "Godkänd" in signed.text
            return


async def staff_round(client: httpx.AsyncClient, tally: Tally, run: str, n: int) -> None:
    start = (await tally.request(client, "staff page", "GET", "/staff/")).text
    found = re.search(r'href="/staff/participants/(\d+)"', start)
    if not found:
        return
    base = f"/staff/participants/{found.group(1)}"
    for path in ("/plan", "/edit-plan", "/cv"):
        await tally.request(client, "staff page", "GET", base + path)
    form = (await tally.request(client, "staff page", "GET", base + "/edit-plan/agreement")).text
    data = {
        "text": f"Soak {run} agreement {n}",
        "agreed_on": field(form, "agreed_on") or "",
        "agreed_by": "Soak",
        "version": field(form, "version") or "",
        "form_token": field(form, "form_token") or "",
    }
    agreed_on = re.search(r'name="agreed_on"[^>]*value="([^"]+)"', form)
    if agreed_on:
        data["agreed_on"] = agreed_on.group(1)
    await tally.request(client, "staff write", "POST", base + "/edit-plan/agreement", data=data)


async def virtual_user(
    url: str, number: int, deadline: float, tally: Tally, run: str, approve: bool
) -> None:
    chance = random.Random(number)
    staff = number % 4 == 3  # a quarter of the users are caseworkers
    persona = STAFF[number % len(STAFF)] if staff else PARTICIPANTS[number % len(PARTICIPANTS)]
    rounds = 0
    while time.perf_counter() < deadline:
        async with httpx.AsyncClient(
            base_url=url, follow_redirects=True, headers={"Accept-Language": "sv"}, timeout=60
        ) as client:
            await log_in(client, tally, persona, staff)
            if staff:
                await staff_round(client, tally, run, rounds)
            else:
                await participant_round(client, tally, chance, persona, approve)
            path = "/staff/logout" if staff else "/auth/logout"
            await tally.request(client, "logout", "POST", path, data={})
        rounds += 1


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_processes(root: int) -> list[int]:
    """The server and every process under it (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def memory_mib(root: int) -> float:
    return round(sum(resident_kib(pid) for pid in server_processes(root)) / 1024, 1)


def percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)

    def at(p: float) -> float:
        return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1)

    return {"requests": len(values), "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 180.0
    users = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    postgres = os.environ.get("PORTAL_BENCH_POSTGRES_URL")
    if postgres:
        reset_postgres(postgres)
    with portal_server(postgres, workers=2) as (url, env):
        root = int(env["PORTAL_SERVER_PID"])
        tally = Tally()
        run = f"{random.randrange(16**6):06x}"

        async def soak(duration: float, approve: bool = True) -> None:
            deadline = time.perf_counter() + duration
            await asyncio.gather(
                *(virtual_user(url, n, deadline, tally, run, approve) for n in range(users))
            )

        # Warm-up (caches, connections, imports), leaving the waiting hour histories.
        asyncio.run(soak(min(20.0, seconds / 6), approve=False))
        memory_start = memory_mib(root)
        tally = Tally()
        started = time.perf_counter()
        asyncio.run(soak(seconds))
        elapsed = time.perf_counter() - started
        memory_end = memory_mib(root)
    everything = [value for values in tally.latencies.values() for value in values]
    print(
        json.dumps(
            {
                "bench": "soak",
                "database": "postgresql" if postgres else "sqlite",
                "server_processes": 2,
                "virtual_users": users,
                "seconds": round(elapsed),
                "requests_per_second": round(len(everything) / elapsed, 1),
                "answers": dict(tally.statuses),
                "refusals": dict(tally.refusals),
                "hour_histories_approved": tally.approved,
                "server_errors": len(tally.server_errors),
                "first_server_errors": tally.server_errors[:5],
                "overall": percentiles(everything),
                "by_kind": {kind: percentiles(v) for kind, v in sorted(tally.latencies.items())},
                "memory_mib_start": memory_start,
                "memory_mib_end": memory_end,
                "target": "0 server errors; memory flat",
            }
        )
    )


if __name__ == "__main__":
    main()
