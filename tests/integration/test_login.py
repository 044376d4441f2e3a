"""Participant and staff login through real OIDC round trips, sessions, logout and timeouts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal.auth.guards import STAFF_BY_USER
from portal.auth.sessions import staff_with_session, token_hash
from portal.db import utcnow
from portal.settings import Settings
from tests.conftest import SECRET, client_of, log_in, portal_today, recorded_reads


def sync_engine(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url)


def test_participant_logs_in_with_login_hint_and_sees_their_start_page(client: TestClient) -> None:
    response = log_in(client, "anna")
    assert response.status_code == 200
    assert str(response.url) == "http://testserver/"
    assert "Hello, Anna" in response.text


def test_login_returns_to_the_page_asked_for(client: TestClient) -> None:
    response = client.get("/auth/login?login_hint=bo&next=/access-log")
    assert str(response.url) == "http://testserver/access-log"


def test_login_never_redirects_off_site(client: TestClient) -> None:
    response = client.get("/auth/login?login_hint=bo&next=//evil.example/x")
    assert str(response.url) == "http://testserver/"


def test_a_page_asks_an_anonymous_visitor_to_log_in(client: TestClient) -> None:
    response = client.get("/plan", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fplan"


def test_login_authorize_request_uses_pkce_state_and_nonce(client: TestClient) -> None:
    response = client.get("/auth/login", follow_redirects=False)
    location = response.headers["location"]
    assert location.startswith("http://testserver/dev-idp/authorize?")
    for parameter in ("code_challenge=", "code_challenge_method=S256", "state=", "nonce="):
        assert parameter in location


def test_without_login_hint_the_dev_idp_shows_a_persona_picker(client: TestClient) -> None:
    response = client.get("/auth/login")
    assert "Development login" in response.text
    assert 'value="anna"' in response.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
    picked = client.post("/dev-idp/authorize", data={**form, "login_hint": "bo"})
    assert "Hello, Bo" in picked.text


def test_session_id_changes_at_login(client: TestClient) -> None:
    client.get("/auth/login", follow_redirects=False)
    before = client.cookies.get("portal_session")
    log_in(client, "anna")
    after = client.cookies.get("portal_session")
    assert before and after and before != after


def test_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    response = client.get("/auth/login", follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_revokes_the_session_even_if_the_cookie_is_replayed(client: TestClient) -> None:
    log_in(client, "anna")
    token = client.cookies.get("portal_session")
    assert token
    response = client.post("/auth/logout")
    assert "You are logged out" in response.text
    client.cookies.set("portal_session", token)
    assert client.get("/plan", follow_redirects=False).status_code == 303


def test_idle_session_ends_and_says_why(client: TestClient, database_url: str) -> None:
    log_in(client, "anna")
    token = client.cookies.get("portal_session")
    assert token
    engine = sync_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE web_sessions SET last_seen_at = :t WHERE id = :id"),
            {"t": utcnow() - dt.timedelta(minutes=31), "id": token_hash(token, SECRET)},
        )
    engine.dispose()
    response = client.get("/plan")
    assert str(response.url).endswith("/login?next=%2Fplan&ended=idle")
    assert "nothing happened for a while" in response.text


def test_absolute_timeout_ends_an_active_session(client: TestClient, database_url: str) -> None:
    log_in(client, "anna")
    token = client.cookies.get("portal_session")
    assert token
    engine = sync_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE web_sessions SET authenticated_at = :t WHERE id = :id"),
            {"t": utcnow() - dt.timedelta(hours=12, minutes=1), "id": token_hash(token, SECRET)},
        )
    engine.dispose()
    response = client.get("/plan")
    assert "ended=absolute" in str(response.url)


def test_first_login_creates_a_participant_record(client: TestClient) -> None:
    # Persona 'karin' is staff, but on the participant login she is simply a citizen.
    response = log_in(client, "karin")
    assert "Hello, Karin" in response.text


def test_staff_login_shows_only_assigned_participants(client: TestClient) -> None:
    response = log_in(client, "karin", staff=True)
    assert str(response.url) == "http://testserver/staff/"
    assert "Anna Andersson" in response.text
    assert "Bo Berg" not in response.text


def test_staff_login_is_refused_without_a_staff_authorization(client: TestClient) -> None:
    response = log_in(client, "anna", staff=True)
    assert response.status_code == 403
    assert "no active authorization" in response.text
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_staff_login_is_refused_when_the_authorization_period_has_ended(
    client: TestClient, database_url: str
) -> None:
    with lars_authorization_ended(database_url):
        response = log_in(client, "lars", staff=True)
        assert response.status_code == 403


@contextmanager
def lars_authorization_ended(database_url: str) -> Iterator[None]:
    """Lars's authorization ended two days ago, inside the block."""
    engine = sync_engine(database_url)
    with engine.begin() as connection:
        user_id = connection.execute(
            text("SELECT id FROM staff_users WHERE first_name = 'Lars'")
        ).scalar_one()
        original = connection.execute(
            text("SELECT end_date FROM staff_authorizations WHERE staff_user_id = :u"),
            {"u": user_id},
        ).scalar_one()
        connection.execute(
            text("UPDATE staff_authorizations SET end_date = :d WHERE staff_user_id = :u"),
            {"d": portal_today() - dt.timedelta(days=2), "u": user_id},
        )
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE staff_authorizations SET end_date = :d WHERE staff_user_id = :u"),
                {"d": original, "u": user_id},
            )
        engine.dispose()


def test_a_tampered_callback_state_is_refused(client: TestClient) -> None:
    response = client.get("/auth/login?login_hint=anna", follow_redirects=False)
    idp = client.get(response.headers["location"], follow_redirects=False)
    callback = idp.headers["location"].replace("state=", "state=x")
    result = client.get(callback)
    assert result.status_code == 400
    assert "could not be completed" in result.text


def test_a_staff_page_reads_the_staff_user_with_the_session_and_ends_it_with_the_authorization(
    client: TestClient, database_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff pages read who is logged in, their organisation and authorizations in the
    session's own read; an authorization that ends between two pages ends the session."""
    log_in(client, "lars", staff=True)
    reads = recorded_reads(monkeypatch)
    assert client.get("/staff/").status_code == 200
    assert staff_with_session()[0] in reads and STAFF_BY_USER[0] not in reads
    with client_of(settings) as anna:
        log_in(anna, "anna")
        assert anna.get("/staff/", follow_redirects=False).status_code == 303
    with lars_authorization_ended(database_url):
        refused = client.get("/staff/", follow_redirects=False)
        assert refused.status_code == 303 and "/staff/login" in refused.headers["location"]
