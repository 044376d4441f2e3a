"""Exports of consented hour data (`/staff/exports`): creating one for a period, its manifest,
and its downloads as CSV and JSON (also for the case-system API)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from portal.auth.guards import StaffIdentity, staff_only
from portal.hours import exports, service
from portal.hours.exports import csv_chunks, export_batches, json_chunks
from portal.hours.models import (
    HourExport,
)
from portal.hours.routes import now
from portal.hours.service import Month
from portal.participants.models import Participant
from portal.staff.service import visible_participants_query
from portal.web.forms import read_form
from portal.web.i18n import gettext
from portal.web.requests import database, today
from portal.web.templating import pages

# ---------------------------------------------------------------- exports


def exporter(
    handler: Callable[[Request, StaffIdentity], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    return staff_only("export_consented", handler)


def exports_query(staff: StaffIdentity) -> Any:
    return select(HourExport).where(HourExport.organisation_id == staff.user.organisation_id)


def render_exports(
    request: Request,
    staff: StaffIdentity,
    exports: Any,
    counts: Mapping[int, int],
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> Response:
    return pages(request).render_staff(
        request,
        "hours/exports.html",
        {
            "exports": exports,
            "counts": counts,
            "values": values,
            "errors": errors,
        },
        status_code,
    )


async def exports_page(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        made = (await db.scalars(exports_query(staff).order_by(HourExport.id.desc()))).all()
        counts = await exports.report_counts(db, [export.id for export in made])
    last = Month.of(today(request)).previous()
    values = {"from": str(Month(last.year, 1)), "to": str(last)}
    if request.method == "GET":
        return render_exports(request, staff, made, counts, values, {})
    form = await read_form(request)
    values = {k: form.get(k, "").strip() for k in ("from", "to")}
    errors = {}
    start, end = Month.parse(values["from"]), Month.parse(values["to"])
    if start is None:
        errors["from"] = gettext("Give a month, like 2026-01.")
    if end is None:
        errors["to"] = gettext("Give a month, like 2026-01.")
    elif start is not None and end < start:
        errors["to"] = gettext("The period must end on or after its start.")
    if errors or start is None or end is None:
        return render_exports(request, staff, made, counts, values, errors, 400)
    async with database(request).transaction() as db:
        export = await exports.create_export(
            db,
            start.first,
            end.last,
            staff.user.full_name,
            now(),
            staff_id=staff.user.id,
            organisation_id=staff.user.organisation_id,
            participant_ids=visible_participants_query(staff.user, staff.roles)
            .with_only_columns(Participant.id)
            .order_by(None),
        )
    return RedirectResponse(f"/staff/exports/{export.id}", status_code=303)


async def export_or_404(request: Request, staff: StaffIdentity, db: AsyncSession) -> HourExport:
    export = await db.scalar(
        exports_query(staff).where(HourExport.id == request.path_params["export_id"])
    )
    if export is None:
        raise HTTPException(404)
    return export


async def export_page(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        export = await export_or_404(request, staff, db)
        manifest = await exports.manifest_rows(db, export.id)
    return pages(request).render_staff(
        request,
        "hours/export.html",
        {
            "export": export,
            "manifest": manifest,
        },
    )


CSV = "text/csv; charset=utf-8"
JSON = "application/json"


def download(request: Request, export: HourExport, kind: str) -> Response:
    batches = export_batches(database(request), export.id)
    own_work = service.own_work_label(request.app.state.settings.country)
    name = f"hours-export-{export.id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        return StreamingResponse(csv_chunks(batches, own_work), media_type=CSV, headers=headers)
    return StreamingResponse(
        json_chunks(batches, export, own_work), media_type=JSON, headers=headers
    )


async def export_download(request: Request, staff: StaffIdentity) -> Response:
    if request.path_params["kind"] not in ("csv", "json"):
        raise HTTPException(404)
    async with database(request).sessions() as db:
        export = await export_or_404(request, staff, db)
    return download(request, export, request.path_params["kind"])


def routes() -> list[Route]:
    return [
        Route("/staff/exports", exporter(exports_page), methods=["GET", "POST"]),
        Route("/staff/exports/{export_id:int}", exporter(export_page)),
        Route("/staff/exports/{export_id:int}.{kind:str}", exporter(export_download)),
    ]
