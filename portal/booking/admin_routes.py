"""Booking administration over HTTP (staff of the job centre): teams with their closing days,
caseworkers with hours, pauses and busy time, rooms, meeting offers, and the audit trail.
Handlers parse, call booking.admin in one transaction, and render."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit.service import record_access
from portal.auth.guards import StaffIdentity, participant_in_scope, staff_only
from portal.booking import admin, bookings, calendar
from portal.booking import service as engine
from portal.booking.bookings import (
    EVENTS,
    MARKINGS,
    MEETING_TYPES,
    BookingRefused,
    Place,
    SlotTaken,
    team_parents,
)
from portal.booking.models import (
    Booking,
    BookingEvent,
    BusyTime,
    Caseworker,
    ClosingDay,
    GroupSession,
    MeetingOffer,
    MeetingTypeVariant,
    OfferCaseworker,
    OfferTemplate,
    ParticipantMarking,
    ParticipantTeam,
    Pause,
    Room,
    RoomTeam,
    Team,
    TeamMember,
    WorkingHours,
)
from portal.db import utcnow
from portal.holidays import national_holidays
from portal.notify.service import MEETING_CHANGED, notify_participant
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.staff.service import WRITE, allows, runs_meetings
from portal.web.forms import (
    Errors,
    Fields,
    claim_form_token,
    form_token_claimed,
    new_form_token,
    read_form,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database, today
from portal.web.templating import pages

BASE = "/staff/booking"
M = TypeVar("M")
WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
TEAM_LABELS = {
    "name": _("Name of the team"),
    "parent_id": _("Placed under"),
    "email": _("The team's e-mail"),
    "address": _("The team's address"),
    "closing_name": _("Name of the closing day"),
    "closing_first": _("First day"),
    "closing_last": _("Last day"),
}
CASEWORKER_LABELS = {
    "name": _("Name"),
    "email": _("E-mail"),
    "team_ids": _("Teams"),
    "busy_date": _("Date"),
    "busy_from": _("From"),
    "busy_to": _("To"),
    "busy_reason": _("What it is"),
}
ROOM_LABELS = {
    "name": _("Name of the room"),
    "capacity": _("Capacity (seats)"),
    "overbooking": _("Overbooking by how many seats"),
    "address": _("Address"),
}
VARIANT_LABELS = {
    "name": _("Name of the variant"),
    "meeting_types": _("For the meeting types"),
    "team_ids": _("For the teams"),
}
ELIGIBILITY_LABELS = {
    "markings": _("Person-group markings"),
    "team_id": _("The team that serves the participant"),
    "municipality": _("Municipality"),
}
OFFER_LABELS = {
    "title": _("Title"),
    "description": _("Description for the participant"),
    "meeting_type": _("Meeting type"),
    "variant_id": _("Variant of the meeting type"),
    "template_name": _("Name of a new template"),
    "team_id": _("Team"),
    "room_id": _("Meeting room"),
    "kind": _("Individual or group meeting"),
    "caseworker_ids": _("Caseworkers"),
    "duration_minutes": _("Length of the meeting (minutes)"),
    "admin_minutes": _("Post-meeting admin time (minutes)"),
    "rebook_days_before": _("Rebooking allowed until how many days before"),
    "first_date": _("First meeting date"),
    "fixed_end": _("Fixed end date"),
    "rolling_weeks": _("Rolling end (whole weeks from today)"),
    "visible_from": _("Visible to participants from"),
    "seats": _("Number of seats (instead of the room's)"),
    "group_times": _("Times of the group meeting"),
    "eligible_marking": _("Only participants with the marking"),
    "eligible_team_id": _("Only participants served by the team"),
    "eligible_municipality": _("Only participants living in the municipality"),
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


async def found(db: Any, model: type[M], request: Request, key: str) -> M:
    """The row the path names (`key` is its path parameter), or 404."""
    row: M | None = await db.get(model, request.path_params[key])
    if row is None:
        raise HTTPException(404)
    return row


async def team_tree(db: Any) -> list[tuple[Team, int]]:
    return admin.tree(list(await db.scalars(select(Team))))


def team_options(teams: list[tuple[Team, int]]) -> list[tuple[str, str]]:
    """The teams as the options of a select or checkboxes, indented by their depth."""
    return [(str(team.id), "— " * depth + team.name) for team, depth in teams]


def place_of(request: Request) -> Place:
    settings = request.app.state.settings
    return Place(settings.country, settings.timezone)


AdminHandler = Callable[[Request, StaffIdentity], Awaitable[Response]]


def job_centre_staff(
    permission: str, handler: AdminHandler
) -> Callable[[Request], Awaitable[Response]]:
    """Staff of the job centre whose roles may write under `permission`; others get 404."""

    async def endpoint(request: Request, staff: StaffIdentity) -> Response:
        if not runs_meetings(staff.user, staff.roles):
            raise HTTPException(404)
        return await handler(request, staff)

    endpoint.__name__ = handler.__name__
    return staff_only(permission, endpoint)


def page(
    request: Request,
    staff: StaffIdentity,
    name: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {
            "staff": staff,
            "base": BASE,
            "may_administer": allows(staff.roles, "booking_admin", WRITE),
            **context,
        },
        status_code,
    )


class Repeat(Exception):
    """The same new-object form was saved already (a second click, or one racing it)."""


class Refused(Exception):
    """The rules refuse what the form asks (the messages say why); nothing is written."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


