"""Every participant page and the main staff pages against a bare Starlette endpoint, one
worker each, loaded by wrk at 32 connections; one JSON line per page.

For each page the bare endpoint and the page are loaded in turn (`--rounds` times), so that a
machine whose speed drifts weighs on both alike: the ratio is the median of the rounds'
ratios, the p99 the worst round's; the server's CPU time per request is the median round's.
Run: .venv/bin/python -m bench.pages [--database sqlite|postgresql] [--seconds S]
     [--rounds N] [--only NAME,NAME] [--workers N] [--scale N]
PostgreSQL: PORTAL_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/bench).
Targets: ratio >= 0.08 (SQLite) and >= 0.04 (PostgreSQL), p99 < 100 ms, no errors.
With --scale N: every page on the demo data and with N generated participants (`portal
demo-data --scale N`, served side by side, read in turn) for the same people (anna, the demo
staff) and for the first generated participant with the staff reading their pages; one line
per page with the p95s at one connection (the time one request takes; at 32 the p95 is mostly
the queue's), the ratios the median of the rounds'. Target: the same page's p95 at scale
within 1.5x of the demo data's.
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
from sqlalchemy import make_url

from bench import wrk
from bench.harness import bare_server, drop_postgres_database, portal_server, reset_postgres
from portal.demo.scale import first_generated

CONNECTIONS = 32
TARGET_RATIO = {"sqlite": 0.08, "postgresql": 0.04}
TARGET_P99_MS = 100
TARGET_SCALE_RATIO = 1.5  # a page's p95 at scale against its p95 on the demo data
# At scale, what one reader waits for a page: at 32 connections the p95 is the queue's.
SCALE_CONNECTIONS = 1
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


def pages(url: str, participant: tuple[str, int] = ("anna", 1)) -> dict[str, tuple[str, str]]:
    """Page name -> (path, cookie), found the way a user would reach them; the participant's
    pages and the staff's views of them are of `participant` (login hint, id)."""
    people = {**PERSONAS, "participant": (participant[0], "/auth/login", "/")}
    who = {role: Visitor(url, persona, login) for role, (persona, login, _) in people.items()}
    anna, karin, erik = who["participant"], who["caseworker"], who["provider"]
    mine, them = anna.cookie, f"/staff/participants/{participant[1]}"
    grid = erik.link(f"{them}/hour-reports", rf"{them}/hour-reports/\d{{4}}-\d\d")
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
        "read_only_plan": (f"{them}/plan", karin.cookie),
        "provider_hour_grid": (grid, erik.cookie),
        "booking_calendar": (
            who["planner"].link("/staff/booking/", r"/staff/booking/caseworkers/\d+/calendar"),
            who["planner"].cookie,
        ),
        "report_board": ("/staff/reports/board", who["reviewer"].cookie),
        "report_queue": ("/staff/reports/queue", who["reviewer"].cookie),
    }


@contextmanager
def portal(database: str, workers: int = 1, scale: int = 0) -> Iterator[tuple[str, int, str]]:
    """A portal on the demo data (and `scale` generated participants): its URL, process id
    and database URL (on PostgreSQL, with `scale`, a database of its own: the bench's name
    and "_scale", so that it can be served beside the demo's, dropped when it stops, as the
    SQLite file is removed)."""
    postgres = None
    if database == "postgresql":
        postgres = os.environ.get("PORTAL_BENCH_POSTGRES_URL", POSTGRES_DEFAULT)
        if scale:
            parsed = make_url(postgres)
            postgres = parsed.set(database=f"{parsed.database}_scale").render_as_string(False)
        reset_postgres(postgres)
    try:
        with portal_server(postgres, workers, scale) as (url, env):
            yield url, int(env["PORTAL_SERVER_PID"]), env["PORTAL_DATABASE_URL"]
    finally:
        if postgres and scale:
            drop_postgres_database(postgres)


def checked_and_warm(url: str, path: str, cookie: str, connections: int) -> dict[str, str]:
    """The request headers of a page for wrk, once the page answers 200 and has been loaded
    for a second (a warm-up)."""
    headers = {"Accept-Language": "sv", **({"Cookie": cookie} if cookie else {})}
    checked = httpx.get(url + path, headers=headers)
    if checked.status_code != 200:
        raise RuntimeError(f"{path} answers {checked.status_code}")
    wrk.run(url + path, headers, connections, 1.0)
    return headers


