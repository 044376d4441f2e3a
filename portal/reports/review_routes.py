"""The reviewer's side of provider reports (`/staff/reports/...`): the work queue, a report
beside its previous approved version with the decision form, and the status board that
providers and reviewers share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit.service import record_access
from portal.auth.guards import StaffIdentity, current_staff, login_redirect, staff_only
from portal.db import utcnow
from portal.participants.models import Participant
from portal.participants.search import search_words
from portal.reports import board, interventions, rules, service
from portal.reports.documents import pick_version, report_document
from portal.reports.models import Report
from portal.reports.reminders import set_subscription
from portal.reports.service import ReportsError
from portal.staff.service import WRITE, allows
from portal.web.access import STAFF, Access, declare
from portal.web.forms import (
    Fields,
    Refused,
    new_form_token,
    once_per_token,
    read_form,
    whole_number,
)
from portal.web.i18n import gettext
from portal.web.listing import chosen, search_text
from portal.web.requests import database, today
from portal.web.templating import pages

OUTCOMES = {"approved": "approve", "returned": "return"}


def render(
    request: Request, staff: StaffIdentity, name: str, status: int = 200, **context: Any
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {
            "staff": staff,
            "kinds": rules.KINDS,
            "cell_statuses": rules.CELL_STATUSES,
            **context,
        },
        status,
    )


async def queue(request: Request, staff: StaffIdentity) -> Response:
    params = request.query_params
    search = search_text(params)
    kind = chosen(params, "kind", rules.KINDS, "")
    providers, found = await service.queue_page(
        database(request),
        staff.user.organisation_id,
        params.get("provider", ""),
        kind,
        search_words(search),
    )
    provider = chosen(params, "provider", {id for id, _ in providers}, "")
    return render(
        request,
        staff,
        "reports/queue.html",
        rows=found,
        provider_options=providers,
        provider=provider,
        kind=kind,
        search=search,
    )


async def reviewed_report(
    request: Request, staff: StaffIdentity, log: bool
) -> tuple[Report, Participant]:
    """The path's report when this reviewer's organisation reviews it (404 otherwise); its
    opening is written to the participant's access log."""
    async with database(request).transaction() as db:
        report = await service.report_for_reviewer(
            db, staff.user.organisation_id, request.path_params["report_id"]
        )
        if report is None:
            raise HTTPException(404)
        participant = await db.get(Participant, report.intervention.participant_id)
        assert participant is not None
        if log:
            await record_access(db, participant, staff.user, "reports")
    return report, participant


def report_context(report: Report) -> dict[str, Any]:
    submitted = service.latest_submitted(report)
    approved = service.latest_with(report, "approved")
    previous = approved if approved is not None and approved is not submitted else None
    return {
        "report": report,
        "submitted": submitted,
        "previous": previous,
        "changed": rules.changed_fields(
            submitted.content if submitted else {}, previous.content if previous else None
        ),
        "activity_statuses": rules.ACTIVITY_STATUSES,
        "end_reasons": rules.END_REASONS,
        "yes_no": rules.YES_NO,
    }


async def review_page(request: Request, staff: StaffIdentity) -> Response:
    report, participant = await reviewed_report(request, staff, log=True)
    return render(
        request,
        staff,
        "reports/review.html",
        participant=participant,
        values={},
        errors={},
        decided=request.query_params.get("decided"),
        **report_context(report),
    )


async def review_pdf(request: Request, staff: StaffIdentity) -> Response:
    report, participant = await reviewed_report(request, staff, log=True)
    submitted = [v for v in report.versions if v.state == "submitted"]
    if not submitted:
        raise HTTPException(404)
    number = request.query_params.get("version", "")
    version = pick_version(report, number) if number else submitted[-1]
    if version.state != "submitted":
        raise HTTPException(404)  # a provider's draft is theirs until submitted
    return await report_document(request, report, version, participant)


async def decide(request: Request, staff: StaffIdentity) -> Response:
    report, participant = await reviewed_report(request, staff, log=False)
    form = await read_form(request)
    fields = Fields(form)
    outcome = fields.choice("outcome", OUTCOMES)
    comment = fields.text("comment", rules.TEXT_LIMIT, required=outcome == "returned")
    if "comment" in fields.errors and not comment:
        fields.errors["comment"] = gettext("Say what the provider should correct.")
    version = str(form.get("version", ""))
    refusal = None
    if not fields.errors:
        try:
            async with database(request).transaction() as db:
                fresh = await service.report_for_reviewer(db, staff.user.organisation_id, report.id)
                assert fresh is not None
                number = whole_number(version) or 0
                await service.decide(db, fresh, number, outcome, comment, staff.user, utcnow())
        except ReportsError as refused:
            refusal = refused.message
        else:
            return RedirectResponse(
                f"/staff/reports/{report.id}?decided={outcome}", status_code=303
            )
    async with database(request).sessions() as db:
        report = (
            await service.report_for_reviewer(db, staff.user.organisation_id, report.id) or report
        )
    return render(
        request,
        staff,
        "reports/review.html",
        409 if refusal else 400,
        participant=participant,
        values=form,
        errors=fields.errors,
        refusal=refusal,
        decided=None,
        **report_context(report),
    )


