"""The development IdP keeps the OIDC rules: PKCE, single-use codes, known clients only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from starlette.testclient import TestClient

from portal.auth.dev_idp import s256


def authorize(client: TestClient, **overrides: str) -> dict[str, list[str]]:
    params = {
        "client_id": "portal",
        "redirect_uri": "http://testserver/auth/callback",
        "response_type": "code",
        "scope": "openid profile",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": s256("v" * 50),
        "code_challenge_method": "S256",
        "login_hint": "anna",
        **overrides,
    }
    response = client.get("/dev-idp/authorize", params=params, follow_redirects=False)
    assert response.status_code == 303
    return parse_qs(urlsplit(response.headers["location"]).query)


def exchange(client: TestClient, code: str, verifier: str = "v" * 50) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        "/dev-idp/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/auth/callback",
            "client_id": "portal",
            "code_verifier": verifier,
        },
    )
    return response.status_code, response.json()


def test_discovery_names_the_endpoints(client: TestClient) -> None:
    document = client.get("/dev-idp/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/dev-idp"
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = client.get(document["jwks_uri"].replace("http://testserver", "")).json()["keys"]
    assert keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_a_code_is_exchanged_once_for_signed_tokens(client: TestClient) -> None:
    code = authorize(client)["code"][0]
    status, tokens = exchange(client, code)
    assert status == 200 and tokens["token_type"] == "Bearer" and tokens["id_token"].count(".") == 2
    status, again = exchange(client, code)
    assert status == 400 and again["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_is_refused(client: TestClient) -> None:
    code = authorize(client)["code"][0]
    status, body = exchange(client, code, verifier="w" * 50)
    assert status == 400 and body["error"] == "invalid_grant"


def test_userinfo_needs_a_valid_access_token(client: TestClient) -> None:
    code = authorize(client)["code"][0]
    _status, tokens = exchange(client, code)
    info = client.get(
        "/dev-idp/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.json()["personal_number"] == "19900101-1239"
    refused = client.get("/dev-idp/userinfo", headers={"Authorization": "Bearer nonsense"})
    assert refused.status_code == 401


def test_an_authorize_request_without_pkce_is_refused(client: TestClient) -> None:
    result = authorize(client, code_challenge_method="plain")
    assert result["error"] == ["invalid_request"]


def test_an_unknown_client_or_redirect_gets_an_error_page_not_a_redirect(
    client: TestClient,
) -> None:
    response = client.get(
        "/dev-idp/authorize",
        params={"client_id": "portal", "redirect_uri": "https://evil.example/cb"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "location" not in response.headers
