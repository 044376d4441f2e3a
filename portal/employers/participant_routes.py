"""The participant's side of the CV bank: the employers' contact requests, answered here, and
the log of the employers' searches that showed the CV and of their openings of it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.cv import bank
from portal.db import utcnow
from portal.employers import contact
from portal.employers.search import sightings_of
from portal.participants.models import Participant
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.web.forms import read_form
from portal.web.i18n import current_language, gettext
from portal.web.requests import database
from portal.web.templating import tell


async def employers_page(request: Request, view: ParticipantView) -> Response:
    participant_id = view.participant.id
    async with database(request).sessions() as db:
        requests = await contact.requests_to(db, participant_id)
        sightings = await sightings_of(db, participant_id, current_language.get())
        searchable = await bank.is_searchable(db, participant_id)
    now = utcnow()
    return render(
        request,
        view,
        "cv/employers.html",
        requests=[(r, name, contact.status_of(r, now)) for r, name in requests],
        sightings=sightings,
        searchable=searchable,
        details=contact.contact_details(view.participant),
        statuses=contact.STATUSES,
    )


async def answer_request(request: Request, participant: Participant) -> Response:
    form = await read_form(request, "share")
    decision = form.get("decision")
    if decision not in ("accept", "decline"):
        raise HTTPException(400)
    shared = form.get("share") or []
    choice = contact.Answer(decision == "accept", "email" in shared, "phone" in shared)
    try:
        async with database(request).transaction() as db:
            answered = await contact.answer(
                db, participant, request.path_params["request_id"], choice, utcnow()
            )
    except contact.Refused as refused:
        tell(request, refused.message)
        return RedirectResponse("/cv/employers#requests", status_code=303)
    if answered is None:
        raise HTTPException(404)
    if choice.accept:
        tell(request, gettext("You accepted. The employer can now see what you chose to share."))
    else:
        tell(request, gettext("You declined. The employer sees that you said no, nothing more."))
    return RedirectResponse("/cv/employers#requests", status_code=303)


def routes() -> list[Route]:
    return [
        *participant_page_routes("/cv/employers", employers_page, "cv"),
        Route(
            "/cv/employers/requests/{request_id:int}",
            participant_only(answer_request),
            methods=["POST"],
        ),
    ]
