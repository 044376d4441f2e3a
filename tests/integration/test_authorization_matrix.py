"""The route table against the permission matrix: every route declares who may use it (a new
route without a declaration fails here), and every route is tried as every persona. Where
the declaration and the matrix say no, the answer is a login redirect, 401, 403 or 404 and
never the page; where they say yes, it is never a refusal for who the user is.

Whether a staff user may see one particular participant (their caseload) is the scope rule,
tested with each page; here a page may still answer 404 for a participant outside it.
SQLite only: who may do what does not depend on the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.auth.api_clients import SCOPES
from portal.settings import Settings
from portal.staff.service import MATRIX, READ, WRITE, allows
from portal.web.access import API, EMPLOYER, PARTICIPANT, PUBLIC, STAFF, TOKEN, Access, access_of
from tests.conftest import client_of, log_in
from tests.integration.test_plan_api import ANNA, new_token

# Who each persona is in the demo data (see portal/demo): participant, or staff with roles.
PERSONAS: dict[str | None, set[str] | None] = {
    None: None,  # not logged in
    "anna": None,
    "karin": {"service_admin"},
    "erik": {"registrar"},
    "vera": {"reviewer"},
    "admin": {"authorization_admin"},
    "palle": {"planner_admin"},
    "nora": None,  # an employer
}
PARTICIPANTS = {"anna"}
EMPLOYERS = {"nora"}
REFUSED = (401, 403, 404, 405)


def app_routes(settings: Settings) -> list[Route]:
    with client_of(settings) as client:
        return [r for r in client.app.router.routes if isinstance(r, Route)]  # type: ignore[attr-defined]


def allowed(access: Access, persona: str | None, method: str) -> bool:
    """What the declaration and the permission matrix grant the persona."""
    if access.who in (PUBLIC, TOKEN):
        return True
    if access.who == PARTICIPANT:
        return persona in PARTICIPANTS
    if access.who == EMPLOYER:
        return persona in EMPLOYERS
    if access.who == STAFF:
        roles = PERSONAS[persona]
        if persona is None or persona in PARTICIPANTS | EMPLOYERS or roles is None:
            return False
        if access.permission is None:
            return True
        return any(allows(roles, p, access.level or READ) for p in access.permissions)
    return False  # the API: never with a browser session


def logged_in_use(access: Access, persona: str) -> bool:
    """Whether the route is one for a logged-in user that the matrix grants this persona
    (participant pages, staff pages of a permission: the forms worth trying as them)."""
    if access.who == STAFF and access.permission is None:
        return False
    return access.who in (PARTICIPANT, STAFF, EMPLOYER) and allowed(access, persona, "GET")


def filled(route: Route, participant_id: int) -> str:
    path = route.path
    values = {"participant_id": str(participant_id), "personal_number": ANNA}
    for name, convertor in route.param_convertors.items():
        value = values.get(name, "1" if convertor.regex.startswith("[0-9]") else "x")
        path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", value, path)
    return path


def checked_routes(settings: Settings) -> Iterator[tuple[Route, str, Access]]:
    for route in app_routes(settings):
        access = access_of(route.endpoint)
        assert access is not None
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            yield route, method, access


def test_every_route_declares_who_may_use_it(settings: Settings) -> None:
    undeclared = [
        f"{sorted(route.methods or [])} {route.path}"
        for route in app_routes(settings)
        if access_of(route.endpoint) is None
    ]
    assert not undeclared, f"routes without a declared access (see portal.web.access): {undeclared}"
    for route in app_routes(settings):
        access = access_of(route.endpoint)
        assert access is not None
        if access.who == STAFF and access.permission is not None:
            assert all(p in MATRIX for p in access.permissions), route.path
            assert access.level in (READ, WRITE), route.path
        if access.who == API:
            assert access.permission in SCOPES, route.path


def log_in_as(client: TestClient, persona: str) -> None:
    if persona in EMPLOYERS:
        client.get(f"/employer/login?login_hint={persona}")
    else:
        log_in(client, persona, staff=persona not in PARTICIPANTS)


def is_login_redirect(response: Any) -> bool:
    location = response.headers.get("location", "")
    login_page = r"/(staff/)?login\b|/employer/\?"
    return response.status_code in (302, 303) and bool(re.search(login_page, location))


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_gets_only_what_the_matrix_grants(
    settings: Settings, persona: str | None
) -> None:
    if settings.database_url.startswith("postgresql"):
        pytest.skip("who may do what does not depend on the database")
    wrong = []
    with client_of(settings) as client:
        if persona is not None:
            log_in_as(client, persona)
        client.follow_redirects = False
        participant_id = anna_id(settings)
        for route, method, access in checked_routes(settings):
            if access.who in (PUBLIC, TOKEN, API):
                continue  # not a question of who is logged in (the API: see below)
            path = filled(route, participant_id)
            grant = allowed(access, persona, method)
            if method != "GET" and grant:
                continue  # allowed writes are tried by each page's own tests
            response = client.get(path) if method == "GET" else client.post(path, data={"x": "y"})
            refused = response.status_code in REFUSED or is_login_redirect(response)
            if grant and (response.status_code in (401, 403) or is_login_redirect(response)):
                wrong.append(f"{persona} refused {method} {route.path}: {response.status_code}")
            if not grant and not refused:
                wrong.append(f"{persona} let into {method} {route.path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_api_answers_only_a_client_with_the_operations_scope(
    client: TestClient, settings: Settings
) -> None:
    tokens = {scope: new_token(settings, scopes=(scope,)) for scope in SCOPES}
    log_in(client, "admin", staff=True)  # a browser session counts for nothing here
    for route, method, access in checked_routes(settings):
        if access.who != API:
            continue
        path = filled(route, anna_id(settings))
        answers: dict[str | None, Any] = {
            None: client.request(method, path, json={}),
            **{
                scope: client.request(
                    method, path, json={}, headers={"Authorization": f"Bearer {token}"}
                )
                for scope, token in tokens.items()
            },
        }
        assert answers[None].status_code == 401, path
        for scope, answer in answers.items():
            if scope is None:
                continue
            if scope == access.permission:
                assert answer.status_code not in (401, 403), (path, scope)
            else:
                assert answer.status_code == 403, (path, scope, answer.status_code)


def anna_id(settings: Settings) -> int:
    from tests.integration.test_meetings import sql

    return int(
        sql(settings.database_url, "SELECT id FROM participants WHERE first_name = 'Anna'")[0][0]
    )
