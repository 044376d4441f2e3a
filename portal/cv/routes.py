"""My CV over HTTP (also read-only for staff): the overview, work, education and language
entries, the profile, and the export of all CV data as JSON and PDF. "I am looking for a job
as" is in `jobs_routes`, the presentation CV and its sharing in `presentation_routes`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.areas import format_postcode
from portal.auth.guards import participant_only
from portal.cv import bank, export, mycv, page_reads, service
from portal.cv.pages import choices, cv_labels, presentation_labels, search
from portal.db import utcnow
from portal.occupations.search import Hit
from portal.occupations.service import labels_of
from portal.participants.models import Participant
from portal.participants.pages import (
    ParticipantView,
    participant_page_routes,
    removal_confirmation,
    render,
)
from portal.web.forms import Errors, new_form_token, once_per_token, read_form
from portal.web.i18n import current_language, gettext, upper_first
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.requests import country_of, database, today
from portal.web.templating import tell


async def cv_page(request: Request, view: ParticipantView) -> Response:
    page = await page_reads.cv_page(
        database(request), view.participant.id, current_language.get(), utcnow()
    )
    return render(
        request,
        view,
        "cv/my_cv.html",
        sightings=page.sightings,
        waiting_requests=page.waiting_requests,
        area=bank.area_of(page.profile, country_of(request)),
        country=country_of(request),
        occupations=page.occupations,
        sought_count=page.sought_count,
        entries_by_kind={
            kind: [entry for entry in page.entries if entry.kind == kind] for kind in mycv.KINDS
        },
        profile=page.profile,
        missing=mycv.missing_sections(page.entries),
        saved=request.query_params.get("saved"),
        **cv_labels(),
    )


ENTRY_LABELS = {
    "organisation": _("School or organiser"),
    "title": _("Name of the education, course or certification"),
    "level": _("Level"),
    "start_month": _("From (month)"),
    "end_month": _("To (month)"),
    "ongoing": _("Still going on"),
    "description": _("Tasks and what you learned"),
}
WORK_LABELS = {
    **ENTRY_LABELS,
    "organisation": _("Employer"),
    "title": _("Job title"),
    "description": _("Tasks"),
}
LANGUAGE_LABELS = {"title": _("Language"), "level": _("How well you know it")}


def entry_labels(kind: str) -> dict[str, str]:
    chosen = {"work": WORK_LABELS, "language": LANGUAGE_LABELS}.get(kind, ENTRY_LABELS)
    return {name: str(label) for name, label in chosen.items()}


def entry_values(entry: Any) -> dict[str, str]:
    def month(value: Any) -> str:
        return value.strftime("%Y-%m") if value else ""

    return {
        "organisation": entry.organisation,
        "title": entry.title,
        "level": entry.level,
        "start_month": month(entry.start_month),
        "end_month": month(entry.end_month),
        "ongoing": "yes" if entry.ongoing else "",
        "description": entry.description,
        "occupation_uri": entry.occupation_uri or "",
    }


def entry_page(
    request: Request,
    participant: Participant,
    kind: str,
    values: dict[str, str],
    errors: Errors,
    status_code: int = 200,
    entry_id: int | None = None,
    hits: Sequence[Hit] = (),
    occupation_label: str | None = None,
) -> Response:
    return render(
        request,
        ParticipantView(participant),
        "cv/entry_form.html",
        status_code,
        kind=kind,
        hits=hits,
        occupation_label=occupation_label,
        values=values,
        errors=errors,
        labels=entry_labels(kind),
        entry_id=entry_id,
        limits=mycv.LIMITS,
        **cv_labels(),
    )


async def occupation_step(
    request: Request,
    participant: Participant,
    kind: str,
    form: dict[str, str],
    entry_id: int | None,
) -> tuple[Response | None, str | None]:
    """A job may name an occupation from the list: "find" searches (keeping what was typed),
    a chosen one is checked and, when no own title is given, becomes the title."""
    uri = form.get("occupation_uri", "") if kind == "work" else ""
    label = None
    if uri:
        async with database(request).sessions() as db:
            label = (await labels_of(db, [uri], current_language.get())).get(uri)
        if label is None:
            form["occupation_uri"] = ""
            errors = {"occupation_q": gettext("Choose an occupation from the list.")}
            return entry_page(request, participant, kind, form, errors, 400, entry_id), None
        if not form.get("title", "").strip():
            form["title"] = upper_first(label)
    query = form.get("occupation_q", "")[:100]
    # "Find" is the form's first button, so Enter in any field presses it: with nothing to
    # find, it saves.
    if kind == "work" and form.get("action") == "find" and query.strip():
        hits = await search(request, query)
        page = entry_page(
            request, participant, kind, form, {}, 200, entry_id, hits, occupation_label=label
        )
        return page, None
    return None, uri or None


async def new_entry(request: Request, participant: Participant) -> Response:
    kind = request.query_params.get("kind", "")
    if kind not in mycv.KINDS:
        raise HTTPException(404)
    if request.method == "GET":
        return entry_page(request, participant, kind, {"form_token": new_form_token()}, {})
    form = await read_form(request)
    page, uri = await occupation_step(request, participant, kind, form, None)
    if page is not None:
        return page
    data, errors = mycv.parse_entry(kind, form, today(request), uri)
    if data is None:
        return entry_page(request, participant, kind, form, errors, 400)

    async def write(db: AsyncSession) -> None:
        await mycv.add_entry(db, participant.id, kind, data)

    # A double click (the same form twice) adds the entry once.
    await once_per_token(database(request), form.get("form_token", ""), write)
    return RedirectResponse(f"/cv?saved={kind}#{kind}", status_code=303)


async def edit_entry(request: Request, participant: Participant) -> Response:
    entry_id = request.path_params["entry_id"]
    async with database(request).sessions() as db:
        entry = await mycv.find_entry(db, participant.id, entry_id)
    if entry is None:
        raise HTTPException(404)
    if request.method == "GET":
        return entry_page(request, participant, entry.kind, entry_values(entry), {}, 200, entry_id)
    form = await read_form(request)
    page, uri = await occupation_step(request, participant, entry.kind, form, entry_id)
    if page is not None:
        return page
    data, errors = mycv.parse_entry(entry.kind, form, today(request), uri)
    if data is None:
        return entry_page(request, participant, entry.kind, form, errors, 400, entry_id)
    async with database(request).transaction() as db:
        current = await mycv.find_entry(db, participant.id, entry_id)
        if current is None:
            raise HTTPException(404)
        service.apply(current, data)
    return RedirectResponse(f"/cv?saved={entry.kind}#{entry.kind}", status_code=303)


async def entry_action(request: Request, participant: Participant) -> Response:
    """Remove an entry (asked first), or move it up or down in its section."""
    if request.method == "GET":
        async with database(request).sessions() as db:
            found = await mycv.find_entry(db, participant.id, request.path_params["entry_id"])
        if found is None or request.path_params["action"] != "remove":
            raise HTTPException(404)
        return removal_confirmation(
            request,
            participant,
            gettext("Remove “%(title)s” from your CV?", title=found.title),
            f"/cv#{found.kind}",
        )
    form = await read_form(request)
    async with database(request).transaction() as db:
        entry = await mycv.find_entry(db, participant.id, request.path_params["entry_id"])
        if entry is None:
            raise HTTPException(404)
        kind = entry.kind
        action = request.path_params["action"]
        if action == "remove":
            await db.delete(entry)
            tell(request, gettext("Removed: “%(title)s”.", title=entry.title))
        elif action == "move":
            await mycv.move_entry(db, participant.id, entry, -1 if form.get("to") == "up" else 1)
        else:
            raise HTTPException(404)
    if action == "remove":  # the page says what was removed
        return RedirectResponse(f"/cv#{kind}", status_code=303)
    return RedirectResponse(f"/cv?saved={action}#{kind}", status_code=303)


async def profile_form(request: Request, participant: Participant) -> Response:
    view = ParticipantView(participant)
    if request.method == "GET":
        async with database(request).sessions() as db:
            profile = await mycv.profile_of(db, participant.id)
        values: dict[str, Any] = {
            "profile": profile.profile if profile else "",
            "it_skills": profile.it_skills if profile else "",
            "other_competences": profile.other_competences if profile else "",
            "searchable": "yes" if profile and profile.searchable else "",
            "work_postcode": format_postcode(profile.work_postcode, country_of(request))
            if profile and profile.work_postcode
            else "",
        }
        licences = profile.driving_licences.split(",") if profile else []
        return render(
            request,
            view,
            "cv/profile_form.html",
            values=values,
            errors={},
            licences=licences,
            **cv_labels(),
        )
    form = await read_form(request, "driving_licences")
    licences = form.pop("driving_licences")
    data, errors = mycv.parse_profile(form, licences, country_of(request))
    if data is None:
        return render(
            request,
            view,
            "cv/profile_form.html",
            400,
            values=form,
            errors=errors,
            licences=licences,
            **cv_labels(),
        )
    async with database(request).transaction() as db:
        await mycv.save_profile(db, participant.id, data)
    return RedirectResponse("/cv?saved=profile#profile", status_code=303)


# ---------------------------------------------------------------- export of all CV data


async def cv_data_of(request: Request, participant: Participant) -> dict[str, Any]:
    async with database(request).sessions() as db:
        return await export.cv_data(db, participant, current_language.get())


async def export_json(request: Request, view: ParticipantView) -> Response:
    body = export.resume_json(await cv_data_of(request, view.participant))
    return JSONResponse(body, headers={"Content-Disposition": 'attachment; filename="my-cv.json"'})


async def export_pdf(request: Request, view: ParticipantView) -> Response:
    data = await cv_data_of(request, view.participant)
    return await pdf_response(
        request,
        "cv/export_pdf.html",
        {**data, "printed_at": utcnow(), **cv_labels(), **presentation_labels(), **choices()},
        filename="my-cv.pdf",
    )


def routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
        *participant_page_routes("/cv", cv_page, "cv"),
        Route("/cv/entries/new", participant_only(new_entry), methods=both),
        Route("/cv/entries/{entry_id:int}", participant_only(edit_entry), methods=both),
        Route(
            "/cv/entries/{entry_id:int}/{action:str}",
            participant_only(entry_action),
            methods=both,
        ),
        Route("/cv/profile", participant_only(profile_form), methods=both),
        *participant_page_routes("/cv/export.json", export_json, "cv"),
        *participant_page_routes("/cv/export.pdf", export_pdf, "cv"),
    ]
