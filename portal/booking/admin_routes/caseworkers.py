"""Caseworkers: their teams, working hours, pauses, other busy time, and leaving a team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.auth.guards import StaffIdentity
from portal.booking import admin, caseworkers
from portal.booking.admin_routes.common import (
    BASE,
    EditForm,
    add_once,
    delete_unless_used,
    done,
    field_labels,
    found,
    page,
    place_of,
    team_options,
    team_tree,
)
from portal.booking.models import (
    BusyTime,
    Caseworker,
    Pause,
    Team,
    TeamMember,
    WorkingHours,
)
from portal.db import utcnow
from portal.web.forms import (
    Errors,
    Fields,
    new_form_token,
    read_form,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database

WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
CASEWORKER_LABELS = {
    "name": _("Name"),
    "email": _("E-mail"),
    "team_ids": _("Teams"),
    "busy_date": _("Date"),
    "busy_from": _("From"),
    "busy_to": _("To"),
    "busy_reason": _("What it is"),
}


def schedule_labels() -> dict[str, str]:
    """Labels of the hour and pause fields, for the error summary."""
    labels: dict[str, str] = {}
    for weekday, day in enumerate(WEEKDAY_NAMES):
        labels[f"hours-{weekday}-from"] = gettext("%(day)s, working from", day=day)
        labels[f"hours-{weekday}-to"] = gettext("%(day)s, working to", day=day)
        labels[f"pause-{weekday}-from"] = gettext("%(day)s, pause from", day=day)
        labels[f"pause-{weekday}-to"] = gettext("%(day)s, pause to", day=day)
        labels[f"pause2-{weekday}-from"] = gettext("%(day)s, second pause from", day=day)
        labels[f"pause2-{weekday}-to"] = gettext("%(day)s, second pause to", day=day)
    return labels


# --- caseworkers -----------------------------------------------------------------------------


async def caseworker_page(
    request: Request,
    staff: StaffIdentity,
    caseworker: Caseworker | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
    **context: Any,
) -> Response:
    async with database(request).sessions() as db:
        teams = await team_tree(db)
        others = list(await db.scalars(select(Caseworker).order_by(Caseworker.name)))
        members: list[TeamMember] = []
        busy: list[BusyTime] = []
        if caseworker:
            members = list(
                await db.scalars(
                    select(TeamMember).where(TeamMember.caseworker_id == caseworker.id)
                )
            )
            busy = list(
                await db.scalars(
                    select(BusyTime)
                    .where(BusyTime.caseworker_id == caseworker.id, BusyTime.ends_at > utcnow())
                    .order_by(BusyTime.starts_at)
                )
            )
    names = {t.id: t.name for t, _depth in teams}
    in_teams = {m.team_id for m in members}
    return page(
        request,
        staff,
        "booking/admin/caseworker_form.html",
        status_code=status_code,
        caseworker=caseworker,
        values=values,
        errors=errors,
        labels={**field_labels(CASEWORKER_LABELS), **schedule_labels()},
        weekdays=list(enumerate(WEEKDAY_NAMES)),
        team_options=team_options(teams),
        chosen_teams=set(values.get("team_ids") or []),
        members=[(m, names.get(m.team_id, "")) for m in members],
        addable_teams=[(str(t.id), t.name) for t, _depth in teams if t.id not in in_teams],
        busy=busy,
        add_token=new_form_token(),
        pause_sources=[
            (str(c.id), c.name) for c in others if not caseworker or c.id != caseworker.id
        ],
        saved=request.query_params.get("saved"),
        **context,
    )


async def schedule_of(db: Any, caseworker_id: int) -> dict[str, str]:
    hours = list(
        await db.scalars(select(WorkingHours).where(WorkingHours.caseworker_id == caseworker_id))
    )
    pauses = list(await db.scalars(select(Pause).where(Pause.caseworker_id == caseworker_id)))
    return caseworkers.schedule_values(hours, pauses)


async def caseworker_values(db: Any, caseworker: Caseworker) -> dict[str, Any]:
    return {
        "name": caseworker.name,
        "email": caseworker.email or "",
        **(await schedule_of(db, caseworker.id)),
    }


async def _caseworker_form_values(
    db: Any, request: Request, caseworker: Caseworker | None
) -> dict[str, Any]:
    if caseworker is None:
        return caseworkers.schedule_values([], [])
    return await caseworker_values(db, caseworker)


async def _copy(
    request: Request, staff: StaffIdentity, caseworker: Any, form: dict[str, Any]
) -> Response | None:
    """The form's other buttons: copy Monday to the working week, or read in another
    caseworker's pauses (nothing is saved)."""
    action = form.get("action", "save")
    if action == "copy_monday":
        return await caseworker_page(
            request, staff, caseworker, caseworkers.copy_monday(form), {}, copied="monday"
        )
    if action != "copy_pauses":
        return None
    source = Fields(form).one_of("pause_source", {c: 1 for c in await _caseworker_ids(request)})
    if source is None:
        message = gettext("Choose whose pauses to copy.")
        return await caseworker_page(
            request, staff, caseworker, form, {"pause_source": message}, 400
        )
    async with database(request).sessions() as db:
        copied = caseworkers.copy_pauses(form, await schedule_of(db, source))
    return await caseworker_page(request, staff, caseworker, copied, {}, copied="pauses")


