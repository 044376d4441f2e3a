"""Static files under content-hashed names, compressed once, cached by browsers for a year.

At start-up every file under static/ is read once: the one stylesheet the pages load is put
together from Designsystemet's theme, the Designsystemet rules the portal uses and the portal's
own rules; each file gets a name with a hash of its content (`css/portal.3f9a1c2b04de.css`) and
its Brotli and gzip forms. Templates ask for a file by its plain name (`static_url`) and get the
hashed one, so a changed file is a new URL and an old URL is simply not found.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from portal.settings import PROJECT_ROOT
from portal.web import stylesheet
from portal.web.compression import MINIMUM_SIZE, accepted_encoding, compress, is_text

STATIC_DIR = PROJECT_ROOT / "static"
URL_PREFIX = "/static/"
DESIGNSYSTEMET = "vendor/designsystemet"
# What the pages' one stylesheet is made of, in cascade order.
STYLESHEET = "css/portal.css"
STYLESHEET_PARTS = (
    f"{DESIGNSYSTEMET}/theme-designsystemet-1.22.0.css",
    f"{DESIGNSYSTEMET}/designsystemet-css-1.22.0.css",
    STYLESHEET,
)
# Served from static/: what pages and browsers load. (print.css is read by the PDF renderer.)
SERVED_SUFFIXES = frozenset({".css", ".js", ".svg", ".png", ".ico"})
NOT_SERVED = frozenset({"css/print.css", *STYLESHEET_PARTS[:2]})
IMMUTABLE = (b"cache-control", b"public, max-age=31536000, immutable")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("text/javascript", ".js")


@dataclass(frozen=True)
class Asset:
    media_type: str
    body: bytes
    encoded: dict[str, bytes]  # "br"/"gzip" -> the compressed body, for text worth compressing

    def response(
        self, request_headers: list[tuple[bytes, bytes]]
    ) -> tuple[list[tuple[bytes, bytes]], bytes]:
        encoding = accepted_encoding(request_headers) if self.encoded else None
        body = self.encoded[encoding] if encoding else self.body
        headers = [
            (b"content-type", self.media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            IMMUTABLE,
        ]
        if self.encoded:
            headers.append((b"vary", b"Accept-Encoding"))
        if encoding:
            headers.append((b"content-encoding", encoding.encode()))
        return headers, body


def hashed_name(name: str, body: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(body).hexdigest()[:12]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def component_sources(root: Path) -> Iterable[Path]:
    """Where the portal writes Designsystemet classes: templates, Python code and scripts."""
    yield from sorted((root / "templates").rglob("*.html"))
    yield from sorted((root / "portal").rglob("*.py"))
    yield from sorted((root / "static" / "js").glob("*.js"))


def build_stylesheet(root: Path) -> bytes:
    static = root / "static"
    used = stylesheet.used_classes(component_sources(root))
    theme, components, own = (static / part for part in STYLESHEET_PARTS)
    css = "\n".join(
        [
            theme.read_text(encoding="utf-8"),
            stylesheet.trim(components.read_text(encoding="utf-8"), used),
            own.read_text(encoding="utf-8"),
        ]
    )
    return css.encode()


def make_asset(name: str, body: bytes) -> Asset:
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    encoded = {}
    if is_text([(b"content-type", media_type.encode())]) and len(body) >= MINIMUM_SIZE:
        encoded = {encoding: compress(body, encoding, best=True) for encoding in ("br", "gzip")}
    return Asset(media_type, body, encoded)


class Assets:
    """The static files by hashed path, and the hashed URL of each plain name."""

    def __init__(self, root: Path = PROJECT_ROOT) -> None:
        static = root / "static"
        self.urls: dict[str, str] = {}
        self.files: dict[str, Asset] = {}
        for file in sorted(static.rglob("*")):
            name = file.relative_to(static).as_posix()
            if file.suffix not in SERVED_SUFFIXES or name in NOT_SERVED:
                continue
            body = build_stylesheet(root) if name == STYLESHEET else file.read_bytes()
            path = hashed_name(name, body)
            self.urls[name] = URL_PREFIX + path
            self.files[path] = make_asset(name, body)

    def url(self, name: str) -> str:
        """The URL of a static file by its plain name (a KeyError names a missing file)."""
        return self.urls[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI app mounted at /static: a hashed path or 404."""
        asset = self.files.get(scope["path"].removeprefix(URL_PREFIX))
        if asset is None or scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(404)
        headers, body = asset.response(scope["headers"])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


@cache
def assets(root: Path = PROJECT_ROOT) -> Assets:
    """Built once per process: every application of the process serves the same files."""
    return Assets(root)
