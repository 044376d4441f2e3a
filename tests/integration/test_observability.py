"""What operators see: a request id on every answer and error page, one JSON access-log line
per request naming the route's template (never the path, a query or a personal number), and
/metrics behind its token."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.app import create_app
from portal.settings import Settings
from tests.conftest import client_of, log_in
from tests.integration.test_plan_api import ANNA, new_token

METRICS_TOKEN = "metrics-token-0123456789"


@pytest.fixture
def logged(settings: Settings) -> Iterator[tuple[TestClient, io.StringIO]]:
    """A client of a portal whose access log is on, and what the log wrote."""
    written = io.StringIO()
    with client_of(replace(settings, access_log=True)) as client:
        client.app.state.access_log.stream = written  # type: ignore[attr-defined]
        yield client, written


def access_lines(written: io.StringIO, client: TestClient | None = None) -> list[dict[str, object]]:
    """The lines written since the last call; with the client still open, once its event loop
    has come round to writing them."""
    if client is not None:
        assert client.portal is not None
        client.portal.call(asyncio.sleep, 0)
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    written.seek(0)
    written.truncate()
    return lines


def test_every_answer_carries_a_request_id_and_one_json_log_line(
    logged: tuple[TestClient, io.StringIO],
) -> None:
    client, written = logged
    log_in(client, "anna")
    access_lines(written, client)
    page = client.get("/plan/initiatives/1/history?q=19900101-1239")
    given = client.get("/", headers={"X-Request-ID": "proxy-given-id-123"})
    odd = client.get("/", headers={"X-Request-ID": "bad id <script>"})
    missing = client.get("/no/such/page/19900101-1239")
    ids = [r.headers["x-request-id"] for r in (page, given, odd, missing)]
    assert ids[1] == "proxy-given-id-123"
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in (ids[0], ids[2], ids[3]))
    assert len(set(ids)) == 4
    lines = access_lines(written, client)
    text = json.dumps(lines)
    assert [line["request_id"] for line in lines] == ids
    first = lines[0]
    assert set(first) == {"time", "method", "route", "status", "duration_ms", "user", "request_id"}
    assert first["route"] == "/plan/initiatives/{initiative_id:int}/history"
    assert first["method"] == "GET" and first["user"] == "participant"
    assert lines[3]["route"] == "unmatched" and lines[3]["status"] == 404
    assert "19900101" not in text and "q=" not in text
    # The error page names the request, so that a participant's "it failed" can be found.
    assert ids[3] in missing.text


def test_api_requests_are_logged_by_template_without_the_personal_number(
    logged: tuple[TestClient, io.StringIO], settings: Settings
) -> None:
    client, written = logged
    token = new_token(settings)
    client.put(
        f"/api/v1/participants/{ANNA}/plan/agreement",
        json={"text": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    (line,) = access_lines(written, client)
    assert line["route"] == "/api/v1/participants/{personal_number}/plan/agreement"
    assert line["user"] == "api" and line["status"] == 422
    assert ANNA not in json.dumps(line) and token not in json.dumps(line)


def test_a_500_is_logged_with_its_request_id_and_the_page_shows_it(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    app = create_app(replace(settings, access_log=True))
    app.router.routes.insert(0, Route("/broken/{personal_number}", broken))
    app.state.access_log.stream = written = io.StringIO()
    caplog.set_level(logging.INFO)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/broken/19900101-1239")
    assert response.status_code == 500
    reference = response.headers["x-request-id"]
    assert reference in response.text
    (line,) = access_lines(written)  # written when the app stopped, at the latest
    assert line["status"] == 500 and line["route"] == "/broken/{personal_number}"
    errors = [r for r in caplog.records if r.name == "portal" and r.levelno >= logging.ERROR]
    assert errors and reference in errors[0].getMessage()
    assert "19900101" not in errors[0].getMessage()


def test_metrics_need_their_token_and_count_requests_by_route(settings: Settings) -> None:
    with client_of(settings) as client:
        assert client.get("/metrics").status_code == 404  # no token configured
    with client_of(replace(settings, metrics_token=METRICS_TOKEN)) as client:
        log_in(client, "anna")
        client.get("/plan")
        assert client.get("/metrics").status_code == 404
        wrong = {"Authorization": "Bearer not-the-token-at-all"}
        assert client.get("/metrics", headers=wrong).status_code == 404
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    body = scraped.text
    assert 'portal_requests_total{method="GET",route="/plan",status="200"} 1' in body
    assert 'portal_request_duration_seconds_count{route="/plan"} 1' in body
    assert 'portal_request_duration_seconds_bucket{route="/plan",le="+Inf"} 1' in body
    assert re.search(r"^portal_outbox_unsent \d+$", body, re.M)
    assert re.search(r"^portal_outbox_oldest_age_seconds \d+$", body, re.M)
    assert "# TYPE portal_db_pool_connections gauge" in body
    assert "19900101" not in body
