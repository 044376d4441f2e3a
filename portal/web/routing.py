"""Starlette's router, matching a request only against the routes that could take its path.

Starlette tries every route in turn, a regular expression each; with some 130 routes a page
late in the list paid tens of microseconds before its handler ran. A route whose path begins
with fixed segments ("/plan", "/staff/participants/{id}") can only take paths that begin with
them, so a request is matched against the routes of its first two segments and those that
could take any path (in the table's order, so the first route that matches still wins).
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


def fixed_segments(route: BaseRoute) -> tuple[str, ...]:
    """The first (up to two) path segments every path the route takes begins with."""
    if not isinstance(route, Route | Mount) or not route.path.startswith("/"):
        return ()  # a Host, or a Mount at the root: it may take any path
    fixed = []
    for part in route.path[1:].split("/")[:2]:
        if "{" in part:
            break
        fixed.append(part)
    return tuple(fixed)


Candidates = tuple[dict[str, list[BaseRoute]], list[BaseRoute]]


class IndexedRouter(Router):
    def _index(self) -> tuple[dict[str, Candidates], list[BaseRoute]]:
        keyed = [(fixed_segments(route), route) for route in self.routes]
        anywhere = [route for fixed, route in keyed if not fixed]
        table: dict[str, Candidates] = {}
        for first in {fixed[0] for fixed, _ in keyed if fixed}:
            seconds = {fixed[1] for fixed, _ in keyed if fixed[:1] == (first,) and len(fixed) > 1}
            table[first] = (
                {
                    second: [
                        route for fixed, route in keyed if fixed in ((), (first,), (first, second))
                    ]
                    for second in seconds
                },
                [route for fixed, route in keyed if fixed in ((), (first,))],
            )
        return table, anywhere

    def candidates(self, path: str) -> list[BaseRoute]:
        """The routes that could take `path`, in the table's order. The index is built again
        whenever the number of routes changes (a route added or removed after start-up)."""
        if getattr(self, "_indexed_count", None) != len(self.routes):
            self._table, self._anywhere = self._index()
            self._indexed_count = len(self.routes)
        first, *rest = path[1:].split("/", 2)
        entry = self._table.get(first)
        if entry is None:
            return self._anywhere
        by_second, any_second = entry
        return by_second.get(rest[0], any_second) if rest else any_second

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
