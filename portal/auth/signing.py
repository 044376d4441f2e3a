"""Signing with eID: a step-up round trip to the participant's eID broker.

`start_signing` keeps what is being signed in the session and sends the browser to the broker
with `prompt=login`, the configured `acr_values` and the text to sign (carried as the setting
PORTAL_CITIZEN_SIGNING_PARAMETER says). The callback accepts the answer only when the ID token
names the session's own person (`sub`), its nonce matches (Authlib checks it), it was issued
for this very signing (`auth_time` at most five minutes old) and, when the broker reports the
signed text's hash, that hash is of our text. Then, in one transaction, the signature record
is written and the purpose's handler does what was signed for; a refusal writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import StaffIdentity, current_staff, login_redirect, participant_only
from portal.auth.models import Signature
from portal.auth.oidc import LOGIN_ERRORS, client_of, settings_of
from portal.auth.sessions import session_state
from portal.db import utcnow
from portal.participants.models import Participant
from portal.web.access import any_staff
from portal.web.errors import error_page
from portal.web.i18n import current_language, gettext
from portal.web.ratelimit import limit
from portal.web.requests import database
from portal.web.templating import pages

log = logging.getLogger("portal.signing")

MAX_AGE = dt.timedelta(minutes=5)
CLOCK_SKEW = dt.timedelta(seconds=60)
CALLBACK = "/auth/sign/callback"
STAFF_CALLBACK = "/staff/sign/callback"
CALLBACKS = {"citizen": CALLBACK, "staff": STAFF_CALLBACK}
PENDING = "signing:"


class SigningRefused(Exception):
    """What was signed cannot be done after all (e.g. the report changed meanwhile)."""

    def __init__(self, message: str, back: str) -> None:
        super().__init__(message)
        self.message = message
        self.back = back


# A purpose's handler: given the open transaction, the participant, the payload kept at the
# start and the new signature, it does the signed action and returns where to go next.
Handler = Callable[[AsyncSession, Participant, Mapping[str, Any], Signature], Awaitable[str]]
# A staff purpose's handler: the same, for the signing staff user (and the request, for today).
StaffHandler = Callable[
    [Request, AsyncSession, StaffIdentity, Mapping[str, Any], Signature], Awaitable[str]
]


def signing_parameter(setting: str, text: str) -> dict[str, str]:
    """The authorization parameter that carries the text: "name" or "name=prefix"."""
    name, _, prefix = setting.partition("=")
    encoded = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode("ascii")
    return {name.strip(): prefix + encoded}


def signature_problem(
    claims: Mapping[str, Any],
    session_subject: str | None,
    now: dt.datetime,
    text_sha256: str,
) -> str | None:
    """Why an ID token may not count as this signature, or None when it may."""
    if not session_subject or claims.get("sub") != session_subject:
        return "another person signed"
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return "no auth_time"
    signed_at = dt.datetime.fromtimestamp(auth_time, dt.UTC)
    if signed_at < now - MAX_AGE or signed_at > now + CLOCK_SKEW:
        return "auth_time is not within five minutes"
    reported = claims.get("sign_text_sha256")
    if reported is not None and reported != text_sha256:
        return "another text was signed"
    return None


async def start_signing(
    request: Request,
    purpose: str,
    text: str,
    document: str,
    payload: Mapping[str, Any],
    back: str,
    kind: str = "citizen",
) -> Response:
    """Send the participant (or, with kind "staff", the staff user) to sign `text` at their
    identity provider; `document` is the canonical form that is stored."""
    settings = settings_of(request)
    config, client = client_of(request, kind)
    state = session_state(request)
    await limit(request, "signing", f"{kind}:{state.user_kind}:{state.user_id}")
    parameter = (
        settings.staff_signing_parameter if kind == "staff" else settings.citizen_signing_parameter
    )
    extra = {
        "prompt": "login",
        "ui_locales": current_language.get(),
        **signing_parameter(parameter, text),
    }
    if config.acr_values:
        extra["acr_values"] = config.acr_values
    if state.data.get("id_token"):
        extra["id_token_hint"] = state.data["id_token"]
    if settings.dev_idp and request.query_params.get("login_hint"):
        extra["login_hint"] = request.query_params["login_hint"]
    try:
        response: Response = await client.authorize_redirect(
            request, settings.base_url + CALLBACKS[kind], **extra
        )
    except LOGIN_ERRORS as exc:
        log.warning("signing could not reach the eID broker: %s", exc)
        return await error_page(request, 503, "idp_unavailable")
    # Kept under the request's own state, so two signings in two tabs cannot swap payloads.
    request_state = parse_qs(urlsplit(response.headers["location"]).query)["state"][0]
    state.data[PENDING + request_state] = {
        "purpose": purpose,
        "text": text,
        "document": document,
        "payload": dict(payload),
        "back": back,
    }
    return response


def refused(request: Request, message: str, back: str, status_code: int = 400) -> Response:
    return pages(request).render(
        request,
        "participant/signing_refused.html",
        {"message": message, "back": back},
        status_code,
    )


Checked = tuple[dict[str, Any], Mapping[str, Any], str]


async def _checked(request: Request, kind: str, who: str) -> Checked | Response:
    """The pending signing this answer belongs to, the ID token's claims and the token itself,
    when the answer counts as a signature; otherwise the refusal page (nothing is signed)."""
    state = session_state(request)
    pending = state.data.pop(PENDING + request.query_params.get("state", ""), None)
    home = "/staff/" if kind == "staff" else "/"
    if not isinstance(pending, dict):
        return refused(request, gettext("There is no signing in progress."), home)
    back = str(pending.get("back", home))
    if request.query_params.get("error"):
        return refused(request, gettext("The signing was cancelled. Nothing was signed."), back)
    _config, client = client_of(request, kind)
    try:
        token = await client.authorize_access_token(request)
    except LOGIN_ERRORS as exc:
        log.warning("signing refused: %s", exc)
        return refused(
            request, gettext("The signature could not be checked. Nothing was signed."), back
        )
    claims = token.get("userinfo") or {}
    text = str(pending["text"])
    problem = signature_problem(
        claims, state.data.get("sub"), utcnow(), hashlib.sha256(text.encode()).hexdigest()
    )
    if problem is not None:
        log.warning("signing refused for %s: %s", who, problem)
        return refused(
            request,
            gettext(
                "The signature could not be accepted: %(reason)s. Nothing was signed.",
                reason=reason_text(problem),
            ),
            back,
        )
    return pending, claims, str(token["id_token"])


def _signature(pending: Mapping[str, Any], claims: Mapping[str, Any], id_token: str) -> Signature:
    document = str(pending["document"])
    return Signature(
        purpose=str(pending["purpose"]),
        signed_at=utcnow(),
        text=str(pending["text"]),
        document=document,
        document_sha256=hashlib.sha256(document.encode()).hexdigest(),
        subject=str(claims["sub"]),
        acr=claims.get("acr"),
        id_token_sha256=hashlib.sha256(id_token.encode()).hexdigest(),
    )


SignedAction = Callable[[AsyncSession, Mapping[str, Any], Signature], Awaitable[str]]


async def _signed(
    request: Request,
    kind: str,
    who: str,
    signer: dict[str, int],
    act: Callable[[str], SignedAction],
) -> Response:
    """Check the answer; then, in one transaction, store the signature (with `signer`: whose
    it is) and do what the purpose's handler (`act(purpose)`) does with it."""
    checked = await _checked(request, kind, who)
    if not isinstance(checked, tuple):
        return checked
    pending, claims, id_token = checked
    action = act(str(pending["purpose"]))
    try:
        async with database(request).transaction() as db:
            signature = _signature(pending, claims, id_token)
            for column, value in signer.items():
                setattr(signature, column, value)
            db.add(signature)
            await db.flush()
            target = await action(db, pending.get("payload") or {}, signature)
    except SigningRefused as refusal:
        return refused(request, refusal.message, refusal.back, 409)
    return RedirectResponse(target, status_code=303)


async def callback(request: Request, participant: Participant) -> Response:
    def act(purpose: str) -> SignedAction:
        handler: Handler = request.app.state.signing_handlers[purpose]
        return lambda db, payload, signature: handler(db, participant, payload, signature)

    who = f"participant {participant.id}"
    return await _signed(request, "citizen", who, {"participant_id": participant.id}, act)


async def staff_callback(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")

    def act(purpose: str) -> SignedAction:
        handler: StaffHandler = request.app.state.staff_signing_handlers[purpose]
        return lambda db, payload, signature: handler(request, db, staff, payload, signature)

    who = f"staff user {staff.user.id}"
    return await _signed(request, "staff", who, {"staff_user_id": staff.user.id}, act)


def reason_text(problem: str) -> str:
    if problem == "another person signed":
        return gettext("it was signed by someone other than you")
    if problem == "another text was signed":
        return gettext("another text was signed")
    return gettext("it was not made just now")


def routes() -> list[Route]:
    return [
        Route(CALLBACK, participant_only(callback)),
        Route(STAFF_CALLBACK, any_staff(staff_callback)),
    ]
