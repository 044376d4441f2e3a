"""Booking administration rules: teams and their closing days, caseworkers with their hours,
pauses and busy time, rooms and offers, read from forms with one message per field and saved
in one transaction each; what may not be removed while meetings are booked, and moving a
caseworker's meetings to a colleague."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.bookings import MEETING_TYPES
from portal.booking.models import (
    Booking,
    Caseworker,
    MeetingOffer,
    MeetingTypeVariant,
    OfferCaseworker,
    OfferTemplate,
    Room,
    RoomTeam,
    Team,
    TeamMember,
    VariantTeam,
    VariantType,
    WorkingHours,
)
from portal.web.forms import Errors, Fields, whole_number
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
    numbers = (whole_number(value) for value in values)
    return sorted({n for n in numbers if n is not None and n in known})


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


async def teams_by_id(db: AsyncSession) -> dict[int, Team]:
    return {team.id: team for team in await db.scalars(select(Team))}


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
