"""My Plan over HTTP: the participant's plan and its history (also read-only for staff), and
the caseworker's editor. Handlers parse, call plan.service in one transaction, and render."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.auth.acting import StaffOnParticipant, acting_on_participant
from portal.db import utcnow
from portal.jobgoal.service import goal_mismatch, goal_mismatch_query
from portal.notify.service import Links
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.plan import inputs, reading, service
from portal.plan.service import Author, PlanError, PlanWriter
from portal.web.forms import Errors, claim_form_token, new_form_token, read_form
from portal.web.fragments import FragmentCache
from portal.web.i18n import current_language, gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.pdf import pdf_response
from portal.web.requests import database, today
from portal.web.templating import pages

# ---------------------------------------------------------------- participant pages


RENDERED_PLANS = FragmentCache(max_entries=256)


async def plan_page(request: Request, view: ParticipantView) -> Response:
    participant_id = view.participant.id
    day = today(request)
    # What the page needs besides the plan itself, in one read.
    who = {"participant_id": participant_id}
    (row,), checks = await database(request).read_all(
        (reading.unseen_changes_query(), who), (goal_mismatch_query(), who)
    )
    state = reading.plan_state(row)
    # Revisions follow the order of commits, so the key never names a stale plan; the moment
    # of the revision tells apart two databases (or a restored one) at the same revision.
    key = (
        participant_id,
        current_language.get(),
        day,
        view.base,
        state.revision,
        state.changed_at,
        state.seen_revision,
    )
    content = RENDERED_PLANS.get(key)
    if content is None:
        seen = None
        if state.seen_revision is not None and state.seen_at is not None:
            seen = reading.Seen(state.seen_revision, state.seen_at)
        plan = await database(request).read(reading.load_plan, participant_id, day, seen)
        content = pages(request).encoded_fragment(
            "plan/_content.html", {"plan": plan, "view": view, "for_print": False, **labels()}
        )
        RENDERED_PLANS.put(key, content)
    if not view.read_only and reading.has_unseen_changes(state):
        async with database(request).transaction() as db:
            await reading.record_seen(db, participant_id, state.revision or 0)
    return render(
        request,
        view,
        "plan/plan.html",
        content=content,
        last_changed_at=state.changed_at,
        goal_mismatch=await goal_mismatch(database(request), participant_id, checks),
    )


async def plan_pdf(request: Request, view: ParticipantView) -> Response:
    """The same plan as a PDF, for the participant and for their caseworker."""
    plan = await database(request).read(
        reading.load_plan, view.participant.id, today(request), None
    )
    return await pdf_response(
        request,
        "plan/plan_pdf.html",
        {
            "plan": plan,
            "participant": view.participant,
            "view": view,
            "for_print": True,
            "printed_at": utcnow(),
            **labels(),
        },
        filename=f"my-plan-{today(request).isoformat()}.pdf",
    )


async def initiative_history_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        initiative = await service.find_initiative(
            db, view.participant.id, request.path_params["initiative_id"]
        )
    if initiative is None:
        raise HTTPException(404)
    return render(
        request,
        view,
        "plan/initiative_history.html",
        initiative=initiative,
        versions=list(reversed(initiative.versions)),
        statuses=sorted(initiative.status_entries, key=lambda s: s.created_at, reverse=True),
        **labels(),
    )


async def goals_history_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        history = await reading.goals_history(db, view.participant.id)
    return render(request, view, "plan/goals_history.html", history=history, **labels())


def labels() -> dict[str, Any]:
    return {
        "initiative_types": inputs.INITIATIVE_TYPES,
        "states": service.STATES,
    }


# ---------------------------------------------------------------- caseworker's editor

EDITOR = "/staff/participants/{participant_id:int}/edit-plan"

INITIATIVE_LABELS = {
    "type": _("Type of initiative"),
    "title": _("Title"),
    "content": _("What is agreed"),
    "hours_per_week": _("Hours per week"),
    "agreed_by": _("Agreed by"),
    "start_date": _("Start date"),
    "end_date": _("End date"),
    "address": _("Address where the participant meets"),
    "contact_name": _("Contact person's name"),
    "contact_phone": _("Contact person's phone"),
    "contact_email": _("Contact person's e-mail"),
    "purpose": _("Why: the purpose, in plain language"),
}
GOAL_LABELS = {"text": _("Goal")}
AGREEMENT_LABELS = {
    "text": _("What was agreed"),
    "agreed_on": _("Date of the agreement"),
    "agreed_by": _("Agreed by"),
}
STATUS_LABELS = {"text": _("Latest status"), "entry_date": _("Date")}
END_LABELS = {"final_status": _("Final status")}
GOAL_KINDS = {"job": _("Job goal"), "progression": _("Progression goal")}


def editor(handler: Any) -> Any:
    """Only staff allowed to write My Plan, and only for a participant they may see."""
    return acting_on_participant("write_plan", "edit-plan", "plan-editor")(handler)


def writer(e: StaffOnParticipant) -> PlanWriter:
    """The staff user writing the participant's plan today."""
    settings = e.request.app.state.settings
    author = Author(e.staff.user.full_name, staff_id=e.staff.user.id)
    return PlanWriter(e.participant, author, e.today, Links.of(settings))


