"""The rules of a meeting offer (SPEC 4): every field checked with a message at the field, its
group times, its room and variant, and which participants it is for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.admin import ids_from, room_seats
from portal.booking.bookings import MEETING_TYPES
from portal.booking.free_times import lock_room, room_meetings
from portal.booking.models import (
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    ParticipantMarking,
    ParticipantTeam,
)
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

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
    if team_id is not None:
        _check_room_and_variant(fields, choices, team_id, room_id, variant_id, meeting_type)
    is_group = fields.choice("kind", {"individual": 1, "group": 1}) == "group"
    duration = fields.integer("duration_minutes", 5, 480)
    admin = fields.integer("admin_minutes", 0, 240, required=False) or 0
    rebook_days = fields.integer("rebook_days_before", 0, 60, required=False) or 0
    first_date = fields.date("first_date", required=False)
    fixed_end = fields.date("fixed_end", required=False)
    rolling = fields.integer("rolling_weeks", 1, 52, required=False)
    visible_from = fields.date("visible_from", required=False)
    seats = fields.integer("seats", 1, 10000, required=False)
    _check_period(fields, first_date, fixed_end, rolling, today)
    chosen = _chosen_caseworkers(fields, caseworker_ids, choices, team_id)
    marking = str(form.get("eligible_marking") or "") or None
    if marking is not None and marking not in choices.markings:
        fields.errors["eligible_marking"] = gettext("Choose one of the options.")
    eligible_team = fields.one_of("eligible_team_id", choices.teams, required=False)
    municipality = fields.text("eligible_municipality", 100, required=False) or None
    group_times: list[dt.datetime] = []
    if is_group:
        group_times = _group_times(fields, form, zone, seats is None and room_id is None)
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


def _check_room_and_variant(
    fields: Fields,
    choices: OfferChoices,
    team_id: int,
    room_id: int | None,
    variant_id: int | None,
    meeting_type: str,
) -> None:
    """A room is for the teams it names and the teams under them; a variant is for its
    meeting types and teams."""
    allowed = choices.room_teams.get(room_id or 0)
    if allowed and not allowed & set(engine.teams_above(team_id, choices.parents)):
        fields.errors["room_id"] = gettext(
            "The chosen team may not use this room (a room is for the teams it names and the "
            "teams under them)."
        )
    if variant_id is not None and meeting_type:
        types, teams = choices.variants[variant_id]
        if meeting_type not in types or (teams and team_id not in teams):
            fields.errors["variant_id"] = gettext(
                "This variant is not for the chosen meeting type and team."
            )


# How far ahead an offer may be planned: its times are worked out day by day.
OFFER_HORIZON = dt.timedelta(days=2 * 366)


def _check_period(
    fields: Fields,
    first_date: dt.date | None,
    fixed_end: dt.date | None,
    rolling: int | None,
    today: dt.date,
) -> None:
    """An offer ends on a fixed date, a rolling number of weeks from today, or both."""
    if (
        fixed_end is None
        and rolling is None
        and not {"fixed_end", "rolling_weeks"} & set(fields.errors)
    ):
        fields.errors["fixed_end"] = gettext(
            "Give a fixed end date, a rolling end in weeks, or both."
        )
    latest = today + OFFER_HORIZON
    for name, day in (("first_date", first_date), ("fixed_end", fixed_end)):
        if day is not None and day > latest:
            fields.errors[name] = gettext(
                "An offer is planned at most two years ahead: give a date up to %(day)s.",
                day=latest,
            )
    if "fixed_end" in fields.errors:
        return
    if first_date and fixed_end and fixed_end < first_date:
        fields.errors["fixed_end"] = gettext("The end cannot be before the first meeting date.")
    elif fixed_end and fixed_end <= today:
        fields.errors["fixed_end"] = gettext("The end date must lie after today.")


def _chosen_caseworkers(
    fields: Fields, caseworker_ids: Sequence[str], choices: OfferChoices, team_id: int | None
) -> list[int]:
    """At least one caseworker, each of the offer's team and taking bookings."""
    chosen = ids_from(caseworker_ids, choices.caseworkers)
    if not chosen:
        fields.errors["caseworker_ids"] = gettext("Choose at least one caseworker.")
    elif team_id is not None and any(
        team_id not in choices.team_of_caseworkers.get(c, set()) for c in chosen
    ):
        fields.errors["caseworker_ids"] = gettext(
            "Choose caseworkers of the offer's team who take bookings."
        )
    return chosen


def _group_times(
    fields: Fields, form: Mapping[str, Any], zone: ZoneInfo, needs_seats: bool
) -> list[dt.datetime]:
    """A group meeting's set times (at least one), and its seats when no room gives them."""
    times, problem = parse_group_times(str(form.get("group_times") or ""), zone)
    if problem:
        fields.errors["group_times"] = problem
    elif not times:
        fields.errors["group_times"] = gettext("Give at least one time for the group meeting.")
    if needs_seats and "seats" not in fields.errors:
        fields.errors["seats"] = gettext("Give the number of seats, or choose a room.")
    return times


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
