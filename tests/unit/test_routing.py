"""The indexed router takes every path to the route Starlette's own matching would pick."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Message

from portal.app import create_app
from portal.web.routing import IndexedRouter, route_segments
from tests.conftest import make_settings, run_in_own_thread

SAMPLE_VALUES = {"int": "7", "path": "a/b.css", "str": "x"}


def sample_paths(route: BaseRoute) -> list[str]:
    """Paths the route takes, and near misses of them."""
    if not isinstance(route, Route | Mount):
        return []
    path = re.sub(
        r"{\w+(?::(\w+))?}", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), route.path
    )
    if isinstance(route, Mount):
        path += "/a/b.css"
    return [path, path.rstrip("/") or "/", path + "/", path + "/extra", path + "x"]


def first_full_match(routes: list[BaseRoute], path: str, method: str) -> BaseRoute | None:
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    for route in routes:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> IndexedRouter:
    folder: Path = tmp_path_factory.mktemp("routing")
    settings = make_settings(f"sqlite:///{folder / 'portal.db'}", folder)
    router = create_app(settings).router
    assert isinstance(router, IndexedRouter)
    return router


def test_every_path_reaches_the_route_a_full_scan_would_pick(router: IndexedRouter) -> None:
    paths = {path for route in router.routes for path in sample_paths(route)}
    paths |= {"/", "/nowhere", "/staff", "/staff/", "/staff/nowhere/7", "//", "/static"}
    assert len(paths) > 200
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT"):
            expected = first_full_match(router.routes, path, method)
            assert first_full_match(router.candidates(path), path, method) is expected, (
                method,
                path,
            )


def test_a_route_with_a_parameter_is_a_candidate_for_every_path_of_its_shape(
    router: IndexedRouter,
) -> None:
    anywhere = Route("/{page}", lambda request: None)
    router.routes.append(anywhere)
    try:
        for path in ("/plan", "/unknown", "/7"):
            assert anywhere in router.candidates(path)
        assert anywhere not in router.candidates("/staff/participants/7")
        assert router.candidates("/plan")[-1] is anywhere  # after the table's own
    finally:
        router.routes.remove(anywhere)


def test_a_staff_page_about_a_participant_is_matched_against_its_own_route_alone(
    router: IndexedRouter,
) -> None:
    candidates = router.candidates("/staff/participants/7/cv/presentation")
    assert [route.path for route in candidates if isinstance(route, Route)] == [
        "/staff/participants/{participant_id:int}/cv/presentation"
    ]


def test_the_segments_of_routes_and_mounts() -> None:
    shape = route_segments
    assert shape(Route("/", lambda r: None)) == (("",), False)
    assert shape(Route("/plan", lambda r: None)) == (("plan",), False)
    assert shape(Route("/staff/", lambda r: None)) == (("staff", ""), False)
    assert shape(Route("/staff/participants/{id:int}/plan", lambda r: None)) == (
        ("staff", "participants", None, "plan"),
        False,
    )
    assert shape(Route("/hours/{id:int}/receipt.pdf", lambda r: None)) == (
        ("hours", None, "receipt.pdf"),
        False,
    )
    assert shape(Route("/files/{rest:path}", lambda r: None)) == (("files",), True)
    assert shape(Mount("/static", routes=[])) == (("static",), True)
    assert shape(Mount("", routes=[])) is None


@pytest.mark.parametrize(
    ("path", "root_path", "expected"),
    [
        ("/plan", "", "/plan"),
        ("/portal/plan", "/portal", "/plan"),
        ("/portal", "/portal", ""),
        ("/portalen/plan", "/portal", "/portalen/plan"),  # not below the root path
        ("/other", "/portal", "/other"),
    ],
)
def test_a_path_is_matched_below_the_root_path(path: str, root_path: str, expected: str) -> None:
    from portal.web.routing import route_path

    assert route_path({"path": path, "root_path": root_path}) == expected


async def answer_of(router: Router, path: str, method: str) -> tuple[int, str, str]:
    """What the router answers (status, Location, body) for a request, run as ASGI."""
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"portal.test")],
        "scheme": "https",
        "server": ("portal.test", 443),
    }
    try:
        await router(scope, receive, send)
    except HTTPException as error:  # Starlette raises inside an application: its handler answers
        return error.status_code, "", ""
    headers = dict(messages[0]["headers"])
    body = b"".join(message.get("body", b"") for message in messages[1:])
    return messages[0]["status"], headers.get(b"location", b"").decode(), body.decode()


def stand_ins(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The same paths and methods, each answering with its own path template."""

    def answering(text: str) -> Any:
        async def endpoint(request: object) -> PlainTextResponse:
            return PlainTextResponse(text)

        return endpoint

    made: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route):
            made.append(Route(route.path, answering(route.path), methods=route.methods))
        elif isinstance(route, Mount):
            made.append(Mount(route.path, app=PlainTextResponse(route.path)))
    return made


def test_a_path_no_route_takes_fully_is_answered_as_starlette_answers_it(
    router: IndexedRouter,
) -> None:
    routes = stand_ins(router.routes)
    indexed, plain = IndexedRouter(routes), Router(routes)
    paths = {path for route in routes for path in sample_paths(route)}
    paths |= {"/", "/nowhere", "/nowhere/", "/staff", "/staff/", "/staff/nowhere/7", "/static"}

    async def compare() -> set[int]:
        answers = set()
        for path in sorted(paths):
            for method in ("GET", "POST", "DELETE"):
                expected = await answer_of(plain, path, method)
                assert await answer_of(indexed, path, method) == expected, (method, path)
                answers.add(expected[0])
        return answers

    # Every kind of answer was compared.
    assert {200, 307, 404, 405} <= run_in_own_thread(compare())
