"""The participant's pages, served to the participant and, read-only, to staff who may see them.

Each page is one function of (request, view). It is mounted twice: at its own path for the
logged-in participant, and under /staff/participants/{id} for staff, where the same templates
render with a read-only banner and every opening is written to the participant's access log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.audit.service import WHAT_LABELS, access_log_of, record_access
from portal.auth.guards import current_participant, current_staff, database, login_redirect
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.staff.service import visible_participant
from portal.web.security import local_path
from portal.web.templating import pages


@dataclass(frozen=True)
class ParticipantView:
    """Whose pages are shown, to whom, and where their links lead."""

    participant: Participant
    viewer: StaffUser | None = None

    @property
    def read_only(self) -> bool:
        return self.viewer is not None

    @property
    def base(self) -> str:
        return f"/staff/participants/{self.participant.id}" if self.viewer else ""

    def url(self, suffix: str) -> str:
        return self.base + suffix or "/"


Page = Callable[[Request, ParticipantView], Awaitable[Response]]


def render(
    request: Request,
    view: ParticipantView,
    name: str,
    status_code: int = 200,
    **context: object,
) -> Response:
    return pages(request).render(
        request,
        name,
        {
            "view": view,
            "participant": view.participant,
            "idle_seconds": None
            if view.read_only
            else request.app.state.settings.participant_idle_minutes * 60,
            **context,
        },
        status_code,
        block="page",
    )


async def start_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/start.html")


async def plan_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "participant/plan.html")


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
    ("/plan", plan_page, "plan"),
    ("/hours", hours_page, "hours"),
    ("/meetings", meetings_page, "meetings"),
    ("/cv", cv_page, "cv"),
    ("/access-log", access_log_page, "access-log"),
    ("/settings", settings_page, "settings"),
)


def as_participant(page: Page) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        participant = await current_participant(request)
        if participant is None:
            if request.url.path == "/":
                return await landing_page(request)
            return login_redirect(request, "/login")
        return await page(request, ParticipantView(participant))

    endpoint.__name__ = page.__name__
    return endpoint


def as_staff_viewer(page: Page, what: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return login_redirect(request, "/staff/login")
        async with database(request).transaction() as db:
            participant = await visible_participant(
                db, staff.user, staff.roles, request.path_params["participant_id"]
            )
            if participant is None:
                raise HTTPException(404)
            await record_access(db, participant, staff.user, what)
        return await page(request, ParticipantView(participant, viewer=staff.user))

    endpoint.__name__ = f"staff_view_{page.__name__}"
    return endpoint


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
        table.append(Route(suffix or "/", as_participant(page)))
        table.append(
            Route(
                f"/staff/participants/{{participant_id:int}}{suffix}", as_staff_viewer(page, what)
            )
        )
    return table
