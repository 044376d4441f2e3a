"""CV pages: the CV overview and "I am looking for a job as" (also read-only for staff), and
the occupation search, as a page without JavaScript and as htmx suggestions while typing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import current_participant, database, login_redirect, today
from portal.auth.pages import ParticipantView, participant_page_routes, render
from portal.cv import service
from portal.cv.service import CONDITIONS, EMPLOYMENT_FORMS, CvError
from portal.occupations.search import Hit
from portal.occupations.service import Indexes, labels_of
from portal.participants.models import Participant
from portal.web.forms import Errors
from portal.web.i18n import current_language
from portal.web.i18n import lazy_gettext as _
from portal.web.templating import pages

LABELS = {
    "trained": _("Are you trained in it?"),
    "experienced": _("Do you have experience in it?"),
    "hours_per_week": _("Hours per week you want to work"),
    "start": _("When can you start?"),
    "earliest_start": _("Earliest start date"),
    "employment_form": _("Form of employment"),
    "conditions": _("Employment conditions"),
}
INDEXES = Indexes()


async def cv_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        items = await service.sought(db, view.participant.id)
    return render(request, view, "participant/cv.html", sought_count=len(items))


async def jobs_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        items = await service.sought(db, view.participant.id)
        labels = await labels_of(db, [i.occupation_uri for i in items], current_language.get())
    return render(
        request,
        view,
        "cv/jobs.html",
        items=items,
        labels=labels,
        saved=request.query_params.get("saved"),
        refusal=None,
        **choices(),
    )


def choices() -> dict[str, Any]:
    return {
        "employment_forms": EMPLOYMENT_FORMS,
        "conditions": CONDITIONS,
        "is_full_time": service.is_full_time,
    }


async def search(request: Request, query: str) -> list[Hit]:
    return await INDEXES.search(database(request), current_language.get(), query)


async def suggestions(request: Request) -> Response:
    """The htmx answer while typing: the list of matches (same markup as the page's)."""
    if await current_participant(request) is None:
        return login_redirect(request, "/login")
    query = request.query_params.get("q", "")[:100]
    hits = await search(request, query) if query.strip() else []
    return pages(request).render(
        request, "cv/_results.html", {"hits": hits, "query": query}, block="results"
    )


async def participant_or_redirect(request: Request) -> Participant | Response:
    participant = await current_participant(request)
    return login_redirect(request, "/login") if participant is None else participant


async def new_job(request: Request) -> Response:
    """Find an occupation (q), then give the details of the one chosen (uri), then save."""
    participant = await participant_or_redirect(request)
    if isinstance(participant, Response):
        return participant
    view = ParticipantView(participant)
    if request.method == "POST":
        async with request.form() as raw:
            form = {k: str(v) for k, v in raw.items()}
        uri = form.get("uri", "")
    else:
        form = {}
        uri = request.query_params.get("uri", "")
    if not uri:
        query = request.query_params.get("q", "")[:100]
        hits = await search(request, query) if query.strip() else []
        return render(request, view, "cv/find.html", hits=hits, query=query)
    async with database(request).sessions() as db:
        label = (await labels_of(db, [uri], current_language.get())).get(uri)
    if label is None:
        raise HTTPException(404)
    if request.method == "GET":
        defaults = {"start": "now", "employment_form": "permanent", "conditions": "ordinary"}
        return details_page(request, view, label, uri, defaults, {})
    data, errors = service.parse_sought(form, today(request))
    if data is None:
        return details_page(request, view, label, uri, form, errors, 400)
    try:
        async with database(request).transaction() as db:
            await service.add_sought(db, participant.id, uri, label, data)
    except CvError as refusal:
        return details_page(request, view, label, uri, form, {}, 409, refusal.message)
    except IntegrityError:
        pass  # the same occupation added twice at once: it is there once
    return RedirectResponse("/cv/jobs?saved=added", status_code=303)


def details_page(
    request: Request,
    view: ParticipantView,
    label: str,
    uri: str,
    values: dict[str, str],
    errors: Errors,
    status_code: int = 200,
    refusal: str | None = None,
    item_id: int | None = None,
) -> Response:
    return render(
        request,
        view,
        "cv/job_form.html",
        status_code,
        label=label,
        uri=uri,
        values=values,
        errors=errors,
        labels={k: str(v) for k, v in LABELS.items()},
        refusal=refusal,
        item_id=item_id,
        **choices(),
    )


async def edit_job(request: Request) -> Response:
    participant = await participant_or_redirect(request)
    if isinstance(participant, Response):
        return participant
    view = ParticipantView(participant)
    async with database(request).sessions() as db:
        item = await service.find_sought(db, participant.id, request.path_params["item_id"])
        if item is None:
            raise HTTPException(404)
        label = (await labels_of(db, [item.occupation_uri], current_language.get())).get(
            item.occupation_uri, item.label
        )
    if request.method == "GET":
        values = {
            "trained": "yes" if item.trained else "no",
            "experienced": "yes" if item.experienced else "no",
            "hours_per_week": f"{item.hours_per_week.normalize():f}",
            "start": "date" if item.earliest_start else "now",
            "earliest_start": item.earliest_start.isoformat() if item.earliest_start else "",
            "employment_form": item.employment_form,
            "conditions": item.conditions,
        }
        return details_page(request, view, label, item.occupation_uri, values, {}, item_id=item.id)
    async with request.form() as raw:
        form = {k: str(v) for k, v in raw.items()}
    data, errors = service.parse_sought(form, today(request))
    if data is None:
        return details_page(
            request, view, label, item.occupation_uri, form, errors, 400, item_id=item.id
        )
    async with database(request).transaction() as db:
        current = await service.find_sought(db, participant.id, item.id)
        if current is None:
            raise HTTPException(404)
        service.update_sought(current, data)
    return RedirectResponse("/cv/jobs?saved=changed", status_code=303)


async def remove_job(request: Request) -> Response:
    participant = await participant_or_redirect(request)
    if isinstance(participant, Response):
        return participant
    try:
        async with database(request).transaction() as db:
            item = await service.find_sought(db, participant.id, request.path_params["item_id"])
            if item is None:
                raise HTTPException(404)
            await service.remove_sought(db, participant.id, item)
    except CvError as refusal:
        async with database(request).sessions() as db:
            items = await service.sought(db, participant.id)
            labels = await labels_of(db, [i.occupation_uri for i in items], current_language.get())
        return render(
            request,
            ParticipantView(participant),
            "cv/jobs.html",
            409,
            items=items,
            labels=labels,
            saved=None,
            refusal=refusal.message,
            **choices(),
        )
    return RedirectResponse("/cv/jobs?saved=removed", status_code=303)


def routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
        *participant_page_routes("/cv", cv_page, "cv"),
        *participant_page_routes("/cv/jobs", jobs_page, "cv"),
        Route("/cv/jobs/new", new_job, methods=both),
        Route("/cv/jobs/{item_id:int}", edit_job, methods=both),
        Route("/cv/jobs/{item_id:int}/remove", remove_job, methods=["POST"]),
        Route("/cv/occupations/suggest", suggestions),
    ]
