"""How a page's CPU time alone sets its tail at 32 connections on one worker: the bare endpoint
spending a given time of CPU per request (and waiting for nothing), loaded like every page in
`bench.pages`; one JSON line per cost with requests/s, p50 and p99.

Run: .venv/bin/python -m bench.tail [SECONDS] [MICROSECONDS...]
(default 3 s; 100, 500, 1 000, 2 000, 3 500 and 7 000 µs, the range of the portal's pages).
Each cost is measured on both event loops uvicorn offers: uvloop answers a few requests ten
times later than the rest once the server is busy, asyncio's own loop serves them in turn
(the portal serves on asyncio's). A page's p99 in `bench.pages` is to be read against the
asyncio line of its `cpu_us_per_request`: where they match, nothing but CPU time is left to
take out of that page's tail.
"""

from __future__ import annotations

import json
import sys

from bench import wrk
from bench.harness import bare_server

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
COSTS = [int(cost) for cost in sys.argv[2:]] or [100, 500, 1_000, 2_000, 3_500, 7_000]
CONNECTIONS = 32


def main() -> None:
    for loop in ("uvloop", "asyncio"):
        with bare_server(loop=loop) as url:
            for cost in COSTS:
                measure(url, loop, cost)


def measure(url: str, loop: str, cost: int) -> None:
    figures = wrk.run(f"{url}/busy?us={cost}", connections=CONNECTIONS, seconds=SECONDS)
    line = {
        "bench": "tail",
        "loop": loop,
        "cpu_us_per_request": cost,
        "connections": CONNECTIONS,
        "requests_per_second": figures["requests_per_second"],
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": figures["errors"],
    }
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
