"""Teams in their hierarchy, and the closing days each team sets for itself and the teams below."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin
from portal.booking import slot_engine as engine
from portal.booking.admin_routes.common import (
    BASE,
    EditForm,
    add_once,
    done,
    field_labels,
    found,
    page,
    team_tree,
)
from portal.booking.free_times import team_parents
from portal.booking.models import (
    ClosingDay,
    Team,
)
from portal.holidays import national_holidays
from portal.web.forms import (
    Errors,
    new_form_token,
    read_form,
)
from portal.web.i18n import lazy_gettext as _
from portal.web.i18n import national_language
from portal.web.requests import database, today

TEAM_LABELS = {
    "name": _("Name of the team"),
    "parent_id": _("Placed under"),
    "email": _("The team's e-mail"),
    "address": _("The team's address"),
    "closing_name": _("Name of the closing day"),
    "closing_first": _("First day"),
    "closing_last": _("Last day"),
}


# --- teams and closing days ------------------------------------------------------------------


async def team_page(
    request: Request,
    staff: StaffIdentity,
    team: Team | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    async with database(request).sessions() as db:
        teams = await team_tree(db)
        closing = (
            list(
                await db.scalars(
                    select(ClosingDay)
                    .where(ClosingDay.team_id == team.id)
                    .order_by(ClosingDay.first_date)
                )
            )
            if team
            else []
        )
        inherited = []
        if team and team.parent_id is not None:
            parents = await team_parents(db)
            above = engine.teams_above(team.parent_id, parents)
            inherited = list(
                await db.scalars(
                    select(ClosingDay)
                    .where(ClosingDay.team_id.in_(above), ClosingDay.last_date >= today(request))
                    .order_by(ClosingDay.first_date)
                )
            )
    names = {t.id: t.name for t, _depth in teams}
    this_year = today(request).year
    country = request.app.state.settings.country
    holidays = {
        **national_holidays(country, this_year),
        **national_holidays(country, this_year + 1),
    }
    coming = sorted((day, name) for day, name in holidays.items() if day >= today(request))[:12]
    return page(
        request,
        staff,
        "booking/admin/team_form.html",
        status_code=status_code,
        team=team,
        values=values,
        errors=errors,
        labels=field_labels(TEAM_LABELS),
        parent_options=[
            (str(t.id), "— " * depth + t.name)
            for t, depth in teams
            if team is None or t.id != team.id
        ],
        closing_days=closing,
        inherited=inherited,
        team_names=names,
        holidays=coming,
        add_token=new_form_token(),
        holiday_language=national_language(country),
        saved=request.query_params.get("saved"),
        today=today(request),
    )


def team_values(team: Team) -> dict[str, str]:
    return {
        "name": team.name,
        "parent_id": str(team.parent_id or ""),
        "email": team.email or "",
        "address": team.address or "",
    }


async def _team_values(db: Any, request: Request, team: Team | None) -> dict[str, Any]:
    return team_values(team) if team else {}


async def _check_team(
    db: Any, request: Request, form: dict[str, Any], team: Team | None
) -> tuple[Any, Errors]:
    return admin.parse_team(form, await team_parents(db), team.id if team else None)


async def _save_team(db: Any, request: Request, values: Any, team: Team | None) -> Any:
    saved = await admin.save_team(db, values, team)
    return saved if isinstance(saved, dict) else (saved, "team")


team_form = EditForm(Team, "team_id", "teams", team_page, _team_values, _check_team, _save_team)


async def add_closing_day(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        team = await found(db, Team, request, "team_id")
    form = await read_form(request)
    values, errors = admin.parse_closing_day(form, today(request))
    if values is None:
        return await team_page(request, staff, team, {**team_values(team), **form}, errors, 400)
    closing = ClosingDay(
        team_id=team.id, name=values.name, first_date=values.first_date, last_date=values.last_date
    )
    await add_once(request, form, "closing_token", closing)
    return done(f"{BASE}/teams/{team.id}", "closing_day")


async def remove_closing_day(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).transaction() as db:
        team = await found(db, Team, request, "team_id")
        closing = await db.scalar(
            select(ClosingDay).where(
                ClosingDay.id == request.path_params["closing_id"], ClosingDay.team_id == team.id
            )
        )
        if closing is None:
            raise HTTPException(404)
        await db.delete(closing)
    return done(f"{BASE}/teams/{team.id}", "closing_day_removed")
