"""Hour histories over HTTP, the participant's side (`/hours`, also read-only for staff): the
reports, one report with its chart, approval by eID signature (with the consent question while
consent is not in force), "not agreed" with a comment, the receipt, and consent withdrawal.
The provider's grid is in `provider_routes`, exports in `export_routes`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import participant_only
from portal.auth.models import Signature
from portal.auth.signing import SigningRefused, start_signing
from portal.hours import approval, page_reads, service
from portal.hours.models import (
    HourReport,
)
from portal.hours.service import Activity, HoursError, Month
from portal.participants.models import Participant
from portal.participants.pages import ParticipantView, participant_page_routes, render
from portal.web.forms import read_form, whole_number
from portal.web.fragments import EncodedHTML, FragmentCache
from portal.web.i18n import Formatter, current_language, gettext, upper_first
from portal.web.pdf import pdf_response
from portal.web.requests import database
from portal.web.templating import pages

# ---------------------------------------------------------------- participant pages


def now() -> dt.datetime:
    return service.utc_now()


async def reports_page(request: Request, view: ParticipantView) -> Response:
    moment = now()
    shown = await page_reads.participant_report_list(database(request), view.participant.id, moment)
    rows = [
        (report, Month(report.year, report.month), total, service.status_of(version, moment))
        for report, version, total in shown
    ]
    return render(request, view, "hours/list.html", rows=rows, statuses=service.STATUSES)


@dataclass
class DayRow:
    """A day of a version's table, its texts made once in Python (a template's call per cell
    was most of an hour history's time): the day, each activity's (label, hours) cell, the
    day's total."""

    day: dt.date
    label: str
    cells: list[tuple[str, str]]
    total: str


