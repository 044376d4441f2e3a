"""What several layers read of a request, worked out once per request."""

from __future__ import annotations

from starlette.requests import cookie_parser
from starlette.types import Scope


def cookies_of(scope: Scope) -> dict[str, str]:
    """The request's cookies (the language and session middlewares and error pages read them)."""
    cookies: dict[str, str] | None = scope.get("portal.cookies")
    if cookies is None:
        header = "; ".join(
            value.decode("latin-1") for name, value in scope["headers"] if name == b"cookie"
        )
        cookies = cookie_parser(header) if header else {}
        scope["portal.cookies"] = cookies
    return cookies


def page_path(scope: Scope) -> str:
    """The path as `request.url.path` gives it, without building the whole URL."""
    path: str = scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
