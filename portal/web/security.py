"""Security headers on every response, and refusal of state-changing requests from other sites."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NO_STORE = (b"cache-control", b"no-store")
# What may be kept in caches: files that are the same for everyone (they set their own rules).
PUBLIC_FILES = ("/static/", "/favicon.ico", "/manifest/")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(settings: Settings) -> str:
    idp_origins = sorted(
        {
            origin_of(url)
            for url in (settings.citizen_oidc_issuer, settings.staff_oidc_issuer)
            if url and origin_of(url) != origin_of(settings.base_url)
        }
    )
    form_action = " ".join(["'self'", *idp_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action {form_action}"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        headers = {
            "Content-Security-Policy": content_security_policy(settings),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if settings.secure_cookies:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Added as raw ASGI headers, each unless the response set it itself.
        self.headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith(PUBLIC_FILES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not is_static:
                    # Pages carry personal data: never keep them in a shared or back-button cache.
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append(NO_STORE)
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in self.headers if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrossSiteRefusalMiddleware:
    """Refuses POST/PUT/PATCH/DELETE that a browser says come from another site."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        refuse: Callable[[Request, int], Awaitable[Response]],
    ) -> None:
        self.app = app
        self.own_origin = origin_of(settings.base_url)
        self.refuse = refuse

    def is_cross_site(self, request: Request) -> bool:
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None:
            return fetch_site not in ("same-origin", "none")
        origin = request.headers.get("origin")
        if origin is None:
            return False  # not a browser form post: no ambient cookie risk to guard against
        host_origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
        return origin not in (self.own_origin, host_origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            request = Request(scope, receive)
            if self.is_cross_site(request):
                response = await self.refuse(request, 403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site: a path, never //host or a scheme."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target