def report_table(entries: Any, activities: list[Activity], formatter: Formatter) -> list[DayRow]:
    by_day: dict[dt.date, dict[str, Decimal]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, {})[entry.activity] = entry.hours
    return [
        DayRow(
            day,
            upper_first(formatter.date(day, "EEE d MMM")),
            [
                (a.label, formatter.decimal(hours[a.key]) if a.key in hours else "–")
                for a in activities
            ],
            formatter.decimal(sum(hours.values(), Decimal(0))),
        )
        for day, hours in sorted(by_day.items())
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
    found = await page_reads.read_participant_report(
        database(request),
        view.participant.id,
        request.path_params["report_id"],
        now(),
        with_entries=False,  # read only when the version's sections are not kept (see below)
    )
    if found is None:
        raise HTTPException(404)
    report, version, offer_consent = found
    shown = version
    version_number = whole_number(request.query_params.get("version"))
    if version_number is not None:
        earlier = [
            v for v in report.versions if v.state == "submitted" and v.version == version_number
        ]
        if not earlier:
            raise HTTPException(404)
        shown = earlier[0]
    return await report_response(request, view, report, version, shown, offer_consent, {}, {})


async def report_response(
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
    weeks, days = await version_fragments(request, month, shown, VERSION_SECTIONS)
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
        weeks=weeks,
        days=days,
        earlier=[v for v in report.versions if v.state == "submitted" and v.id != version.id],
        offer_consent=offer_consent,
        values=values,
        errors=errors,
    )


# A sent version never changes: its chart and day table are rendered once per language. Ids
# follow the order of commits, so a key never names another version; the moment it was sent
# tells apart two databases (or a restored one) with the same id.
RENDERED_VERSIONS = FragmentCache(max_entries=512)


# A sent version on the participant's page: its hours per week (a chart and the weeks'
# totals) and day by day.
VERSION_SECTIONS = ("hours/_version_weeks.html", "hours/_version_days.html")
# A sent version in the provider's month: its hours day by day.
VERSION_TABLE = ("hours/_version_table.html",)


async def version_fragments(
    request: Request, month: Month, shown: Any, names: tuple[str, ...]
) -> tuple[EncodedHTML, ...]:
    """The fragments `names` of a version's hours (each given the month, the version, its
    activities, its rows day by day and its chart), kept once the version is sent; its
    entries are read for them when they were not read with it."""
    key = (shown.id, shown.submitted_at, current_language.get(), names)
    found: tuple[EncodedHTML, ...] | None = RENDERED_VERSIONS.get(key)
    if found is None:
        shown = await page_reads.with_entries(database(request), shown)
        activities = activities_of(shown.entries)
        values = {
            "month": month,
            "shown": shown,
            "activities": activities,
            "rows": report_table(shown.entries, activities, fmt(request)),
            "chart": chart(month, shown.entries),
        }
        renderer = pages(request)
        found = tuple(renderer.encoded_fragment(name, values) for name in names)
        if shown.state == "submitted":
            RENDERED_VERSIONS.put(key, found)
    return found


async def approve(request: Request, participant: Participant) -> Response:
    form = await read_form(request)
    report_id = request.path_params["report_id"]
    found = await page_reads.read_participant_report(
        database(request), participant.id, report_id, now()
    )
    if found is None:
        raise HTTPException(404)
    report, version, offer_consent = found
    if version.response is not None or str(version.version) != form.get("version"):
        return RedirectResponse(f"/hours/{report.id}", status_code=303)
    consent = offer_consent and form.get("consent") == "yes"
    document = approval.approval_document(report, version, participant.id, consent)
    text = approval.approval_text(
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
        approval.canonical(document),
        {"report": report.id, "version": version.version, "consent": consent},
        back=f"/hours/{report.id}",
    )


async def complete_approval(
    db: AsyncSession, participant: Participant, payload: Mapping[str, Any], signature: Signature
) -> str:
    report_id = int(payload["report"])
    try:
        await approval.approve(
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
    form = await read_form(request)
    report_id = request.path_params["report_id"]
    comment, error = approval.parse_comment(form.get("comment", ""))
    try:
        async with database(request).transaction() as db:
            shown = await approval.participant_report(db, participant.id, report_id, now())
            if shown is None:
                raise HTTPException(404)
            if error is not None:
                report, version = shown
                offer = await approval.may_offer_consent(db, participant.id)
                return await report_response(
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
            await approval.not_agreed(db, participant.id, report_id, comment, now())
    except (HoursError, IntegrityError):
        pass  # already answered: the report page shows the answer
    return RedirectResponse(f"/hours/{report_id}", status_code=303)


async def signed_version(request: Request, view: ParticipantView) -> tuple[Any, Any]:
    """The participant's report and its signed version (404 when there is none)."""
    found = await page_reads.read_participant_report(
        database(request), view.participant.id, request.path_params["report_id"], now()
    )
    if found is None:
        raise HTTPException(404)
    report, version, _offer_consent = found
    if version.response is None or version.response.signature is None:
        raise HTTPException(404)
    return report, version


async def receipt_page(request: Request, view: ParticipantView) -> Response:
    report, version = await signed_version(request, view)
    return render(
        request,
        view,
        "hours/receipt.html",
        report=report,
        month=Month(report.year, report.month),
        version=version,
        signature=version.response.signature,
    )


async def receipt_pdf(request: Request, view: ParticipantView) -> Response:
    """The same receipt as a PDF to keep."""
    report, version = await signed_version(request, view)
    month = Month(report.year, report.month)
    return await pdf_response(
        request,
        "hours/receipt_pdf.html",
        {
            "participant": view.participant,
            "month": month,
            "version": version,
            "signature": version.response.signature,
            "printed_at": now(),
        },
        filename=f"receipt-{month}.pdf",
    )


async def consent_page(request: Request, view: ParticipantView) -> Response:
    async with database(request).sessions() as db:
        in_force = await approval.consent_in_force(db, view.participant.id)
        history = await approval.consent_history(db, view.participant.id)
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
        in_force = await approval.consent_in_force(db, participant.id)
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
        approval.canonical(approval.withdrawal_document(participant.id)),
        {},
        back="/hours/consent",
    )


async def complete_withdrawal(
    db: AsyncSession, participant: Participant, payload: Mapping[str, Any], signature: Signature
) -> str:
    try:
        await approval.withdraw_consent(db, participant.id, signature, signature.signed_at)
    except HoursError as refusal:
        raise SigningRefused(refusal.message, "/hours/consent") from refusal
    return "/hours/consent?withdrawn=1"


SIGNING_HANDLERS = {"hours.approve": complete_approval, "hours.withdraw": complete_withdrawal}


def fmt(request: Request) -> Formatter:
    formatter: Formatter = pages(request).formatter
    return formatter


def routes() -> list[Route]:
    return [
        *participant_page_routes("/hours", reports_page, "hours"),
        *participant_page_routes("/hours/consent", consent_page, "hours"),
        *participant_page_routes("/hours/consent/about", consent_about_page, "hours"),
        *participant_page_routes("/hours/{report_id:int}", report_page, "hours"),
        *participant_page_routes("/hours/{report_id:int}/receipt", receipt_page, "hours"),
        *participant_page_routes("/hours/{report_id:int}/receipt.pdf", receipt_pdf, "hours"),
        Route("/hours/{report_id:int}/approve", participant_only(approve), methods=["POST"]),
        Route("/hours/{report_id:int}/not-agreed", participant_only(not_agreed), methods=["POST"]),
        Route("/hours/consent/withdraw", participant_only(withdraw), methods=["POST"]),
    ]