def editor_page(
    e: StaffOnParticipant, name: str, status_code: int = 200, **context: Any
) -> Response:
    return e.render(name, status_code, limits=inputs.LIMITS, **labels(), **context)


def done(e: StaffOnParticipant, saved: str) -> Response:
    return e.redirect(f"?saved={saved}")


async def editor_overview(e: StaffOnParticipant) -> Response:
    plan = await database(e.request).read(reading.load_plan, e.participant.id, e.today)
    return editor_page(
        e,
        "plan/editor.html",
        plan=plan,
        saved=e.request.query_params.get("saved"),
        goal_kinds=GOAL_KINDS,
        today=e.today,
        may_end=service.may_end,
        is_locked=service.is_locked,
        goal_mismatch=await goal_mismatch(database(e.request), e.participant.id),
    )


async def _initiative_or_404(e: StaffOnParticipant, db: Any) -> Any:
    initiative = await service.find_initiative(
        db, e.participant.id, e.request.path_params["initiative_id"]
    )
    if initiative is None:
        raise HTTPException(404)
    return initiative


def _form_page(
    e: StaffOnParticipant,
    template: str,
    values: dict[str, Any],
    errors: Errors,
    field_labels: dict[str, Any],
    **context: Any,
) -> Response:
    return editor_page(
        e,
        template,
        400 if errors else 200,
        values=values,
        errors=errors,
        labels={name: str(label) for name, label in field_labels.items()},
        **context,
    )


