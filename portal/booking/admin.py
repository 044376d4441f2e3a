"""Booking administration rules: teams and their closing days, caseworkers with their hours,
pauses and busy time, rooms and offers, read from forms with one message per field and saved
in one transaction each; what may not be removed while meetings are booked, and moving a
caseworker's meetings to a colleague."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import service as engine
from portal.booking.bookings import (
    MEETING_TYPES,
    Place,
    closed_days,
    event,
    load_caseworkers,
    lock_caseworker,
    lock_room,
    room_meetings,
)
from portal.booking.models import (
    Booking,
    Caseworker,
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
    VariantTeam,
    VariantType,
    WorkingHours,
)
from portal.db import utcnow
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

LUNCH = (dt.time(11, 30), dt.time(12, 0))
MIDNIGHT = dt.time(0, 0)
WEEKDAYS = range(7)


def default_hours(weekday: int) -> tuple[dt.time, dt.time]:
    """Mon–Fri 07:30–16:00; 00:00–00:00 (not working) at the weekend."""
    return engine.DEFAULT_HOURS if weekday < 5 else (MIDNIGHT, MIDNIGHT)


async def add_caseworker(
    db: AsyncSession,
    name: str,
    email: str | None,
    staff_user_id: int | None,
    team_ids: Sequence[int],
) -> Caseworker:
    """A caseworker with the default working hours, in the teams given."""
    caseworker = Caseworker(name=name, email=email or None, staff_user_id=staff_user_id)
    db.add(caseworker)
    await db.flush()
    for weekday in WEEKDAYS:
        starts, ends = default_hours(weekday)
        db.add(WorkingHours(caseworker_id=caseworker.id, weekday=weekday, starts=starts, ends=ends))
    db.add_all(TeamMember(team_id=t, caseworker_id=caseworker.id) for t in team_ids)
    await db.flush()
    return caseworker


def ids_from(values: Sequence[str], known: Mapping[int, Any]) -> list[int]:
    """The ids among `values` that name something in `known` (others are ignored)."""
    return sorted({int(v) for v in values if v.isdigit() and int(v) in known})


async def name_taken(db: AsyncSession, model: Any, name: str, own_id: int | None) -> bool:
    """Names of teams and rooms are unique, whatever their case. Compared here, not with SQL's
    lower(), which leaves Å, Ä, Ö and Æ, Ø as they are on SQLite."""
    rows = await db.execute(select(model.id, model.name))
    return any(other != own_id and taken.casefold() == name.casefold() for other, taken in rows)


async def future_meetings(
    db: AsyncSession,
    now: dt.datetime,
    caseworker_id: int | None = None,
    room_id: int | None = None,
    team_id: int | None = None,
) -> list[Booking]:
    """Live bookings still to come, of a caseworker, in a room, and/or of a team's offers."""
    query = select(Booking).where(Booking.status == "booked", Booking.starts_at > now)
    if caseworker_id is not None:
        query = query.where(Booking.caseworker_id == caseworker_id)
    if room_id is not None:
        query = query.where(Booking.room_id == room_id)
    if team_id is not None:
        query = query.where(
            Booking.offer_id.in_(select(MeetingOffer.id).where(MeetingOffer.team_id == team_id))
        )
    return list((await db.scalars(query.order_by(Booking.starts_at))).all())


@dataclass(frozen=True)
class InUse:
    """Why a caseworker or a room cannot be deleted (the meetings to come, when that is why)."""

    message: str
    meetings: list[Booking]


async def _delete_unless_referenced(db: AsyncSession, row: Any) -> bool:
    """Delete the row, unless something still refers to it (past meetings keep theirs)."""
    try:
        async with db.begin_nested():
            await db.delete(row)
            await db.flush()
    except IntegrityError:
        return False
    return True


async def delete_caseworker(
    db: AsyncSession, caseworker: Caseworker, now: dt.datetime
) -> InUse | None:
    """Delete a caseworker who has no meetings to come and is named in no offer or past
    meeting; otherwise say why not (take them out of their teams instead)."""
    meetings = await future_meetings(db, now, caseworker_id=caseworker.id)
    if meetings:
        name = caseworker.name
        return InUse(
            gettext("%(name)s has meetings to come and cannot be deleted.", name=name), meetings
        )
    in_offers = await db.scalar(
        select(OfferCaseworker.offer_id).where(OfferCaseworker.caseworker_id == caseworker.id)
    )
    if in_offers is None and await _delete_unless_referenced(db, caseworker):
        return None
    return InUse(
        gettext(
            "%(name)s is named in meeting offers or past meetings and cannot be deleted. "
            "Take them out of their teams instead.",
            name=caseworker.name,
        ),
        [],
    )


