"""Site-wide endpoints: language choice, keeping a session alive, health and readiness, the
favicon and the web app manifest."""

from __future__ import annotations

from functools import cache

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.auth.sessions import session_state
from portal.employers.models import EmployerUser
from portal.occupations.listfile import ATTRIBUTION
from portal.participants.models import Participant
from portal.settings import PROJECT_ROOT
from portal.staff.models import StaffUser
from portal.web.access import public
from portal.web.assets import assets
from portal.web.i18n import LANGUAGE_COOKIE, LANGUAGES, gettext, translations
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
    models: dict[str, type[Participant | StaffUser | EmployerUser]] = {
        "participant": Participant,
        "staff": StaffUser,
        "employer": EmployerUser,
    }
    if state.user_id is not None and state.user_kind in models:
        async with database(request).transaction() as db:
            user: Participant | StaffUser | EmployerUser | None = await db.get(
                models[state.user_kind], state.user_id
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


@cache
def migration_head() -> str | None:
    """The newest migration this code knows: the schema its database must be at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(PROJECT_ROOT / "portal" / "migrations")).get_current_head()


async def readyz(request: Request) -> Response:
    """Ready when the database answers and holds the schema this code was written for."""
    try:
        version = await database(request).schema_version()
    except Exception:
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    if version != migration_head():
        return JSONResponse(
            {"status": "database schema is not current; run 'portal db upgrade'"},
            status_code=503,
        )
    return JSONResponse({"status": "ok"})


async def about(request: Request) -> Response:
    """What the portal is and what it is built from, with the attributions its data asks for."""
    facts = {**service_facts(request), "esco_attribution": ATTRIBUTION}
    return pages(request).render(request, "about.html", facts)


def service_facts(request: Request) -> dict[str, str]:
    """Who runs the portal and how to reach them, for the pages that say so."""
    settings = request.app.state.settings
    return {
        "owner": settings.service_owner or national_agency(settings.country),
        "email": settings.service_email,
        "phone": settings.service_phone,
        "officer": settings.privacy_officer_email or settings.service_email,
        "reviewed": settings.accessibility_reviewed,
        "base_url": settings.base_url,
    }


def national_agency(country: str) -> str:
    if country == "SE":
        return gettext("The Swedish Public Employment Service (Arbetsförmedlingen)")
    return gettext("Your municipality's job centre")


async def accessibility(request: Request) -> Response:
    """The accessibility statement the EU Web Accessibility Directive asks for."""
    return pages(request).render(request, "site/accessibility.html", service_facts(request))


async def privacy(request: Request) -> Response:
    """What personal data the portal processes, why, how long, and the participant's rights."""
    return pages(request).render(request, "site/privacy.html", service_facts(request))


async def contact(request: Request) -> Response:
    return pages(request).render(request, "site/contact.html", service_facts(request))


# Browsers ask for these at fixed addresses, so they are cached for a day, not for ever.
PUBLIC_FILE_CACHE = "public, max-age=86400"
THEME_COLOUR = "#0062ba"


async def favicon(request: Request) -> Response:
    icon = assets().files[assets().url("icons/favicon.ico").removeprefix("/static/")]
    return Response(
        icon.body, media_type=icon.media_type, headers={"Cache-Control": PUBLIC_FILE_CACHE}
    )


async def manifest(request: Request) -> Response:
    """The web app manifest in the language of its address (browsers fetch it without
    cookies, so the language cannot come from the visitor's choice)."""
    language = request.path_params["language"]
    if language not in LANGUAGES:
        raise HTTPException(404)
    name = translations(language).ugettext("Participant portal")
    icon = assets().url
    document = {
        "name": name,
        "short_name": name,
        "lang": language,
        "start_url": "/",
        "scope": "/",
        "display": "browser",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": icon("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": icon("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JSONResponse(
        document,
        media_type="application/manifest+json",
        headers={"Cache-Control": PUBLIC_FILE_CACHE},
    )


def routes() -> list[Route]:
    return [
        Route("/lang", public(choose_language), methods=["POST"]),
        Route("/session/keep-alive", public(keep_alive), methods=["POST"]),
        Route("/healthz", public(healthz)),
        Route("/about", public(about)),
        Route("/accessibility", public(accessibility)),
        Route("/privacy", public(privacy)),
        Route("/contact", public(contact)),
        Route("/api/v1/openapi.json", public(openapi)),
        Route("/readyz", public(readyz)),
        Route("/favicon.ico", public(favicon)),
        Route("/manifest/{language:str}.webmanifest", public(manifest)),
        Route("/static/{path:path}", public(assets())),
    ]
