"""The rules of caseworkers: working hours and pauses per weekday, other busy time, their
teams, and what happens to their meetings when they leave a team."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.admin import (
    MIDNIGHT,
    WEEKDAYS,
    add_caseworker,
    default_hours,
    future_meetings,
    ids_from,
)
from portal.booking.bookings import event, lock_caseworker
from portal.booking.free_times import Place, closed_days, load_caseworkers
from portal.booking.models import (
    Booking,
    Caseworker,
    MeetingOffer,
    Pause,
    TeamMember,
    WorkingHours,
)
from portal.db import utcnow
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

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