S = TypeVar("S")


class Conflict(Exception):
    """The database refused the write for a reason other than a claimed form token (a name
    taken between the check and the commit): the form is checked again."""


@asynccontextmanager
async def one_write(
    request: Request, form: dict[str, Any], creating: bool, once_by: str = "form_token"
) -> AsyncIterator[Any]:
    """One transaction. A form that creates something is saved once per form token, so a
    double click makes one team, room or offer; raise Refused inside to write nothing. An
    integrity error is a repeat only when a racing twin claimed the token; otherwise Conflict."""
    token = str(form.get(once_by, ""))
    try:
        async with database(request).transaction() as db:
            if creating and not await claim_form_token(db, token):
                raise Repeat()
            yield db
    except IntegrityError as error:
        if creating:
            async with database(request).sessions() as db:
                if await form_token_claimed(db, token):
                    raise Repeat() from error
        raise Conflict() from error


async def save_once(
    request: Request,
    form: dict[str, Any],
    creating: bool,
    save: Callable[[Any], Awaitable[S | Errors]],
) -> S | Errors | None:
    """`save` in one write (see `one_write`): what it saved, or the messages it refused with
    (then nothing is written), or None when the same new-object form was saved already. On a
    conflict `save` runs once more, so its checks see what the other writer committed (a name
    just taken comes back as a message at the field, with what was typed)."""
    for attempt in (1, 2):
        try:
            async with one_write(request, form, creating) as db:
                saved = await save(db)
                if isinstance(saved, dict):
                    raise Refused(saved)
                return saved
        except Refused as refusal:
            return refusal.errors
        except Repeat:
            return None
        except Conflict:
            if attempt == 2:
                return {
                    "form_token": gettext(
                        "Someone changed this at the same moment. Check the form and save again."
                    )
                }
    raise AssertionError("unreachable")


async def add_once(request: Request, form: dict[str, Any], once_by: str, record: Any) -> None:
    """Add one record in its own transaction, once per form token (`once_by`): the same
    form sent twice adds it once."""
    try:
        async with one_write(request, form, True, once_by) as db:
            db.add(record)
    except (Repeat, Conflict):
        pass  # the same closing day or busy time, saved by a racing request, is there


async def form_page(
    request: Request,
    staff: StaffIdentity,
    template: str,
    values: dict[str, Any],
    errors: Errors,
    labels: dict[str, Any],
    status_code: int = 200,
    **context: Any,
) -> Response:
    """An administration form: what was typed, the messages, and the teams to choose from."""
    async with database(request).sessions() as db:
        teams = await team_tree(db)
    return page(
        request,
        staff,
        template,
        status_code,
        values=values,
        errors=errors,
        labels=field_labels(labels),
        team_options=team_options(teams),
        saved=request.query_params.get("saved"),
        **context,
    )


def done(path: str, saved: str) -> Response:
    return RedirectResponse(f"{path}?saved={saved}", status_code=303)


def field_labels(labels: dict[str, Any]) -> dict[str, str]:
    return {name: str(label) for name, label in labels.items()}


# --- the overview ----------------------------------------------------------------------------