async def _check_caseworker(
    db: Any, request: Request, form: dict[str, Any], caseworker: Caseworker | None
) -> tuple[Any, Errors]:
    teams = await admin.teams_by_id(db)
    return caseworkers.parse_caseworker(form, form["team_ids"], teams, caseworker is None)


async def _save_caseworker(db: Any, request: Request, checked: Any, caseworker: Any) -> Any:
    return await caseworkers.save_caseworker(db, checked, caseworker), "caseworker"


caseworker_form = EditForm(
    Caseworker,
    "caseworker_id",
    "caseworkers",
    caseworker_page,
    _caseworker_form_values,
    _check_caseworker,
    _save_caseworker,
    ("team_ids",),
    _copy,
)
"""New caseworker, or their name, e-mail, teams, hours and pauses."""


async def _caseworker_ids(request: Request) -> list[int]:
    async with database(request).sessions() as db:
        return list(await db.scalars(select(Caseworker.id)))


async def add_caseworker_to_team(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request)
    async with database(request).transaction() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
        team_id = Fields(form).one_of("team_id", await admin.teams_by_id(db))
        if team_id is not None:
            await caseworkers.add_to_team(db, caseworker.id, team_id)
    if team_id is None:
        async with database(request).sessions() as db:
            values = await caseworker_values(db, caseworker)
        return await caseworker_page(
            request, staff, caseworker, values, {"team_id": gettext("Choose a team.")}, 400
        )
    return done(f"{BASE}/caseworkers/{caseworker.id}", "team_added")


async def member_or_404(db: Any, request: Request) -> tuple[Caseworker, Team]:
    caseworker = await found(db, Caseworker, request, "caseworker_id")
    team = await found(db, Team, request, "team_id")
    if await db.get(TeamMember, (team.id, caseworker.id)) is None:
        raise HTTPException(404)
    return caseworker, team


async def team_removal(request: Request, staff: StaffIdentity) -> Response:
    """Take a caseworker out of a team: with future meetings there, move them to colleagues
    or keep them (and take no new bookings)."""
    async with database(request).sessions() as db:
        caseworker, team = await member_or_404(db, request)
        meetings = await admin.future_meetings(
            db, utcnow(), caseworker_id=caseworker.id, team_id=team.id
        )
    if request.method == "GET":
        return page(
            request,
            staff,
            "booking/admin/team_removal.html",
            caseworker=caseworker,
            team=team,
            meetings=meetings,
            errors={},
            labels={},
        )
    form = await read_form(request)
    choice = "keep" if not meetings else Fields(form).choice("choice", {"move": 1, "keep": 1})
    if not choice:
        errors = {"choice": gettext("Choose what happens to the meetings.")}
        return page(
            request,
            staff,
            "booking/admin/team_removal.html",
            400,
            caseworker=caseworker,
            team=team,
            meetings=meetings,
            errors=errors,
            values=form,
            labels={"choice": gettext("The caseworker's meetings")},
        )
    async with database(request).transaction() as db:
        caseworker, team = await member_or_404(db, request)
        result = await caseworkers.remove_from_team(
            db, caseworker.id, team.id, choice == "move", place_of(request), staff.user.id
        )
    outcome = "removed" if not result.kept else "kept" if not result.moved else "partly_moved"
    return RedirectResponse(
        f"{BASE}/caseworkers/{caseworker.id}?saved={outcome}&moved={len(result.moved)}"
        f"&kept={len(result.kept)}",
        status_code=303,
    )


async def add_busy_time(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request)
    values, errors = caseworkers.parse_busy(form, place_of(request).zone)
    async with database(request).sessions() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
    if values is None:
        async with database(request).sessions() as db:
            current = await caseworker_values(db, caseworker)
        return await caseworker_page(request, staff, caseworker, {**current, **form}, errors, 400)
    busy = BusyTime(
        caseworker_id=caseworker.id,
        starts_at=values.starts_at,
        ends_at=values.ends_at,
        reason=values.reason,
    )
    await add_once(request, form, "busy_token", busy)
    return done(f"{BASE}/caseworkers/{caseworker.id}", "busy")


async def remove_busy_time(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).transaction() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
        busy = await db.scalar(
            select(BusyTime).where(
                BusyTime.id == request.path_params["busy_id"],
                BusyTime.caseworker_id == caseworker.id,
            )
        )
        if busy is None:
            raise HTTPException(404)
        await db.delete(busy)
    return done(f"{BASE}/caseworkers/{caseworker.id}", "busy_removed")


delete_caseworker = delete_unless_used(
    Caseworker, "caseworker_id", "caseworkers", admin.delete_caseworker, "caseworker_deleted"
)
"""Refused while the caseworker has meetings to come or is named in offers (the page says
why); they can be taken out of their teams instead."""
