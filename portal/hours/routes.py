"""Hour histories over HTTP.

Participant (`/hours`, also read-only for staff): the reports, one report with its chart,
approval by eID signature (with the consent question while consent is not in force), "not
agreed" with a comment, the receipt, and consent withdrawal. Provider staff
(`/staff/participants/{id}/hour-reports`): the month grid with draft, autosave, day copying,
submission and corrections. Export staff (`/staff/exports`): exports and their downloads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from portal.auth.acting import ActingHandler, StaffOnParticipant, acting_on_participant
from portal.auth.guards import StaffIdentity, participant_only, staff_only
from portal.auth.models import Signature
from portal.auth.pages import ParticipantView, participant_page_routes, render
from portal.auth.signing import SigningRefused, start_signing
from portal.holidays import month_days, working_days
from portal.hours import service
from portal.hours.export import csv_chunks, export_batches, json_chunks
from portal.hours.models import (
    ConsentEvent,
    HourEntry,
    HourExport,
    HourExportItem,
    HourReport,
    HourReportVersion,
)
from portal.hours.service import Activity, HoursError, Month
from portal.notify.service import HOURS_TO_APPROVE, Links, notify_participant
from portal.participants.models import Participant
from portal.staff.service import visible_participants_query
from portal.web.i18n import Formatter, gettext
from portal.web.requests import database, today
from portal.web.templating import pages

# ---------------------------------------------------------------- participant pages


def now() -> dt.datetime:
    return service.utc_now()


async def reports_page(request: Request, view: ParticipantView) -> Response:
    moment = now()
    async with database(request).sessions() as db:
        reports = (await db.scalars(service.participant_reports_query(view.participant.id))).all()
    rows = []
    for report in reports:
        version = service.visible_to_participant(report, moment)
        if version is not None:
            month = Month(report.year, report.month)
            rows.append((report, month, version, service.status_of(version, moment)))
    return render(request, view, "hours/list.html", rows=rows, statuses=service.STATUSES)


@dataclass
class DayRow:
    day: dt.date
    hours: dict[str, Decimal]
    total: Decimal


def report_table(entries: Any, activities: list[Activity]) -> list[DayRow]:
    by_day: dict[dt.date, dict[str, Decimal]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, {})[entry.activity] = entry.hours
    return [
        DayRow(day, hours, sum(hours.values(), Decimal(0))) for day, hours in sorted(by_day.items())
    ]


def activities_of(entries: Any) -> list[Activity]:
    seen: dict[str, str] = {}
    for entry in entries:
        seen.setdefault(entry.activity, entry.activity_label)
    own = seen.pop(service.OWN_WORK, None)
    found = [Activity(key, label) for key, label in sorted(seen.items(), key=lambda kv: kv[1])]
    # Own work is named in the reader's language, whatever language it was registered in.
    own_work = [Activity(service.OWN_WORK, str(service.OWN_WORK_LABEL))] if own else []
    return found + own_work


def chart(month: Month, entries: Any) -> dict[str, Any]:
    """Bars of hours per ISO week, scaled to the largest week (at least 40 hours)."""
    totals = {week: hours for week, _monday, hours in service.week_totals(entries)}
    weeks = [
        (week, monday, totals.get(week, Decimal(0))) for week, monday in service.month_weeks(month)
    ]
    top = max([Decimal(40), *(hours for _w, _m, hours in weeks)])
    return {"weeks": weeks, "top": top}


async def report_page(request: Request, view: ParticipantView) -> Response:
    moment = now()
    report_id = request.path_params["report_id"]
    async with database(request).sessions() as db:
        found = await service.participant_report(db, view.participant.id, report_id, moment)
        if found is None:
            raise HTTPException(404)
        report, version = found
        shown = version
        number = request.query_params.get("version")
        if number and number.isdigit():
            earlier = [
                v for v in report.versions if v.state == "submitted" and v.version == int(number)
            ]
            if not earlier:
                raise HTTPException(404)
            shown = earlier[0]
        offer_consent = await service.may_offer_consent(db, view.participant.id)
    return report_response(request, view, report, version, shown, offer_consent, {}, {})


def report_response(
    request: Request,
    view: ParticipantView,
    report: HourReport,
    version: Any,
    shown: Any,
    offer_consent: bool,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
) -> Response:
    month = Month(report.year, report.month)
    activities = activities_of(shown.entries)
    return render(
        request,
        view,
        "hours/report.html",
        status_code,
        report=report,
        month=month,
        version=version,
        shown=shown,
        status=service.status_of(version, now()),
        statuses=service.STATUSES,
        activities=activities,
        rows=report_table(shown.entries, activities),
        chart=chart(month, shown.entries),
        earlier=[v for v in report.versions if v.state == "submitted" and v.id != version.id],
        offer_consent=offer_consent,
        values=values,
        errors=errors,
    )


async def form_of(request: Request) -> dict[str, str]:
    async with request.form() as form:
        return {k: str(v) for k, v in form.items()}


def approval_text(month: Month, version: Any, consent: bool, fmt: Formatter, country: str) -> str:
    """What the participant signs, in their language."""
    text = gettext(
        "I approve my hour history for %(month)s, version %(version)s: %(hours)s hours in total.",
        month=fmt.date(month.first, "LLLL yyyy"),
        version=version.version,
        hours=fmt.decimal(version.total_hours),
    )
    if consent:
        text += " " + gettext(
            "I consent to data from my hour histories being passed on to the European Social "
            "Fund (ESF) and %(agency)s.",
            agency=service.statistics_agency(country)[0],
        )
    return text


async def approve(request: Request, participant: Participant) -> Response:
    form = await form_of(request)
    report_id = request.path_params["report_id"]
    async with database(request).sessions() as db:
        shown = await service.participant_report(db, participant.id, report_id, now())
        offer_consent = await service.may_offer_consent(db, participant.id)
    if shown is None:
        raise HTTPException(404)
    report, version = shown
    if version.response is not None or str(version.version) != form.get("version"):
        return RedirectResponse(f"/hours/{report.id}", status_code=303)
    consent = offer_consent and form.get("consent") == "yes"
    document = service.approval_document(report, version, participant.id, consent)
    text = approval_text(
        Month(report.year, report.month),
        version,
        consent,
        fmt(request),
        request.app.state.settings.country,
    )
    return await start_signing(
        request,
        "hours.approve",
        text,
        service.canonical(document),
        {"report": report.id, "version": version.version, "consent": consent},
        back=f"/hours/{report.id}",
    )


async def complete_approval(
    db: AsyncSession, participant: Participant, payload: Mapping[str, Any], signature: Signature
) -> str:
    report_id = int(payload["report"])
    try:
        await service.approve(
            db,
            participant.id,
            report_id,
            int(payload["version"]),
            bool(payload["consent"]),
            signature,
            signature.signed_at,
        )
    except HoursError as refusal:
        raise SigningRefused(refusal.message, f"/hours/{report_id}") from refusal
    return f"/hours/{report_id}/receipt"


async def not_agreed(request: Request, participant: Participant) -> Response:
    form = await form_of(request)
    report_id = request.path_params["report_id"]
    comment, error = service.parse_comment(form.get("comment", ""))
    try:
        async with database(request).transaction() as db:
            shown = await service.participant_report(db, participant.id, report_id, now())
            if shown is None:
                raise HTTPException(404)
            if error is not None:
                report, version = shown
                offer = await service.may_offer_consent(db, participant.id)
                return report_response(
                    request,
                    ParticipantView(participant),
                    report,
                    version,
                    version,
                    offer,
                    form,
                    {"comment": error},
                    400,
                )
            await service.not_agreed(db, participant.id, report_id, comment, now())
    except (HoursError, IntegrityError):
        pass  # already answered: the report page shows the answer
    return RedirectResponse(f"/hours/{report_id}", status_code=303)


async def receipt_page(request: Request, view: ParticipantView) -> Response:
    report_id = request.path_params["report_id"]
    async with database(request).sessions() as db:
        found = await service.participant_report(db, view.participant.id, report_id, now())
    if found is None:
        raise HTTPException(404)
    report, version = found
    if version.response is None or version.response.signature is None:
        raise HTTPException(404)
    return render(
        request,
        view,
        "hours/receipt.html",
        report=report,
        month=Month(report.year, report.month),
        version=version,
        signature=version.response.signature,
    )


async def consent_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        in_force = await service.consent_in_force(db, view.participant.id)
        history = await service.consent_history(db, view.participant.id)
    return render(
        request,
        view,
        "hours/consent.html",
        in_force=in_force,
        history=history,
        withdrawn=request.query_params.get("withdrawn") == "1",
    )


async def consent_about_page(request: Request, view: ParticipantView) -> Response:
    return render(request, view, "hours/consent_about.html")


async def withdraw(request: Request, participant: Participant) -> Response:
    async with database(request).sessions() as db:
        in_force = await service.consent_in_force(db, participant.id)
    if in_force is None:
        return RedirectResponse("/hours/consent", status_code=303)
    text = gettext(
        "I withdraw my consent to data from my hour histories being passed on to the European "
        "Social Fund (ESF) and %(agency)s.",
        agency=service.statistics_agency(request.app.state.settings.country)[0],
    )
    return await start_signing(
        request,
        "hours.withdraw",
        text,
        service.canonical(service.withdrawal_document(participant.id)),
        {},
        back="/hours/consent",
    )


async def complete_withdrawal(
    db: AsyncSession, participant: Participant, payload: Mapping[str, Any], signature: Signature
) -> str:
    try:
        await service.withdraw_consent(db, participant.id, signature, signature.signed_at)
    except HoursError as refusal:
        raise SigningRefused(refusal.message, "/hours/consent") from refusal
    return "/hours/consent?withdrawn=1"


SIGNING_HANDLERS = {"hours.approve": complete_approval, "hours.withdraw": complete_withdrawal}


def fmt(request: Request) -> Formatter:
    formatter: Formatter = pages(request).formatter
    return formatter


# ---------------------------------------------------------------- provider's month grid

PROVIDER = "/staff/participants/{participant_id:int}/hour-reports"


Provider = StaffOnParticipant


def provider(handler: ActingHandler) -> Callable[[Request], Awaitable[Response]]:
    """Only staff who register hour histories, and only for participants they may see; each
    opening is written to the participant's access log."""
    return acting_on_participant("register_reports", "hour-reports", "hour-registration")(handler)


