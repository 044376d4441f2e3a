"""CV pages: the CV overview and "I am looking for a job as" (also read-only for staff), and
the occupation search, as a page without JavaScript and as htmx suggestions while typing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.auth.pages import ParticipantView, participant_page_routes, render
from portal.cv import mycv, presentation, service
from portal.cv.models import PresentationExperience
from portal.cv.service import CONDITIONS, EMPLOYMENT_FORMS, CvError
from portal.db import utcnow
from portal.occupations.search import MAX_RESULTS, Hit
from portal.occupations.service import Indexes, labels_of
from portal.participants.models import Participant
from portal.web.forms import Errors, claim_form_token, new_form_token
from portal.web.i18n import current_language, gettext, upper_first
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.requests import database, today
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
        entries = await mycv.entries(db, view.participant.id)
        profile = await mycv.profile_of(db, view.participant.id)
        occupations = await labels_of(
            db, [e.occupation_uri for e in entries if e.occupation_uri], current_language.get()
        )
    return render(
        request,
        view,
        "cv/my_cv.html",
        occupations=occupations,
        sought_count=len(items),
        entries=entries,
        profile=profile,
        missing=mycv.missing_sections(entries),
        saved=request.query_params.get("saved"),
        **cv_labels(),
    )


def cv_labels() -> dict[str, Any]:
    return {
        "kinds": mycv.KINDS,
        "education_levels": mycv.EDUCATION_LEVELS,
        "language_levels": mycv.LANGUAGE_LEVELS,
        "driving_licences": mycv.DRIVING_LICENCES,
    }


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


async def form_dict(request: Request) -> dict[str, str]:
    async with request.form() as raw:
        return {k: str(v) for k, v in raw.items()}


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
        return entry_page(request, participant, kind, {}, {})
    form = await form_dict(request)
    page, uri = await occupation_step(request, participant, kind, form, None)
    if page is not None:
        return page
    data, errors = mycv.parse_entry(kind, form, today(request), uri)
    if data is None:
        return entry_page(request, participant, kind, form, errors, 400)
    async with database(request).transaction() as db:
        await mycv.add_entry(db, participant.id, kind, data)
    return RedirectResponse(f"/cv?saved={kind}#{kind}", status_code=303)


async def edit_entry(request: Request, participant: Participant) -> Response:
    entry_id = request.path_params["entry_id"]
    async with database(request).sessions() as db:
        entry = await mycv.find_entry(db, participant.id, entry_id)
    if entry is None:
        raise HTTPException(404)
    if request.method == "GET":
        return entry_page(request, participant, entry.kind, entry_values(entry), {}, 200, entry_id)
    form = await form_dict(request)
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
    """Remove an entry, or move it up or down in its section."""
    form = await form_dict(request)
    async with database(request).transaction() as db:
        entry = await mycv.find_entry(db, participant.id, request.path_params["entry_id"])
        if entry is None:
            raise HTTPException(404)
        kind = entry.kind
        action = request.path_params["action"]
        if action == "remove":
            await db.delete(entry)
        elif action == "move":
            await mycv.move_entry(db, participant.id, entry, -1 if form.get("to") == "up" else 1)
        else:
            raise HTTPException(404)
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
    async with request.form() as raw:
        form = {k: str(v) for k, v in raw.items() if k != "driving_licences"}
        licences = [str(v) for v in raw.getlist("driving_licences")]
    data, errors = mycv.parse_profile(form, licences)
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
        async with request.form() as raw:
            form = {k: str(v) for k, v in raw.items()}
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
        service.apply(current, data)
    return RedirectResponse("/cv/jobs?saved=changed", status_code=303)


async def remove_job(request: Request, participant: Participant) -> Response:
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


# ---------------------------------------------------------------- presentation CV


async def presentation_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        texts = await presentation.texts_of(db, view.participant.id)
        items = await presentation.experiences(db, view.participant.id)
        shares = await presentation.shares_with_views(db, view.participant.id)
    return render(
        request,
        view,
        "cv/presentation.html",
        texts=texts,
        items=items,
        shares=shares,
        now=utcnow(),
        saved=request.query_params.get("saved"),
        share_values={"days": str(presentation.DEFAULT_DAYS), "form_token": new_form_token()},
        share_errors={},
        new_link=None,
        **presentation_labels(),
    )


def presentation_labels() -> dict[str, Any]:
    return {
        "experience_kinds": presentation.EXPERIENCE_KINDS,
        "verdicts": presentation.VERDICTS,
        "share_state": presentation.share_state,
        "max_days": presentation.MAX_DAYS,
    }


TEXT_LABELS = {
    "about_me": _("About me"),
    "job_functions": _("Job functions I can do"),
    "competences": _("Informal competences and resources"),
}
EXPERIENCE_LABELS = {
    "kind": _("Kind of experience"),
    "place": _("Where"),
    "tasks": _("Tasks"),
    "verdict": _("How was it?"),
    "why": _("What made it so"),
}


async def presentation_texts(request: Request, participant: Participant) -> Response:
    view = ParticipantView(participant)
    labels = {k: str(v) for k, v in TEXT_LABELS.items()}
    if request.method == "GET":
        async with database(request).sessions() as db:
            texts = await presentation.texts_of(db, participant.id)
        values = {name: getattr(texts, name) if texts else "" for name in TEXT_LABELS}
        return render(
            request, view, "cv/presentation_texts.html", values=values, errors={}, labels=labels
        )
    form = await form_dict(request)
    data, errors = presentation.parse_texts(form)
    if data is None:
        return render(
            request,
            view,
            "cv/presentation_texts.html",
            400,
            values=form,
            errors=errors,
            labels=labels,
        )
    async with database(request).transaction() as db:
        await presentation.save_texts(db, participant.id, data)
    return RedirectResponse("/cv/presentation?saved=texts", status_code=303)


async def experience_form(request: Request, participant: Participant) -> Response:
    view = ParticipantView(participant)
    experience_id = request.path_params.get("experience_id")
    labels = {k: str(v) for k, v in EXPERIENCE_LABELS.items()}
    async with database(request).sessions() as db:
        item = (
            await presentation.find_experience(db, participant.id, experience_id)
            if experience_id
            else None
        )
    if experience_id and item is None:
        raise HTTPException(404)
    context = {"labels": labels, "item": item, **presentation_labels()}
    if request.method == "GET":
        values = {name: getattr(item, name) for name in EXPERIENCE_LABELS} if item else {}
        return render(request, view, "cv/experience_form.html", values=values, errors={}, **context)
    form = await form_dict(request)
    data, errors = presentation.parse_experience(form)
    if data is None:
        return render(
            request, view, "cv/experience_form.html", 400, values=form, errors=errors, **context
        )
    async with database(request).transaction() as db:
        if item is None:
            item = PresentationExperience(participant_id=participant.id)
            db.add(item)
        else:
            item = await presentation.find_experience(db, participant.id, item.id)
            if item is None:
                raise HTTPException(404)
        service.apply(item, data)
    return RedirectResponse("/cv/presentation?saved=experience#experiences", status_code=303)


async def remove_experience(request: Request, participant: Participant) -> Response:
    async with database(request).transaction() as db:
        item = await presentation.find_experience(
            db, participant.id, request.path_params["experience_id"]
        )
        if item is None:
            raise HTTPException(404)
        await db.delete(item)
    return RedirectResponse("/cv/presentation?saved=removed#experiences", status_code=303)


async def presentation_pdf(request: Request, view: ParticipantView) -> Response:
    """The presentation CV as a tagged PDF, for the participant and their caseworker."""
    return await presentation_pdf_of(request, view.participant)


async def presentation_pdf_of(request: Request, participant: Participant) -> Response:
    async with database(request).sessions() as db:
        texts = await presentation.texts_of(db, participant.id)
        items = await presentation.experiences(db, participant.id)
    return await pdf_response(
        request,
        "cv/presentation_pdf.html",
        {
            "participant": participant,
            "texts": texts,
            "items": items,
            "printed_at": utcnow(),
            **presentation_labels(),
        },
        filename="presentation-cv.pdf",
    )


async def create_share(request: Request, participant: Participant) -> Response:
    form = await form_dict(request)
    data, errors = presentation.parse_share(form)
    created = None
    if data is not None:
        async with database(request).transaction() as db:
            if await claim_form_token(db, form.get("form_token", "")):
                _share, token = await presentation.create_share(
                    db, participant.id, data, request.app.state.settings.secret_key, utcnow()
                )
                created = f"{request.app.state.settings.base_url}/shared/cv/{token}"
        if created is None:  # a repeated submit: the first one made the link
            return RedirectResponse("/cv/presentation#sharing", status_code=303)
    async with database(request).sessions() as db:
        texts = await presentation.texts_of(db, participant.id)
        items = await presentation.experiences(db, participant.id)
        shares = await presentation.shares_with_views(db, participant.id)
    return render(
        request,
        ParticipantView(participant),
        "cv/presentation.html",
        400 if errors else 200,
        texts=texts,
        items=items,
        shares=shares,
        now=utcnow(),
        saved=None,
        share_values=form
        if errors
        else {"days": str(presentation.DEFAULT_DAYS), "form_token": new_form_token()},
        share_errors=errors,
        new_link=created,
        **presentation_labels(),
    )


async def revoke_share(request: Request, participant: Participant) -> Response:
    async with database(request).transaction() as db:
        share = await presentation.revoke_share(
            db, participant.id, request.path_params["share_id"], utcnow()
        )
    if share is None:
        raise HTTPException(404)
    return RedirectResponse("/cv/presentation?saved=revoked#sharing", status_code=303)


async def shared_share(request: Request, what: str) -> tuple[Any, Participant] | Response:
    """The share of the path's token when it is open (its view logged), else the 410 page."""
    settings = request.app.state.settings
    async with database(request).transaction() as db:
        share = await presentation.share_by_token(
            db, request.path_params["token"], settings.secret_key
        )
        if share is None:
            raise HTTPException(404)
        if presentation.share_state(share, utcnow()) != "active":
            return pages(request).render(request, "cv/shared_gone.html", {}, 410)
        await presentation.record_view(db, share, what, utcnow())
        participant = await db.get(Participant, share.participant_id)
    assert participant is not None
    return share, participant