async def delete_room(db: AsyncSession, room: Room, now: dt.datetime) -> InUse | None:
    """Delete a room that no meeting to come, offer or past meeting uses; otherwise say why
    not (mark it as not usable instead)."""
    meetings = await future_meetings(db, now, room_id=room.id)
    if meetings:
        name = room.name
        return InUse(
            gettext("%(name)s has meetings to come and cannot be deleted.", name=name), meetings
        )
    offers = list(
        await db.scalars(select(MeetingOffer.title).where(MeetingOffer.room_id == room.id))
    )
    if not offers and await _delete_unless_referenced(db, room):
        return None
    return InUse(
        gettext(
            "%(name)s is used by meeting offers (%(offers)s) and cannot be deleted. "
            "Mark it as not usable for meetings instead.",
            name=room.name,
            offers=", ".join(offers or [gettext("past meetings")]),
        ),
        [],
    )


# --- teams and closing days ------------------------------------------------------------------


@dataclass
class TeamInput:
    name: str
    parent_id: int | None
    email: str
    address: str


def parse_team(
    form: Mapping[str, Any], parents: Mapping[int, int | None], team_id: int | None
) -> tuple[TeamInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    email = fields.email("email")
    address = fields.text("address", 300, required=False)
    parent_id = fields.one_of("parent_id", parents, required=False)
    if (
        team_id is not None
        and parent_id is not None
        and team_id in engine.teams_above(parent_id, parents)
    ):
        fields.errors["parent_id"] = gettext("A team cannot be placed under itself.")
    if fields.errors:
        return None, fields.errors
    return TeamInput(name, parent_id, email, address), {}


async def save_team(db: AsyncSession, values: TeamInput, team: Team | None) -> Team | Errors:
    """The saved team, or the message for a name another team has."""
    if await name_taken(db, Team, values.name, team.id if team else None):
        return {"name": gettext("Another team has this name.")}
    team = team or Team()
    team.name, team.parent_id = values.name, values.parent_id
    team.email, team.address = values.email or None, values.address or None
    db.add(team)
    await db.flush()
    return team


@dataclass
class ClosingInput:
    name: str
    first_date: dt.date
    last_date: dt.date


def parse_closing_day(
    form: Mapping[str, Any], today: dt.date
) -> tuple[ClosingInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("closing_name", 200)
    first = fields.date("closing_first")
    last = fields.date("closing_last", required=False) or first
    if first and last and last < first:
        fields.errors["closing_last"] = gettext("The end cannot be before the start.")
    elif first and first < today:
        fields.errors["closing_first"] = gettext("A closing day cannot lie in the past.")
    elif first and last and (last - first).days > 366:
        fields.errors["closing_last"] = gettext("A closing period lasts at most a year.")
    if fields.errors or first is None or last is None:
        return None, fields.errors
    return ClosingInput(name, first, last), {}


def tree(teams: Sequence[Team]) -> list[tuple[Team, int]]:
    """The teams in hierarchy order, each with its depth (0 = the job centre)."""
    children: dict[int | None, list[Team]] = {}
    known = {team.id for team in teams}
    for team in sorted(teams, key=lambda t: t.name.lower()):
        parent = team.parent_id if team.parent_id in known else None
        children.setdefault(parent, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for team in children.get(parent, []):
            if all(team is not seen for seen, _ in ordered):
                ordered.append((team, depth))
                walk(team.id, depth + 1)

    walk(None, 0)
    return ordered


# --- caseworkers -----------------------------------------------------------------------------


# The form's pauses per weekday: "pause" and "pause2" (a lunch and, say, a team meeting).
PAUSE_FIELDS = ("pause", "pause2")


@dataclass
class CaseworkerInput:
    name: str
    email: str
    team_ids: list[int]
    hours: dict[int, tuple[dt.time, dt.time]]
    pauses: dict[int, list[tuple[dt.time, dt.time]]]


def copy_monday(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form with Monday's working hours and pauses copied to Tuesday–Friday."""
    copied = dict(form)
    for weekday in range(1, 5):
        for part in ("hours", *PAUSE_FIELDS):
            for end in ("from", "to"):
                copied[f"{part}-{weekday}-{end}"] = form.get(f"{part}-0-{end}", "")
    return copied


def schedule_values(hours: Sequence[WorkingHours], pauses: Sequence[Pause]) -> dict[str, str]:
    """Working hours and the first two pauses per weekday as the caseworker form's fields."""
    values: dict[str, str] = {}
    for weekday in WEEKDAYS:
        starts, ends = default_hours(weekday)
        values[f"hours-{weekday}-from"] = starts.strftime("%H:%M")
        values[f"hours-{weekday}-to"] = ends.strftime("%H:%M")
    for row in hours:
        values[f"hours-{row.weekday}-from"] = row.starts.strftime("%H:%M")
        values[f"hours-{row.weekday}-to"] = row.ends.strftime("%H:%M")
    for weekday in WEEKDAYS:
        day = sorted((p for p in pauses if p.weekday == weekday), key=lambda p: p.starts)
        for part, pause in zip(PAUSE_FIELDS, day, strict=False):
            values[f"{part}-{weekday}-from"] = pause.starts.strftime("%H:%M")
            values[f"{part}-{weekday}-to"] = pause.ends.strftime("%H:%M")
    return values


def copy_pauses(form: Mapping[str, Any], source: Mapping[str, str]) -> dict[str, Any]:
    """The form with the pauses of another caseworker (their schedule values) read in."""
    copied = dict(form)
    for weekday in WEEKDAYS:
        for part in PAUSE_FIELDS:
            for end in ("from", "to"):
                copied[f"{part}-{weekday}-{end}"] = source.get(f"{part}-{weekday}-{end}", "")
    return copied


def parse_pause(
    fields: Fields, part: str, weekday: int, working: tuple[dt.time, dt.time] | None
) -> tuple[dt.time, dt.time] | None:
    """One pause of the form, checked: both ends, at least 15 minutes, inside the hours."""
    name = f"{part}-{weekday}"
    pause_from = fields.time(f"{name}-from", required=False)
    pause_to = fields.time(f"{name}-to", required=False)
    if pause_from is None and pause_to is None:
        return None
    if pause_from is None or pause_to is None:
        missing = f"{name}-from" if pause_from is None else f"{name}-to"
        fields.errors.setdefault(missing, gettext("Give both the start and the end."))
        return None
    if pause_to <= pause_from or not engine.check_pauses([(pause_from, pause_to)]):
        fields.errors[f"{name}-to"] = gettext("A pause lasts at least 15 minutes.")
        return None
    if working is None or not (working[0] <= pause_from and pause_to <= working[1]):
        fields.errors[f"{name}-from"] = gettext("A pause must lie within the working hours.")
        return None
    return pause_from, pause_to


def parse_caseworker(
    form: Mapping[str, Any],
    team_ids: Sequence[str],
    teams: Mapping[int, Any],
    needs_team: bool,
) -> tuple[CaseworkerInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    email = fields.email("email")
    chosen = ids_from(team_ids, teams)
    if needs_team and not chosen:
        fields.errors["team_ids"] = gettext("Choose at least one team.")
    hours: dict[int, tuple[dt.time, dt.time]] = {}
    pauses: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday in WEEKDAYS:
        starts = fields.time(f"hours-{weekday}-from")
        ends = fields.time(f"hours-{weekday}-to")
        if starts is not None and ends is not None:
            if starts == MIDNIGHT and ends == MIDNIGHT:
                hours[weekday] = (MIDNIGHT, MIDNIGHT)
            elif ends <= starts:
                fields.errors[f"hours-{weekday}-to"] = gettext(
                    "The end must be after the start (00:00–00:00 means not working)."
                )
            else:
                hours[weekday] = (starts, ends)
        day = [
            pause
            for part in PAUSE_FIELDS
            if (pause := parse_pause(fields, part, weekday, hours.get(weekday))) is not None
        ]
        if len(day) == 2 and day[0][0] < day[1][1] and day[1][0] < day[0][1]:
            fields.errors[f"pause2-{weekday}-from"] = gettext("The two pauses overlap.")
        pauses[weekday] = sorted(day)
    if fields.errors:
        return None, fields.errors
    return CaseworkerInput(name, email, chosen, hours, pauses), {}


async def save_caseworker(
    db: AsyncSession, values: CaseworkerInput, caseworker: Caseworker | None
) -> Caseworker:
    """Create (in the teams chosen) or update name, e-mail, hours and pauses."""
    if caseworker is None:
        caseworker = await add_caseworker(db, values.name, values.email, None, values.team_ids)
    else:
        caseworker.name, caseworker.email = values.name, values.email or None
    await db.execute(delete(WorkingHours).where(WorkingHours.caseworker_id == caseworker.id))
    await db.execute(delete(Pause).where(Pause.caseworker_id == caseworker.id))
    for weekday in WEEKDAYS:
        starts, ends = values.hours.get(weekday, (MIDNIGHT, MIDNIGHT))
        db.add(WorkingHours(caseworker_id=caseworker.id, weekday=weekday, starts=starts, ends=ends))
        db.add_all(
            Pause(caseworker_id=caseworker.id, weekday=weekday, starts=a, ends=b)
            for a, b in values.pauses.get(weekday, [])
        )
    await db.flush()
    return caseworker


async def add_to_team(db: AsyncSession, caseworker_id: int, team_id: int) -> None:
    """In the team and taking bookings there (again, when they were kept without)."""
    member = await db.get(TeamMember, (team_id, caseworker_id))
    if member is None:
        db.add(TeamMember(team_id=team_id, caseworker_id=caseworker_id))
    else:
        member.takes_bookings = True
    await db.flush()


@dataclass
class BusyInput:
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


def parse_busy(form: Mapping[str, Any], zone: ZoneInfo) -> tuple[BusyInput | None, Errors]:
    fields = Fields(form)
    day = fields.date("busy_date")
    starts = fields.time("busy_from")
    ends = fields.time("busy_to")
    reason = fields.text("busy_reason", 200, required=False)
    if starts is not None and ends is not None and ends <= starts:
        fields.errors["busy_to"] = gettext("The end must be after the start.")
    if fields.errors or day is None or starts is None or ends is None:
        return None, fields.errors
    return (
        BusyInput(
            dt.datetime.combine(day, starts, tzinfo=zone),
            dt.datetime.combine(day, ends, tzinfo=zone),
            reason,
        ),
        {},
    )


@dataclass
class TeamRemoval:
    moved: list[Booking] = field(default_factory=list)
    kept: list[Booking] = field(default_factory=list)  # no colleague was free: still theirs


async def move_to_colleagues(
    db: AsyncSession,
    caseworker_id: int,
    team_id: int,
    meetings: Sequence[Booking],
    place: Place,
    staff_user_id: int,
) -> TeamRemoval:
    """Give each meeting to a colleague of the team who is free then (lowest id first, each
    locked as a booking would lock them); what finds nobody stays with the caseworker."""
    colleagues = list(
        await db.scalars(
            select(TeamMember.caseworker_id)
            .where(
                TeamMember.team_id == team_id,
                TeamMember.takes_bookings,
                TeamMember.caseworker_id != caseworker_id,
            )
            .order_by(TeamMember.caseworker_id)
        )
    )
    result = TeamRemoval()
    for booking in meetings:
        day = booking.starts_at.astimezone(place.zone).date()
        offer = await db.get_one(MeetingOffer, booking.offer_id)
        closed = await closed_days(db, offer.team_id, place.country, day, day)
        first = dt.datetime.combine(day, dt.time(), tzinfo=place.zone)
        for colleague in colleagues:
            await lock_caseworker(db, colleague)
            (schedule,) = await load_caseworkers(db, [colleague], first, first + engine.DAY)
            if engine.is_free(
                schedule, booking.starts_at, booking.blocked_until, closed, place.timezone
            ):
                event(db, "caseworker_detached", booking, staff_user_id=staff_user_id)
                booking.caseworker_id = colleague
                await db.flush()
                event(db, "caseworker_attached", booking, staff_user_id=staff_user_id)
                result.moved.append(booking)
                break
        else:
            result.kept.append(booking)
    return result


async def remove_from_team(
    db: AsyncSession,
    caseworker_id: int,
    team_id: int,
    move: bool,
    place: Place,
    staff_user_id: int,
) -> TeamRemoval:
    """Out of the team; with future meetings there the caseworker stays a member who takes no
    new bookings, after their meetings were moved to colleagues when asked (and possible)."""
    meetings = [
        b for b in await future_meetings(db, utcnow(), caseworker_id=caseworker_id, team_id=team_id)
    ]
    result = (
        await move_to_colleagues(db, caseworker_id, team_id, meetings, place, staff_user_id)
        if move
        else TeamRemoval(kept=meetings)
    )
    member = await db.get(TeamMember, (team_id, caseworker_id))
    if member is not None:
        if result.kept:
            member.takes_bookings = False
        else:
            await db.delete(member)
    await db.flush()
    return result


# --- rooms -----------------------------------------------------------------------------------


@dataclass
class RoomInput:
    name: str
    capacity: int | None
    overbooking: int
    address: str
    usable: bool
    team_ids: list[int]


def parse_room(
    form: Mapping[str, Any], team_ids: Sequence[str], teams: Mapping[int, Any]
) -> tuple[RoomInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    capacity = fields.integer("capacity", 1, 10000, required=False)
    overbooking = fields.integer("overbooking", 0, 1000, required=False) or 0
    address = fields.text("address", 300, required=False)
    if overbooking and capacity is None and "capacity" not in fields.errors:
        fields.errors["overbooking"] = gettext(
            "A room without a capacity has room for everybody: leave overbooking at 0."
        )
    if fields.errors:
        return None, fields.errors
    return (
        RoomInput(
            name, capacity, overbooking, address, fields.flag("usable"), ids_from(team_ids, teams)
        ),
        {},
    )


async def save_room(db: AsyncSession, values: RoomInput, room: Room | None) -> Room | Errors:
    """The saved room, or the message for a name another room has."""
    if await name_taken(db, Room, values.name, room.id if room else None):
        return {"name": gettext("Another room has this name.")}
    room = room or Room()
    room.name, room.capacity, room.overbooking = values.name, values.capacity, values.overbooking
    room.address, room.usable = values.address, values.usable
    db.add(room)
    await db.flush()
    await db.execute(delete(RoomTeam).where(RoomTeam.room_id == room.id))
    db.add_all(RoomTeam(room_id=room.id, team_id=t) for t in values.team_ids)
    await db.flush()
    return room


async def room_seats(db: AsyncSession, room_id: int | None) -> tuple[int | None, int] | None:
    """(capacity, overbooking) of a room, None without one."""
    if room_id is None:
        return None
    room = await db.get(Room, room_id)
    return None if room is None else (room.capacity, room.overbooking)


# --- offers ----------------------------------------------------------------------------------


@dataclass
class OfferInput:
    title: str
    description: str
    meeting_type: str
    variant_id: int | None
    team_id: int
    room_id: int | None
    is_group: bool
    duration_minutes: int
    admin_minutes: int
    accept_cancellation: bool
    accept_rebooking: bool
    rebook_days_before: int
    choose_caseworker: bool
    first_date: dt.date | None
    fixed_end: dt.date | None
    rolling_weeks: int | None
    visible_from: dt.date | None
    active: bool
    seats: int | None
    eligible_marking: str | None
    eligible_team_id: int | None
    eligible_municipality: str | None
    caseworker_ids: list[int] = field(default_factory=list)
    group_times: list[dt.datetime] = field(default_factory=list)


OFFER_COLUMNS = (
    "title",
    "description",
    "meeting_type",
    "variant_id",
    "team_id",
    "room_id",
    "is_group",
    "duration_minutes",
    "admin_minutes",
    "accept_cancellation",
    "accept_rebooking",
    "rebook_days_before",
    "choose_caseworker",
    "first_date",
    "fixed_end",
    "rolling_weeks",
    "visible_from",
    "active",
    "seats",
    "eligible_marking",
    "eligible_team_id",
    "eligible_municipality",
)


def parse_group_times(raw: str, zone: ZoneInfo) -> tuple[list[dt.datetime], str | None]:
    """One time per line, like 2026-12-01 09:00, in the deployment's time zone."""
    times = []
    for line in raw.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            local = dt.datetime.fromisoformat(line.replace("T", " "))
        except ValueError:
            return [], gettext(
                "“%(line)s” is not a date and time like 2026-12-01 09:00.", line=line[:40]
            )
        times.append(local.replace(tzinfo=zone) if local.tzinfo is None else local)
    return sorted(set(times)), None


@dataclass(frozen=True)
class OfferChoices:
    """What the offer form may name: teams, rooms, caseworkers (by team), markings."""

    teams: Mapping[int, Any]
    rooms: Mapping[int, Any]
    caseworkers: Mapping[int, Any]
    team_of_caseworkers: Mapping[int, set[int]]  # caseworker -> teams they take bookings in
    markings: Mapping[str, Any]
    variants: Mapping[int, tuple[set[str], set[int]]] = field(default_factory=dict)  # types, teams
    room_teams: Mapping[int, set[int]] = field(default_factory=dict)  # none: every team
    parents: Mapping[int, int | None] = field(default_factory=dict)


def parse_offer(
    form: Mapping[str, Any],
    caseworker_ids: Sequence[str],
    choices: OfferChoices,
    zone: ZoneInfo,
    today: dt.date,
) -> tuple[OfferInput | None, Errors]:
    fields = Fields(form)
    title = fields.text("title", 200)
    description = fields.text("description", 2000, required=False)
    meeting_type = fields.choice("meeting_type", MEETING_TYPES)
    variant_id = fields.one_of("variant_id", choices.variants, required=False)
    team_id = fields.one_of("team_id", choices.teams)
    room_id = fields.one_of("room_id", choices.rooms, required=False)
    allowed = choices.room_teams.get(room_id or 0)
    chain = set(engine.teams_above(team_id, choices.parents)) if team_id is not None else set()
    if allowed and team_id is not None and not allowed & chain:
        fields.errors["room_id"] = gettext(
            "The chosen team may not use this room (a room is for the teams it names and the "
            "teams under them)."
        )
    if variant_id is not None and meeting_type and team_id is not None:
        types, teams = choices.variants[variant_id]
        if meeting_type not in types or (teams and team_id not in teams):
            fields.errors["variant_id"] = gettext(
                "This variant is not for the chosen meeting type and team."
            )
    is_group = fields.choice("kind", {"individual": 1, "group": 1}) == "group"
    duration = fields.integer("duration_minutes", 5, 480)
    admin = fields.integer("admin_minutes", 0, 240, required=False) or 0
    rebook_days = fields.integer("rebook_days_before", 0, 60, required=False) or 0
    first_date = fields.date("first_date", required=False)
    fixed_end = fields.date("fixed_end", required=False)
    rolling = fields.integer("rolling_weeks", 1, 52, required=False)
    visible_from = fields.date("visible_from", required=False)
    seats = fields.integer("seats", 1, 10000, required=False)
    if (
        fixed_end is None
        and rolling is None
        and not {"fixed_end", "rolling_weeks"} & set(fields.errors)
    ):
        fields.errors["fixed_end"] = gettext(
            "Give a fixed end date, a rolling end in weeks, or both."
        )
    if first_date and fixed_end and fixed_end < first_date:
        fields.errors["fixed_end"] = gettext("The end cannot be before the first meeting date.")
    elif fixed_end and fixed_end <= today:
        fields.errors["fixed_end"] = gettext("The end date must lie after today.")
    chosen = ids_from(caseworker_ids, choices.caseworkers)
    if not chosen:
        fields.errors["caseworker_ids"] = gettext("Choose at least one caseworker.")
    elif team_id is not None and any(
        team_id not in choices.team_of_caseworkers.get(c, set()) for c in chosen
    ):
        fields.errors["caseworker_ids"] = gettext(
            "Choose caseworkers of the offer's team who take bookings."
        )
    marking = str(form.get("eligible_marking") or "") or None
    if marking is not None and marking not in choices.markings:
        fields.errors["eligible_marking"] = gettext("Choose one of the options.")
    eligible_team = fields.one_of("eligible_team_id", choices.teams, required=False)
    municipality = fields.text("eligible_municipality", 100, required=False) or None
    group_times: list[dt.datetime] = []
    if is_group:
        group_times, problem = parse_group_times(str(form.get("group_times") or ""), zone)
        if problem:
            fields.errors["group_times"] = problem
        elif not group_times:
            fields.errors["group_times"] = gettext("Give at least one time for the group meeting.")
        if seats is None and room_id is None and "seats" not in fields.errors:
            fields.errors["seats"] = gettext("Give the number of seats, or choose a room.")
    if fields.errors or team_id is None or duration is None:
        return None, fields.errors
    return (
        OfferInput(
            title=title,
            description=description,
            meeting_type=meeting_type,
            variant_id=variant_id,
            team_id=team_id,
            room_id=room_id,
            is_group=is_group,
            duration_minutes=duration,
            admin_minutes=admin,
            accept_cancellation=fields.flag("accept_cancellation"),
            accept_rebooking=fields.flag("accept_rebooking"),
            rebook_days_before=rebook_days,
            choose_caseworker=fields.flag("choose_caseworker") and not is_group,
            first_date=first_date,
            fixed_end=fixed_end,
            rolling_weeks=rolling,
            visible_from=visible_from,
            active=fields.flag("active"),
            seats=seats if is_group else None,
            eligible_marking=marking,
            eligible_team_id=eligible_team,
            eligible_municipality=municipality,
            caseworker_ids=chosen,
            group_times=group_times,
        ),
        {},
    )


def offer_values(offer: MeetingOffer, caseworker_ids: Sequence[int], times: str) -> dict[str, Any]:
    """A saved offer as the form's fields."""
    values: dict[str, Any] = {}
    for column in OFFER_COLUMNS:
        value = getattr(offer, column)
        if isinstance(value, bool):
            values[column] = "yes" if value else ""
        elif isinstance(value, dt.date):
            values[column] = value.isoformat()
        else:
            values[column] = "" if value is None else str(value)
    values["kind"] = "group" if offer.is_group else "individual"
    values["caseworker_ids"] = [str(c) for c in caseworker_ids]
    values["group_times"] = times
    return values


async def room_taken_at(
    db: AsyncSession, values: OfferInput, offer_id: int | None
) -> list[dt.datetime]:
    """The group times at which the offer's room already holds another meeting (the room's
    row is locked first, as a booking in it would)."""
    if not values.is_group or values.room_id is None or not values.group_times:
        return []
    await lock_room(db, values.room_id)
    length = dt.timedelta(minutes=values.duration_minutes)
    first, last = min(values.group_times), max(values.group_times) + length
    busy = await room_meetings(db, values.room_id, first, last, except_offer=offer_id)
    return [t for t in values.group_times if any(a < t + length and t < b for a, b in busy)]


async def save_offer(
    db: AsyncSession, values: OfferInput, offer: MeetingOffer | None, zone: ZoneInfo
) -> tuple[MeetingOffer, list[dt.datetime]] | Errors:
    """Create or update the offer with its caseworkers and group times, or say which group
    times find the room taken. A group time that has bookings is kept even when left out or
    short of seats; those times are returned."""
    clashes = await room_taken_at(db, values, offer.id if offer else None)
    if clashes:
        return {
            "group_times": gettext(
                "The room holds another meeting at %(times)s. Choose other times or another room.",
                times=", ".join(t.astimezone(zone).strftime("%Y-%m-%d %H:%M") for t in clashes),
            )
        }
    offer = offer or MeetingOffer()
    for column in OFFER_COLUMNS:
        setattr(offer, column, getattr(values, column))
    db.add(offer)
    await db.flush()
    await db.execute(delete(OfferCaseworker).where(OfferCaseworker.offer_id == offer.id))
    db.add_all(OfferCaseworker(offer_id=offer.id, caseworker_id=c) for c in values.caseworker_ids)
    room = await room_seats(db, offer.room_id)
    seats = (
        offer.seats
        if offer.seats is not None
        else (None if room is None or room[0] is None else engine.group_seats(*room, None))
    )
    sessions = {
        s.starts_at: s
        for s in await db.scalars(select(GroupSession).where(GroupSession.offer_id == offer.id))
    }
    wanted = set(values.group_times) if values.is_group else set()
    kept = []
    for start, session in sessions.items():
        if start in wanted:
            if seats is not None and session.booked > seats:
                kept.append(start)
            else:
                session.seats = seats
        elif session.booked:
            kept.append(start)
        else:
            await db.delete(session)
    for start in wanted - set(sessions):
        db.add(GroupSession(offer_id=offer.id, starts_at=start, seats=seats))
    await db.flush()
    return offer, sorted(kept)


async def teams_by_id(db: AsyncSession) -> dict[int, Team]:
    return {team.id: team for team in await db.scalars(select(Team))}


async def save_eligibility(
    db: AsyncSession,
    participant_id: int,
    markings: Sequence[str],
    team_id: int | None,
    municipality: str | None,
    staff_user_id: int,
) -> None:
    """A participant's person-group markings (kept as set, with who set them and when, when
    unchanged), the team that serves them and their municipality."""
    current = {
        m.marking: m
        for m in await db.scalars(
            select(ParticipantMarking).where(ParticipantMarking.participant_id == participant_id)
        )
    }
    for marking, row in current.items():
        if marking not in markings:
            await db.delete(row)
    db.add_all(
        ParticipantMarking(participant_id=participant_id, marking=m, set_by=staff_user_id)
        for m in markings
        if m not in current
    )
    served = await db.get(ParticipantTeam, participant_id)
    if served is None:
        db.add(
            ParticipantTeam(
                participant_id=participant_id, team_id=team_id, municipality=municipality
            )
        )
    else:
        served.team_id, served.municipality = team_id, municipality
    await db.flush()


# --- meeting type variants and offer templates ----------------------------------------------


@dataclass
class VariantInput:
    name: str
    meeting_types: list[str]
    team_ids: list[int]


def parse_variant(
    form: Mapping[str, Any],
    meeting_types: Sequence[str],
    team_ids: Sequence[str],
    teams: Mapping[int, Any],
) -> tuple[VariantInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("name", 200)
    chosen = sorted({t for t in meeting_types if t in MEETING_TYPES})
    if not chosen:
        fields.errors["meeting_types"] = gettext("Choose at least one meeting type.")
    if fields.errors:
        return None, fields.errors
    return VariantInput(name, chosen, ids_from(team_ids, teams)), {}


async def save_variant(
    db: AsyncSession, values: VariantInput, variant: MeetingTypeVariant | None
) -> MeetingTypeVariant | Errors:
    if await name_taken(db, MeetingTypeVariant, values.name, variant.id if variant else None):
        return {"name": gettext("Another variant has this name.")}
    variant = variant or MeetingTypeVariant()
    variant.name = values.name
    db.add(variant)
    await db.flush()
    await db.execute(delete(VariantType).where(VariantType.variant_id == variant.id))
    await db.execute(delete(VariantTeam).where(VariantTeam.variant_id == variant.id))
    db.add_all(VariantType(variant_id=variant.id, meeting_type=t) for t in values.meeting_types)
    db.add_all(VariantTeam(variant_id=variant.id, team_id=t) for t in values.team_ids)
    await db.flush()
    return variant


async def variant_rules(db: AsyncSession) -> dict[int, tuple[set[str], set[int]]]:
    """Each variant's meeting types and teams (no teams: every team)."""
    rules: dict[int, tuple[set[str], set[int]]] = {
        v: (set(), set()) for v in await db.scalars(select(MeetingTypeVariant.id))
    }
    for row in await db.scalars(select(VariantType)):
        rules[row.variant_id][0].add(row.meeting_type)
    for team in await db.scalars(select(VariantTeam)):
        rules[team.variant_id][1].add(team.team_id)
    return rules


# What a template keeps of the offer form: not its dates, times or whether it is active.
TEMPLATE_FIELDS = (
    "title",
    "description",
    "meeting_type",
    "variant_id",
    "kind",
    "team_id",
    "room_id",
    "caseworker_ids",
    "duration_minutes",
    "admin_minutes",
    "accept_cancellation",
    "accept_rebooking",
    "rebook_days_before",
    "choose_caseworker",
    "rolling_weeks",
    "seats",
    "eligible_marking",
    "eligible_team_id",
    "eligible_municipality",
)


async def save_template(
    db: AsyncSession, name: str, form: Mapping[str, Any], staff_user_id: int
) -> OfferTemplate | Errors:
    """The offer form's answers (already checked as an offer) kept under a name."""
    if await name_taken(db, OfferTemplate, name, None):
        return {"template_name": gettext("Another template has this name.")}
    values = {key: form[key] for key in TEMPLATE_FIELDS if form.get(key)}
    template = OfferTemplate(name=name, values=values, created_by=staff_user_id)
    db.add(template)
    await db.flush()
    return template
