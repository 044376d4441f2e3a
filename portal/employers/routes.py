"""The employers' pages: the landing page and login, the search of the CV bank, a job
seeker's CV (page and PDF) with the contact request, and the organisation's requests."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import EmployerIdentity, current_employer, employer_only
from portal.cv import bank
from portal.cv.pages import INDEXES, cv_labels
from portal.cv.service import EMPLOYMENT_FORMS
from portal.db import utcnow
from portal.employers import contact
from portal.employers.identity import format_organisation_number, pseudonym_label
from portal.employers.models import ContactRequest
from portal.employers.ranking import DEFAULT_DISTANCE, REASONS
from portal.employers.search import (
    DISTANCES,
    PAGE_SIZE,
    parse_criteria,
    participant_of,
    record_sightings,
    search,
)
from portal.notify.service import CONTACT_REQUEST, Links, notify_participant
from portal.occupations.search import MAX_RESULTS, Hit
from portal.occupations.service import labels_of
from portal.participants.models import Participant
from portal.web.access import public
from portal.web.forms import Errors, read_form
from portal.web.i18n import LANGUAGES, current_language
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.requests import country_of, database, today
from portal.web.templating import pages, tell

SEARCH_LABELS = {
    "area": _("Near a postcode or town"),
    "km": _("Within"),
    "hours": _("Hours per week"),
    "start": _("Start date"),
    "form": _("Form of employment"),
}
REQUEST_LABELS = {"job_title": _("The job"), "message": _("Your message")}


def render(
    request: Request, employer: EmployerIdentity, name: str, status: int = 200, **values: Any
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {
            "employer": employer,
            "organisation_number": format_organisation_number(
                country_of(request), employer.organisation.number
            ),
            "pseudonym_label": pseudonym_label,
            **values,
        },
        status,
    )


async def find_occupations(request: Request, query: str) -> list[Hit]:
    """Occupations by a label or synonym in any of the portal's languages (an employer may
    type "bager" in a Swedish session), shown with their labels in the page's language."""
    language = current_language.get()
    found = {hit.uri: hit for hit in await INDEXES.search(database(request), language, query)}
    others = [
        hit
        for other in LANGUAGES
        if other != language
        for hit in await INDEXES.search(database(request), other, query)
        if hit.uri not in found
    ]
    if others:
        async with database(request).sessions() as db:
            labels = await labels_of(db, [hit.uri for hit in others], language)
        for hit in others:
            if hit.uri not in found and hit.uri in labels:
                found[hit.uri] = Hit(hit.uri, labels[hit.uri], "", hit.matched or hit.label)
    return list(found.values())[:MAX_RESULTS]


async def landing(request: Request) -> Response:
    """Employers start here: what the CV bank is, and the login."""
    if await current_employer(request) is not None:
        return RedirectResponse("/employer/search", status_code=303)
    return pages(request).render(
        request,
        "employers/landing.html",
        {
            "next": request.query_params.get("next", "/employer/search"),
            "logged_out": request.query_params.get("logged_out") == "1",
            "ended": request.query_params.get("ended"),
        },
    )


async def search_page(request: Request, employer: EmployerIdentity) -> Response:
    params = request.query_params
    uri = params.get("uri", "")
    query = params.get("q", "").strip()[:100]
    language = current_language.get()
    values: dict[str, Any] = {
        "query": query,
        "hits": [],
        "max_results": MAX_RESULTS,
        "target": "/employer/search",
        "criteria_values": {**params, "km": params.get("km", str(DEFAULT_DISTANCE))},
        "km_options": [(str(km), f"{km} km") for km in DISTANCES],
        "country": country_of(request),
        "forms": EMPLOYMENT_FORMS,
        "labels": SEARCH_LABELS,
        "reasons": REASONS,
        "errors": {},
        "results": None,
        "page_size": PAGE_SIZE,
    }
    if not uri:
        if query:
            values["hits"] = await find_occupations(request, query)
        return render(request, employer, "employers/search.html", **values)
    async with database(request).sessions() as db:
        label = (await labels_of(db, [uri], language)).get(uri)
    if label is None:
        raise HTTPException(404)
    values.update(occupation_uri=uri, occupation_label=label)
    if "area" not in params:  # the occupation was just chosen: ask for the rest
        return render(request, employer, "employers/search.html", **values)
    criteria, errors = parse_criteria(params, country_of(request), today(request))
    if criteria is None:
        values["errors"] = errors
        return render(request, employer, "employers/search.html", 400, **values)
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    settings = request.app.state.settings
    results = await search(
        database(request), employer.organisation, criteria, label, page, settings.secret_key
    )
    values.update(results=results, query_values=criteria.query(params.get("area", "")))
    return render(request, employer, "employers/search.html", **values)


async def suggestions(request: Request, employer: EmployerIdentity) -> Response:
    """The occupations matching what the employer types, as the combobox's options (htmx)."""
    query = request.query_params.get("q", "").strip()[:100]
    hits = await find_occupations(request, query) if query else []
    return pages(request).render(
        request,
        "cv/_results.html",
        {
            "hits": hits,
            "query": query,
            "max_results": MAX_RESULTS,
            "listbox": True,
            "target": "/employer/search",
        },
        block="results",
    )


