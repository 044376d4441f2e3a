"""The case-system API: bearer tokens, idempotent upserts, validation, versions, OpenAPI."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from starlette.testclient import TestClient

from portal.auth.api_clients import SCOPES, create_api_client, revoke_api_client
from portal.cli import main as cli_main
from portal.db import Database
from portal.settings import Settings
from tests.conftest import log_in, portal_today, run_in_own_thread

ANNA = "19900101-1239"


def new_token(
    settings: Settings, name: str | None = None, scopes: tuple[str, ...] = tuple(SCOPES)
) -> str:
    async def create() -> str:
        database = Database(settings.database_url)
        try:
            async with database.transaction() as db:
                client_name = name or f"case-system-{uuid.uuid4().hex[:8]}"
                return await create_api_client(db, client_name, scopes)
        finally:
            await database.dispose()

    token: str = run_in_own_thread(create())
    return token


@pytest.fixture
def token(settings: Settings) -> str:
    return new_token(settings)


def initiative(**changes: Any) -> dict[str, Any]:
    today = portal_today()
    return {
        "type": "wage_subsidy",
        "title": "Wage subsidy at Lagerhuset",
        "content": "Warehouse work with a wage subsidy.",
        "hours_per_week": 30,
        "agreed_by": "Karin Karlsson",
        "start_date": (today - dt.timedelta(days=10)).isoformat(),
        "end_date": (today + dt.timedelta(days=170)).isoformat(),
        "purpose": "A way into a permanent job.",
        "changed_by": "Karin Karlsson",
        **changes,
    }


def put(client: TestClient, path: str, token: str, body: Any) -> Any:
    return client.put(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_an_initiative_is_created_once_and_a_repeat_changes_nothing(
    client: TestClient, token: str
) -> None:
    external = f"ext-{uuid.uuid4().hex[:8]}"
    path = f"/api/v1/participants/{ANNA}/plan/initiatives/{external}"
    first = put(client, path, token, initiative())
    assert first.status_code == 201 and first.json()["changed"] is True
    again = put(client, path, token, initiative())
    assert again.status_code == 200
    assert again.json() == {**first.json(), "changed": False}
    moved = put(client, path, token, initiative(hours_per_week=20))
    assert moved.json()["version"] == 2 and moved.json()["changed"] is True
    log_in(client, "anna")
    history = client.get(f"/plan/initiatives/{first.json()['id']}/history").text
    assert "Version 2" in history and "by Karin Karlsson" in history


def test_status_entries_and_a_final_status_arrive_once(client: TestClient, token: str) -> None:
    external = f"ext-{uuid.uuid4().hex[:8]}"
    path = f"/api/v1/participants/{ANNA}/plan/initiatives/{external}"
    today = portal_today().isoformat()
    body = initiative(
        end_date=today,
        status_entries=[{"date": today, "text": "Started well."}],
        final_status="Completed; offered a job.",
    )
    assert put(client, path, token, body).status_code == 201
    repeat = put(client, path, token, body)
    assert repeat.status_code == 200 and repeat.json()["changed"] is False
    assert repeat.json()["state"] == "ended"
    refused = put(client, path, token, {**body, "title": "Something else"})
    assert refused.status_code == 409
    log_in(client, "anna")
    page = client.get("/plan").text
    assert page.count("Started well.") == 1 and "Completed; offered a job." in page


def test_invalid_json_and_invalid_fields_answer_422_naming_the_fields(
    client: TestClient, token: str
) -> None:
    path = f"/api/v1/participants/{ANNA}/plan/initiatives/x1"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    assert client.put(path, content=b"{not json", headers=headers).status_code == 422
    assert put(client, path, token, ["a", "list"]).status_code == 422
    response = put(
        client,
        path,
        token,
        initiative(type="holiday", hours_per_week=99, start_date="soon", status_entries="no"),
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"type", "hours_per_week", "start_date", "status_entries"}


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer ppt_unknown"])
def test_a_missing_or_unknown_token_answers_401(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.put(f"/api/v1/participants/{ANNA}/plan/agreement", json={}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_token_answers_401(client: TestClient, settings: Settings) -> None:
    name = f"revoked-{uuid.uuid4().hex[:6]}"
    token = new_token(settings, name)
    path = f"/api/v1/participants/{ANNA}/plan/goals/g-{uuid.uuid4().hex[:6]}"
    assert put(client, path, token, {"kind": "job", "text": "Chef"}).status_code == 201

    async def revoke() -> None:
        database = Database(settings.database_url)
        async with database.transaction() as db:
            await revoke_api_client(db, name)
        await database.dispose()

    run_in_own_thread(revoke())
    assert put(client, path, token, {"kind": "job", "text": "Chef"}).status_code == 401


def test_an_unknown_participant_answers_404(client: TestClient, token: str) -> None:
    for number in ("19850101-0008", "not-a-number"):
        response = put(
            client,
            f"/api/v1/participants/{number}/plan/goals/g1",
            token,
            {"kind": "job", "text": "X"},
        )
        assert response.status_code == 404


def test_goals_and_the_agreement_are_upserted_and_removed(client: TestClient, token: str) -> None:
    external = f"g-{uuid.uuid4().hex[:6]}"
    goal_path = f"/api/v1/participants/{ANNA}/plan/goals/{external}"
    text = f"Pastry chef {external}"
    assert put(client, goal_path, token, {"kind": "job", "text": text}).status_code == 201
    assert put(client, goal_path, token, {"kind": "job", "text": text}).json()["changed"] is False
    assert put(client, goal_path, token, {"kind": "progression", "text": text}).status_code == 409
    agreement = f"Agreed via the case system {external}."
    body = {"text": agreement, "agreed_on": portal_today().isoformat(), "agreed_by": "Karin"}
    assert put(client, f"/api/v1/participants/{ANNA}/plan/agreement", token, body).json()["changed"]
    log_in(client, "anna")
    page = client.get("/plan").text
    assert text in page and agreement in page
    removed = client.delete(goal_path, headers={"Authorization": f"Bearer {token}"})
    assert removed.status_code == 200
    assert text not in client.get("/plan").text


def test_the_openapi_document_describes_the_endpoints(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "put" in paths["/participants/{personal_number}/plan/initiatives/{external_id}"]
    assert "Initiative" in document["components"]["schemas"]


def test_the_cli_creates_a_client_and_prints_its_token_last(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PORTAL_DEV_IDP", "1")
    output = io.StringIO()

    def create(*scopes: str) -> int:
        command = ["api-client", "create", f"cli-{uuid.uuid4().hex[:6]}"]
        with redirect_stdout(output), redirect_stderr(io.StringIO()):
            return cli_main([*command, *(f"--scope={scope}" for scope in scopes)])

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(create).result() == 1  # no scope: refused
        assert pool.submit(create, "plan:write", "everything").result() == 1
        assert pool.submit(create, "plan:write").result() == 0
    token = output.getvalue().strip().splitlines()[-1]
    response = put(
        client,
        f"/api/v1/participants/{ANNA}/plan/goals/cli-{uuid.uuid4().hex[:6]}",
        token,
        {"kind": "progression", "text": "Work 30 hours a week"},
    )
    assert response.status_code == 201


def test_a_client_does_only_what_its_scopes_allow(client: TestClient, settings: Settings) -> None:
    plans_only = new_token(settings, scopes=("plan:write",))
    exports_only = new_token(settings, scopes=("exports:read",))
    goal = f"/api/v1/participants/{ANNA}/plan/goals/scoped-{uuid.uuid4().hex[:6]}"
    assert put(client, goal, plans_only, {"kind": "job", "text": "Baker"}).status_code == 201
    refused = put(client, goal, exports_only, {"kind": "job", "text": "Baker"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "plan:write" in refused.json()["title"]
    period = {"period_start": "2026-01", "period_end": "2026-02"}
    no_export = client.post(
        "/api/v1/exports", json=period, headers={"Authorization": f"Bearer {plans_only}"}
    )
    assert no_export.status_code == 403 and "exports:read" in no_export.json()["title"]
    export = client.post(
        "/api/v1/exports", json=period, headers={"Authorization": f"Bearer {exports_only}"}
    )
    assert export.status_code == 201
