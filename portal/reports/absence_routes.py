"""The provider's absence registration for one participant's intervention
(`/staff/participants/{id}/provider-reports/{intervention}/absence?week=2026-W48`): a week's
days with a reason each, copying one day to others, and the attendance of each month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import StaffIdentity, staff_only
from portal.db import utcnow
from portal.reports import absence, service
from portal.reports.absence import Week
from portal.reports.models import Intervention
from portal.reports.provider_routes import BASE, Provider, intervention_or_404, provider
from portal.web.forms import portal_date, read_form
from portal.web.i18n import gettext, upper_first
from portal.web.listing import page_number
from portal.web.requests import database
from portal.web.requests import today as local_today
from portal.web.templating import pages

PATH = BASE + "/{intervention_id:int}/absence"


def chosen_week(p: Provider, intervention: Intervention, raw: str) -> Week:
    """The week asked for; else the current one, or the intervention's last when it ended."""
    week = Week.parse(raw)
    if week is not None:
        return week
    return Week.of(min(p.today, intervention.end_date))


async def render(
    p: Provider,
    intervention: Intervention,
    week: Week,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    country = p.request.app.state.settings.country
    period = service.period_of(intervention)
    async with database(p.request).sessions() as db:
        every = await absence.absences_of(db, intervention.id)
    days = absence.week_days(country, week, period, p.today)
    in_week = [a for a in every if week.monday <= a.day < week.next().monday]
    return p.render(
        "reports/absence.html",
        status_code,
        intervention=intervention,
        week=week,
        days=days,
        values=absence.values_of(in_week) if values is None else values,
        errors=errors or {},
        reasons=absence.REASONS,
        months=absence.attendance(country, period, p.today, every),
        day_options=[
            (d.day.isoformat(), upper_first(pages(p.request).formatter.day(d.day)))
            for d in days
            if d.offered
        ],
        reason_field=absence.reason_field,
        note_field=absence.note_field,
        path=f"{p.base}/{intervention.id}/absence",
        saved=p.request.query_params.get("saved"),
        **extra,
    )


async def absence_page(p: Provider) -> Response:
    intervention = await intervention_or_404(p)
    week = chosen_week(p, intervention, p.request.query_params.get("week", ""))
    return await render(p, intervention, week)


def parse_day(text: str, week: Week) -> dt.date | None:
    day = portal_date(text)
    return day if day is not None and week.monday <= day < week.next().monday else None


async def absence_post(p: Provider) -> Response:
    intervention = await intervention_or_404(p)
    form = await read_form(p.request, "copy_to")
    week = chosen_week(p, intervention, str(form.get("week", "")))
    country = p.request.app.state.settings.country
    days = absence.week_days(country, week, service.period_of(intervention), p.today)
    offered = {d.day for d in days if d.offered}
    if form.get("action") == "copy":
        source = parse_day(str(form.get("copy_from", "")), week)
        targets = [
            d for d in (parse_day(t, week) for t in form["copy_to"]) if d in offered and d != source
        ]
        if source not in offered or not targets:
            problem = gettext("Choose a day to copy and at least one day to copy it to.")
            return await render(p, intervention, week, form, {"copy_from": problem}, 400)
        form = absence.copy_day(form, source, targets)
    absent, errors = absence.parse_week(form, days)
    if errors:
        return await render(p, intervention, week, form, errors, 400)
    try:
        async with database(p.request).transaction() as db:
            await absence.save_week(db, intervention, days, absent, p.staff.user, utcnow())
    except IntegrityError:
        pass  # the same day written by a racing save: the page shows what was kept
    return RedirectResponse(
        f"{p.base}/{intervention.id}/absence?week={week}&saved=1", status_code=303
    )


# ---------------------------------------------------------------- a group's week

GROUP = "/staff/reports/absence"


async def group_page(
    request: Request,
    staff: StaffIdentity,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today(request)
    params = values if values is not None else request.query_params
    week = Week.parse(str(params.get("week", ""))) or Week.of(today)
    page = page_number({"page": str(params.get("page", "1"))})
    country = request.app.state.settings.country
    async with database(request).sessions() as db:
        rows, total, saved_values = await absence.group_week(
            db, staff.user.organisation_id, week, page
        )
    formatter = pages(request).formatter
    return pages(request).render_staff(
        request,
        "reports/absence_group.html",
        {
            "staff": staff,
            "week": week,
            "page": page,
            "pages": max(1, -(-total // absence.GROUP_PAGE)),
            "total": total,
            "rows": [
                (
                    intervention,
                    name,
                    absence.week_days(country, week, service.period_of(intervention), today),
                )
                for intervention, name in rows
            ],
            "values": saved_values if values is None else values,
            "errors": errors or {},
            "reasons": absence.REASONS,
            "day_label": lambda day: upper_first(formatter.day(day)),
            "saved": request.query_params.get("saved"),
        },
        status_code,
    )


async def group_post(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request)
    today = local_today(request)
    week = Week.parse(str(form.get("week", ""))) or Week.of(today)
    country = request.app.state.settings.country
    page = page_number({"page": str(form.get("page", "1"))})
    async with database(request).sessions() as db:
        rows, _total, _values = await absence.group_week(db, staff.user.organisation_id, week, page)
    parsed = []
    errors: dict[str, str] = {}
    for intervention, _name in rows:
        days = absence.week_days(country, week, service.period_of(intervention), today)
        absent, found = absence.parse_week(absence.prefixed(form, intervention.id), days)
        errors.update({f"i{intervention.id}-{key}": message for key, message in found.items()})
        parsed.append((intervention, days, absent))
    if errors:
        return await group_page(request, staff, form, errors, 400)
    try:
        async with database(request).transaction() as db:
            for intervention, days, absent in parsed:
                await absence.save_week(db, intervention, days, absent, staff.user, utcnow())
    except IntegrityError:
        pass  # a day written by a racing save: the page shows what was kept
    return RedirectResponse(f"{GROUP}?week={week}&page={page}&saved=1", status_code=303)


def routes() -> list[Route]:
    return [
        Route(GROUP, staff_only("register_reports", group_page, 403)),
        Route(GROUP, staff_only("register_reports", group_post, 403), methods=["POST"]),
        Route(PATH, provider(absence_page)),
        Route(PATH, provider(absence_post), methods=["POST"]),
    ]