def provider_page(p: Provider, name: str, status_code: int = 200, **context: Any) -> Response:
    return p.render(name, status_code, statuses=service.STATUSES, **context)


def selectable_months(day: dt.date) -> list[Month]:
    """This month and the twelve before it, newest first."""
    months = [Month.of(day)]
    for _ in range(12):
        months.append(months[-1].previous())
    return months


async def provider_reports(p: Provider) -> Response:
    moment = now()
    async with database(p.request).sessions() as db:
        reports = (
            await db.scalars(
                service.reports_query(p.staff.user.organisation_id)
                .where(HourReport.participant_id == p.participant.id)
                .order_by(HourReport.year.desc(), HourReport.month.desc())
            )
        ).all()
    rows = []
    for report in reports:
        latest = report.versions[-1] if report.versions else None
        submitted = service.latest_submitted(report)
        rows.append(
            (
                report,
                Month(report.year, report.month),
                latest,
                service.status_of(submitted, moment),
                latest is not None and latest.state == "draft" and submitted is not None,
            )
        )
    return provider_page(
        p,
        "hours/provider_list.html",
        rows=rows,
        months=selectable_months(today(p.request)),
    )


def month_or_404(p: Provider) -> Month:
    month = Month.parse(p.request.path_params["month"])
    if month is None or month > Month.of(today(p.request)):
        raise HTTPException(404)
    return month


