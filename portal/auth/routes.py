"""Login, callback and logout for participants (/auth/...), staff (/staff/...) and employers
(/employer/...)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.oidc import LOGIN_ERRORS, client_of, settings_of
from portal.auth.sessions import session_state
from portal.employers.identity import (
    employer_for_login,
    normalise_organisation_number,
    subject_key,
)
from portal.participants.service import normalise_personal_number, participant_for_login
from portal.staff.service import is_authorized, staff_user_for_login
from portal.web.access import public
from portal.web.errors import error_page
from portal.web.i18n import LANGUAGE_COOKIE, current_language
from portal.web.ratelimit import client_address, limit
from portal.web.requests import database, today
from portal.web.security import local_path, origin_of

log = logging.getLogger("portal.auth")

HOME = {"citizen": "/", "staff": "/staff/", "employer": "/employer/"}
LANDING = {"citizen": "/login", "staff": "/login", "employer": "/employer/"}


async def login(request: Request, kind: str) -> Response:
    config, client = client_of(request, kind)
    base_url = settings_of(request).base_url
    if origin_of(str(request.url)) != origin_of(base_url):
        # The session cookie that carries the login state belongs to the portal's own address.
        return RedirectResponse(f"{base_url}{request.url.path}?{request.url.query}", 303)
    await limit(request, "login", client_address(request))
    state = session_state(request)
    state.data["next"] = local_path(request.query_params.get("next"), HOME[kind])
    extra = {"ui_locales": current_language.get()}
    hint = request.query_params.get("login_hint")
    if hint:
        extra["login_hint"] = hint
    if config.acr_values:
        extra["acr_values"] = config.acr_values
    redirect_uri = base_url + config.callback_path
    try:
        response: Response = await client.authorize_redirect(request, redirect_uri, **extra)
    except LOGIN_ERRORS as exc:
        log.warning("%s login could not reach the identity provider: %s", kind, exc)
        return await error_page(request, 503, "idp_unavailable")
    return response


async def callback(request: Request, kind: str) -> Response:
    config, client = client_of(request, kind)
    settings = settings_of(request)
    try:
        token = await client.authorize_access_token(request)
    except LOGIN_ERRORS as exc:
        log.warning("%s login failed: %s", kind, exc)
        return await error_page(request, 400, "login_failed")
    userinfo = token.get("userinfo") or {}
    state = session_state(request)
    target = local_path(state.data.pop("next", None), HOME[kind])
    if not userinfo.get("sub"):
        log.warning("%s login without a subject", kind)
        return await error_page(request, 400, "login_failed")
    claim = str(userinfo.get(config.personal_number_claim, ""))
    if kind == "employer":
        number = normalise_organisation_number(settings.country, claim)
        if number is None:
            log.warning("employer login without a valid organisation number claim")
            return await error_page(request, 400, "login_failed")
        async with database(request).transaction() as db:
            employer = await employer_for_login(
                db,
                subject_key(config.issuer, str(userinfo["sub"])),
                number,
                str(userinfo.get(settings.employer_oidc_organisation_name_claim, "")),
                str(userinfo.get("name", "")),
                str(userinfo.get("email", "")),
            )
            user_kind, user_id, language = "employer", employer.id, employer.language
    else:
        personal_number = normalise_personal_number(settings.country, claim)
        if personal_number is None:
            log.warning("%s login without a valid personal number claim", kind)
            return await error_page(request, 400, "login_failed")
        async with database(request).transaction() as db:
            if kind == "citizen":
                participant = await participant_for_login(
                    db,
                    personal_number,
                    str(userinfo.get("given_name", "")),
                    str(userinfo.get("family_name", "")),
                )
                user_kind, user_id, language = "participant", participant.id, participant.language
            else:
                staff = await staff_user_for_login(db, personal_number)
                if staff is None or not is_authorized(staff.authorizations, today(request)):
                    return await error_page(request, 403, "no_authorization")
                user_kind, user_id, language = "staff", staff.id, staff.language
    state.log_in(user_kind, user_id)
    state.data["id_token"] = token.get("id_token")
    state.data["sub"] = userinfo["sub"]
    state.data["acr"] = userinfo.get("acr")
    response = RedirectResponse(target, status_code=303)
    if language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


async def logout(request: Request, kind: str) -> Response:
    config, client = client_of(request, kind)
    settings = settings_of(request)
    state = session_state(request)
    id_token = state.data.get("id_token")
    state.log_out()
    after = settings.base_url + LANDING[kind] + "?logged_out=1"
    try:
        metadata = await client.load_server_metadata()
    except LOGIN_ERRORS:
        metadata = {}
    end_session = metadata.get("end_session_endpoint")
    if end_session and id_token:
        query = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": after,
            "client_id": config.client_id,
        }
        return RedirectResponse(f"{end_session}?{urlencode(query)}", status_code=303)
    return RedirectResponse(after, status_code=303)


def _for(
    kind: str, handler: Callable[[Request, str], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, kind)

    endpoint.__name__ = f"{kind}_{handler.__name__}"
    return endpoint


def routes() -> list[Route]:
    return [
        Route("/auth/login", public(_for("citizen", login)), methods=["GET"]),
        Route("/auth/callback", public(_for("citizen", callback)), methods=["GET"]),
        Route("/auth/logout", public(_for("citizen", logout)), methods=["POST"]),
        Route("/staff/login", public(_for("staff", login)), methods=["GET"]),
        Route("/staff/callback", public(_for("staff", callback)), methods=["GET"]),
        Route("/staff/logout", public(_for("staff", logout)), methods=["POST"]),
        Route("/employer/login", public(_for("employer", login)), methods=["GET"]),
        Route("/employer/callback", public(_for("employer", callback)), methods=["GET"]),
        Route("/employer/logout", public(_for("employer", logout)), methods=["POST"]),
    ]
