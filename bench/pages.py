"""Every participant page and the main staff pages against a bare Starlette endpoint, one
worker each, loaded by wrk at 32 connections; one JSON line per page.

For each page the bare endpoint and the page are loaded in turn (`--rounds` times), so that a
machine whose speed drifts weighs on both alike: the ratio is the median of the rounds'
ratios, the p99 the worst round's; the server's CPU time per request is the median round's.
Run: .venv/bin/python -m bench.pages [--database sqlite|postgresql] [--seconds S]
     [--rounds N] [--only NAME,NAME] [--workers N]
PostgreSQL: PORTAL_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/bench).
Targets: ratio >= 0.08 (SQLite) and >= 0.04 (PostgreSQL), p99 < 100 ms, no errors.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bench import wrk
from bench.harness import bare_server, portal_server, reset_postgres

CONNECTIONS = 32
TARGET_RATIO = {"sqlite": 0.08, "postgresql": 0.04}
TARGET_P99_MS = 100
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/bench"

# Who reads which page: (persona, login path, a word their start page shows).
PERSONAS = {
    "participant": ("anna", "/auth/login", "/"),
    "caseworker": ("karin", "/staff/login", "/staff/"),
    "provider": ("erik", "/staff/login", "/staff/"),
    "reviewer": ("vera", "/staff/login", "/staff/"),
    "planner": ("palle", "/staff/login", "/staff/"),
}


class Visitor:
    """A logged-in browser: its cookie, and the links it finds on a page."""

    def __init__(self, url: str, persona: str, login: str) -> None:
        self.client = httpx.Client(base_url=url, follow_redirects=True, timeout=30)
        answer = self.client.get(f"{login}?login_hint={persona}")
        if answer.status_code != 200:
            raise RuntimeError(f"{persona} could not log in: {answer.status_code}")
        self.cookie = f"portal_session={self.client.cookies['portal_session']}"

    def link(self, page: str, pattern: str) -> str:
        """The first link on `page` whose path matches `pattern` (a regular expression)."""
        text = self.client.get(page).text
        for href in re.findall(r'href="(/[^"#]*)"', text):
            if re.fullmatch(pattern, href):
                return href
        raise RuntimeError(f"no link like {pattern} on {page}")

    def share_link(self) -> str:
        """A presentation CV's share link for an employer, made as the participant would."""
        form = self.client.get("/cv/presentation").text
        token = re.search(
            r'action="/cv/presentation/shares".*?name="form_token" value="([^"]+)"', form, re.S
        )
        assert token, "no share form"
        origin = str(self.client.base_url).rstrip("/")
        answer = self.client.post(
            "/cv/presentation/shares",
            data={"form_token": token.group(1), "employer_name": "Bench AB", "days": "30"},
            headers={"Origin": origin},
        )
        found = re.search(r"/shared/cv/[A-Za-z0-9_-]+", answer.text)
        assert found, "no share link made"
        return found.group(0)


def pages(url: str) -> dict[str, tuple[str, str]]:
    """Page name -> (path, cookie), found the way a user would reach them."""
    who = {role: Visitor(url, persona, login) for role, (persona, login, _) in PERSONAS.items()}
    anna, karin, erik = who["participant"], who["caseworker"], who["provider"]
    mine = anna.cookie
    grid = erik.link(
        "/staff/participants/1/hour-reports", r"/staff/participants/1/hour-reports/\d{4}-\d\d"
    )
    return {
        "start": ("/", mine),
        "plan": ("/plan", mine),
        "hours": ("/hours", mine),
        "hour_history": (anna.link("/hours", r"/hours/\d+"), mine),
        "meetings": ("/meetings", mine),
        "booking": (anna.link("/meetings", r"/meetings/bookings/\d+"), mine),
        "offer_picker": (anna.link("/meetings", r"/meetings/offers/\d+"), mine),
        "cv": ("/cv", mine),
        "cv_presentation": ("/cv/presentation", mine),
        "cv_jobs": ("/cv/jobs", mine),
        "access_log": ("/access-log", mine),
        "settings": ("/settings", mine),
        "shared_cv": (anna.share_link(), ""),
        "staff_overview": ("/staff/", karin.cookie),
        "read_only_plan": ("/staff/participants/1/plan", karin.cookie),
        "provider_hour_grid": (grid, erik.cookie),
        "booking_calendar": (
            who["planner"].link("/staff/booking/", r"/staff/booking/caseworkers/\d+/calendar"),
            who["planner"].cookie,
        ),
        "report_board": ("/staff/reports/board", who["reviewer"].cookie),
        "report_queue": ("/staff/reports/queue", who["reviewer"].cookie),
    }


@contextmanager
def portal(database: str, workers: int = 1) -> Iterator[tuple[str, int]]:
    postgres = None
    if database == "postgresql":
        postgres = os.environ.get("PORTAL_BENCH_POSTGRES_URL", POSTGRES_DEFAULT)
        reset_postgres(postgres)
    with portal_server(postgres, workers) as (url, env):
        yield url, int(env["PORTAL_SERVER_PID"])


def measure(
    bare_url: str, url: str, path: str, cookie: str, pid: int, rounds: int, seconds: float
) -> dict[str, Any]:
    headers = {"Accept-Language": "sv", **({"Cookie": cookie} if cookie else {})}
    checked = httpx.get(url + path, headers=headers)
    if checked.status_code != 200:
        raise RuntimeError(f"{path} answers {checked.status_code}")
    wrk.run(url + path, headers, CONNECTIONS, 1.0)  # warm-up
    bares, runs = [], []
    for _ in range(rounds):
        bares.append(wrk.run(bare_url + "/", connections=CONNECTIONS, seconds=seconds))
        runs.append(wrk.run(url + path, headers, CONNECTIONS, seconds, server_pid=pid))
    ratios = [
        page["requests_per_second"] / bare["requests_per_second"]
        for bare, page in zip(bares, runs, strict=True)
    ]
    middle = sorted(runs, key=lambda run: run["requests_per_second"])[len(runs) // 2]
    return {
        "requests_per_second": middle["requests_per_second"],
        "p50_ms": middle["p50_ms"],
        "p99_ms_worst": max(run["p99_ms"] for run in runs),
        "cpu_us_per_request": round(
            statistics.median(run["cpu_us_per_request"] for run in runs), 1
        ),
        "errors": sum(run["errors"] for run in runs),
        "bare_requests_per_second": round(
            statistics.median(b["requests_per_second"] for b in bares), 1
        ),
        "ratio": round(statistics.median(ratios), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--workers", type=int, default=1, help="the portal's processes")
    arguments = parser.parse_args()
    only = {name for name in arguments.only.split(",") if name}
    target = TARGET_RATIO[arguments.database]
    workers = arguments.workers
    with bare_server(1) as bare_url, portal(arguments.database, workers) as (url, pid):
        for name, (path, cookie) in pages(url).items():
            if only and name not in only:
                continue
            figures = measure(bare_url, url, path, cookie, pid, arguments.rounds, arguments.seconds)
            met = (
                figures["ratio"] >= target
                and figures["p99_ms_worst"] < TARGET_P99_MS
                and figures["errors"] == 0
            )
            line = {
                "benchmark": "pages",
                "database": arguments.database,
                "page": name,
                "path": re.sub(r"/shared/cv/.+", "/shared/cv/{token}", path),
                "connections": CONNECTIONS,
                "workers": workers,
                **figures,
                "targets": {"ratio": target, "p99_ms": TARGET_P99_MS},
                "met": met,
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
