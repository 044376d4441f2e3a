"""The participant's own pages: start, hours, meetings, CV, access log, settings, login."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.audit.service import WHAT_LABELS, access_log_of
from portal.auth.guards import database
from portal.auth.pages import Page, ParticipantView, participant_page_routes, render
from portal.plan import service as plan_service
from portal.web.security import local_path
from portal.web.templating import pages


async def start_page(request: Request, view: ParticipantView) -> Response:
    row = await database(request).read_one(plan_service.unseen_changes_query(view.participant.id))
    return render(
        request,
        view,
        "participant/start.html",
        plan_changed=plan_service.has_unseen_changes(row),
    )


async def hours_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/hours.html")


async def meetings_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/meetings.html")


async def cv_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/cv.html")


async def access_log_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        entries = await access_log_of(db, view.participant.id)
    return render(
        request, view, "participant/access_log.html", entries=entries, what_labels=WHAT_LABELS
    )


async def settings_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/settings.html")


# (path suffix, page, what the access log calls it)
PAGES: tuple[tuple[str, Page, str], ...] = (
    ("", start_page, "start"),
    ("/hours", hours_page, "hours"),
    ("/meetings", meetings_page, "meetings"),
    ("/cv", cv_page, "cv"),
    ("/access-log", access_log_page, "access-log"),
    ("/settings", settings_page, "settings"),
)


async def landing_page(request: Request) -> Response:
    """Where an anonymous visitor starts: log in with eID, or go to the staff login."""
    next_path = local_path(request.query_params.get("next"), "/")
    return pages(request).render(
        request,
        "participant/login.html",
        {
            "next": next_path,
            "ended": request.query_params.get("ended"),
            "logged_out": request.query_params.get("logged_out") == "1",
        },
    )


def routes() -> list[Route]:
    table = [Route("/login", landing_page)]
    for suffix, page, what in PAGES:
        anonymous = landing_page if suffix == "" else None
        table.extend(participant_page_routes(suffix, page, what, anonymous))
    return table
