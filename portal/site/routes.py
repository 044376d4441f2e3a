"""Site-wide endpoints: language choice, keeping a session alive, health and readiness."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.auth.sessions import session_state
from portal.occupations.listfile import ATTRIBUTION
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from portal.web.requests import database
from portal.web.security import local_path
from portal.web.templating import pages


async def choose_language(request: Request) -> Response:
    async with request.form() as form:
        language = str(form.get("language", ""))
        target = local_path(str(form.get("next", "/")))
    response = RedirectResponse(target, status_code=303)
    if language not in LANGUAGES:
        return response
    state = session_state(request)
    if state.user_id is not None and state.user_kind in ("participant", "staff"):
        async with database(request).transaction() as db:
            user: Participant | StaffUser | None = (
                await db.get(Participant, state.user_id)
                if state.user_kind == "participant"
                else await db.get(StaffUser, state.user_id)
            )
            if user is not None:
                user.language = language
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


async def keep_alive(request: Request) -> Response:
    """Any request renews the idle timer; this one exists for the 'stay logged in' button."""
    session_state(request).data["kept_alive"] = True
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204)
    async with request.form() as form:
        target = local_path(str(form.get("next", "/")))
    return RedirectResponse(target, status_code=303)


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        async with database(request).engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def about(request: Request) -> Response:
    """What the portal is and what it is built from, with the attributions its data asks for."""
    return pages(request).render(request, "about.html", {"esco_attribution": ATTRIBUTION})


def routes() -> list[Route]:
    return [
        Route("/lang", choose_language, methods=["POST"]),
        Route("/session/keep-alive", keep_alive, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/about", about),
        Route("/api/v1/openapi.json", openapi),
        Route("/readyz", readyz),
    ]
