"""What several layers read of a request, worked out once per request."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from starlette.requests import Request, cookie_parser
from starlette.types import Scope

from portal.db import Database


def database(request: Request) -> Database:
    """The application's database (one per process, made at start-up)."""
    db: Database = request.app.state.database
    return db


def today(request: Request) -> dt.date:
    """Today's date where the deployment is (Stockholm or Copenhagen)."""
    return dt.datetime.now(ZoneInfo(request.app.state.settings.timezone)).date()


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


def country_of(request: Request) -> str:
    """The deployment's country, SE or DK."""
    country: str = request.app.state.settings.country
    return country
