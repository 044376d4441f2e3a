"""Participant pages, mounted for the participant and, read-only, for staff who may see them.

A page is one function of (request, view). `participant_page_routes` mounts it twice: at its
own path for the logged-in participant, and under /staff/participants/{id} for staff, where
the same templates render with a read-only banner and each opening is written to the
participant's access log. Other people's participants answer 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth.acting import participant_opened
from portal.auth.guards import current_participant, current_staff, login_redirect
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.staff.service import PARTICIPANT_TOOLS, READ, participant_tools
from portal.web.access import PARTICIPANT, PUBLIC, STAFF, Access, declare
from portal.web.i18n import gettext
from portal.web.templating import pages

STAFF_VIEW_PREFIX = "/staff/participants/{participant_id:int}"


@dataclass(frozen=True)
class ParticipantView:
    """Whose pages are shown, to whom, and where their links lead."""

    participant: Participant
    viewer: StaffUser | None = None
    tools: tuple[str, ...] = ()  # what the viewer may do besides looking (staff.service)

    @property
    def read_only(self) -> bool:
        return self.viewer is not None

    @property
    def base(self) -> str:
        return f"/staff/participants/{self.participant.id}" if self.viewer else ""

    def url(self, suffix: str) -> str:
        return self.base + suffix or "/"


Page = Callable[[Request, ParticipantView], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def render(
    request: Request,
    view: ParticipantView,
    name: str,
    status_code: int = 200,
    **context: object,
) -> Response:
    """A participant template; htmx gets its `page` block."""
    return pages(request).render(
        request,
        name,
        {
            "view": view,
            "participant": view.participant,
            "participant_tools": PARTICIPANT_TOOLS,
            "idle_seconds": None
            if view.read_only
            else request.app.state.settings.participant_idle_minutes * 60,
            **context,
        },
        status_code,
        block="page",
    )


def confirmation(
    request: Request,
    participant: Participant,
    heading: str,
    texts: list[str],
    yes: str,
    back: str,
) -> Response:
    """The page that asks before a permanent action: "yes" posts to this same address."""
    confirm = {
        "heading": heading,
        "texts": texts,
        "action": request.url.path,
        "yes": yes,
        "no": gettext("No, keep it"),
        "back": back,
    }
    return render(
        request, ParticipantView(participant), "participant/confirm.html", confirm=confirm
    )


def removal_confirmation(
    request: Request, participant: Participant, heading: str, back: str
) -> Response:
    """Asking before removing something of the participant's own (an entry, an experience)."""
    return confirmation(
        request,
        participant,
        heading,
        [gettext("It is removed for good; you can add it again later.")],
        gettext("Yes, remove it"),
        back,
    )


def as_participant(page: Page, anonymous: Endpoint | None = None) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        participant = await current_participant(request)
        if participant is None:
            if anonymous is not None:
                return await anonymous(request)
            return login_redirect(request, "/login")
        return await page(request, ParticipantView(participant))

    endpoint.__name__ = page.__name__
    # With a page for those not logged in, the address itself is public.
    return declare(endpoint, Access(PUBLIC if anonymous else PARTICIPANT))


def as_staff_viewer(page: Page, what: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return login_redirect(request, "/staff/login")
        participant = await participant_opened(request, staff, what)
        tools = tuple(participant_tools(staff.user, staff.roles))
        return await page(request, ParticipantView(participant, staff.user, tools))

    endpoint.__name__ = f"staff_view_{page.__name__}"
    return declare(endpoint, Access(STAFF, "view_participant", READ))


def participant_page_routes(
    suffix: str, page: Page, what: str, anonymous: Endpoint | None = None
) -> list[Route]:
    """The page for the participant at `suffix`, and read-only for staff under their prefix."""
    return [
        Route(suffix or "/", as_participant(page, anonymous)),
        Route(STAFF_VIEW_PREFIX + suffix, as_staff_viewer(page, what)),
    ]
