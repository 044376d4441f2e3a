"""My Plan over HTTP: the participant's plan and its history (also read-only for staff), and
the caseworker's editor. Handlers parse, call plan.service in one transaction, and render."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.db import utcnow
from portal.jobgoal.service import goal_mismatch, goal_mismatch_query
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.plan import reading, service
from portal.plan.editor import labels
from portal.plan.editor_actions import editor_routes
from portal.web.fragments import FragmentCache
from portal.web.i18n import current_language
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


def routes() -> list[Route]:
    return [
        *participant_page_routes("/plan", plan_page, "plan"),
        *participant_page_routes("/plan.pdf", plan_pdf, "plan"),
        *participant_page_routes(
            "/plan/initiatives/{initiative_id:int}/history", initiative_history_page, "plan"
        ),
        *participant_page_routes("/plan/goals/history", goals_history_page, "plan"),
        *editor_routes(),
    ]
