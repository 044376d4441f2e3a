"""What the pages' stylesheet keeps, how a response's encoding is chosen, and hashed names."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from pathlib import Path

import brotli
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.settings import PROJECT_ROOT
from portal.web import stylesheet
from portal.web.assets import Assets, hashed_name
from portal.web.compression import CompressionMiddleware, accepted_encoding, compress

USED = frozenset({"ds-button", "ds-alert"})


def trimmed(css: str) -> str:
    return stylesheet.trim(css, USED)


def test_a_rule_for_an_unused_component_is_left_out() -> None:
    assert trimmed(".ds-tabs{color:red}.ds-button{color:blue}") == ".ds-button{color:blue;}"


def test_of_a_selector_list_only_the_selectors_that_can_match_are_kept() -> None:
    css = ".ds-tabs>a,.ds-button>a,p{margin:0}"
    assert trimmed(css) == ".ds-button>a,p{margin:0;}"


def test_element_attribute_and_foreign_class_selectors_are_kept() -> None:
    css = ":root{--x:1;}[data-size=sm]{font-size:1px;}.site-header{color:red;}"
    assert trimmed(css) == css


def test_is_and_where_match_only_when_one_of_their_selectors_can() -> None:
    assert trimmed(":is(.ds-search,.ds-tabs) a{color:red}") == ""
    assert (
        trimmed(":where(.ds-tabs,.ds-alert) a{color:red}")
        == ":where(.ds-tabs,.ds-alert) a{color:red;}"
    )


def test_a_negation_of_an_unused_class_still_matches() -> None:
    css = ".ds-button:not(.ds-tabs){color:red;}"
    assert trimmed(css) == css


def test_layers_and_media_queries_keep_what_can_match_and_drop_when_empty() -> None:
    css = (
        "@layer ds.base,ds.components;"
        "@layer ds.components{.ds-tabs{color:red}@media (hover:hover){.ds-button{color:blue}}}"
        "@layer ds.components{.ds-tabs{color:red}}"
        "@keyframes spin{to{transform:rotate(1turn)}}"
    )
    assert trimmed(css) == (
        "@layer ds.base,ds.components;"
        "@layer ds.components{@media (hover:hover){.ds-button{color:blue;}}}"
        "@keyframes spin{to{transform:rotate(1turn)}}"
    )


def test_declarations_keep_their_importance_and_nested_rules_are_trimmed_too() -> None:
    css = ".ds-alert{color:red!important;& .ds-tabs{color:blue}& .ds-button{margin:0}}"
    assert trimmed(css) == ".ds-alert{color:red!important;& .ds-button{margin:0;}}"


def test_used_classes_are_found_in_any_source(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<div class="ds-card ds-error-summary">{{ x("ds-tag") }}</div><p class="ds-">')
    assert stylesheet.used_classes([page]) == {"ds-card", "ds-error-summary", "ds-tag"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("BR", "br"),
        ("deflate", None),
        ("gzip;q=0", None),
        ("identity", None),
    ],
)
def test_brotli_is_chosen_where_accepted_else_gzip(header: str, expected: str | None) -> None:
    assert accepted_encoding([(b"accept-encoding", header.encode())]) == expected


def test_without_accept_encoding_nothing_is_compressed() -> None:
    assert accepted_encoding([(b"accept", b"text/html")]) is None


def test_compressed_bodies_decompress_to_the_original() -> None:
    body = b"<p>Hej Anna</p>" * 200
    assert brotli.decompress(compress(body, "br")) == body
    assert gzip.decompress(compress(body, "gzip", best=True)) == body


def test_a_hashed_name_changes_with_the_content() -> None:
    first = hashed_name("css/portal.css", b"a")
    assert first.startswith("css/portal.") and first.endswith(".css")
    assert first != hashed_name("css/portal.css", b"b")
    assert hashed_name("LICENSE", b"a").startswith("LICENSE.")


def test_the_pages_stylesheet_keeps_the_components_the_portal_uses_and_drops_the_others() -> None:
    css = Assets(PROJECT_ROOT).files
    bundle = next(asset for path, asset in css.items() if path.startswith("css/portal."))
    text = bundle.body.decode()
    assert ".ds-button" in text and ".ds-error-summary" in text  # used by the macros
    assert ".site-header" in text  # the portal's own rules, last
    assert "--ds-color-accent-base-default" in text  # the theme, first
    assert ".ds-tabs" not in text and ".ds-popover" not in text  # never written by the portal
    assert text.index("--ds-color-accent-base-default") < text.index(".ds-button")
    assert text.index(".ds-button") < text.index(".site-header")


def test_every_template_with_htmx_attributes_asks_for_htmx() -> None:
    """htmx is loaded only where a template sets uses_htmx, so one that forgets would lose
    its autosave or suggestions without anyone noticing."""
    root = PROJECT_ROOT / "templates"
    sources = {
        template.relative_to(root).as_posix(): template.read_text(encoding="utf-8")
        for template in root.rglob("*.html")
    }
    for name, source in sources.items():
        if re.search(r"\bhx-(get|post|put|delete|trigger)=", source):
            # A partial (its name begins with "_") asks through every page that includes it.
            includers = [other for other, text in sources.items() if f'include "{name}"' in text]
            pages = includers if name.rpartition("/")[2].startswith("_") else [name]
            assert pages, name
            for page in pages:
                assert "{% set uses_htmx = true %}" in sources[page], (name, page)


async def lines() -> AsyncIterator[bytes]:
    for number in range(2000):
        yield f"line {number}\n".encode()


def streamed(request: object) -> Response:
    return StreamingResponse(lines(), media_type="text/csv")


def small(request: object) -> Response:
    return PlainTextResponse("ok")


def image(request: object) -> Response:
    return Response(b"\x89PNG" * 500, media_type="image/png")


@pytest.fixture
def compressing() -> TestClient:
    routes = [Route("/streamed", streamed), Route("/small", small), Route("/image", image)]
    return TestClient(CompressionMiddleware(Starlette(routes=routes)))


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_streamed_response_is_compressed_chunk_by_chunk_and_arrives_whole(
    compressing: TestClient, encoding: str
) -> None:
    response = compressing.get("/streamed", headers={"Accept-Encoding": encoding})
    assert response.headers["content-encoding"] == encoding
    assert "content-length" not in response.headers
    assert response.text == "".join(f"line {n}\n" for n in range(2000))


def test_small_bodies_images_and_head_requests_go_as_they_are(compressing: TestClient) -> None:
    small = compressing.get("/small", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in small.headers and small.text == "ok"
    assert small.headers["vary"] == "Accept-Encoding"
    picture = compressing.get("/image", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in picture.headers and len(picture.content) == 2000
    head = compressing.head("/streamed", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in head.headers
