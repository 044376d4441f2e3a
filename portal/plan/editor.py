"""The caseworker's editor of My Plan: every change form carries the version it was read at
(a change saved in between comes back with both texts) and a one-time token (a double click
writes once, and both answers say saved). Handlers parse, call plan.service, and render."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from portal.auth.acting import StaffOnParticipant, acting_on_participant
from portal.jobgoal.service import goal_mismatch
from portal.notify.service import Links
from portal.plan import inputs, reading, service
from portal.plan.service import Author, PlanError, PlanWriter
from portal.web.forms import (
    Errors,
    new_form_token,
    once_per_token,
    read_form,
    whole_number,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database


def labels() -> dict[str, Any]:
    """The names of initiative types and states, for the plan's pages and the editor's."""
    return {
        "initiative_types": inputs.INITIATIVE_TYPES,
        "states": service.STATES,
    }


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


async def initiative_or_404(e: StaffOnParticipant, db: Any) -> Any:
    initiative = await service.find_initiative(
        db, e.participant.id, e.request.path_params["initiative_id"]
    )
    if initiative is None:
        raise HTTPException(404)
    return initiative


async def current_initiative(e: StaffOnParticipant) -> Any:
    async with database(e.request).sessions() as db:
        return await initiative_or_404(e, db)


def form_page(
    e: StaffOnParticipant,
    template: str,
    values: dict[str, Any],
    errors: Errors,
    field_labels: dict[str, Any],
    **context: Any,
) -> Response:
    status = 409 if context.get("conflict") else 400 if errors else 200
    return editor_page(
        e,
        template,
        status,
        values=values,
        errors=errors,
        labels={name: str(label) for name, label in field_labels.items()},
        **context,
    )


def based_on(form: dict[str, Any]) -> int | None:
    """The version the form was read at (every change form carries it); None without one."""
    return whole_number(form.get("version", ""))


def version_values(version: Any) -> dict[str, Any]:
    values = {name: getattr(version, name) for name in service.INITIATIVE_FIELDS}
    for name in ("start_date", "end_date"):
        values[name] = values[name].isoformat() if values[name] else ""
    hours = values["hours_per_week"]
    values["hours_per_week"] = "" if hours is None else f"{hours.normalize():f}"
    return values


def conflict_of(
    version: Any, theirs: dict[str, Any], yours: dict[str, Any], field_labels: dict[str, Any]
) -> dict[str, Any]:
    """What the form says of a change saved in between: who saved it, when, and each field
    where what is saved now differs from what this user wrote (kept in the form)."""
    return {
        "by": version.changed_by_name,
        "at": version.changed_at,
        "fields": [
            (str(label), theirs.get(name) or "")
            for name, label in field_labels.items()
            if str(theirs.get(name) or "") != str(yours.get(name) or "")
        ],
    }


def resubmittable(form: dict[str, Any], version: int) -> dict[str, Any]:
    """The form as typed, now based on the latest version (saving it again replaces that)."""
    return {**form, "version": str(version), "form_token": new_form_token()}


async def initiative_form(e: StaffOnParticipant) -> Response:
    """New initiative, or a new version of one (GET shows, POST saves)."""
    initiative = await current_initiative(e) if "initiative_id" in e.request.path_params else None
    if initiative is not None and service.is_locked(initiative.versions[-1], e.today):
        return locked(e)
    template = "plan/initiative_form.html"
    if e.request.method == "GET":
        if initiative is None:
            values = {"agreed_by": e.staff.user.full_name}
        else:
            current = initiative.versions[-1]
            values = {**version_values(current), "version": str(current.version)}
        values["form_token"] = new_form_token()
        return form_page(e, template, values, {}, INITIATIVE_LABELS, initiative=initiative)
    form = await read_form(e.request)
    data, errors = inputs.parse_initiative(form)
    if data is None:
        return form_page(e, template, form, errors, INITIATIVE_LABELS, initiative=initiative)

    async def write(db: Any) -> None:
        if initiative is None:
            await service.save_initiative(db, writer(e), data)
        else:
            current = await initiative_or_404(e, db)
            await service.save_initiative(db, writer(e), data, current, based_on=based_on(form))

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        if initiative is None:
            raise
        initiative = await current_initiative(e)
        current = initiative.versions[-1]
        theirs = version_values(current)
        conflict = conflict_of(current, theirs, form, INITIATIVE_LABELS)
        values = resubmittable(form, current.version)
        return form_page(
            e, template, values, {}, INITIATIVE_LABELS, initiative=initiative, conflict=conflict
        )
    except PlanError as refusal:
        return form_page(
            e,
            template,
            form,
            {},
            INITIATIVE_LABELS,
            initiative=initiative,
            refusal=refusal.message,
        )
    return done(e, "initiative")


def locked(e: StaffOnParticipant) -> Response:
    return editor_page(
        e,
        "plan/refused.html",
        409,
        message=gettext("An ended or cancelled initiative cannot be changed."),
    )


async def status_form(e: StaffOnParticipant) -> Response:
    initiative = await current_initiative(e)
    if service.is_locked(initiative.versions[-1], e.today):
        return locked(e)
    if e.request.method == "GET":
        values = {"entry_date": e.today.isoformat(), "form_token": new_form_token()}
        return form_page(
            e, "plan/status_form.html", values, {}, STATUS_LABELS, initiative=initiative
        )
    form = await read_form(e.request)
    data, errors = inputs.parse_status(form, e.today)
    if data is None:
        return form_page(
            e, "plan/status_form.html", form, errors, STATUS_LABELS, initiative=initiative
        )

    async def write(db: Any) -> None:
        await service.add_status_entry(db, writer(e), await initiative_or_404(e, db), data)

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except PlanError:
        return locked(e)
    return done(e, "status")


async def end_form(e: StaffOnParticipant) -> Response:
    initiative = await current_initiative(e)
    current = initiative.versions[-1]
    if not service.may_end(current, e.today):
        return locked(e)
    template = "plan/end_form.html"
    if e.request.method == "GET":
        values = {"version": str(current.version), "form_token": new_form_token()}
        return form_page(e, template, values, {}, END_LABELS, initiative=initiative)
    form = await read_form(e.request)
    final_status, errors = inputs.parse_final_status(form)
    if final_status is None:
        return form_page(e, template, form, errors, END_LABELS, initiative=initiative)

    async def write(db: Any) -> None:
        await service.end_initiative(
            db,
            writer(e),
            await initiative_or_404(e, db),
            final_status,
            based_on=based_on(form),
        )

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        initiative = await current_initiative(e)
        current = initiative.versions[-1]
        if not service.may_end(current, e.today):
            return locked(e)
        conflict = conflict_of(current, version_values(current), {}, {})
        values = resubmittable(form, current.version)
        return form_page(
            e, template, values, {}, END_LABELS, initiative=initiative, conflict=conflict
        )
    except PlanError as refusal:
        return editor_page(e, "plan/refused.html", 409, message=refusal.message)
    return done(e, "ended")


def changed_in_between(e: StaffOnParticipant, what: str) -> Response:
    message = gettext(
        "“%(what)s” was changed by someone else after you opened the plan. "
        "Look at it again before you go on.",
        what=what,
    )
    return editor_page(e, "plan/refused.html", 409, message=message)


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
    template = "plan/goal_form.html"
    if e.request.method == "GET":
        values = {"text": "", "form_token": new_form_token()}
        if goal is not None:
            values.update(text=goal.versions[-1].text, version=str(goal.versions[-1].version))
        return form_page(e, template, values, {}, GOAL_LABELS, **context)
    form = await read_form(e.request)
    data, errors = inputs.parse_goal({"text": form.get("text", "")})
    if data is None:
        return form_page(e, template, form, errors, GOAL_LABELS, **context)

    async def write(db: Any) -> None:
        if goal is None:
            await service.save_goal(db, writer(e), kind, data)
        else:
            current = await service.find_goal(db, e.participant.id, goal.id)
            await service.save_goal(db, writer(e), kind, data, current, based_on=based_on(form))

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        if goal is None:
            raise
        async with database(e.request).sessions() as db:
            goal = await service.find_goal(db, e.participant.id, goal.id)
        current = goal.versions[-1] if goal else None
        if current is None or current.removed:
            return changed_in_between(e, form.get("text", ""))
        conflict = conflict_of(current, {"text": current.text}, form, GOAL_LABELS)
        values = resubmittable(form, current.version)
        return form_page(
            e, template, values, {}, GOAL_LABELS, **{**context, "goal": goal}, conflict=conflict
        )
    return done(e, "goal")


async def agreement_form(e: StaffOnParticipant) -> Response:
    template = "plan/agreement_form.html"
    if e.request.method == "GET":
        async with database(e.request).sessions() as db:
            latest = await service.latest_agreement(db, e.participant.id)
        values = {
            "text": latest.text if latest else "",
            "agreed_on": e.today.isoformat(),
            "agreed_by": e.staff.user.full_name,
            "version": str(latest.version if latest else 0),
            "form_token": new_form_token(),
        }
        return form_page(e, template, values, {}, AGREEMENT_LABELS)
    form = await read_form(e.request)
    data, errors = inputs.parse_agreement(form, e.today)
    if data is None:
        return form_page(e, template, form, errors, AGREEMENT_LABELS)

    async def write(db: Any) -> None:
        await service.save_agreement(db, writer(e), data, based_on=based_on(form))

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        async with database(e.request).sessions() as db:
            latest = await service.latest_agreement(db, e.participant.id)
        if latest is None:
            raise
        theirs = {
            "text": latest.text,
            "agreed_on": latest.agreed_on.isoformat(),
            "agreed_by": latest.agreed_by,
        }
        conflict = conflict_of(latest, theirs, form, AGREEMENT_LABELS)
        values = resubmittable(form, latest.version)
        return form_page(e, template, values, {}, AGREEMENT_LABELS, conflict=conflict)
    return done(e, "agreement")
