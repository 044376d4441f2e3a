"""The participant's reports (`/reports`, and read-only for staff): the approved
implementation plan and final report of each intervention, and the eID confirmation of a
final report that the provider asked for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.auth.models import Signature
from portal.auth.signing import SigningRefused, start_signing
from portal.participants.models import Participant
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.reports import board, rules, service
from portal.reports.service import ReportsError
from portal.web.forms import read_form
from portal.web.i18n import gettext
from portal.web.requests import database, today
from portal.web.templating import pages

CONFIRM = "reports.confirm_final"


async def reports_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        found = await service.interventions_of_participant(db, view.participant.id)
    interventions = []
    for intervention, provider_name, reports in found:
        by_kind = {report.kind: report for report in reports}
        plan, final = by_kind.get("plan"), by_kind.get("final")
        interventions.append(
            {
                "intervention": intervention,
                "provider": provider_name,
                "plan": service.latest_with(plan, "approved") if plan else None,
                "final_report": final,
                "final": service.shown_to_participant(final) if final else None,
                "to_confirm": service.asks_confirmation(final) if final else None,
            }
        )
    rows = []
    if view.read_only:  # staff also see the status board's row of each intervention
        scope = board.Scope(0, provider=False, reviewer=False, participant_id=view.participant.id)
        rows = (
            await board.board_page(database(request), scope, board.BoardQuery(), today(request))
        ).rows
    return render(
        request,
        view,
        "reports/participant.html",
        interventions=interventions,
        board_rows=rows,
        end_reasons=rules.END_REASONS,
        cell_statuses=rules.CELL_STATUSES,
        kinds=rules.KINDS,
        confirmed=request.query_params.get("confirmed"),
    )


def confirmation_text(request: Request, provider: str, version: Any, intervention: Any) -> str:
    fmt = pages(request).formatter
    return gettext(
        "I have read the final report of my intervention with %(provider)s, %(start)s to "
        "%(end)s (version %(version)s).",
        provider=provider,
        start=fmt.date(intervention.start_date),
        end=fmt.date(intervention.end_date),
        version=version.version,
    )


async def confirm(request: Request, participant: Participant) -> Response:
    form = await read_form(request)
    report_id = request.path_params["report_id"]
    async with database(request).sessions() as db:
        found = await service.interventions_of_participant(db, participant.id)
    for intervention, provider, reports in found:
        for report in reports:
            version = service.asks_confirmation(report) if report.id == report_id else None
            if version is None:
                continue
            if str(version.version) != form.get("version") or version.confirmation is not None:
                return RedirectResponse("/reports", status_code=303)
            document = {
                "purpose": CONFIRM,
                "participant": participant.id,
                "report": report.id,
                "version": version.version,
                "content": version.content,
            }
            return await start_signing(
                request,
                CONFIRM,
                confirmation_text(request, provider, version, intervention),
                json.dumps(document, sort_keys=True, ensure_ascii=False),
                {"report": report.id, "version": version.version},
                back="/reports",
            )
    raise HTTPException(404)


async def complete_confirmation(
    db: AsyncSession, participant: Participant, payload: Mapping[str, Any], signature: Signature
) -> str:
    try:
        await service.confirm_final(
            db, participant.id, int(payload["report"]), int(payload["version"]), signature.id
        )
    except ReportsError as refusal:
        raise SigningRefused(refusal.message, "/reports") from refusal
    return "/reports?confirmed=1"


SIGNING_HANDLERS = {CONFIRM: complete_confirmation}


def routes() -> list[Route]:
    return [
        *participant_page_routes("/reports", reports_page, "reports"),
        Route("/reports/{report_id:int}/confirm", participant_only(confirm), methods=["POST"]),
    ]