async def new_intervention(request: Request, staff: StaffIdentity) -> Response:
    return await intervention_form(request, staff, {"form_token": new_form_token()}, {})


async def intervention_form(
    request: Request,
    staff: StaffIdentity,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    async with database(request).sessions() as db:
        providers, tracks = await interventions.providers_and_tracks(db)
    return render(
        request,
        staff,
        "reports/intervention_form.html",
        status,
        values=values,
        errors=errors,
        provider_options=[(str(key), name) for key, name in providers.items()],
        track_options=[
            (str(t.id), f"{t.name} ({providers.get(t.organisation_id, '')})") for t in tracks
        ],
    )


async def create_intervention(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request)
    country = request.app.state.settings.country
    async with database(request).sessions() as db:
        providers, tracks = await interventions.providers_and_tracks(db)
    given, errors = interventions.parse_intervention(form, country, providers, tracks)
    if given is not None:
        registration = given

        async def write(db: Any) -> None:
            created, refused = await interventions.register(
                db, staff.user, staff.roles, registration
            )
            if created is None:
                raise Refused(refused)

        try:
            # A double click registers once; both answers go to the board.
            await once_per_token(database(request), form.get("form_token", ""), write)
        except Refused as refusal:
            errors = refusal.errors
        else:
            return RedirectResponse(
                "/staff/reports/board?created=1&q=" + quote(given.personal_number),
                status_code=303,
            )
    return await intervention_form(request, staff, form, errors, 400)


def board_scope(staff: StaffIdentity) -> board.Scope:
    return board.Scope(
        staff.user.organisation_id,
        provider=allows(staff.roles, "register_reports", WRITE),
        reviewer=allows(staff.roles, "review_reports", WRITE),
    )


async def board_page(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    scope = board_scope(staff)
    if not (scope.provider or scope.reviewer):
        raise HTTPException(403)
    query = board.BoardQuery.parse(request.query_params)
    db = database(request)
    found = await board.board_page(db, scope, query, today(request))
    tracks, providers = await board.filter_options(db, scope)
    return render(
        request,
        staff,
        "reports/board.html",
        board=found,
        query=found.query,
        scope=scope,
        providers_options=tuple((str(key), name) for key, name in providers),
        track_options=tuple((str(key), name) for key, name in tracks),
        kind_options=tuple((column, str(rules.KINDS[column])) for column in board.COLUMNS),
        sorts=board.SORTS,
        sort_options=tuple(
            (key, str(label)) for key, label in board.SORTS.items() if key != "name"
        ),
        columns=board.COLUMNS,
        abbreviations=rules.KIND_ABBREVIATIONS,
        created=request.query_params.get("created"),
        # Plain strings and tuples, so that each row and the filters can be cached fragments.
        row_labels=(
            *((column, str(rules.KINDS[column])) for column in board.COLUMNS),
            ("provider", gettext("Provider")),
            ("intervention", gettext("Intervention")),
            ("absence", gettext("Absence")),
        ),
        status_texts=tuple((key, str(label)) for key, label in rules.CELL_STATUSES.items()),
        lines=board.lines(found.rows),
    )


def reviewer(
    handler: Callable[[Request, StaffIdentity], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    return staff_only("review_reports", handler, 403)


async def reminder_subscription(request: Request, staff: StaffIdentity) -> Response:
    """The provider's daily e-mail of their reminders: on or off."""
    daily = (await read_form(request)).get("daily") == "yes"
    async with database(request).transaction() as db:
        await set_subscription(db, staff.user, daily)
    return RedirectResponse("/staff/#reminders-title", status_code=303)


def routes() -> list[Route]:
    return [
        Route(
            "/staff/reports/reminders",
            staff_only("register_reports", reminder_subscription, 403),
            methods=["POST"],
        ),
        Route(
            "/staff/reports/board",
            declare(board_page, Access(STAFF, ("register_reports", "review_reports"), WRITE)),
        ),
        Route("/staff/reports/queue", reviewer(queue)),
        Route("/staff/reports/interventions/new", reviewer(new_intervention)),
        Route("/staff/reports/interventions/new", reviewer(create_intervention), methods=["POST"]),
        Route("/staff/reports/{report_id:int}", reviewer(review_page)),
        Route("/staff/reports/{report_id:int}/decision", reviewer(decide), methods=["POST"]),
        Route("/staff/reports/{report_id:int}/pdf", reviewer(review_pdf)),
    ]
