"""The logged-in start page against a bare Starlette endpoint, at 32 connections; prints JSON.

Both are loaded in turn for a few rounds (see harness.alternate); the ratio is the median of
the rounds' ratios, the p99 the worst round's.
Run: .venv/bin/python -m bench.pages [SECONDS_PER_ROUND] [WORKERS] [ROUNDS]
Targets: ratio >= 0.15, start page p99 < 50 ms.
"""

from __future__ import annotations

import json
import os
import sys

import httpx

from bench.harness import alternate, bare_server, portal_server

CONNECTIONS = 32
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
# Both servers run one process per core, as the portal is deployed.
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 1)
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 9


def session_cookie(url: str, persona: str) -> str:
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        response = client.get(f"/auth/login?login_hint={persona}")
        assert (
            response.status_code == 200
            and "Hej" in client.get("/", headers={"Accept-Language": "sv"}).text
        ), "login failed"
        return f"portal_session={client.cookies['portal_session']}"


def main() -> None:
    with bare_server(WORKERS) as bare_url, portal_server(workers=WORKERS) as (portal_url, _env):
        cookie = session_cookie(portal_url, "anna")
        figures = alternate(
            bare_url, portal_url, "/", cookie, ROUNDS, connections=CONNECTIONS, seconds=SECONDS
        )
    start_page = figures.pop("page")
    ratio = figures["ratio"]
    p99 = figures["page_p99_ms_worst"]
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "connections": CONNECTIONS,
                "workers": WORKERS,
                "start_page_logged_in": start_page,
                **figures,
                "targets": {"ratio": 0.15, "start_page_p99_ms": 50},
                "met": ratio >= 0.15 and p99 < 50 and figures["page_errors"] == 0,
            }
        )
    )


if __name__ == "__main__":
    main()