async def overview(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        teams = list(await db.scalars(select(Team)))
        caseworkers = list(await db.scalars(select(Caseworker).order_by(Caseworker.name)))
        rooms = list(await db.scalars(select(Room).order_by(Room.name)))
        offers = list(await db.scalars(select(MeetingOffer).order_by(MeetingOffer.title)))
        members = list(await db.scalars(select(TeamMember)))
        variants = list(
            await db.scalars(select(MeetingTypeVariant).order_by(MeetingTypeVariant.name))
        )
        templates = list(await db.scalars(select(OfferTemplate).order_by(OfferTemplate.name)))
    names = {team.id: team.name for team in teams}
    teams_of: dict[int, list[str]] = {}
    for member in members:
        label = names[member.team_id]
        if not member.takes_bookings:
            label = gettext("%(team)s (no new bookings)", team=label)
        teams_of.setdefault(member.caseworker_id, []).append(label)
    return page(
        request,
        staff,
        "booking/admin/overview.html",
        teams=admin.tree(teams),
        caseworkers=caseworkers,
        teams_of=teams_of,
        rooms=rooms,
        offers=offers,
        team_names=names,
        meeting_types=MEETING_TYPES,
        variants=variants,
        templates=templates,
        today=today(request),
    )


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
        holiday_language="sv" if country == "SE" else "da",
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


async def team_form(request: Request, staff: StaffIdentity) -> Response:
    team_id = request.path_params.get("team_id")
    async with database(request).sessions() as db:
        team = await found(db, Team, request, "team_id") if team_id else None
    if request.method == "GET":
        shown = team_values(team) if team else {"form_token": new_form_token()}
        return await team_page(request, staff, team, shown, {})
    form = await read_form(request)
    async with database(request).sessions() as db:
        parents = await team_parents(db)
    values, errors = admin.parse_team(form, parents, team.id if team else None)
    if values is None:
        return await team_page(request, staff, team, form, errors, 400)

    async def save(db: Any) -> Team | Errors:
        current = await found(db, Team, request, "team_id") if team_id else None
        return await admin.save_team(db, values, current)

    saved = await save_once(request, form, team is None, save)
    if saved is None:
        return done(f"{BASE}/", "repeated")
    if isinstance(saved, dict):
        return await team_page(request, staff, team, form, saved, 400)
    return done(f"{BASE}/teams/{saved.id}", "team")


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
    return admin.schedule_values(hours, pauses)


async def caseworker_values(db: Any, caseworker: Caseworker) -> dict[str, Any]:
    return {
        "name": caseworker.name,
        "email": caseworker.email or "",
        **(await schedule_of(db, caseworker.id)),
    }


async def caseworker_form(request: Request, staff: StaffIdentity) -> Response:
    """New caseworker, or their name, e-mail, hours and pauses (GET shows, POST saves, or
    copies Monday to the working week, or reads in another caseworker's pauses)."""
    caseworker_id = request.path_params.get("caseworker_id")
    async with database(request).sessions() as db:
        caseworker = (
            await found(db, Caseworker, request, "caseworker_id") if caseworker_id else None
        )
        if request.method == "GET":
            values = (
                await caseworker_values(db, caseworker)
                if caseworker
                else {**admin.schedule_values([], []), "form_token": new_form_token()}
            )
            return await caseworker_page(request, staff, caseworker, values, {})
        teams = await admin.teams_by_id(db)
    form = await read_form(request, "team_ids")
    action = form.get("action", "save")
    if action == "copy_monday":
        return await caseworker_page(
            request, staff, caseworker, admin.copy_monday(form), {}, copied="monday"
        )
    if action == "copy_pauses":
        source = Fields(form).one_of("pause_source", {c: 1 for c in await _caseworker_ids(request)})
        if source is None:
            return await caseworker_page(
                request,
                staff,
                caseworker,
                form,
                {"pause_source": gettext("Choose whose pauses to copy.")},
                400,
            )
        async with database(request).sessions() as db:
            copied = admin.copy_pauses(form, await schedule_of(db, source))
        return await caseworker_page(request, staff, caseworker, copied, {}, copied="pauses")
    checked, errors = admin.parse_caseworker(form, form["team_ids"], teams, caseworker is None)
    if checked is None:
        return await caseworker_page(request, staff, caseworker, form, errors, 400)

    async def save(db: Any) -> Caseworker:
        current = await found(db, Caseworker, request, "caseworker_id") if caseworker_id else None
        return await admin.save_caseworker(db, checked, current)

    saved = await save_once(request, form, caseworker is None, save)
    if saved is None or isinstance(saved, dict):
        return done(f"{BASE}/", "repeated")
    return done(f"{BASE}/caseworkers/{saved.id}", "caseworker")


async def _caseworker_ids(request: Request) -> list[int]:
    async with database(request).sessions() as db:
        return list(await db.scalars(select(Caseworker.id)))


async def add_caseworker_to_team(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request)
    async with database(request).transaction() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
        team_id = Fields(form).one_of("team_id", await admin.teams_by_id(db))
        if team_id is not None:
            await admin.add_to_team(db, caseworker.id, team_id)
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
        result = await admin.remove_from_team(
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
    values, errors = admin.parse_busy(form, place_of(request).zone)
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


async def delete_caseworker(request: Request, staff: StaffIdentity) -> Response:
    """Refused while the caseworker has meetings to come (the page lists them)."""
    async with database(request).transaction() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
        meetings = await admin.future_meetings(db, utcnow(), caseworker_id=caseworker.id)
        in_offers = await db.scalar(
            select(OfferCaseworker.offer_id).where(OfferCaseworker.caseworker_id == caseworker.id)
        )
        if not meetings and in_offers is None:
            try:
                async with db.begin_nested():
                    await db.delete(caseworker)
                    await db.flush()
            except IntegrityError:
                in_offers = -1  # past meetings keep their caseworker
    if meetings or in_offers is not None:
        message = (
            gettext("%(name)s has meetings to come and cannot be deleted.", name=caseworker.name)
            if meetings
            else gettext(
                "%(name)s is named in meeting offers or past meetings and cannot be deleted. "
                "Take them out of their teams instead.",
                name=caseworker.name,
            )
        )
        return page(
            request,
            staff,
            "booking/admin/refused.html",
            409,
            message=message,
            meetings=meetings,
            back=f"{BASE}/caseworkers/{caseworker.id}",
        )
    return done(f"{BASE}/", "caseworker_deleted")


# --- rooms -----------------------------------------------------------------------------------


async def room_page(
    request: Request,
    staff: StaffIdentity,
    room: Room | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/room_form.html",
        values,
        errors,
        ROOM_LABELS,
        status_code,
        room=room,
        chosen_teams=set(values.get("team_ids") or []),
    )


async def room_form(request: Request, staff: StaffIdentity) -> Response:
    room_id = request.path_params.get("room_id")
    async with database(request).sessions() as db:
        room = await found(db, Room, request, "room_id") if room_id else None
        teams = await admin.teams_by_id(db)
        if request.method == "GET":
            values: dict[str, Any] = {
                "usable": "yes",
                "overbooking": "0",
                "form_token": new_form_token(),
            }
            if room:
                allowed = await db.scalars(
                    select(RoomTeam.team_id).where(RoomTeam.room_id == room.id)
                )
                values = {
                    "name": room.name,
                    "capacity": "" if room.capacity is None else str(room.capacity),
                    "overbooking": str(room.overbooking),
                    "address": room.address,
                    "usable": "yes" if room.usable else "",
                    "team_ids": [str(t) for t in allowed],
                }
            return await room_page(request, staff, room, values, {})
    form = await read_form(request, "team_ids")
    values_in, errors = admin.parse_room(form, form["team_ids"], teams)
    if values_in is None:
        return await room_page(request, staff, room, form, errors, 400)

    async def save(db: Any) -> Room | Errors:
        current = await found(db, Room, request, "room_id") if room_id else None
        return await admin.save_room(db, values_in, current)

    saved = await save_once(request, form, room is None, save)
    if saved is None:
        return done(f"{BASE}/", "repeated")
    if isinstance(saved, dict):
        return await room_page(request, staff, room, form, saved, 400)
    return done(f"{BASE}/rooms/{saved.id}", "room")


async def delete_room(request: Request, staff: StaffIdentity) -> Response:
    """Refused while meetings are booked in the room (the page lists them)."""
    async with database(request).transaction() as db:
        room = await found(db, Room, request, "room_id")
        meetings = await admin.future_meetings(db, utcnow(), room_id=room.id)
        offers = list(
            await db.scalars(select(MeetingOffer.title).where(MeetingOffer.room_id == room.id))
        )
        if not meetings and not offers:
            try:
                async with db.begin_nested():
                    await db.delete(room)
                    await db.flush()
            except IntegrityError:
                offers = [gettext("past meetings")]
    if meetings or offers:
        message = (
            gettext("%(name)s has meetings to come and cannot be deleted.", name=room.name)
            if meetings
            else gettext(
                "%(name)s is used by meeting offers (%(offers)s) and cannot be deleted. "
                "Mark it as not usable for meetings instead.",
                name=room.name,
                offers=", ".join(offers),
            )
        )
        return page(
            request,
            staff,
            "booking/admin/refused.html",
            409,
            message=message,
            meetings=meetings,
            back=f"{BASE}/rooms/{room.id}",
        )
    return done(f"{BASE}/", "room_deleted")


# --- offers ----------------------------------------------------------------------------------


async def offer_choices(db: Any) -> admin.OfferChoices:
    teams = await admin.teams_by_id(db)
    rooms = {room.id: room for room in await db.scalars(select(Room).where(Room.usable))}
    caseworkers = {c.id: c for c in await db.scalars(select(Caseworker).order_by(Caseworker.name))}
    team_of: dict[int, set[int]] = {}
    for member in await db.scalars(select(TeamMember).where(TeamMember.takes_bookings)):
        team_of.setdefault(member.caseworker_id, set()).add(member.team_id)
    variants = await admin.variant_rules(db)
    room_teams: dict[int, set[int]] = {}
    for row in await db.scalars(select(RoomTeam)):
        room_teams.setdefault(row.room_id, set()).add(row.team_id)
    return admin.OfferChoices(
        teams,
        rooms,
        caseworkers,
        team_of,
        MARKINGS,
        variants,
        room_teams,
        await team_parents(db),
    )


async def offer_page(
    request: Request,
    staff: StaffIdentity,
    offer: MeetingOffer | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
    **context: Any,
) -> Response:
    async with database(request).sessions() as db:
        choices = await offer_choices(db)
        teams = admin.tree(list(choices.teams.values()))
        variants = list(
            await db.scalars(select(MeetingTypeVariant).order_by(MeetingTypeVariant.name))
        )
        templates = list(await db.scalars(select(OfferTemplate).order_by(OfferTemplate.name)))
    names = {t.id: t.name for t, _depth in teams}
    return page(
        request,
        staff,
        "booking/admin/offer_form.html",
        status_code=status_code,
        offer=offer,
        values=values,
        errors=errors,
        labels=field_labels(OFFER_LABELS),
        team_options=team_options(teams),
        room_options=[(str(r.id), r.name) for r in choices.rooms.values()],
        caseworkers=[
            (
                str(c.id),
                c.name,
                ", ".join(
                    names[t]
                    for t in sorted(choices.team_of_caseworkers.get(c.id, ()))
                    if t in names
                ),
            )
            for c in choices.caseworkers.values()
        ],
        chosen_caseworkers=set(values.get("caseworker_ids") or []),
        type_options=[(code, label) for code, label in MEETING_TYPES.items()],
        variant_options=[(str(v.id), v.name) for v in variants],
        templates=[(str(t.id), t.name) for t in templates],
        marking_options=[(code, label) for code, label in MARKINGS.items()],
        saved=request.query_params.get("saved"),
        **context,
    )


async def group_times_text(db: Any, offer: MeetingOffer, request: Request) -> str:
    zone = place_of(request).zone
    starts = await db.scalars(
        select(GroupSession.starts_at)
        .where(GroupSession.offer_id == offer.id)
        .order_by(GroupSession.starts_at)
    )
    return "\n".join(s.astimezone(zone).strftime("%Y-%m-%d %H:%M") for s in starts)


NEW_OFFER = {
    "kind": "individual",
    "duration_minutes": "30",
    "admin_minutes": "0",
    "rebook_days_before": "1",
    "rolling_weeks": "4",
    "accept_cancellation": "yes",
    "accept_rebooking": "yes",
    "active": "yes",
}


async def offer_form(request: Request, staff: StaffIdentity) -> Response:
    """New offer (from a template when one is chosen), or a change of one; "save as
    template" keeps the form's answers, checked as an offer, under a name."""
    offer_id = request.path_params.get("offer_id")
    async with database(request).sessions() as db:
        offer = await found(db, MeetingOffer, request, "offer_id") if offer_id else None
        if request.method == "GET":
            if offer is None:
                values: dict[str, Any] = {**NEW_OFFER, "form_token": new_form_token()}
                template_id = Fields(request.query_params).one_of(
                    "template", {t: 1 for t in await db.scalars(select(OfferTemplate.id))}, False
                )
                if template_id is not None:
                    template = await db.get_one(OfferTemplate, template_id)
                    values = {**values, **template.values, "from_template": template.name}
            else:
                chosen = await db.scalars(
                    select(OfferCaseworker.caseworker_id).where(
                        OfferCaseworker.offer_id == offer.id
                    )
                )
                values = admin.offer_values(
                    offer, list(chosen), await group_times_text(db, offer, request)
                )
            return await offer_page(request, staff, offer, values, {})
        choices = await offer_choices(db)
    form = await read_form(request, "caseworker_ids")
    values_in, errors = admin.parse_offer(
        form, form["caseworker_ids"], choices, place_of(request).zone, today(request)
    )
    as_template = form.get("action") == "template"
    template_name = Fields(form).text("template_name", 200) if as_template else ""
    if as_template and not template_name:
        errors["template_name"] = gettext("Give the template a name.")
    if as_template and not allows(staff.roles, "booking_admin", WRITE):
        raise HTTPException(404)
    if values_in is None or errors:
        return await offer_page(request, staff, offer, form, errors, 400)
    if as_template:

        async def keep(db: Any) -> OfferTemplate | Errors:
            return await admin.save_template(db, template_name, form, staff.user.id)

        kept_as = await save_once(request, form, False, keep)
        if isinstance(kept_as, dict):
            return await offer_page(request, staff, offer, form, kept_as, 400)
        return await offer_page(request, staff, offer, form, {}, saved_template=template_name)

    async def save(db: Any) -> tuple[MeetingOffer, list[dt.datetime]] | Errors:
        current = await found(db, MeetingOffer, request, "offer_id") if offer_id else None
        return await admin.save_offer(db, values_in, current, place_of(request).zone)

    result = await save_once(request, form, offer is None, save)
    if result is None:
        return done(f"{BASE}/", "repeated")
    if isinstance(result, dict):
        return await offer_page(request, staff, offer, form, result, 400)
    saved, kept = result
    return RedirectResponse(
        f"{BASE}/offers/{saved.id}?saved={'offer_kept' if kept else 'offer'}", status_code=303
    )


# --- meeting type variants and templates ----------------------------------------------------


async def variant_page(
    request: Request,
    staff: StaffIdentity,
    variant: MeetingTypeVariant | None,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/variant_form.html",
        values,
        errors,
        VARIANT_LABELS,
        status_code,
        variant=variant,
        type_options=list(MEETING_TYPES.items()),
    )


async def variant_form(request: Request, staff: StaffIdentity) -> Response:
    variant_id = request.path_params.get("variant_id")
    async with database(request).sessions() as db:
        variant = await found(db, MeetingTypeVariant, request, "variant_id") if variant_id else None
        teams = await admin.teams_by_id(db)
        if request.method == "GET":
            values: dict[str, Any] = {"form_token": new_form_token()}
            if variant is not None:
                rules = (await admin.variant_rules(db))[variant.id]
                values = {
                    "name": variant.name,
                    "meeting_types": sorted(rules[0]),
                    "team_ids": [str(t) for t in sorted(rules[1])],
                }
            return await variant_page(request, staff, variant, values, {})
    form = await read_form(request, "meeting_types", "team_ids")
    checked, errors = admin.parse_variant(form, form["meeting_types"], form["team_ids"], teams)
    if checked is None:
        return await variant_page(request, staff, variant, form, errors, 400)

    async def save(db: Any) -> MeetingTypeVariant | Errors:
        current = await found(db, MeetingTypeVariant, request, "variant_id") if variant_id else None
        return await admin.save_variant(db, checked, current)

    saved = await save_once(request, form, variant is None, save)
    if saved is None:
        return done(f"{BASE}/", "repeated")
    if isinstance(saved, dict):
        return await variant_page(request, staff, variant, form, saved, 400)
    return done(f"{BASE}/variants/{saved.id}", "variant")


async def delete_template(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).transaction() as db:
        template = await found(db, OfferTemplate, request, "template_id")
        await db.delete(template)
    return done(f"{BASE}/", "template_deleted")


# --- calendars and bookings ------------------------------------------------------------------

STATUSES = {"booked": _("Booked"), "cancelled": _("Cancelled"), "moved": _("Moved")}


def chosen_monday(request: Request) -> dt.date:
    """The Monday of the week asked for (?week=any day of it), else of this week."""
    asked = Fields(request.query_params).date("week", required=False)
    return calendar.monday_of(asked or today(request))


def calendar_page(
    request: Request, staff: StaffIdentity, heading: str, back: str, days: Any, show_hours: bool
) -> Response:
    monday = days[0].date
    return page(
        request,
        staff,
        "booking/admin/calendar.html",
        heading=heading,
        back=back,
        days=days,
        show_hours=show_hours,
        previous=monday - dt.timedelta(days=7),
        next=monday + dt.timedelta(days=7),
    )


async def caseworker_calendar(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        caseworker = await found(db, Caseworker, request, "caseworker_id")
        days = await calendar.caseworker_week(
            db, caseworker.id, chosen_monday(request), place_of(request)
        )
    heading = gettext("Calendar of %(name)s", name=caseworker.name)
    return calendar_page(request, staff, heading, f"{BASE}/caseworkers/{caseworker.id}", days, True)


async def room_calendar(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        room = await found(db, Room, request, "room_id")
        days = await calendar.room_week(db, room.id, chosen_monday(request), place_of(request))
    heading = gettext("Calendar of %(name)s", name=room.name)
    return calendar_page(request, staff, heading, f"{BASE}/rooms/{room.id}", days, False)


async def booking_page(
    request: Request,
    staff: StaffIdentity,
    booking: Booking,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    async with database(request).sessions() as db:
        offer = await db.get_one(MeetingOffer, booking.offer_id)
        participant = await db.get_one(Participant, booking.participant_id)
        caseworker = (
            await db.get(Caseworker, booking.caseworker_id) if booking.caseworker_id else None
        )
        room = await db.get(Room, booking.room_id) if booking.room_id else None
        address = await bookings.address_of(db, offer, room)
        events = list(
            await db.scalars(
                select(BookingEvent)
                .where(BookingEvent.booking_id == booking.id)
                .order_by(BookingEvent.at, BookingEvent.id)
            )
        )
    return page(
        request,
        staff,
        "booking/admin/booking.html",
        status_code=status_code,
        booking=booking,
        offer=offer,
        participant=participant,
        caseworker=caseworker,
        address=address,
        events=events,
        event_labels=EVENTS,
        statuses=STATUSES,
        may_cancel=booking.status == "booked" and booking.starts_at > utcnow(),
        values=values,
        errors=errors,
        labels={"reason": gettext("Why the meeting is cancelled")},
    )


async def booking_details(request: Request, staff: StaffIdentity) -> Response:
    """A booking with the participant's name: each opening is logged for the participant."""
    async with database(request).transaction() as db:
        booking = await found(db, Booking, request, "booking_id")
        participant = await db.get_one(Participant, booking.participant_id)
        bookings.event(db, "opened_by_staff", booking, staff_user_id=staff.user.id)
        await record_access(db, participant, staff.user, "meetings")
    return await booking_page(request, staff, booking, {}, {})


async def cancel_booking(request: Request, staff: StaffIdentity) -> Response:
    """The job centre cancels a meeting, with a reason; the participant is told."""
    form = await read_form(request)
    fields = Fields(form)
    reason = fields.text("reason", 500)
    async with database(request).sessions() as db:
        booking = await found(db, Booking, request, "booking_id")
    if fields.errors:
        return await booking_page(request, staff, booking, form, fields.errors, 400)
    settings = request.app.state.settings
    async with database(request).transaction() as db:
        booking = await found(db, Booking, request, "booking_id")
        if booking.starts_at <= utcnow() or not await bookings.release(
            db, booking, "cancelled", utcnow()
        ):
            cancelled = False
        else:
            cancelled = True
            bookings.event(
                db, "cancelled_by_job_centre", booking, reason, staff_user_id=staff.user.id
            )
            if booking.group_session_id is not None:
                bookings.event(db, "participant_detached", booking, staff_user_id=staff.user.id)
            participant = await db.get_one(Participant, booking.participant_id)
            await notify_participant(
                db, participant, MEETING_CHANGED, settings.base_url, settings.country
            )
    if not cancelled:
        return page(
            request,
            staff,
            "booking/admin/refused.html",
            409,
            message=gettext("This meeting is already cancelled, moved or over."),
            meetings=[],
            back=f"{BASE}/bookings/{booking.id}",
        )
    return done(f"{BASE}/bookings/{booking.id}", "cancelled")


async def move_page(
    request: Request,
    staff: StaffIdentity,
    booking: Booking,
    status_code: int = 200,
    message: str | None = None,
) -> Response:
    """The offer's free times (from tomorrow), each with who is free then."""
    place = place_of(request)
    async with database(request).sessions() as db:
        offer = await db.get_one(MeetingOffer, booking.offer_id)
        free = await bookings.free_slots(db, offer, today(request), place)
        names = {c.id: c.name for c in await db.scalars(select(Caseworker))}
    return page(
        request,
        staff,
        "booking/admin/move.html",
        status_code=status_code,
        booking=booking,
        offer=offer,
        free=free,
        names=names,
        request_key=new_form_token(),
        message=message,
    )


async def move_booking(request: Request, staff: StaffIdentity) -> Response:
    """The job centre moves a meeting to another free time (and caseworker); the new time is
    held before the old one is released, and the participant is told."""
    async with database(request).sessions() as db:
        booking = await found(db, Booking, request, "booking_id")
    if booking.status != "booked" or booking.starts_at <= utcnow():
        return page(
            request,
            staff,
            "booking/admin/refused.html",
            409,
            message=gettext("This meeting is already cancelled, moved or over."),
            meetings=[],
            back=f"{BASE}/bookings/{booking.id}",
        )
    if request.method == "GET":
        return await move_page(request, staff, booking)
    form = await read_form(request)
    choice = form.get("slot", "")
    start_raw, _sep, caseworker_raw = choice.partition("|")
    try:
        start = dt.datetime.fromisoformat(start_raw)
    except ValueError:
        return await move_page(request, staff, booking, 400, gettext("Choose a new time."))
    if start.tzinfo is None:
        return await move_page(request, staff, booking, 400, gettext("Choose a new time."))
    caseworker_id = int(caseworker_raw) if caseworker_raw.isdigit() else None
    key = form.get("request_key", "")
    settings = request.app.state.settings
    try:
        async with database(request).transaction() as db:
            current = await found(db, Booking, request, "booking_id")
            offer = await db.get_one(MeetingOffer, current.offer_id)
            if current.replaced_by_id is not None:
                return done(f"{BASE}/bookings/{current.replaced_by_id}", "moved")
            moved = await bookings.book(
                db,
                current.participant_id,
                offer,
                start,
                key,
                today(request),
                place_of(request),
                caseworker_id,
                current,
                pages(request).formatter.day,
                moved_by=staff.user.id,
            )
            participant = await db.get_one(Participant, current.participant_id)
            await notify_participant(
                db, participant, MEETING_CHANGED, settings.base_url, settings.country
            )
    except (SlotTaken, IntegrityError):
        async with database(request).sessions() as db:
            repeated = await bookings.existing_request(db, key)
        if repeated is not None:
            return done(f"{BASE}/bookings/{repeated.id}", "moved")
        message = gettext("This time was just taken. Choose another one.")
        return await move_page(request, staff, booking, 409, message)
    except BookingRefused as refusal:
        return await move_page(request, staff, booking, 409, refusal.message)
    return done(f"{BASE}/bookings/{moved.id}", "moved")


# --- person-group markings ------------------------------------------------------------------


async def eligibility_page(
    request: Request,
    staff: StaffIdentity,
    participant: Participant,
    values: dict[str, Any],
    errors: Errors,
    status_code: int = 200,
) -> Response:
    return await form_page(
        request,
        staff,
        "booking/admin/eligibility.html",
        values,
        errors,
        ELIGIBILITY_LABELS,
        status_code,
        participant=participant,
        marking_options=list(MARKINGS.items()),
        chosen=set(values.get("markings") or []),
    )


async def participant_eligibility(request: Request, staff: StaffIdentity) -> Response:
    """The markings, team and municipality by which offers choose who may book them."""
    participant = await participant_in_scope(request, staff)
    if request.method == "GET":
        async with database(request).sessions() as db:
            markings = await db.scalars(
                select(ParticipantMarking.marking).where(
                    ParticipantMarking.participant_id == participant.id
                )
            )
            served = await db.get(ParticipantTeam, participant.id)
        values = {
            "markings": list(markings),
            "team_id": str(served.team_id or "") if served else "",
            "municipality": (served.municipality or "") if served else "",
        }
        return await eligibility_page(request, staff, participant, values, {})
    form = await read_form(request, "markings")
    async with database(request).sessions() as db:
        teams = await admin.teams_by_id(db)
    fields = Fields(form)
    team_id = fields.one_of("team_id", teams, required=False)
    municipality = fields.text("municipality", 100, required=False)
    chosen = [m for m in form["markings"] if m in MARKINGS]
    if len(chosen) != len(form["markings"]):
        fields.errors["markings"] = gettext("Choose one of the options.")
    if fields.errors:
        return await eligibility_page(request, staff, participant, form, fields.errors, 400)
    async with database(request).transaction() as db:
        await admin.save_eligibility(
            db, participant.id, chosen, team_id, municipality or None, staff.user.id
        )
    return done(f"/staff/participants/{participant.id}/meeting-markings", "markings")


# --- the audit trail -------------------------------------------------------------------------


async def audit_trail(request: Request, staff: StaffIdentity) -> Response:
    """Every booking event, newest first, filtered by participant, caseworker, offer, event
    and date."""
    query = request.query_params
    fields = Fields(query)
    async with database(request).sessions() as db:
        caseworkers = {
            c.id: c for c in await db.scalars(select(Caseworker).order_by(Caseworker.name))
        }
        offers = {
            o.id: o for o in await db.scalars(select(MeetingOffer).order_by(MeetingOffer.title))
        }
        caseworker_id = fields.one_of("caseworker", caseworkers, required=False)
        offer_id = fields.one_of("offer", offers, required=False)
        kind = query.get("event") or ""
        if kind and kind not in EVENTS:
            fields.errors["event"] = gettext("Choose one of the options.")
        first = fields.date("from", required=False)
        last = fields.date("to", required=False)
        if first and last and last < first:
            fields.errors["to"] = gettext("The end cannot be before the start.")
        who = fields.text("participant", 100, required=False)
        statement = (
            select(BookingEvent, Participant, StaffUser)
            .outerjoin(Participant, Participant.id == BookingEvent.participant_id)
            .outerjoin(StaffUser, StaffUser.id == BookingEvent.staff_user_id)
            .order_by(BookingEvent.at.desc(), BookingEvent.id.desc())
            .limit(201)
        )
        if not fields.errors:
            zone = place_of(request).zone
            if caseworker_id is not None:
                statement = statement.where(BookingEvent.caseworker_id == caseworker_id)
            if offer_id is not None:
                statement = statement.where(BookingEvent.offer_id == offer_id)
            if kind:
                statement = statement.where(BookingEvent.event == kind)
            if first:
                statement = statement.where(
                    BookingEvent.at >= dt.datetime.combine(first, dt.time(), tzinfo=zone)
                )
            if last:
                statement = statement.where(
                    BookingEvent.at
                    < dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                )
            if who:
                pattern = f"%{who.replace('%', '').replace('_', '')}%"
                statement = statement.where(
                    (Participant.personal_number.like(pattern))
                    | ((Participant.first_name + " " + Participant.last_name).ilike(pattern))
                )
            rows = list(await db.execute(statement))
        else:
            rows = []
    return page(
        request,
        staff,
        "booking/admin/audit.html",
        status_code=400 if fields.errors else 200,
        rows=rows[:200],
        more=len(rows) > 200,
        values=dict(query),
        errors=fields.errors,
        labels={
            "participant": gettext("Participant (name or personal number)"),
            "caseworker": gettext("Caseworker"),
            "offer": gettext("Meeting offer"),
            "event": gettext("Event"),
            "from": gettext("From date"),
            "to": gettext("To date"),
        },
        caseworkers=caseworkers,
        offers=offers,
        caseworker_options=[(str(c.id), c.name) for c in caseworkers.values()],
        offer_options=[(str(o.id), o.title) for o in offers.values()],
        events=EVENTS,
    )


def routes() -> list[Route]:
    admin_pages: list[tuple[str, Any, list[str]]] = [
        ("/teams/new", team_form, ["GET", "POST"]),
        ("/teams/{team_id:int}", team_form, ["GET", "POST"]),
        ("/teams/{team_id:int}/closing-days", add_closing_day, ["POST"]),
        ("/teams/{team_id:int}/closing-days/{closing_id:int}/remove", remove_closing_day, ["POST"]),
        ("/caseworkers/new", caseworker_form, ["GET", "POST"]),
        ("/caseworkers/{caseworker_id:int}", caseworker_form, ["GET", "POST"]),
        ("/caseworkers/{caseworker_id:int}/teams", add_caseworker_to_team, ["POST"]),
        (
            "/caseworkers/{caseworker_id:int}/teams/{team_id:int}/remove",
            team_removal,
            ["GET", "POST"],
        ),
        ("/caseworkers/{caseworker_id:int}/busy", add_busy_time, ["POST"]),
        ("/caseworkers/{caseworker_id:int}/busy/{busy_id:int}/remove", remove_busy_time, ["POST"]),
        ("/caseworkers/{caseworker_id:int}/delete", delete_caseworker, ["POST"]),
        ("/rooms/new", room_form, ["GET", "POST"]),
        ("/rooms/{room_id:int}", room_form, ["GET", "POST"]),
        ("/rooms/{room_id:int}/delete", delete_room, ["POST"]),
        ("/variants/new", variant_form, ["GET", "POST"]),
        ("/variants/{variant_id:int}", variant_form, ["GET", "POST"]),
        ("/templates/{template_id:int}/delete", delete_template, ["POST"]),
    ]
    offer_pages: list[tuple[str, Any, list[str]]] = [
        ("/", overview, ["GET"]),
        ("/offers/new", offer_form, ["GET", "POST"]),
        ("/offers/{offer_id:int}", offer_form, ["GET", "POST"]),
        ("/audit", audit_trail, ["GET"]),
        ("/caseworkers/{caseworker_id:int}/calendar", caseworker_calendar, ["GET"]),
        ("/rooms/{room_id:int}/calendar", room_calendar, ["GET"]),
        ("/bookings/{booking_id:int}", booking_details, ["GET"]),
        ("/bookings/{booking_id:int}/cancel", cancel_booking, ["POST"]),
        ("/bookings/{booking_id:int}/move", move_booking, ["GET", "POST"]),
    ]
    return [
        Route(
            "/staff/participants/{participant_id:int}/meeting-markings",
            job_centre_staff("run_offers", participant_eligibility),
            methods=["GET", "POST"],
        ),
        *(
            Route(BASE + path, job_centre_staff("booking_admin", handler), methods=methods)
            for path, handler, methods in admin_pages
        ),
        *(
            Route(BASE + path, job_centre_staff("run_offers", handler), methods=methods)
            for path, handler, methods in offer_pages
        ),
    ]
