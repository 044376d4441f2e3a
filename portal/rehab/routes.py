"""The preparatory part's pages: the participant's (also in the caseworker's read-only view),
the caseworker's editor with the lock, and the PDF."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.acting import StaffOnParticipant, acting_on_participant
from portal.auth.guards import participant_only
from portal.cv.export import cv_data
from portal.cv.pages import cv_labels, presentation_labels
from portal.db import utcnow
from portal.participants.models import Participant
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.rehab import service
from portal.rehab.questions import FOLLOW_UP_OF, OPTIONS, QUESTIONS
from portal.web.forms import read_form
from portal.web.i18n import current_language, gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.requests import database
from portal.web.templating import tell

LABELS = {
    "basic_info": _("Basic information"),
    "history": _("History of the case"),
    "other_departments": _("Cases in other departments"),
    "documents": _("Documents of the case"),
    "leisure": _("Leisure"),
    "everyday_life": _("Everyday life"),
    "education": _("Education"),
    "abilities": _("Abilities"),
    "missing": _("What I think is missing"),
    "summary": _("The caseworker's summary of the situation"),
}


def section_of(request: Request) -> str:
    section = str(request.path_params["section"])
    if section not in service.SECTIONS:
        raise HTTPException(404)
    return section


def labels() -> dict[str, Any]:
    return {
        "sections": service.SECTIONS,
        "labels": LABELS,
        "questions": QUESTIONS,
        "options": OPTIONS,
        "follow_up_of": FOLLOW_UP_OF,
        "text_fields": service.TEXT_FIELDS,
        "document_rows": service.DOCUMENT_ROWS,
    }


async def read(request: Request, participant: Participant) -> tuple[service.Document, Any]:
    """The document, and the participant's CVs for "My CV" (shown, not copied)."""
    async with database(request).sessions() as db:
        document = await service.document_of(db, participant.id)
        cvs = await cv_data(db, participant, current_language.get())
    return document, cvs


# ---------------------------------------------------------------- the participant's pages


async def overview_page(request: Request, view: ParticipantView) -> Response:
    document, _cvs = await read(request, view.participant)
    return render(request, view, "rehab/overview.html", document=document, **labels())


def section_context(
    section: str, document: service.Document, cvs: Any, **changes: Any
) -> dict[str, Any]:
    """What a section's page shows: as saved, unless `changes` say otherwise (what was typed,
    the errors, the other writer's text)."""
    return {
        "section": section,
        "document": document,
        "values": document.data(section),
        "based_on": document.number(section),
        "errors": {},
        "cvs": cvs,
        **labels(),
        **cv_labels(),
        **changes,
    }


async def section_page(request: Request, view: ParticipantView) -> Response:
    section = section_of(request)
    document, cvs = await read(request, view.participant)
    context = section_context(section, document, cvs)
    return render(
        request,
        view,
        "rehab/section.html",
        staff=False,
        action=f"/rehab/{section}",
        **context,
    )


async def save_section(request: Request, participant: Participant) -> Response:
    section = section_of(request)
    if section == "case":
        raise HTTPException(403)  # the caseworker's part: the participant reads it
    form = await read_form(request)
    outcome = await save_from_form(
        request, participant, section, form, False, ("participant", participant.full_name)
    )
    if outcome is not None:
        return render(
            request,
            ParticipantView(participant),
            "rehab/section.html",
            outcome.status,
            action=f"/rehab/{section}",
            staff=False,
            **outcome.context,
        )
    return RedirectResponse(f"/rehab#{section}", status_code=303)


class Refusal:
    """A save that did not happen: the page again, with what was written and why."""

    def __init__(self, status: int, context: dict[str, Any]) -> None:
        self.status = status
        self.context = context


