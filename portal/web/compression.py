"""Compressed responses: Brotli where the client accepts it, else gzip.

Static files are compressed once, when the application builds its assets; everything else a
handler answers with a text type (pages, JSON, calendars, CSV exports) is compressed on the way
out by `CompressionMiddleware`, streamed responses chunk by chunk.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import brotli
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Smaller bodies gain less than the header that says they are compressed.
MINIMUM_SIZE = 512
# The quickest levels for what is compressed per response: on a 6 kB page Brotli's quality 1
# takes ~35 µs and quality 4 four times that for 15 % fewer bytes (about 300, a few ms on a
# slow 4G connection). Files compressed once take the best.
RESPONSE_BROTLI_QUALITY = 1
RESPONSE_GZIP_LEVEL = 1
TEXT_TYPES = (
    b"text/",
    b"application/json",
    b"application/problem+json",
    b"application/manifest+json",
    b"application/javascript",
    b"image/svg+xml",
)
VARY = (b"vary", b"Accept-Encoding")


class Compressor(Protocol):
    def process(self, data: bytes) -> bytes: ...
    def finish(self) -> bytes: ...


class GzipCompressor:
    def __init__(self, level: int) -> None:
        self._zlib = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def process(self, data: bytes) -> bytes:
        return self._zlib.compress(data)

    def finish(self) -> bytes:
        return self._zlib.flush()


def compressor(encoding: str, best: bool = False) -> Compressor:
    if encoding == "br":
        quality = 11 if best else RESPONSE_BROTLI_QUALITY
        return brotli.Compressor(quality=quality)
    return GzipCompressor(9 if best else RESPONSE_GZIP_LEVEL)


def compress(data: bytes, encoding: str, best: bool = False) -> bytes:
    one = compressor(encoding, best)
    return one.process(data) + one.finish()


def accepted_encoding(headers: list[tuple[bytes, bytes]]) -> str | None:
    """ "br" or "gzip" when the request's Accept-Encoding allows it (q=0 refuses), else None."""
    for name, value in headers:
        if name == b"accept-encoding":
            accepted = set()
            for item in value.decode("latin-1").lower().split(","):
                coding, _, parameters = item.strip().partition(";")
                quality = parameters.strip().removeprefix("q=").strip()
                if quality in ("0", "0.0", "0.00", "0.000"):
                    continue
                accepted.add(coding.strip())
            for encoding in ("br", "gzip"):
                if encoding in accepted:
                    return encoding
            return None
    return None


def is_text(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-type":
            return value.lower().startswith(TEXT_TYPES)
    return False


def already_encoded(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name == b"content-encoding" for name, _ in headers)


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        encoding = accepted_encoding(scope["headers"])
        if encoding is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        stream: Compressor | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal start, stream
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if is_text(headers) and not already_encoded(headers):
                    start = message  # held until the body says how big it is
                    return
                await send(message)
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            more = message.get("more_body", False)
            headers = [h for h in start.get("headers", []) if h[0] != b"content-length"]
            if stream is None and not more:
                if len(body) >= MINIMUM_SIZE:
                    body = compress(body, encoding)
                    headers.append((b"content-encoding", encoding.encode()))
                headers += [VARY, (b"content-length", str(len(body)).encode())]
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                start = None
                return
            if stream is None:
                stream = compressor(encoding)
                headers += [VARY, (b"content-encoding", encoding.encode())]
                await send({**start, "headers": headers})
            chunk = stream.process(body) + (b"" if more else stream.finish())
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

        await self.app(scope, receive, send_compressed)
