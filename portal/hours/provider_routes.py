"""The provider's hour registration (`/staff/participants/{id}/hour-reports`): the month grid
with draft, autosave, day copying, submission and corrections."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.acting import ActingHandler, StaffOnParticipant, acting_on_participant
from portal.holidays import month_days, working_days
from portal.hours import page_reads, service
from portal.hours.models import (
    HourReport,
)
from portal.hours.routes import VERSION_TABLE, fmt, now, version_fragments
from portal.hours.service import HoursError, Month
from portal.notify.service import Links
from portal.web.forms import portal_date, read_form, whole_number
from portal.web.i18n import gettext
from portal.web.requests import database, today

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


async def grid_context(p: Provider, month: Month) -> dict[str, Any]:
    report, initiatives = await page_reads.provider_month(
        database(p.request), p.staff.user.organisation_id, p.participant.id, month
    )
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


async def grid_response(
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
    version = whole_number(number)
    if report is not None and version is not None:
        matching = [v for v in report.versions if v.version == version]
        if not matching:
            raise HTTPException(404)
        shown = matching[0]
    editable = shown is None or shown.state == "draft"
    # A draft is a grid of inputs with its totals; a submitted version, a table of its hours.
    grid = (
        service.parse_grid(
            values,
            p.request.app.state.settings.country,
            context["month"],
            context["activities"],
            context["today"],
            fmt(p.request),
        )
        if editable
        else None
    )
    submitted = service.latest_submitted(report) if report else None
    (table,) = (
        await version_fragments(p.request, context["month"], shown, VERSION_TABLE)
        if shown is not None and not editable
        else (None,)
    )
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
        table=table,
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
    context = await grid_context(p, month)
    saved = p.request.query_params.get("saved")
    return await grid_response(p, context, draft_values(context["report"]), {}, saved=saved)


async def month_grid_post(p: Provider) -> Response:
    month = month_or_404(p)
    form = await read_form(p.request, "copy_to")
    copy_to: list[str] = form.pop("copy_to")
    action = form.get("action", "save")
    context = await grid_context(p, month)
    keys = [a.key for a in context["activities"]]
    if action == "correct":
        return await correct(p, month)
    if action == "copy":
        source = parse_day(form.get("copy_from", ""), month)
        targets = [d for d in (parse_day(t, month) for t in copy_to) if d is not None]
        if source is None or not targets:
            return await grid_response(
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
    submitting = action == "submit" and not grid.errors
    try:
        await save_month(p, month, form, grid if submitting else None, context["activities"])
    except HoursError as refusal:
        context = await grid_context(p, month)
        return await grid_response(p, context, form, {}, 409, refusal=refusal.message)
    except IntegrityError:
        return RedirectResponse(f"{p.base}/{month}", status_code=303)  # a racing double submit
    if grid.errors and action == "submit":
        context = await grid_context(p, month)
        return await grid_response(p, context, form, grid.errors, 400)
    if action == "copy":
        context = await grid_context(p, month)
        return await grid_response(p, context, form, grid.errors, saved="copied")
    return RedirectResponse(
        f"{p.base}/{month}?saved={'submitted' if action == 'submit' else 'draft'}", 303
    )


async def save_month(
    p: Provider,
    month: Month,
    form: dict[str, Any],
    grid: service.Grid | None,
    activities: list[service.Activity],
) -> None:
    """Keep the draft and, given a checked grid, submit it: in one transaction, tried once
    more when it lost a race to make the month's report (its own autosave, sent as the button
    was pressed, may make it first; the second try finds it)."""
    organisation_id, author = p.staff.user.organisation_id, p.staff.user.full_name
    for attempt in (1, 2):
        try:
            async with database(p.request).transaction() as db:
                await service.save_draft(
                    db, organisation_id, p.participant.id, month, form, author, now()
                )
                if grid is not None:
                    report = await service.find_report(db, organisation_id, p.participant.id, month)
                    assert report is not None
                    links = Links.of(p.request.app.state.settings)
                    staff_id = p.staff.user.id
                    await service.submit(
                        db, report, grid, activities, staff_id, author, now(), links
                    )
            return
        except IntegrityError:
            if attempt == 2:
                raise


def parse_day(text: str, month: Month) -> dt.date | None:
    day = portal_date(text)
    return day if day is not None and Month.of(day) == month else None


async def autosave(p: Provider) -> Response:
    """The htmx autosave: keep what is typed in the draft, answer with a short status."""
    month = month_or_404(p)
    form = await read_form(p.request)
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
    month = Month.parse((await read_form(p.request)).get("month", ""))
    if month is None or month > Month.of(today(p.request)):
        return RedirectResponse(p.base, status_code=303)
    return RedirectResponse(f"{p.base}/{month}", status_code=303)


def routes() -> list[Route]:
    return [
        Route(PROVIDER, provider(provider_reports)),
        Route(PROVIDER, provider(open_month), methods=["POST"]),
        Route(PROVIDER + "/{month}", provider(month_grid)),
        Route(PROVIDER + "/{month}", provider(month_grid_post), methods=["POST"]),
        Route(PROVIDER + "/{month}/autosave", provider(autosave), methods=["POST"]),
    ]
