"""Cross-cutting HTTP: security headers, cross-site refusal, languages, errors and health."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import client_of, log_in, make_settings

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def test_pages_carry_the_strict_security_headers(client: TestClient) -> None:
    log_in(client, "anna")
    response = client.get("/")
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]
    assert "Accept-Language" in response.headers["vary"]


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    log_in(client, "anna")
    for path in ("/", "/plan", "/access-log", "/settings"):
        html = client.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html and "hx-on" not in html


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
    ],
)
def test_a_cross_site_post_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    log_in(client, "anna")
    response = client.post("/lang", data={"language": "sv", "next": "/"}, headers=headers)
    assert response.status_code == 403
    assert client.cookies.get("lang") is None


def test_a_same_origin_post_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/lang",
        data={"language": "da", "next": "/login"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200
    assert '<html lang="da"' in response.text


def test_language_follows_accept_language(client: TestClient) -> None:
    assert '<html lang="sv"' in client.get("/", headers={"Accept-Language": "sv-SE,sv;q=0.9"}).text
    assert '<html lang="da"' in client.get("/", headers={"Accept-Language": "da"}).text
    assert '<html lang="en"' in client.get("/", headers={"Accept-Language": "fr"}).text


def test_language_switch_translates_the_page_and_keeps_the_place(client: TestClient) -> None:
    log_in(client, "anna")
    response = client.post("/lang", data={"language": "sv", "next": "/access-log"})
    assert str(response.url) == "http://testserver/access-log"
    assert "Vem har tittat på mina uppgifter" in response.text
    response = client.post("/lang", data={"language": "da", "next": "/access-log"})
    assert "Hvem har kigget på mine data" in response.text
    client.post("/lang", data={"language": "en", "next": "/"})  # other tests read English


def test_a_logged_in_language_choice_is_remembered_at_the_next_login(client: TestClient) -> None:
    log_in(client, "bo")
    client.post("/lang", data={"language": "da", "next": "/"})
    client.post("/auth/logout")
    client.cookies.clear()
    response = log_in(client, "bo")
    assert '<html lang="da"' in response.text
    client.post("/lang", data={"language": "en", "next": "/"})


def test_an_unknown_language_changes_nothing(client: TestClient) -> None:
    response = client.post("/lang", data={"language": "xx", "next": "/"})
    assert response.status_code == 200
    assert client.cookies.get("lang") is None


def test_not_found_page_is_in_the_users_language(client: TestClient) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "sv"})
    assert response.status_code == 404
    assert "Sidan hittades inte" in response.text
    assert "Traceback" not in response.text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_htmx_requests_get_only_the_content_block(client: TestClient) -> None:
    log_in(client, "anna")
    response = client.get("/plan", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert "My Plan" in response.text


def test_an_unexpected_error_gives_a_translated_page_without_a_trace(settings) -> None:  # type: ignore[no-untyped-def]
    from starlette.routing import Route

    from portal.app import create_app

    async def broken(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    app = create_app(settings)
    app.router.routes.insert(0, Route("/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/broken", headers={"Accept-Language": "da"})
    assert response.status_code == 500
    assert response.headers["content-security-policy"] == EXPECTED_CSP  # like every page
    assert "Beklager, der gik noget galt hos os" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_readiness_fails_and_pages_say_so_when_the_database_is_unreachable(settings) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from portal.app import create_app

    unreachable = replace(settings, database_url="postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(unreachable), raise_server_exceptions=False) as test_client:
        assert test_client.get("/readyz").status_code == 503
        assert test_client.get("/healthz").status_code == 200
        response = test_client.get(
            "/", headers={"Accept-Language": "sv", "Cookie": "portal_session=abc"}
        )
    assert response.status_code == 503
    assert "Tjänsten är inte tillgänglig just nu" in response.text


IDS_NO_ROW_CAN_HAVE = ["2147483648", "9" * 30, "9" * 5000, "²", "١٢"]


@pytest.mark.parametrize("raw", IDS_NO_ROW_CAN_HAVE)
def test_an_id_no_row_can_have_answers_404_everywhere(client: TestClient, raw: str) -> None:
    log_in(client, "anna")
    for path in ("/hours/{}", "/meetings/offers/{}", "/meetings/bookings/{}/cancel"):
        assert client.get(path.format(raw)).status_code == 404, path
    log_in(client, "admin", staff=True)
    for path in (
        "/staff/participants/{}",
        "/staff/participants/{}/edit-plan",
        "/staff/users/{}",
        "/staff/users/receipts/{}",
        "/staff/booking/offers/{}",
    ):
        assert client.get(path.format(raw)).status_code == 404, path
    assert client.post(f"/staff/users/to-sign/{raw}/discard").status_code == 404


def test_a_body_that_is_not_a_form_is_refused_and_changes_nothing(client: TestClient) -> None:
    log_in(client, "anna")
    form = {"notify_email": "anna@example.org", "notify_by_email": "on"}
    assert (
        client.post("/settings/notifications", data=form, follow_redirects=False).status_code == 303
    )
    for body, kind in (('{"notify_by_email": false}', "application/json"), ("x", "text/plain")):
        answer = client.post(
            "/settings/notifications", content=body, headers={"content-type": kind}
        )
        assert answer.status_code == 415 and "nothing was saved" in answer.text
    # no body and no type: not what a browser sends for a form, even an empty one
    bare = client.request("POST", "/settings/notifications")
    assert bare.status_code == 415 and "nothing was saved" in bare.text
    huge = {**form, "notify_email": "a" * (1024 * 1024)}
    too_large = client.post("/settings/notifications", data=huge, headers={"Accept-Language": "sv"})
    assert too_large.status_code == 413 and "1 MB" in too_large.text
    assert 'id="notify_by_email" name="notify_by_email" checked' in client.get("/settings").text


def test_the_trust_pages_name_who_runs_the_portal_and_how_to_reach_them(
    database_url: str, var_dir: Path
) -> None:
    settings = make_settings(
        database_url,
        var_dir,
        service_owner="Testmyndigheten",
        service_email="hjalp@test.example",
        service_phone="010 123 45 67",
    )
    with client_of(settings) as test_client:
        swedish = {"Accept-Language": "sv"}
        privacy = test_client.get("/privacy", headers=swedish).text
        assert "Testmyndigheten ansvarar för personuppgifterna" in privacy
        assert 'href="mailto:hjalp@test.example"' in privacy  # no privacy officer set
        assert "Integritetsskyddsmyndigheten (IMY)" in privacy
        statement = test_client.get("/accessibility", headers=swedish).text
        assert "Myndigheten för digital förvaltning (Digg)" in statement
        assert "3 december 2026" in statement
        contact = test_client.get("/contact", headers=swedish).text
        assert 'href="tel:0101234567"' in contact
        footer = test_client.get("/login", headers=swedish).text
        for path in ("/about", "/contact", "/privacy", "/accessibility"):
            assert f'href="{path}"' in footer
    danish = make_settings(database_url, var_dir, country="DK")
    with client_of(danish) as test_client:
        page = test_client.get("/accessibility", headers={"Accept-Language": "da"}).text
        assert "Digitaliseringsstyrelsen fører tilsyn" in page
        assert "Jobcentret i din kommune" in page
