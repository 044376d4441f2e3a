"""Tests that go looking: every page and form of the route table, opened or posted by each
kind of user with odd values in every parameter the code reads, answers without a server
error.

The parameter names are collected from the source (every `.get("name"` and `["name"]`), so a
new page or a new parameter is probed without anyone adding it here. Reading values does not
depend on the database, so the probe runs on SQLite only (it makes some 3 000 requests).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.settings import PROJECT_ROOT, Settings
from tests.conftest import log_in

ODD_VALUES = (
    "²",  # a Unicode digit: str.isdigit says yes, int() says no
    "9" * 40,  # more than any integer column holds
    "0001-01-01",  # a week before it, or a time zone's shift, leaves the calendar
    "9999-W52",
    "x\x00\x1b",
)
# Logging in or out, and the development IdP, change whose session it is: not probed here.
NOT_PROBED = re.compile(r"^/(auth|dev-idp)/|^/staff/(login|callback|logout)$")
PERSONAS = [("anna", False), ("karin", True), ("erik", True), ("vera", True), ("palle", True)]


PARAMETER = re.compile(r"""\.get\(\s*"([a-z][a-z_]{0,30})"|\["([a-z][a-z_]{0,30})"\]""")


def parameter_names() -> list[str]:
    names: set[str] = set()
    for source in (PROJECT_ROOT / "portal").rglob("*.py"):
        for got, indexed in PARAMETER.findall(source.read_text(encoding="utf-8")):
            names.add(got or indexed)
    return sorted(names)


def filled(route: Route, odd: str, turn: int) -> str:
    """The route's path with its ids 1, 2 or 3 (by turn) and the odd value for its text."""
    path = route.path
    for name, convertor in route.param_convertors.items():
        number = convertor.regex.startswith("[0-9]")
        value = str(turn % 3 + 1) if number else quote(odd)
        path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", value, path)
    return path


def routes_taking(client: TestClient, method: str) -> Iterator[Route]:
    for route in client.app.router.routes:  # type: ignore[attr-defined]
        taken = isinstance(route, Route) and method in (route.methods or ())
        if taken and not NOT_PROBED.search(route.path) and not route.path.startswith("/api/"):
            yield route


@pytest.fixture
def logged_in(client: TestClient, settings: Settings, request: pytest.FixtureRequest) -> TestClient:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the same values on the other database prove nothing more")
    persona, staff = request.param
    log_in(client, persona, staff=staff)
    return client


@pytest.mark.parametrize("logged_in", PERSONAS, indirect=True, ids=[p for p, _ in PERSONAS])
def test_no_page_fails_on_odd_values_whoever_asks(logged_in: TestClient) -> None:
    """Each GET page once for each odd value, given to every parameter at once."""
    names = parameter_names()
    failures = []
    for route in routes_taking(logged_in, "GET"):
        for turn, odd in enumerate(ODD_VALUES):
            query = "&".join(f"{name}={quote(odd)}" for name in names)
            url = f"{filled(route, odd, turn)}?{query}"
            response = logged_in.get(url, follow_redirects=False)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {url[:160]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("logged_in", PERSONAS, indirect=True, ids=[p for p, _ in PERSONAS])
def test_no_form_fails_on_odd_values_whoever_posts(logged_in: TestClient) -> None:
    """Each form handler once for each odd value, given to every field at once."""
    names = parameter_names()
    failures = []
    for route in routes_taking(logged_in, "POST"):
        for turn, odd in enumerate(ODD_VALUES):
            path = filled(route, odd, turn)
            data = dict.fromkeys(names, odd)
            response = logged_in.post(path, data=data, follow_redirects=False)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} POST {path}")
    assert not failures, "\n".join(failures)