async def grid_context(p: Provider, db: AsyncSession, month: Month) -> dict[str, Any]:
    report = await service.find_report(db, p.staff.user.organisation_id, p.participant.id, month)
    initiatives = await service.participant_initiatives(db, p.participant.id)
    activities = service.activities_for_month(initiatives, month)
    country = p.request.app.state.settings.country
    return {
        "report": report,
        "month": month,
        "activities": activities,
        "working_days": working_days(country, month.year, month.month),
        "closed_days": [
            (day, service.not_working_reason(country, day))
            for day in month_days(month.year, month.month)
            if day.weekday() < 5 and service.not_working_reason(country, day) is not None
        ],
        "today": today(p.request),
    }


def grid_response(
    p: Provider,
    context: dict[str, Any],
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Response:
    report: HourReport | None = context["report"]
    latest = report.versions[-1] if report and report.versions else None
    shown = latest
    number = p.request.query_params.get("version")
    if report is not None and number and number.isdigit():
        matching = [v for v in report.versions if v.version == int(number)]
        if not matching:
            raise HTTPException(404)
        shown = matching[0]
    editable = shown is None or shown.state == "draft"
    if not editable and shown is not None:
        values = service.values_of(shown.entries)
    grid = service.parse_grid(
        values,
        p.request.app.state.settings.country,
        context["month"],
        context["activities"],
        context["today"],
        fmt(p.request),
    )
    submitted = service.latest_submitted(report) if report else None
    table_activities = activities_of(shown.entries) if shown is not None else []
    return provider_page(
        p,
        "hours/grid.html",
        status_code,
        **context,
        latest=latest,
        shown=shown,
        editable=editable,
        values=values,
        errors=errors,
        grid=grid,
        status=service.status_of(submitted, now()),
        response=submitted.response if submitted else None,
        versions=report.versions if report else [],
        table_activities=table_activities,
        table_rows=report_table(shown.entries, table_activities) if shown else [],
        field_name=service.field_name,
        day_field=service.day_field,
        **extra,
    )


def draft_values(report: HourReport | None) -> dict[str, str]:
    if report is None or not report.versions or report.versions[-1].state != "draft":
        return {}
    values: dict[str, str] = json.loads(report.versions[-1].draft_data)
    return values


async def month_grid(p: Provider) -> Response:
    month = month_or_404(p)
    async with database(p.request).sessions() as db:
        context = await grid_context(p, db, month)
    saved = p.request.query_params.get("saved")
    return grid_response(p, context, draft_values(context["report"]), {}, saved=saved)


async def month_grid_post(p: Provider) -> Response:
    month = month_or_404(p)
    async with p.request.form() as raw:
        form = {k: str(v) for k, v in raw.multi_items() if k != "copy_to"}
        copy_to = [str(v) for v in raw.getlist("copy_to")]
    action = form.get("action", "save")
    author = p.staff.user.full_name
    async with database(p.request).sessions() as db:
        context = await grid_context(p, db, month)
    keys = [a.key for a in context["activities"]]
    if action == "correct":
        return await correct(p, month)
    if action == "copy":
        source = parse_day(form.get("copy_from", ""), month)
        targets = [d for d in (parse_day(t, month) for t in copy_to) if d is not None]
        if source is None or not targets:
            return grid_response(
                p,
                context,
                form,
                {"copy_from": gettext("Choose a day to copy and at least one day to copy it to.")},
                400,
            )
        form = service.copy_day(form, source, targets, keys)
    grid = service.parse_grid(
        form,
        p.request.app.state.settings.country,
        month,
        context["activities"],
        context["today"],
        fmt(p.request),
    )
    try:
        async with database(p.request).transaction() as db:
            await service.save_draft(
                db, p.staff.user.organisation_id, p.participant.id, month, form, author, now()
            )
            if action == "submit" and not grid.errors:
                report = await service.find_report(
                    db, p.staff.user.organisation_id, p.participant.id, month
                )
                assert report is not None
                await service.submit(
                    db, report, grid, context["activities"], p.staff.user.id, author, now()
                )
                settings = p.request.app.state.settings
                await notify_participant(db, p.participant, HOURS_TO_APPROVE, Links.of(settings))
    except HoursError as refusal:
        async with database(p.request).sessions() as db:
            context = await grid_context(p, db, month)
        return grid_response(p, context, form, {}, 409, refusal=refusal.message)
    except IntegrityError:
        return RedirectResponse(f"{p.base}/{month}", status_code=303)  # a racing double submit
    if grid.errors and action == "submit":
        async with database(p.request).sessions() as db:
            context = await grid_context(p, db, month)
        return grid_response(p, context, form, grid.errors, 400)
    if action == "copy":
        async with database(p.request).sessions() as db:
            context = await grid_context(p, db, month)
        return grid_response(p, context, form, grid.errors, saved="copied")
    return RedirectResponse(
        f"{p.base}/{month}?saved={'submitted' if action == 'submit' else 'draft'}", 303
    )


def parse_day(text: str, month: Month) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if Month.of(day) == month else None


async def autosave(p: Provider) -> Response:
    """The htmx autosave: keep what is typed in the draft, answer with a short status."""
    month = month_or_404(p)
    async with p.request.form() as raw:
        form = {k: str(v) for k, v in raw.items()}
    try:
        async with database(p.request).transaction() as db:
            draft = await service.save_draft(
                db,
                p.staff.user.organisation_id,
                p.participant.id,
                month,
                form,
                p.staff.user.full_name,
                now(),
            )
    except HoursError as refusal:
        return provider_page(p, "hours/_autosave.html", 409, message=refusal.message)
    except IntegrityError:
        return provider_page(
            p, "hours/_autosave.html", 409, message=gettext("Not saved; try again.")
        )
    return provider_page(p, "hours/_autosave.html", saved_at=draft.updated_at)


async def correct(p: Provider, month: Month) -> Response:
    try:
        async with database(p.request).transaction() as db:
            report = await service.find_report(
                db, p.staff.user.organisation_id, p.participant.id, month
            )
            if report is None:
                raise HTTPException(404)
            await service.start_correction(db, report, p.staff.user.full_name, now())
    except (HoursError, IntegrityError):
        pass  # a correction is already open: the grid shows it
    return RedirectResponse(f"{p.base}/{month}?saved=correction", status_code=303)


async def open_month(p: Provider) -> Response:
    async with p.request.form() as raw:
        month = Month.parse(str(raw.get("month", "")))
    if month is None or month > Month.of(today(p.request)):
        return RedirectResponse(p.base, status_code=303)
    return RedirectResponse(f"{p.base}/{month}", status_code=303)


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
        exports = (await db.scalars(exports_query(staff).order_by(HourExport.id.desc()))).all()
        counts = await service.report_counts(db, [export.id for export in exports])
    last = Month.of(today(request)).previous()
    values = {"from": str(Month(last.year, 1)), "to": str(last)}
    if request.method == "GET":
        return render_exports(request, staff, exports, counts, values, {})
    async with request.form() as raw:
        values = {k: str(raw.get(k, "")).strip() for k in ("from", "to")}
    errors = {}
    start, end = Month.parse(values["from"]), Month.parse(values["to"])
    if start is None:
        errors["from"] = gettext("Give a month, like 2026-01.")
    if end is None:
        errors["to"] = gettext("Give a month, like 2026-01.")
    elif start is not None and end < start:
        errors["to"] = gettext("The period must end on or after its start.")
    if errors or start is None or end is None:
        return render_exports(request, staff, exports, counts, values, errors, 400)
    async with database(request).transaction() as db:
        export = await service.create_export(
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
        manifest = await manifest_rows(db, export.id)
    return pages(request).render_staff(
        request,
        "hours/export.html",
        {
            "export": export,
            "manifest": manifest,
        },
    )


async def manifest_rows(db: AsyncSession, export_id: int) -> list[Any]:
    return list(
        (
            await db.execute(
                select(
                    Participant.first_name,
                    Participant.last_name,
                    HourReport.year,
                    HourReport.month,
                    HourReportVersion.version,
                    func.coalesce(func.sum(HourEntry.hours), 0),
                    ConsentEvent.at,
                )
                .select_from(HourExportItem)
                .join(HourReportVersion, HourReportVersion.id == HourExportItem.version_id)
                .join(HourReport, HourReport.id == HourReportVersion.report_id)
                .join(Participant, Participant.id == HourReport.participant_id)
                .join(ConsentEvent, ConsentEvent.id == HourExportItem.consent_event_id)
                .outerjoin(HourEntry, HourEntry.version_id == HourReportVersion.id)
                .where(HourExportItem.export_id == export_id)
                .group_by(
                    HourExportItem.id,
                    Participant.first_name,
                    Participant.last_name,
                    HourReport.year,
                    HourReport.month,
                    HourReportVersion.version,
                    ConsentEvent.at,
                )
                .order_by(Participant.last_name, HourReport.year, HourReport.month)
            )
        ).all()
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
        *participant_page_routes("/hours", reports_page, "hours"),
        *participant_page_routes("/hours/consent", consent_page, "hours"),
        *participant_page_routes("/hours/consent/about", consent_about_page, "hours"),
        *participant_page_routes("/hours/{report_id:int}", report_page, "hours"),
        *participant_page_routes("/hours/{report_id:int}/receipt", receipt_page, "hours"),
        Route("/hours/{report_id:int}/approve", participant_only(approve), methods=["POST"]),
        Route("/hours/{report_id:int}/not-agreed", participant_only(not_agreed), methods=["POST"]),
        Route("/hours/consent/withdraw", participant_only(withdraw), methods=["POST"]),
        Route(PROVIDER, provider(provider_reports)),
        Route(PROVIDER, provider(open_month), methods=["POST"]),
        Route(PROVIDER + "/{month}", provider(month_grid)),
        Route(PROVIDER + "/{month}", provider(month_grid_post), methods=["POST"]),
        Route(PROVIDER + "/{month}/autosave", provider(autosave), methods=["POST"]),
        Route("/staff/exports", exporter(exports_page), methods=["GET", "POST"]),
        Route("/staff/exports/{export_id:int}", exporter(export_page)),
        Route(
            "/staff/exports/{export_id:int}.{kind:str}",
            exporter(export_download),
        ),
    ]