async def shared_cv(request: Request) -> Response:
    found = await shared_share(request, "page")
    if isinstance(found, Response):
        return found
    share, participant = found
    async with database(request).sessions() as db:
        texts = await presentation.texts_of(db, participant.id)
        items = await presentation.experiences(db, participant.id)
    return pages(request).render(
        request,
        "cv/shared.html",
        {
            "name": participant.full_name,
            "texts": texts,
            "items": items,
            "expires_at": share.expires_at,
            "token": request.path_params["token"],
            **presentation_labels(),
        },
    )


async def shared_cv_pdf(request: Request) -> Response:
    found = await shared_share(request, "pdf")
    if isinstance(found, Response):
        return found
    return await presentation_pdf_of(request, found[1])


# ---------------------------------------------------------------- export of all CV data


async def cv_data(request: Request, participant: Participant) -> dict[str, Any]:
    async with database(request).sessions() as db:
        items = await service.sought(db, participant.id)
        return {
            "participant": participant,
            "entries": await mycv.entries(db, participant.id),
            "profile": await mycv.profile_of(db, participant.id),
            "texts": await presentation.texts_of(db, participant.id),
            "items": await presentation.experiences(db, participant.id),
            "sought": items,
            "sought_labels": await labels_of(
                db, [i.occupation_uri for i in items], current_language.get()
            ),
        }


