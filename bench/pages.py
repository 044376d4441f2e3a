"""The logged-in start page against a bare Starlette endpoint, at 32 connections; prints JSON.

Run: .venv/bin/python -m bench.pages [SECONDS] [WORKERS]
Targets: ratio >= 0.15, start page p99 < 50 ms.
"""

from __future__ import annotations

import json
import os
import sys

import httpx

from bench.harness import bare_server, load, portal_server

CONNECTIONS = 32
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
# Both servers run one process per core, as the portal is deployed.
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 1)


def session_cookie(url: str, persona: str) -> str:
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        response = client.get(f"/auth/login?login_hint={persona}")
        assert (
            response.status_code == 200
            and "Hej" in client.get("/", headers={"Accept-Language": "sv"}).text
        ), "login failed"
        return f"portal_session={client.cookies['portal_session']}"


def main() -> None:
    with bare_server(WORKERS) as bare_url:
        bare = load(bare_url, "/", connections=CONNECTIONS, seconds=SECONDS)
    with portal_server(workers=WORKERS) as (portal_url, _env):
        cookie = session_cookie(portal_url, "anna")
        start_page = load(portal_url, "/", cookie, connections=CONNECTIONS, seconds=SECONDS)
    ratio = round(start_page["requests_per_second"] / bare["requests_per_second"], 3)
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "connections": CONNECTIONS,
                "workers": WORKERS,
                "seconds": SECONDS,
                "bare_endpoint": bare,
                "start_page_logged_in": start_page,
                "ratio": ratio,
                "targets": {"ratio": 0.15, "start_page_p99_ms": 50},
                "met": ratio >= 0.15 and start_page["p99_ms"] < 50 and start_page["errors"] == 0,
            }
        )
    )


if __name__ == "__main__":
    main()