async def save_from_form(
    request: Request,
    participant: Participant,
    section: str,
    form: dict[str, Any],
    staff: bool,
    who: tuple[str, str],
) -> Refusal | None:
    """Save the section from the form in one transaction; None when saved (and told)."""
    document, cvs = await read(request, participant)
    based_on = int(form["based_on"]) if str(form.get("based_on", "")).isdigit() else -1
    data, errors = service.parse_section(section, form, staff, document.data(section))
    context = section_context(
        section,
        document,
        cvs,
        values=form_values(section, form) if data is None else data,
        based_on=based_on,
        errors=errors,
    )
    if data is None:
        return Refusal(400, context)
    try:
        async with database(request).transaction() as db:
            await service.save(db, participant.id, section, based_on, data, who)
    except service.Locked:
        context["errors"] = {"section": gettext("The document is locked; nothing can be changed.")}
        return Refusal(409, context)
    except service.Conflict:
        document, _cvs = await read(request, participant)
        latest = document.latest[section]
        context.update(
            document=document,
            values=data,
            based_on=document.number(section),
            theirs=document.data(section),
            theirs_by=latest,
            errors={
                "section": gettext(
                    "%(name)s saved this part while you were writing. Both texts are shown: "
                    "yours in the form, theirs beside it. Save again to keep yours.",
                    name=latest.saved_by_name if latest else "",
                )
            },
        )
        return Refusal(409, context)
    tell(request, gettext("Saved: %(section)s.", section=service.SECTIONS[section]))
    return None


def form_values(section: str, form: dict[str, Any]) -> dict[str, Any]:
    """What was typed, shaped as a section's data, to show again after an error."""
    if section == "situation":
        return {
            q.id: {
                "option": form.get(f"option_{q.id}", ""),
                "texts": {k: form.get(f"follow_{q.id}_{k}", "") for k in service.FOLLOW_UPS},
            }
            for q in QUESTIONS
        }
    values: dict[str, Any] = {name: form.get(name, "") for name in service.TEXT_FIELDS[section]}
    if section == "case":
        values["documents"] = [
            {
                "title": form.get(f"doc_title_{i}", ""),
                "date": form.get(f"doc_date_{i}", ""),
                "by": form.get(f"doc_by_{i}", ""),
            }
            for i in range(service.DOCUMENT_ROWS)
        ]
    return values


async def document_pdf(request: Request, view: ParticipantView) -> Response:
    document, cvs = await read(request, view.participant)
    return await pdf_response(
        request,
        "rehab/document_pdf.html",
        {
            "participant": view.participant,
            "document": document,
            "cvs": cvs,
            "printed_at": utcnow(),
            **labels(),
            **cv_labels(),
            **presentation_labels(),
        },
        filename="rehabilitation-plan.pdf",
    )


# ---------------------------------------------------------------- the caseworker's editor

editor = acting_on_participant("write_plan", "rehab-editor", "rehab")


@editor
async def editor_page(acting: StaffOnParticipant) -> Response:
    document, _cvs = await read(acting.request, acting.participant)
    return acting.render("rehab/editor.html", document=document, **labels())


@editor
async def editor_section(acting: StaffOnParticipant) -> Response:
    request = acting.request
    section = section_of(request)
    staff_name = acting.staff.user.full_name
    if request.method == "POST":
        form = await read_form(request)
        outcome = await save_from_form(
            request, acting.participant, section, form, True, ("staff", staff_name)
        )
        if outcome is None:
            return acting.redirect(f"#{section}")
        return acting.render(
            "rehab/editor_section.html",
            outcome.status,
            action=f"{acting.base}/{section}",
            staff=True,
            **outcome.context,
        )
    document, cvs = await read(request, acting.participant)
    return acting.render(
        "rehab/editor_section.html",
        staff=True,
        action=f"{acting.base}/{section}",
        **section_context(section, document, cvs),
    )


@editor
async def lock_document(acting: StaffOnParticipant) -> Response:
    """Ask first (a page without JavaScript); lock on "yes"."""
    if acting.request.method == "GET":
        return acting.render("rehab/lock.html")
    user = acting.staff.user
    async with database(acting.request).transaction() as db:
        await service.lock(db, acting.participant.id, user.id, user.full_name)
    tell(acting.request, gettext("The document is locked."))
    return acting.redirect()


def routes() -> list[Route]:
    both = ["GET", "POST"]
    staff = "/staff/participants/{participant_id:int}/rehab-editor"
    return [
        *participant_page_routes("/rehab", overview_page, "rehab"),
        *participant_page_routes("/rehab/document.pdf", document_pdf, "rehab"),
        *participant_page_routes("/rehab/{section:str}", section_page, "rehab"),
        Route("/rehab/{section:str}", participant_only(save_section), methods=["POST"]),
        Route(staff, editor_page),
        Route(staff + "/lock", lock_document, methods=both),
        Route(staff + "/{section:str}", editor_section, methods=both),
    ]