def _version_values(version: Any) -> dict[str, Any]:
    values = {name: getattr(version, name) for name in service.INITIATIVE_FIELDS}
    for name in ("start_date", "end_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    hours = values["hours_per_week"]
    values["hours_per_week"] = "" if hours is None else f"{hours.normalize():f}"
    return values


async def initiative_form(e: StaffOnParticipant) -> Response:
    """New initiative, or a new version of one (GET shows, POST saves)."""
    initiative_id = e.request.path_params.get("initiative_id")
    async with database(e.request).sessions() as db:
        initiative = await _initiative_or_404(e, db) if initiative_id else None
    if initiative is not None and service.is_locked(initiative.versions[-1], e.today):
        return _locked(e)
    if e.request.method == "GET":
        values = (
            _version_values(initiative.versions[-1])
            if initiative
            else {"agreed_by": e.staff.user.full_name, "form_token": new_form_token()}
        )
        return _form_page(
            e, "plan/initiative_form.html", values, {}, INITIATIVE_LABELS, initiative=initiative
        )
    form = await read_form(e.request)
    data, errors = inputs.parse_initiative(form)
    if data is None:
        return _form_page(
            e, "plan/initiative_form.html", form, errors, INITIATIVE_LABELS, initiative=initiative
        )
    try:
        async with database(e.request).transaction() as db:
            if initiative is None:
                if not await claim_form_token(db, form.get("form_token", "")):
                    return done(e, "initiative")
                await service.save_initiative(db, writer(e), data)
            else:
                initiative = await _initiative_or_404(e, db)
                await service.save_initiative(db, writer(e), data, initiative)
    except PlanError as refusal:
        return _form_page(
            e,
            "plan/initiative_form.html",
            form,
            {},
            INITIATIVE_LABELS,
            initiative=initiative,
            refusal=refusal.message,
        )
    except IntegrityError:
        return done(e, "initiative")  # the same form submitted twice at once: one was saved
    return done(e, "initiative")


def _locked(e: StaffOnParticipant) -> Response:
    return editor_page(
        e,
        "plan/refused.html",
        409,
        message=gettext("An ended or cancelled initiative cannot be changed."),
    )


async def status_form(e: StaffOnParticipant) -> Response:
    async with database(e.request).sessions() as db:
        initiative = await _initiative_or_404(e, db)
    if service.is_locked(initiative.versions[-1], e.today):
        return _locked(e)
    if e.request.method == "GET":
        values = {"entry_date": e.today.isoformat(), "form_token": new_form_token()}
        return _form_page(
            e, "plan/status_form.html", values, {}, STATUS_LABELS, initiative=initiative
        )
    form = await read_form(e.request)
    data, errors = inputs.parse_status(form, e.today)
    if data is None:
        return _form_page(
            e, "plan/status_form.html", form, errors, STATUS_LABELS, initiative=initiative
        )
    try:
        async with database(e.request).transaction() as db:
            if await claim_form_token(db, form.get("form_token", "")):
                initiative = await _initiative_or_404(e, db)
                await service.add_status_entry(db, writer(e), initiative, data)
    except PlanError:
        return _locked(e)
    except IntegrityError:
        pass
    return done(e, "status")


async def end_form(e: StaffOnParticipant) -> Response:
    async with database(e.request).sessions() as db:
        initiative = await _initiative_or_404(e, db)
    if not service.may_end(initiative.versions[-1], e.today):
        return _locked(e)
    if e.request.method == "GET":
        return _form_page(e, "plan/end_form.html", {}, {}, END_LABELS, initiative=initiative)
    form = await read_form(e.request)
    final_status, errors = inputs.parse_final_status(form)
    if final_status is None:
        return _form_page(e, "plan/end_form.html", form, errors, END_LABELS, initiative=initiative)
    try:
        async with database(e.request).transaction() as db:
            initiative = await _initiative_or_404(e, db)
            await service.end_initiative(db, writer(e), initiative, final_status)
    except PlanError as refusal:
        return editor_page(e, "plan/refused.html", 409, message=refusal.message)
    return done(e, "ended")


async def cancel_initiative(e: StaffOnParticipant) -> Response:
    try:
        async with database(e.request).transaction() as db:
            initiative = await _initiative_or_404(e, db)
            await service.cancel_initiative(db, writer(e), initiative)
    except PlanError as refusal:
        return editor_page(e, "plan/refused.html", 409, message=refusal.message)
    return done(e, "cancelled")


async def goal_form(e: StaffOnParticipant) -> Response:
    goal_id = e.request.path_params.get("goal_id")
    kind = e.request.query_params.get("kind", "job")
    async with database(e.request).sessions() as db:
        goal = await service.find_goal(db, e.participant.id, goal_id) if goal_id else None
    if goal_id and (goal is None or goal.versions[-1].removed):
        raise HTTPException(404)
    if goal is not None:
        kind = goal.kind
    if kind not in GOAL_KINDS:
        raise HTTPException(404)
    context = {"goal": goal, "kind": kind, "kind_label": GOAL_KINDS[kind]}
    if e.request.method == "GET":
        values = (
            {"text": goal.versions[-1].text}
            if goal
            else {"text": "", "form_token": new_form_token()}
        )
        return _form_page(e, "plan/goal_form.html", values, {}, GOAL_LABELS, **context)
    form = await read_form(e.request)
    data, errors = inputs.parse_goal({"text": form.get("text", "")})
    if data is None:
        return _form_page(e, "plan/goal_form.html", form, errors, GOAL_LABELS, **context)
    try:
        async with database(e.request).transaction() as db:
            if goal is None:
                if await claim_form_token(db, form.get("form_token", "")):
                    await service.save_goal(db, writer(e), kind, data)
            else:
                goal = await service.find_goal(db, e.participant.id, goal.id)
                await service.save_goal(db, writer(e), kind, data, goal)
    except IntegrityError:
        pass
    return done(e, "goal")


async def remove_goal(e: StaffOnParticipant) -> Response:
    async with database(e.request).transaction() as db:
        goal = await service.find_goal(db, e.participant.id, e.request.path_params["goal_id"])
        if goal is None:
            raise HTTPException(404)
        await service.remove_goal(db, writer(e), goal)
    return done(e, "goal_removed")


async def agreement_form(e: StaffOnParticipant) -> Response:
    if e.request.method == "GET":
        async with database(e.request).sessions() as db:
            latest = await service.latest_agreement(db, e.participant.id)
        values = {
            "text": latest.text if latest else "",
            "agreed_on": e.today.isoformat(),
            "agreed_by": e.staff.user.full_name,
        }
        return _form_page(e, "plan/agreement_form.html", values, {}, AGREEMENT_LABELS)
    form = await read_form(e.request)
    data, errors = inputs.parse_agreement(form, e.today)
    if data is None:
        return _form_page(e, "plan/agreement_form.html", form, errors, AGREEMENT_LABELS)
    async with database(e.request).transaction() as db:
        await service.save_agreement(db, writer(e), data)
    return done(e, "agreement")


def routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
        *participant_page_routes("/plan", plan_page, "plan"),
        *participant_page_routes("/plan.pdf", plan_pdf, "plan"),
        *participant_page_routes(
            "/plan/initiatives/{initiative_id:int}/history", initiative_history_page, "plan"
        ),
        *participant_page_routes("/plan/goals/history", goals_history_page, "plan"),
        Route(EDITOR, editor(editor_overview)),
        Route(EDITOR + "/initiatives/new", editor(initiative_form), methods=both),
        Route(EDITOR + "/initiatives/{initiative_id:int}", editor(initiative_form), methods=both),
        Route(
            EDITOR + "/initiatives/{initiative_id:int}/status", editor(status_form), methods=both
        ),
        Route(EDITOR + "/initiatives/{initiative_id:int}/end", editor(end_form), methods=both),
        Route(
            EDITOR + "/initiatives/{initiative_id:int}/cancel",
            editor(cancel_initiative),
            methods=["POST"],
        ),
        Route(EDITOR + "/goals/new", editor(goal_form), methods=both),
        Route(EDITOR + "/goals/{goal_id:int}", editor(goal_form), methods=both),
        Route(EDITOR + "/goals/{goal_id:int}/remove", editor(remove_goal), methods=["POST"]),
        Route(EDITOR + "/agreement", editor(agreement_form), methods=both),
    ]
