"""The presentation CV over HTTP (also read-only for staff): its texts and experiences, its PDF,
and sharing it with an employer through a link that expires, which the employer reads without
an account (every view is logged)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.cv import page_reads, presentation, service
from portal.cv.models import PresentationExperience
from portal.cv.pages import presentation_labels
from portal.db import utcnow
from portal.notify.service import send_email
from portal.participants.models import Participant
from portal.participants.pages import (
    ParticipantView,
    confirmation,
    participant_page_routes,
    removal_confirmation,
    render,
)
from portal.web.access import by_token
from portal.web.forms import new_form_token, once_per_token, read_form
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.ratelimit import limit
from portal.web.requests import database
from portal.web.templating import pages, tell

# ---------------------------------------------------------------- presentation CV


async def presentation_page(request: Request, view: ParticipantView) -> Response:
    page = await page_reads.presentation_page(database(request), view.participant.id)
    return render(
        request,
        view,
        "cv/presentation.html",
        texts=page.texts,
        items=page.experiences,
        shares=page.shares,
        now=utcnow(),
        saved=request.query_params.get("saved"),
        share_values={"days": str(presentation.DEFAULT_DAYS), "form_token": new_form_token()},
        share_errors={},
        new_link=None,
        **presentation_labels(),
    )


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
    form = await read_form(request)
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
        values = (
            {name: getattr(item, name) for name in EXPERIENCE_LABELS}
            if item
            else {"form_token": new_form_token()}
        )
        return render(request, view, "cv/experience_form.html", values=values, errors={}, **context)
    form = await read_form(request)
    data, errors = presentation.parse_experience(form)
    if data is None:
        return render(
            request, view, "cv/experience_form.html", 400, values=form, errors=errors, **context
        )
    existing = item

    async def write(db: AsyncSession) -> None:
        # A double click (the same form twice) adds the experience once.
        if existing is None:
            saved = PresentationExperience(participant_id=participant.id)
            db.add(saved)
        else:
            found = await presentation.find_experience(db, participant.id, existing.id)
            if found is None:
                raise HTTPException(404)
            saved = found
        service.apply(saved, data)

    await once_per_token(database(request), form.get("form_token", ""), write)
    return RedirectResponse("/cv/presentation?saved=experience#experiences", status_code=303)


async def remove_experience(request: Request, participant: Participant) -> Response:
    """Asks first, then removes the experience from the presentation CV."""
    async with database(request).transaction() as db:
        item = await presentation.find_experience(
            db, participant.id, request.path_params["experience_id"]
        )
        if item is None:
            raise HTTPException(404)
        if request.method == "GET":
            return removal_confirmation(
                request,
                participant,
                gettext("Remove “%(place)s” from your presentation CV?", place=item.place),
                "/cv/presentation#experiences",
            )
        await db.delete(item)
        tell(request, gettext("Removed: “%(place)s”.", place=item.place))
    return RedirectResponse("/cv/presentation#experiences", status_code=303)


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
    form = await read_form(request)
    data, errors = presentation.parse_share(form)
    created = None
    if data is not None:
        settings = request.app.state.settings
        seed = form.get("form_token", "")

        made: list[str] = []
        share_data = data

        async def write(db: AsyncSession) -> None:
            share, token = await presentation.create_share(
                db, participant.id, share_data, settings.secret_key, utcnow(), seed
            )
            made.append(token)
            if share_data.employer_email:  # the link goes to the employer, once
                until = pages(request).formatter.date(share.expires_at)
                subject, body = presentation.share_email(
                    participant.full_name,
                    share_data,
                    f"{settings.base_url}/shared/cv/{token}",
                    until,
                )
                await send_email(
                    db, share_data.employer_email, "cv_shared", subject, body, participant.id
                )

        if await once_per_token(database(request), seed, write):
            token: str | None = made[-1]
        else:
            # The same form sent a moment ago (a double click) made the link: this answer shows
            # it too, since a browser shows only the answer to the last click.
            async with database(request).sessions() as db:
                token = await presentation.made_link(db, participant.id, seed, settings.secret_key)
        if token is None:
            return RedirectResponse("/cv/presentation#sharing", status_code=303)
        created = f"{settings.base_url}/shared/cv/{token}"
    page = await page_reads.presentation_page(database(request), participant.id)
    return render(
        request,
        ParticipantView(participant),
        "cv/presentation.html",
        400 if errors else 200,
        texts=page.texts,
        items=page.experiences,
        shares=page.shares,
        now=utcnow(),
        saved=None,
        share_values=form
        if errors
        else {"days": str(presentation.DEFAULT_DAYS), "form_token": new_form_token()},
        share_errors=errors,
        new_link=created,
        sent_to=data.employer_email if created and data is not None else None,
        **presentation_labels(),
    )


async def revoke_share(request: Request, participant: Participant) -> Response:
    """Asks first, then revokes the link: it no longer opens the presentation CV."""
    if request.method == "GET":
        async with database(request).sessions() as db:
            share = await presentation.own_share(
                db, participant.id, request.path_params["share_id"]
            )
        if share is None or share.revoked_at is not None:
            raise HTTPException(404)
        who = share.employer_name or gettext("No employer named")
        return confirmation(
            request,
            participant,
            gettext("Revoke the link for %(who)s?", who=who),
            [gettext("The link stops working at once, also for anyone it was passed on to.")],
            gettext("Yes, revoke the link"),
            "/cv/presentation#sharing",
        )
    async with database(request).transaction() as db:
        share = await presentation.revoke_share(
            db, participant.id, request.path_params["share_id"], utcnow()
        )
    if share is None:
        raise HTTPException(404)
    tell(request, gettext("The link is revoked. It no longer opens your presentation CV."))
    return RedirectResponse("/cv/presentation#sharing", status_code=303)


async def shared_share(request: Request, what: str) -> page_reads.SharedPage | Response:
    """The share of the path's token when it is open, with its presentation CV (the opening
    logged), else the 410 page."""
    await limit(request, "share", request.path_params["token"])
    hashed = presentation.link_hash(
        request.path_params["token"], request.app.state.settings.secret_key
    )
    found = None if hashed is None else await page_reads.shared_page(database(request), hashed)
    if found is None:
        raise HTTPException(404)
    if presentation.share_state(found.share, utcnow()) != "active":
        return pages(request).render(request, "cv/shared_gone.html", {}, 410)
    await presentation.record_view(database(request), found.share, what, utcnow())
    return found


async def shared_cv(request: Request) -> Response:
    found = await shared_share(request, "page")
    if isinstance(found, Response):
        return found
    return pages(request).render(
        request,
        "cv/shared.html",
        {
            "name": found.participant.full_name,
            "texts": found.texts,
            "items": found.experiences,
            "expires_at": found.share.expires_at,
            "token": request.path_params["token"],
            **presentation_labels(),
        },
    )


async def shared_cv_pdf(request: Request) -> Response:
    found = await shared_share(request, "pdf")
    if isinstance(found, Response):
        return found
    return await presentation_pdf_of(request, found.participant)


def routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
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
            methods=both,
        ),
        Route("/cv/presentation/shares", participant_only(create_share), methods=["POST"]),
        Route(
            "/cv/presentation/shares/{share_id:int}/revoke",
            participant_only(revoke_share),
            methods=both,
        ),
        Route("/shared/cv/{token:str}.pdf", by_token(shared_cv_pdf)),
        Route("/shared/cv/{token:str}", by_token(shared_cv)),
    ]