async def _candidate(
    request: Request, employer: EmployerIdentity
) -> tuple[str, int, list[tuple[ContactRequest, str]], dict[str, Any]]:
    """The job seeker behind the pseudonym in the address, if the organisation may read
    their CV: it is still searchable, or they accepted the organisation's request."""
    name = str(request.path_params["pseudonym"])
    async with database(request).sessions() as db:
        participant_id = await participant_of(db, employer.organisation.id, name)
        if participant_id is None:
            raise HTTPException(404)
        earlier = await contact.requests_between(db, employer.organisation.id, participant_id)
        accepted = next((r for r in earlier if r.status == "accepted"), None)
        if accepted is None and not await bank.is_searchable(db, participant_id):
            raise HTTPException(404)
        cv = await bank.public_cv(db, participant_id, current_language.get(), country_of(request))
    return (
        name,
        participant_id,
        [(r, contact.status_of(r, utcnow())) for r in earlier],
        {
            **cv,
            "accepted": accepted,
        },
    )


async def candidate_page(request: Request, employer: EmployerIdentity) -> Response:
    name, participant_id, earlier, cv = await _candidate(request, employer)
    if request.method == "POST":
        return await send_request(request, employer, name, participant_id, earlier, cv)
    async with database(request).transaction() as db:
        await record_sightings(db, employer.organisation, [participant_id], "open")
    may_ask = contact.may_ask_again([r for r, _ in earlier], utcnow())
    return candidate_response(request, employer, name, earlier, cv, may_ask=may_ask)


def candidate_response(
    request: Request,
    employer: EmployerIdentity,
    name: str,
    earlier: list[tuple[ContactRequest, str]],
    cv: dict[str, Any],
    status: int = 200,
    may_ask: bool = True,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
) -> Response:
    """The job seeker's CV with the organisation's requests and the form for a new one."""
    return render(
        request,
        employer,
        "employers/candidate.html",
        status,
        pseudonym=name,
        earlier=earlier,
        may_ask=may_ask,
        values=values or {},
        errors=errors or {},
        request_labels=REQUEST_LABELS,
        statuses=contact.STATUSES,
        **cv,
        **cv_labels(),
    )


async def send_request(
    request: Request,
    employer: EmployerIdentity,
    name: str,
    participant_id: int,
    earlier: list[tuple[ContactRequest, str]],
    cv: dict[str, Any],
) -> Response:
    form = await read_form(request)
    data, errors = contact.parse_request(form)

    def again(status: int, errors: Errors) -> Response:
        return candidate_response(
            request, employer, name, earlier, cv, status, values=form, errors=errors
        )

    if data is None:
        return again(400, errors)
    settings = request.app.state.settings
    labels = cv["sought_labels"]
    occupation = ", ".join(labels.get(i.occupation_uri, i.label) for i in cv["sought"])
    try:
        async with database(request).transaction() as db:
            await contact.send(
                db,
                employer.organisation,
                employer.user,
                participant_id,
                data,
                occupation,
                settings.employer_requests_per_day,
                utcnow(),
            )
            participant = await db.get(Participant, participant_id)
            if participant is not None:
                await notify_participant(db, participant, CONTACT_REQUEST, Links.of(settings))
    except contact.Refused as refused:
        return again(409, {"message": refused.message})
    tell(
        request,
        str(_("Your request is sent. You will see the answer here and under Contact requests.")),
    )
    return RedirectResponse(f"/employer/candidates/{name}#contact", status_code=303)


async def candidate_pdf(request: Request, employer: EmployerIdentity) -> Response:
    name, participant_id, _earlier, cv = await _candidate(request, employer)
    async with database(request).transaction() as db:
        await record_sightings(db, employer.organisation, [participant_id], "open")
    return await pdf_response(
        request,
        "employers/candidate_pdf.html",
        {
            "pseudonym": name,
            "pseudonym_label": pseudonym_label,
            "printed_at": utcnow(),
            "organisation": employer.organisation,
            **cv,
            **cv_labels(),
        },
        filename=f"cv-{name}.pdf",
    )


async def requests_page(request: Request, employer: EmployerIdentity) -> Response:
    async with database(request).sessions() as db:
        found = await contact.requests_of_organisation(db, employer.organisation.id)
    now = utcnow()
    return render(
        request,
        employer,
        "employers/requests.html",
        requests=[(r, name, contact.status_of(r, now)) for r, name in found],
        statuses=contact.STATUSES,
    )


def routes() -> list[Route]:
    return [
        Route("/employer/", public(landing)),
        Route("/employer/search", employer_only(search_page)),
        Route("/employer/occupations/suggest", employer_only(suggestions)),
        Route("/employer/requests", employer_only(requests_page)),
        Route(
            "/employer/candidates/{pseudonym:str}",
            employer_only(candidate_page),
            methods=["GET", "POST"],
        ),
        Route("/employer/candidates/{pseudonym:str}/cv.pdf", employer_only(candidate_pdf)),
    ]
