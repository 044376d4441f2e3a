"""Property-based tests that go looking: Hypothesis draws forms of odd values (Unicode digits,
huge numbers, far dates, control characters, very long and very short text) for the portal's
form routes, as a participant, a caseworker and a provider, and API bodies from the OpenAPI
document's schemas with wrong kinds of value. Every answer is below 500, and a refused one
(4xx) writes nothing.

The examples are drawn from a fixed seed (derandomized), so a run in CI is repeatable; the
field names come from the source, as in test_probing. SQLite only: reading input does not
depend on the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.settings import Settings
from portal.web.access import access_of
from tests.conftest import client_of
from tests.integration.test_authorization_matrix import anna_id, log_in_as, logged_in_use
from tests.integration.test_plan_api import ANNA, new_token
from tests.integration.test_probing import NOT_PROBED, parameter_names

# Tables that reading a page writes to (sessions, the access log, what was seen, limits).
VOLATILE = {
    "access_log",
    "web_sessions",
    "rate_limits",
    "plan_views",
    "dev_idp_codes",
    "form_submissions",
    "participant_latest_events",
}

ODD_TEXT = st.one_of(
    st.text(max_size=40),  # any Unicode, control characters and all
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=25),  # "²", "٣"
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        ["", " ", "0", "-1", "1e30", "NaN", "9999-12-31", "0001-01-01", "2026-02-30", "9999-W52"]
    ),
    st.sampled_from(["x" * 5000, "å" * 2001, "\x00", "\ud7ff\ufffd", "on", "yes", "submit"]),
    st.dates().map(lambda d: d.isoformat()),
)
FIELD_NAMES = parameter_names()
# A failing example is reported as drawn: shrinking it would take minutes of requests.
NO_SHRINKING = [Phase.explicit, Phase.reuse, Phase.generate]
# Examples drawn from a fixed seed, no example database left behind, no time limit per request.
FUZZING: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "phases": NO_SHRINKING,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
# PDFs and downloads take a second each to make; test_probing opens each of them.
SLOW = re.compile(r"\.(pdf|ics|json)$|/receipt$|/export")


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = [t for t in inspect(connection).get_table_names() if t not in VOLATILE]
            counts = " UNION ALL ".join(
                f"SELECT '{t}', count(*) FROM \"{t}\""  # noqa: S608 (names from the schema)
                for t in tables
            )
            return {table: count for table, count in connection.execute(text(counts))}
    finally:
        engine.dispose()


def form_routes(client: TestClient, persona: str, method: str = "POST") -> list[Route]:
    """The routes taking `method` this persona is let into (by the declared access and the
    matrix)."""
    found = []
    for route in client.app.router.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or method not in (route.methods or ()):
            continue
        access = access_of(route.endpoint)
        if access is None or NOT_PROBED.search(route.path) or route.path.startswith("/api/"):
            continue
        if method == "GET" and SLOW.search(route.path):
            continue
        if logged_in_use(access, persona):
            found.append(route)
    assert found, persona
    return found


def path_of(route: Route, participant: int, number: int) -> str:
    path = route.path
    for name, convertor in route.param_convertors.items():
        value = str(participant) if name == "participant_id" else str(number)
        if not convertor.regex.startswith("[0-9]"):
            value = "x"
        path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", value, path)
    return path


@pytest.fixture
def logged_in(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Any]:
    if settings.database_url.startswith("postgresql"):
        pytest.skip("reading input does not depend on the database")
    with client_of(settings) as client:
        persona = request.param
        log_in_as(client, persona)
        client.follow_redirects = False
        participant = anna_id(settings)
        targets = [
            (method, route, fields_of(client, route, participant))
            for method in ("POST", "GET")
            for route in form_routes(client, persona, method)
        ]
        yield client, targets, settings


def fields_of(client: TestClient, route: Route, participant: int) -> list[str]:
    """The names of the fields the route's own page (its GET, or the page it belongs to)
    shows, so that the odd values land in fields the handler reads."""
    names: set[str] = set()
    for number in (1, 2):
        path = path_of(route, participant, number)
        for candidate in (path, path.rsplit("/", 1)[0]):
            page = client.get(candidate)
            if page.status_code == 200:
                names.update(re.findall(r'name="([a-z][a-z0-9_\[\]-]{0,40})"', page.text))
    return sorted(names) or FIELD_NAMES


@pytest.mark.parametrize("logged_in", ["anna", "karin", "erik", "nora"], indirect=True)
def test_odd_forms_and_queries_never_give_a_server_error_and_a_refusal_writes_nothing(
    logged_in: Any,
) -> None:
    client, routes, test_settings = logged_in
    participant = anna_id(test_settings)

    @hypothesis_settings(max_examples=120, **FUZZING)
    @given(
        target=st.sampled_from(routes),
        number=st.sampled_from([1, 2, 3, 2**62]),
        data=st.data(),
    )
    def post(target: tuple[str, Route, list[str]], number: int, data: st.DataObject) -> None:
        method, route, names = target
        # Every field of the route's form, each odd (or left out), and a few names the
        # source reads elsewhere.
        form = data.draw(
            st.fixed_dictionaries({}, optional=dict.fromkeys(names, ODD_TEXT))
            | st.fixed_dictionaries(dict.fromkeys(names, ODD_TEXT))
        )
        form.update(data.draw(st.dictionaries(st.sampled_from(FIELD_NAMES), ODD_TEXT, max_size=3)))
        path = path_of(route, participant, number)
        before = row_counts(test_settings.database_url)
        if method == "POST":
            answer = client.post(path, data=form)
        else:  # an address holds a few kilobytes (the client refuses more)
            answer = client.get(path, params={k: v[:300] for k, v in form.items()})
        assert answer.status_code < 500, (path, form, answer.status_code)
        if 400 <= answer.status_code < 500:
            assert row_counts(test_settings.database_url) == before, (path, form)

    post()


def value_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A value of the schema's kind or, as often, of any other JSON kind."""
    kinds = schema.get("type", "string")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    right: list[st.SearchStrategy[Any]] = []
    if "string" in kinds:
        right.append(ODD_TEXT)
    if "integer" in kinds or "number" in kinds:
        right.append(st.one_of(st.integers(), st.floats(allow_nan=False)))
    if "boolean" in kinds:
        right.append(st.booleans())
    if "array" in kinds:
        right.append(st.lists(st.dictionaries(st.sampled_from(["date", "text"]), ODD_TEXT)))
    if "null" in kinds:
        right.append(st.none())
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=6,
    )
    return st.one_of(*right, json_values)


def bodies(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    return st.fixed_dictionaries(
        {},
        optional={name: value_for(definition) for name, definition in properties.items()},
    )


def test_the_api_answers_odd_bodies_from_its_own_schemas_without_a_server_error(
    client: TestClient, settings: Settings
) -> None:
    if settings.database_url.startswith("postgresql"):
        pytest.skip("reading input does not depend on the database")
    token = new_token(settings)
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[1]] if body else {}
            operations.append((method.upper(), path, schema))
    headers = {"Authorization": f"Bearer {token}"}

    @settings_for_api
    @given(operation=st.sampled_from(operations), data=st.data())
    def call(operation: tuple[str, str, dict[str, Any]], data: st.DataObject) -> None:
        method, path, schema = operation
        concrete = "/api/v1" + path.replace("{personal_number}", ANNA).replace(
            "{external_id}", "fuzz"
        )
        body = data.draw(bodies(schema)) if schema else None
        answer = client.request(method, concrete, json=body, headers=headers)
        assert answer.status_code < 500, (method, concrete, body, answer.text[:200])
        assert answer.headers["content-type"].startswith("application/")

    call()


settings_for_api = hypothesis_settings(max_examples=100, **FUZZING)
