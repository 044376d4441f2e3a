"""Demo meetings: the job centre's teams, caseworkers, a room, offers and Anna's booking."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import slot_engine as engine
from portal.booking.admin import LUNCH, add_caseworker
from portal.booking.bookings import book
from portal.booking.free_times import Place, free_slots
from portal.booking.models import (
    ClosingDay,
    GroupSession,
    MeetingOffer,
    OfferCaseworker,
    ParticipantTeam,
    Pause,
    Room,
    RoomTeam,
    Team,
)
from portal.demo.texts import texts as texts_of
from portal.holidays import is_working_day
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.settings import Settings
from portal.staff.models import (
    StaffUser,
)


async def add_demo_meetings(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    settings: Settings,
    today: dt.date,
) -> None:
    """A job centre with two teams, three caseworkers, a room, a local closing day, an
    individual and a group offer anna may book, and one upcoming meeting of hers."""
    texts: dict[str, Any] = texts_of(settings.country)["meetings"]
    centre_name, centre_address = texts["centre"]
    centre = Team(name=centre_name, address=centre_address, email="bokning@jobcentre.example.org")
    db.add(centre)
    await db.flush()
    adults = Team(name=texts["adults"], parent_id=centre.id)
    youth = Team(name=texts["youth"], parent_id=centre.id)
    db.add_all([adults, youth])
    await db.flush()
    people = [
        (staff["karin"].full_name, staff["karin"].email, staff["karin"].id, [adults, youth]),
        (staff["lars"].full_name, staff["lars"].email, staff["lars"].id, [adults]),
        (texts["third"], "maja.lind@jobcentre.example.org", None, [youth]),
    ]
    caseworkers = []
    for name, email, staff_id, teams in people:
        caseworker = await add_caseworker(db, name, email, staff_id, [t.id for t in teams])
        db.add_all(
            Pause(caseworker_id=caseworker.id, weekday=day, starts=LUNCH[0], ends=LUNCH[1])
            for day in range(5)
        )
        caseworkers.append(caseworker)
    room_name, room_address = texts["room"]
    room = Room(name=room_name, capacity=12, overbooking=2, address=room_address)
    db.add(room)
    await db.flush()
    db.add(RoomTeam(room_id=room.id, team_id=centre.id))
    # A staff day in two weeks' time, set on the job centre and so closed for both teams.
    staff_day = today + dt.timedelta(days=14)
    while staff_day.weekday() != 2:
        staff_day += engine.DAY
    db.add(
        ClosingDay(
            team_id=centre.id, name=texts["closing"], first_date=staff_day, last_date=staff_day
        )
    )
    for persona_id, team in (("anna", adults), ("bo", youth)):
        db.add(
            ParticipantTeam(
                participant_id=participants[persona_id].id,
                team_id=team.id,
                municipality=texts["municipality"],
            )
        )
    title, description = texts["individual"]
    individual = MeetingOffer(
        title=title,
        description=description,
        meeting_type="follow_up",
        team_id=adults.id,
        duration_minutes=45,
        admin_minutes=15,
        choose_caseworker=True,
        rebook_days_before=1,
        rolling_weeks=4,
        eligible_team_id=adults.id,
    )
    title, description = texts["group"]
    group = MeetingOffer(
        title=title,
        description=description,
        meeting_type="information",
        team_id=centre.id,
        room_id=room.id,
        is_group=True,
        duration_minutes=90,
        admin_minutes=0,
        rebook_days_before=2,
        rolling_weeks=4,
        eligible_municipality=texts["municipality"],
    )
    db.add_all([individual, group])
    await db.flush()
    db.add_all(OfferCaseworker(offer_id=individual.id, caseworker_id=c.id) for c in caseworkers[:2])
    db.add(OfferCaseworker(offer_id=group.id, caseworker_id=caseworkers[2].id))
    zone = ZoneInfo(settings.timezone)
    day = today + engine.DAY
    while day <= today + dt.timedelta(weeks=4):
        if day.weekday() in (1, 3) and is_working_day(settings.country, day):  # not New Year's Eve
            start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)
            db.add(GroupSession(offer_id=group.id, starts_at=start, seats=14))
        day += engine.DAY
    await db.flush()
    # anna's upcoming meeting: the first free time a week from now, with karin.
    place = Place(settings.country, settings.timezone)
    slots = await free_slots(db, individual, today, place, caseworker_ids=[caseworkers[0].id])
    first = next(
        s for d, found in slots.items() if d >= today + dt.timedelta(days=7) for s in found
    )
    await book(
        db,
        participants["anna"].id,
        individual,
        first.start,
        secrets.token_urlsafe(24),
        today,
        place,
        caseworker_id=caseworkers[0].id,
        links=Links.of(settings),
    )
