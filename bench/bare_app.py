"""The baseline: a bare Starlette hello-world endpoint, served the same way as the portal; and
`/busy?us=N`, which spends N microseconds of CPU before answering, the control for a page of
that cost (`bench.tail`)."""

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("Hello, world")


async def busy(request: Request) -> PlainTextResponse:
    until = time.perf_counter() + int(request.query_params.get("us", "0")) / 1_000_000
    while time.perf_counter() < until:
        pass
    return PlainTextResponse("Hello, world")


app = Starlette(routes=[Route("/", hello), Route("/busy", busy)])
