"""The API probed from its own OpenAPI document: every operation that takes a body gets each of
its fields with values of every wrong kind, and bodies that are not JSON objects at all. Each
answer is a 4xx problem (`application/problem+json`) or a success, never a server error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from portal.settings import Settings
from tests.conftest import portal_today
from tests.integration.test_plan_api import ANNA, initiative, new_token

WRONG_VALUES: list[Any] = [
    [],
    {},
    None,
    True,
    1e308,
    -1,
    10**30,
    "²",
    "9" * 5000,
    "x" * 20_000,
    "nul\x00byte",
    "9999-12-31",
    "0001-01-01",
    "2026-W52",
    {"nested": [[[[1]]]]},
]
PROBLEM = "application/problem+json"


def valid_bodies() -> dict[str, dict[str, Any]]:
    """A body each schema accepts, to spoil one field at a time."""
    today = portal_today().isoformat()
    return {
        "Initiative": initiative(),
        "Goal": {"kind": "job", "text": "Baker"},
        "Agreement": {"text": "We agreed.", "agreed_on": today, "agreed_by": "Karin"},
        "ExportRequest": {"period_start": "2026-01", "period_end": "2026-02"},
    }


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(method, path, schema name) of every operation with a JSON body."""
    for template, operations_of_path in document["paths"].items():
        for method, operation in operations_of_path.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            path = template.format(personal_number=ANNA, external_id="probe-1")
            yield method.upper(), "/api/v1" + path, reference.rsplit("/", 1)[1]


def assert_problem_or_success(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {what}"
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM, what
        assert response.json()["status"] == response.status_code, what


@pytest.fixture
def api(client: TestClient, settings: Settings) -> TestClient:
    client.headers["Authorization"] = f"Bearer {new_token(settings)}"
    return client


def test_every_field_of_every_body_with_a_wrong_value_is_a_problem_not_a_failure(
    api: TestClient,
) -> None:
    document = api.get("/api/v1/openapi.json").json()
    bodies = valid_bodies()
    probed = 0
    for method, path, schema in operations(document):
        fields = document["components"]["schemas"][schema]["properties"]
        assert bodies[schema], f"no valid body for {schema}: add one above"
        for field in fields:
            for wrong in WRONG_VALUES:
                body = {**bodies[schema], field: wrong}
                response = api.request(method, path, json=body)
                assert_problem_or_success(response, f"{method} {path} {field}={wrong!r:.40}")
                probed += 1
    assert probed > 300


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 422),
        (b"[]", 422),
        (b'"text"', 422),
        (b"{", 422),
        (b"[" * 100_000 + b"]" * 100_000, 422),  # nested too deep for any parser's stack
        (b'{"kind": "job", "kind": "education", "text": "Baker"}', 422),  # a key twice
        (b'{"kind": "job", "text": "\xff\xfe"}', 422),  # not UTF-8
        (b'{"kind": "job", "text": NaN}', 422),  # not JSON
        (b'{"kind": "job", "text": "a\\u0000b"}', 422),  # a NUL, which no text may hold
        (b'{"kind": "job", "text": "Baker", "\\u001b": 1}', 422),  # nor a key
        (json.dumps({"kind": "job", "text": "a", "pad": "x" * 300_000}).encode(), 413),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_problem(
    api: TestClient, body: bytes, status: int
) -> None:
    path = f"/api/v1/participants/{ANNA}/plan/goals/probe-2"
    response = api.put(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM


def test_errors_of_authentication_and_lookup_are_problems_too(client: TestClient) -> None:
    unauthenticated = client.put(f"/api/v1/participants/{ANNA}/plan/agreement", json={})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == PROBLEM
