"""Starlette's router, matching a request only against the routes that could take its path.

Starlette tries every route in turn, a regular expression each; with some 200 routes a page
late in the list paid tens of microseconds before its handler ran, and a staff page about a
participant (`/staff/participants/7/cv/presentation`) was the fiftieth of sixty that begin
the same way. The routes are indexed by their paths' segments, each a fixed text or a
parameter's (any one segment), so a request is matched only against the routes whose fixed
segments are its own, in the table's order (the first route that matches still wins).
What they do not take fully is answered as Starlette answers it (a wrong method: the first
route of the path, which answers 405; a path that a route takes with or without a trailing
slash: a redirect; else 404), looking again at the candidates only: a path no route takes
cost a scan of every route twice, more than most pages.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send


class IdConvertor(IntegerConvertor):
    """`{name:int}` in a path: one to nine ASCII digits. An id no row can have (a 5 000-digit
    number, one past a database integer, a Unicode digit like "²") matches no route and
    answers 404, instead of reaching a query that fails."""

    regex = "[0-9]{1,9}"


# Every route's `:int` is an id; registered before any route is made.
register_url_convertor("int", IdConvertor())


def route_path(scope: Scope) -> str:
    """The request's path below the application's root path (ASGI `root_path`), as
    Starlette's routes match it (its own helper for this is private)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


def route_segments(route: BaseRoute) -> tuple[tuple[str | None, ...], bool] | None:
    """The segments of the paths the route takes: each fixed text, or None where a parameter
    takes any one segment; and whether any path may follow them (a Mount, a `:path`
    parameter). None for a route that may take any path (a Host, a Mount at the root)."""
    if not isinstance(route, Route | Mount) or not route.path.startswith("/"):
        return None
    parts = route.path.rstrip("/")[1:].split("/") if isinstance(route, Mount) else None
    segments: list[str | None] = []
    for part in parts if parts is not None else route.path[1:].split("/"):
        if ":path}" in part:
            return tuple(segments), True
        segments.append(None if "{" in part else part)
    return tuple(segments), parts is not None


class Node:
    """A level of the routes' index: the routes whose segments so far lead here."""

    def __init__(self) -> None:
        self.fixed: dict[str, Node] = {}  # the next segment is this text
        self.parameter: Node | None = None  # the next segment is a parameter's
        self.ending: list[int] = []  # routes whose paths end here (by their place in the table)
        self.rest: list[int] = []  # routes that take any path from here on

    def add(self, segments: tuple[str | None, ...], rest: bool, place: int) -> None:
        node = self
        for segment in segments:
            if segment is None:
                node.parameter = node.parameter or Node()
                node = node.parameter
            else:
                node = node.fixed.setdefault(segment, Node())
        (node.rest if rest else node.ending).append(place)

    def collect(self, segments: list[str], depth: int, found: list[int]) -> None:
        found += self.rest
        if depth == len(segments):
            found += self.ending
            return
        child = self.fixed.get(segments[depth])
        if child is not None:
            child.collect(segments, depth + 1, found)
        if self.parameter is not None:
            self.parameter.collect(segments, depth + 1, found)


class IndexedRouter(Router):
    def _index(self) -> Node:
        root = Node()
        for place, route in enumerate(self.routes):
            shape = route_segments(route)
            root.add(*(shape or ((), True)), place)
        return root

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that could take `path`, in the table's order: those whose fixed segments
        are the path's and whose parameters stand where the path has a segment. The index is
        built again whenever the number of routes changes (a route added or removed after
        start-up)."""
        if getattr(self, "_indexed_count", None) != len(self.routes):
            self._root = self._index()
            self._indexed_count = len(self.routes)
        if not path.startswith("/"):
            return self.routes
        found: list[int] = []
        self._root.collect(path[1:].split("/"), 0, found)
        if len(found) > 1:
            found.sort()
        routes = self.routes
        return [routes[place] for place in found]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        path = route_path(scope)
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(path):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is not None:  # the path's route, for another method: it answers 405
            route, child_scope = partial
            scope["route"] = route
            scope.update(child_scope)
            await route.handle(scope, receive, send)
            return
        if self.redirect_slashes and path != "/":
            other = dict(scope)
            other["path"] = scope["path"].rstrip("/") if path.endswith("/") else scope["path"] + "/"
            for route in self.candidates(route_path(other)):
                if route.matches(other)[0] is not Match.NONE:
                    await RedirectResponse(url=str(URL(scope=other)))(scope, receive, send)
                    return
        await self.default(scope, receive, send)
