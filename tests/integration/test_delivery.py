"""What crosses the wire: compressed responses, static files under hashed names cached for a
year, the favicon and manifest, and which pages search engines may index."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from portal.web.assets import assets
from tests.conftest import log_in, portal_today

STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_are_sent_compressed_in_the_encoding_the_browser_accepts(
    client: TestClient, encoding: str
) -> None:
    log_in(client, "anna")
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    compressed = client.get("/", headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == encoding
    assert "Accept-Encoding" in compressed.headers["vary"]
    assert "Anna" in compressed.text and compressed.text.rstrip().endswith("</html>")
    assert int(compressed.headers["content-length"]) < len(plain.content) / 2
    assert compressed.headers["cache-control"] == "no-store"  # pages are never cached


def test_json_is_compressed_and_small_bodies_are_not(client: TestClient) -> None:
    openapi = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "br"})
    assert openapi.headers["content-encoding"] == "br" and openapi.json()["openapi"]
    health = client.get("/healthz", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in health.headers and health.json() == {"status": "ok"}


def test_a_streamed_export_arrives_compressed_and_whole(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    this_month = portal_today().strftime("%Y-%m")
    export = client.post("/staff/exports", data={"from": "2000-01", "to": this_month})
    assert export.status_code == 200
    plain = client.get(export.url.path + ".csv", headers={"Accept-Encoding": "identity"})
    packed = client.get(export.url.path + ".csv", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == plain.text
    assert csv.DictReader(io.StringIO(packed.text)).fieldnames


def test_pages_load_static_files_by_hashed_names_cached_for_a_year(client: TestClient) -> None:
    log_in(client, "anna")
    references = set(STATIC_REFERENCE.findall(client.get("/").text))
    assert len(references) >= 3  # the stylesheet, the script and the icon
    for path in references:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", path), path
        response = client.get(path, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "content-security-policy" in response.headers
    stylesheet = next(path for path in references if path.endswith(".css"))
    packed = client.get(stylesheet, headers={"Accept-Encoding": "br"})
    assert packed.headers["content-encoding"] == "br"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert packed.headers["content-type"] == "text/css; charset=utf-8"
    assert ".ds-button" in packed.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/portal.css",  # the plain name of today's file
        "/static/css/portal.000000000000.css",  # a file that was replaced
        "/static/vendor/designsystemet/designsystemet-css-1.22.0.css",  # now in the bundle
        "/static/css/print.css",
        "/static/vendor/README.md",
        "/static/../pyproject.toml",
    ],
)
def test_unhashed_replaced_and_unknown_static_paths_are_not_found(
    client: TestClient, path: str
) -> None:
    assert client.get(path).status_code == 404


def test_the_favicon_is_an_image(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/")
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response.headers["cache-control"] == "public, max-age=86400"


@pytest.mark.parametrize(
    ("language", "name"), [("sv", "Deltagarportalen"), ("da", "Borgerportalen")]
)
def test_the_web_app_manifest_names_the_portal_in_its_language(
    client: TestClient, language: str, name: str
) -> None:
    response = client.get(f"/manifest/{language}.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == name and manifest["lang"] == language
    assert manifest["theme_color"] == "#0062ba"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert client.get("/manifest/xx.webmanifest").status_code == 404


def test_pages_link_the_manifest_of_their_language(client: TestClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "da"}).text
    assert '<link rel="manifest" href="/manifest/da.webmanifest">' in html


def robots(html: str) -> str | None:
    found = re.search(r'<meta name="robots" content="([^"]+)">', html)
    return found.group(1) if found else None


def test_logged_in_staff_and_shared_pages_ask_not_to_be_indexed(client: TestClient) -> None:
    log_in(client, "anna")
    for path in ("/", "/plan", "/hours", "/meetings", "/cv", "/settings"):
        assert robots(client.get(path).text) == "noindex, nofollow", path
    presentation = client.get("/cv/presentation").text
    token = re.search(r'name="form_token" value="([^"]+)"', presentation)
    assert token
    shared = client.post("/cv/presentation/shares", data={"days": "7", "form_token": token[1]})
    link = re.search(r"/shared/cv/[A-Za-z0-9_-]{20,}", shared.text)
    assert link
    client.post("/auth/logout")
    assert robots(client.get(link[0]).text) == "noindex, nofollow"
    log_in(client, "vera", staff=True)
    assert robots(client.get("/staff/").text) == "noindex, nofollow"


def test_public_pages_have_a_description_and_may_be_indexed(client: TestClient) -> None:
    for path in ("/login", "/about"):
        html = client.get(path, headers={"Accept-Language": "sv"}).text
        assert robots(html) is None, path
        description = re.search(r'<meta name="description" content="([^"]+)">', html)
        assert description and len(description[1]) > 40, path


def test_htmx_is_loaded_only_by_pages_that_use_it(client: TestClient) -> None:
    htmx = assets().url("vendor/htmx/htmx-2.0.11.min.js")
    log_in(client, "anna")
    start = client.get("/").text
    assert htmx not in start and "hx-" not in start
    find = client.get("/cv/jobs/new").text
    assert f'<script src="{htmx}" defer></script>' in find and "hx-get" in find