def month_text(value: Any) -> str | None:
    return value.strftime("%Y-%m") if value else None


def resume_json(data: dict[str, Any]) -> dict[str, Any]:
    """JSON Resume (v1.0.0) where the fields map; the rest under "x-portal"."""
    participant, profile, texts = data["participant"], data["profile"], data["texts"]
    entries = data["entries"]
    licences = profile.driving_licences if profile else ""

    def of(kind: str) -> list[Any]:
        return [e for e in entries if e.kind == kind]

    return {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {
            "name": participant.full_name,
            "email": participant.email or None,
            "summary": profile.profile if profile else "",
        },
        "work": [
            {
                "name": e.organisation,
                "position": e.title,
                "startDate": month_text(e.start_month),
                "endDate": None if e.ongoing else month_text(e.end_month),
                "summary": e.description,
            }
            for e in of("work")
        ],
        "education": [
            {
                "institution": e.organisation,
                "area": e.title,
                "studyType": str(mycv.EDUCATION_LEVELS.get(e.level, "")),
                "startDate": month_text(e.start_month),
                "endDate": None if e.ongoing else month_text(e.end_month),
            }
            for e in of("education")
        ],
        "languages": [
            {"language": e.title, "fluency": str(mycv.LANGUAGE_LEVELS.get(e.level, ""))}
            for e in of("language")
        ],
        "x-portal": {
            "drivingLicences": [x for x in licences.split(",") if x],
            "itSkills": profile.it_skills if profile else "",
            "otherCompetences": profile.other_competences if profile else "",
            "searchableByEmployers": bool(profile and profile.searchable),
            "presentationCv": {
                "aboutMe": texts.about_me if texts else "",
                "jobFunctions": texts.job_functions if texts else "",
                "informalCompetencesAndResources": texts.competences if texts else "",
                "experiences": [
                    {
                        "kind": x.kind,
                        "place": x.place,
                        "tasks": x.tasks,
                        "verdict": x.verdict,
                        "why": x.why,
                    }
                    for x in data["items"]
                ],
            },
            "lookingForJobAs": [
                {
                    "occupation": data["sought_labels"].get(i.occupation_uri, i.label),
                    "occupationUri": i.occupation_uri,
                    "trained": i.trained,
                    "experienced": i.experienced,
                    "hoursPerWeek": float(i.hours_per_week),
                    "fullTime": service.is_full_time(i.hours_per_week),
                    "earliestStart": i.earliest_start.isoformat() if i.earliest_start else None,
                    "employmentForm": i.employment_form,
                    "conditions": i.conditions,
                }
                for i in data["sought"]
            ],
        },
    }


