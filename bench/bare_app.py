"""The baseline: a bare Starlette hello-world endpoint, served the same way as the portal."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("Hello, world")


app = Starlette(routes=[Route("/", hello)])