def measure(
    bare_url: str,
    url: str,
    path: str,
    cookie: str,
    pid: int,
    rounds: int,
    seconds: float,
) -> dict[str, Any]:
    headers = checked_and_warm(url, path, cookie, CONNECTIONS)
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
        "p95_ms": middle["p95_ms"],
        "p99_ms_worst": max(run["p99_ms"] for run in runs),
        "cpu_us_per_request": round(
            statistics.median(run["cpu_us_per_request"] for run in runs), 1
        ),
        # The median round's share of the machine's cores: the server, wrk, all (with the
        # database server): with --workers, whether the workers had cores left to use.
        "cores": middle.get("cores"),
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
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="each page's p95 at N generated participants against its p95 on the demo data",
    )
    arguments = parser.parse_args()
    only = {name for name in arguments.only.split(",") if name}
    if arguments.scale:
        at_scale(arguments, only)
        return
    target = TARGET_RATIO[arguments.database]
    workers = arguments.workers
    with bare_server(1) as bare_url, portal(arguments.database, workers) as (url, pid, _):
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


def at_scale(arguments: argparse.Namespace, only: set[str]) -> None:
    """Every page for the same people (anna and the demo staff) on the demo data and at
    `--scale` generated participants (the same pages over a country's tables: the target, p95
    at scale within 1.5x of the demo's), and for the first generated participant with the
    first caseworker in the planner's list (pages of other sizes: how the pages of someone
    inside the data set fare). The two portals are served side by side and each page is read
    from the three in turn, round after round: a ratio is the median of the rounds' ratios,
    so that a machine whose speed drifts (a database server still busy after the load, a
    neighbour) weighs on both sides alike. One JSON line per page."""
    with (
        portal(arguments.database, 1) as (demo_url, demo_pid, _),
        portal(arguments.database, 1, arguments.scale) as (url, pid, database_url),
    ):
        demo_paths = pages(demo_url)
        same = pages(url)
        calendar = demo_paths["booking_calendar"][0]
        same["booking_calendar"] = (calendar, same["booking_calendar"][1])
        generated = pages(url, first_generated(database_url, arguments.scale))
        for name in demo_paths:
            if only and name not in only:
                continue
            sides = {
                "demo": (demo_url, *demo_paths[name], demo_pid),
                "scale": (url, *same[name], pid),
                "generated": (url, *generated[name], pid),
            }
            rounds = alternately(sides, arguments.rounds, arguments.seconds)
            print(json.dumps(scale_line(arguments, name, rounds)), flush=True)


def alternately(
    sides: dict[str, tuple[str, str, str, int]], rounds: int, seconds: float
) -> list[dict[str, dict[str, Any]]]:
    """wrk runs at SCALE_CONNECTIONS of each side's page (URL, path, cookie, server's process
    id) in turn, `rounds` times: each round's figures by side."""
    headers = {
        side: checked_and_warm(url, path, cookie, SCALE_CONNECTIONS)
        for side, (url, path, cookie, _) in sides.items()
    }
    found = []
    for _ in range(rounds):
        one = {}
        for side, (url, path, _, pid) in sides.items():
            one[side] = wrk.run(
                url + path, headers[side], SCALE_CONNECTIONS, seconds, server_pid=pid
            )
        found.append(one)
    return found


def scale_line(
    arguments: argparse.Namespace, name: str, rounds: list[dict[str, dict[str, Any]]]
) -> dict[str, Any]:
    def median(side: str, figure: str) -> float:
        return round(statistics.median(one[side][figure] for one in rounds), 3)

    def ratio(side: str) -> float:
        ratios = [one[side]["p95_ms"] / one["demo"]["p95_ms"] for one in rounds]
        return round(statistics.median(ratios), 2)

    errors = sum(figures["errors"] for one in rounds for figures in one.values())
    return {
        "benchmark": "pages_at_scale",
        "database": arguments.database,
        "page": name,
        "participants": arguments.scale,
        "connections": SCALE_CONNECTIONS,
        "rounds": len(rounds),
        "p95_ms_demo": median("demo", "p95_ms"),
        "p95_ms_scale": median("scale", "p95_ms"),
        "p95_ratio": ratio("scale"),
        "p95_ms_generated": median("generated", "p95_ms"),
        "p95_ratio_generated": ratio("generated"),
        "requests_per_second_demo": median("demo", "requests_per_second"),
        "requests_per_second_scale": median("scale", "requests_per_second"),
        "cpu_us_per_request_demo": median("demo", "cpu_us_per_request"),
        "cpu_us_per_request_scale": median("scale", "cpu_us_per_request"),
        "cpu_us_per_request_generated": median("generated", "cpu_us_per_request"),
        "errors": errors,
        "targets": {"p95_ratio": TARGET_SCALE_RATIO},
        "met": ratio("scale") <= TARGET_SCALE_RATIO and errors == 0,
    }


if __name__ == "__main__":
    main()