async def export_json(request: Request, view: ParticipantView) -> Response:
    body = resume_json(await cv_data(request, view.participant))
    return JSONResponse(body, headers={"Content-Disposition": 'attachment; filename="my-cv.json"'})


async def export_pdf(request: Request, view: ParticipantView) -> Response:
    data = await cv_data(request, view.participant)
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
        *participant_page_routes("/cv/jobs", jobs_page, "cv"),
        Route("/cv/entries/new", participant_only(new_entry), methods=both),
        Route("/cv/entries/{entry_id:int}", participant_only(edit_entry), methods=both),
        Route(
            "/cv/entries/{entry_id:int}/{action:str}",
            participant_only(entry_action),
            methods=["POST"],
        ),
        Route("/cv/profile", participant_only(profile_form), methods=both),
        *participant_page_routes("/cv/export.json", export_json, "cv"),
        *participant_page_routes("/cv/export.pdf", export_pdf, "cv"),
        *participant_page_routes("/cv/presentation", presentation_page, "cv"),
        *participant_page_routes("/cv/presentation.pdf", presentation_pdf, "cv"),
        Route("/cv/presentation/texts", participant_only(presentation_texts), methods=both),
        Route("/cv/presentation/experiences/new", participant_only(experience_form), methods=both),
        Route(
            "/cv/presentation/experiences/{experience_id:int}",
            participant_only(experience_form),
            methods=both,
        ),
        Route(
            "/cv/presentation/experiences/{experience_id:int}/remove",
            participant_only(remove_experience),
            methods=["POST"],
        ),
        Route("/cv/presentation/shares", participant_only(create_share), methods=["POST"]),
        Route(
            "/cv/presentation/shares/{share_id:int}/revoke",
            participant_only(revoke_share),
            methods=["POST"],
        ),
        Route("/shared/cv/{token:str}.pdf", shared_cv_pdf),
        Route("/shared/cv/{token:str}", shared_cv),
        Route("/cv/jobs/new", participant_only(new_job), methods=both),
        Route("/cv/jobs/{item_id:int}", participant_only(edit_job), methods=both),
        Route("/cv/jobs/{item_id:int}/remove", participant_only(remove_job), methods=["POST"]),
        Route("/cv/occupations/suggest", participant_only(suggestions)),
    ]
