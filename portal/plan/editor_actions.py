"""The plan editor's permanent actions, each asked first on a page that works without
JavaScript: cancelling an initiative (with the reason the participant reads as its latest
status) and removing a goal. A double click does it once; a change saved in between is shown
rather than overwritten."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from portal.auth.acting import StaffOnParticipant
from portal.plan import inputs, service
from portal.plan.editor import (
    EDITOR,
    agreement_form,
    based_on,
    changed_in_between,
    current_initiative,
    editor,
    editor_overview,
    editor_page,
    end_form,
    goal_form,
    initiative_form,
    initiative_or_404,
    locked,
    status_form,
    writer,
)
from portal.plan.service import PlanError
from portal.web.forms import form_token_claimed, new_form_token, once_per_token, read_form
from portal.web.i18n import gettext
from portal.web.requests import database
from portal.web.templating import tell


async def cancel_initiative(e: StaffOnParticipant) -> Response:
    """Asks first (why, and that the participant is told), then cancels: the reason becomes
    the initiative's latest status, which the participant reads."""
    initiative = await current_initiative(e)
    current = initiative.versions[-1]
    form = await read_form(e.request) if e.request.method == "POST" else {}
    if await already_done(e, form):  # a second click of the same form: answered as the first
        told(e, gettext("Cancelled: “%(title)s”.", title=current.title))
        return e.redirect()
    if service.is_locked(current, e.today):
        return locked(e)
    reason, errors = inputs.parse_status(
        {"text": form.get("reason", ""), "entry_date": e.today.isoformat()}, e.today
    )
    if e.request.method == "GET" or reason is None:
        values = {"form_token": new_form_token(), "version": str(current.version), **form}
        page = cancel_confirmation(e, current, values, errors.get("text") if form else None)
        return editor_page(e, "plan/confirm.html", 400 if form else 200, confirm=page)
    cancel_reason = reason

    async def write(db: Any) -> None:
        found = await initiative_or_404(e, db)
        service.check_based_on(found.versions[-1].version, based_on(form))
        await service.add_status_entry(db, writer(e), found, cancel_reason)
        await service.cancel_initiative(db, writer(e), found)

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        return changed_in_between(e, current.title)
    except PlanError as refusal:
        return editor_page(e, "plan/refused.html", 409, message=refusal.message)
    told(e, gettext("Cancelled: “%(title)s”.", title=current.title))
    return e.redirect()


def cancel_confirmation(
    e: StaffOnParticipant, current: Any, values: dict[str, Any], error: str | None
) -> dict[str, Any]:
    name = e.participant.first_name
    return {
        "heading": gettext("Cancel “%(title)s”?", title=current.title),
        "texts": [
            gettext(
                "A cancelled initiative is kept in the plan as cancelled and cannot be changed "
                "afterwards. %(name)s gets a notice about the change and reads the reason.",
                name=name,
            )
        ],
        "action": f"{e.base}/initiatives/{current.initiative_id}/cancel",
        "fields": {key: values[key] for key in ("form_token", "version")},
        "reason": {
            "name": "reason",
            "label": gettext("Why is it cancelled?"),
            "hint": gettext("%(name)s reads this as the latest status.", name=name),
            "value": values.get("reason", ""),
            "error": error,
        },
        "yes": gettext("Cancel the initiative"),
        "no": gettext("No, keep it"),
        "back": e.base,
    }


async def already_done(e: StaffOnParticipant, form: dict[str, Any]) -> bool:
    token = form.get("form_token", "")
    async with database(e.request).sessions() as db:
        return await form_token_claimed(db, token)


def told(e: StaffOnParticipant, what: str) -> None:
    """What happened, said on the editor's page after the redirect, with the notice sent."""
    tell(
        e.request,
        what
        + " "
        + gettext("%(name)s gets a notice about the change.", name=e.participant.first_name),
    )


async def remove_goal(e: StaffOnParticipant) -> Response:
    """Asks first, then removes (the goal stays in the plan's history)."""
    goal_id = e.request.path_params["goal_id"]
    async with database(e.request).sessions() as db:
        goal = await service.find_goal(db, e.participant.id, goal_id)
    form = await read_form(e.request) if e.request.method == "POST" else {}
    if goal is not None and await already_done(e, form):  # a second click: answered as the first
        told(e, gettext("Removed: “%(goal)s”.", goal=goal.versions[-1].text))
        return e.redirect()
    if goal is None or goal.versions[-1].removed:
        raise HTTPException(404)
    text = goal.versions[-1].text
    if e.request.method == "GET":
        fields = {"form_token": new_form_token(), "version": str(goal.versions[-1].version)}
        page = {
            "heading": gettext("Remove the goal “%(goal)s”?", goal=text),
            "texts": [
                gettext(
                    "The goal leaves the plan and stays in its history. %(name)s gets a notice "
                    "about the change.",
                    name=e.participant.first_name,
                )
            ],
            "action": f"{e.base}/goals/{goal.id}/remove",
            "fields": fields,
            "yes": gettext("Remove the goal"),
            "no": gettext("No, keep it"),
            "back": e.base,
        }
        return editor_page(e, "plan/confirm.html", confirm=page)

    async def write(db: Any) -> None:
        found = await service.find_goal(db, e.participant.id, goal_id)
        if found is None:
            raise HTTPException(404)
        await service.remove_goal(db, writer(e), found, based_on=based_on(form))

    try:
        await once_per_token(database(e.request), form.get("form_token", ""), write)
    except (service.PlanConflict, IntegrityError):
        async with database(e.request).sessions() as db:
            goal = await service.find_goal(db, e.participant.id, goal_id)
        if goal is not None and not goal.versions[-1].removed:
            return changed_in_between(e, goal.versions[-1].text)
    told(e, gettext("Removed: “%(goal)s”.", goal=text))
    return e.redirect()


def editor_routes() -> list[Route]:
    both = ["GET", "POST"]
    return [
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
            methods=both,
        ),
        Route(EDITOR + "/goals/new", editor(goal_form), methods=both),
        Route(EDITOR + "/goals/{goal_id:int}", editor(goal_form), methods=both),
        Route(EDITOR + "/goals/{goal_id:int}/remove", editor(remove_goal), methods=both),
        Route(EDITOR + "/agreement", editor(agreement_form), methods=both),
    ]
