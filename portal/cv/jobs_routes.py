"""\"I am looking for a job as\" over HTTP (also read-only for staff), and the occupation search,
as a page without JavaScript and as htmx suggestions while typing."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.cv import page_reads, service
from portal.cv.pages import LABELS, choices, search
from portal.cv.service import CvError
from portal.occupations.search import MAX_RESULTS
from portal.occupations.service import labels_of
from portal.participants.models import Participant
from portal.participants.pages import (
    ParticipantView,
    confirmation,
    participant_page_routes,
    render,
)
from portal.web.forms import Errors, read_form
from portal.web.i18n import current_language, gettext
from portal.web.requests import database, today
from portal.web.templating import pages, tell


async def jobs_page(request: Request, view: ParticipantView) -> Response:
    items, labels = await page_reads.sought_page(
        database(request), view.participant.id, current_language.get()
    )
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


async def suggestions(request: Request, participant: Participant) -> Response:
    """The htmx answer while typing: the list of matches (same markup as the page's)."""
    query = request.query_params.get("q", "")[:100]
    hits = await search(request, query) if query.strip() else []
    return pages(request).render(
        request,
        "cv/_results.html",
        {"hits": hits, "query": query, "listbox": True, "max_results": MAX_RESULTS},
        block="results",
    )


async def new_job(request: Request, participant: Participant) -> Response:
    """Find an occupation (q), then give the details of the one chosen (uri), then save."""
    view = ParticipantView(participant)
    if request.method == "POST":
        form = await read_form(request)
        uri = form.get("uri", "")
    else:
        form = {}
        uri = request.query_params.get("uri", "")
    if not uri:
        query = request.query_params.get("q", "")[:100]
        hits = await search(request, query) if query.strip() else []
        return render(
            request, view, "cv/find.html", hits=hits, query=query, max_results=MAX_RESULTS
        )
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


async def edit_job(request: Request, participant: Participant) -> Response:
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
    form = await read_form(request)
    data, errors = service.parse_sought(form, today(request))
    if data is None:
        return details_page(
            request, view, label, item.occupation_uri, form, errors, 400, item_id=item.id
        )
    async with database(request).transaction() as db:
        current = await service.find_sought(db, participant.id, item.id)
        if current is None:
            raise HTTPException(404)
        service.apply(current, data)
    return RedirectResponse("/cv/jobs?saved=changed", status_code=303)


async def remove_job(request: Request, participant: Participant) -> Response:
    """Asks first, then removes the occupation from those the participant looks for."""
    async with database(request).sessions() as db:
        found = await service.find_sought(db, participant.id, request.path_params["item_id"])
        if found is None:
            raise HTTPException(404)
        label = (await labels_of(db, [found.occupation_uri], current_language.get())).get(
            found.occupation_uri, found.occupation_uri
        )
    if request.method == "GET":
        return confirmation(
            request,
            participant,
            gettext("Stop looking for a job as “%(occupation)s”?", occupation=label),
            [gettext("The occupation is removed from your list; you can add it again later.")],
            gettext("Yes, remove it"),
            "/cv/jobs",
        )
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
    tell(request, gettext("Removed: “%(occupation)s”.", occupation=label))
    return RedirectResponse("/cv/jobs", status_code=303)


def routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
        *participant_page_routes("/cv/jobs", jobs_page, "cv"),
        Route("/cv/jobs/new", participant_only(new_job), methods=both),
        Route("/cv/jobs/{item_id:int}", participant_only(edit_job), methods=both),
        Route("/cv/jobs/{item_id:int}/remove", participant_only(remove_job), methods=both),
        Route("/cv/occupations/suggest", participant_only(suggestions)),
    ]
