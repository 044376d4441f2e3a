"""A demo caseload: a few hundred generated participants of the job centre, with plausible
names and valid personal numbers, some with markings or a job goal, so that the staff's case
overview has pages, filters and events to show. Reproducible: the same seed, the same people."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking.models import ParticipantMarking
from portal.demo.texts import texts as texts_of
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.participants.service import luhn_check_digit
from portal.plan.inputs import GoalInput
from portal.plan.service import Author, PlanWriter, save_goal
from portal.settings import Settings
from portal.staff.models import Organisation, ParticipantAssignment, StaffUser

CASELOAD = 300
MARKED = ("youth", "newly_arrived", "long_term", "sick_listed", "graduate")


def personal_number(country: str, birth: dt.date, serial: int) -> str:
    """A valid personal number: SE YYYYMMDD-NNNC with its check digit, DK DDMMYY-NNNN."""
    if country == "SE":
        digits = birth.strftime("%y%m%d") + f"{serial:03d}"
        return f"{birth:%Y%m%d}-{serial:03d}{luhn_check_digit(digits)}"
    return f"{birth:%d%m%y}-{serial:04d}"


def generated_participant(
    chance: random.Random,
    names: dict[str, list[str]],
    country: str,
    today: dt.date,
    taken: set[str],
    ages: tuple[int, int] = (18, 64),
) -> Participant | None:
    """A participant with a plausible name and a valid personal number, or None when the
    number drawn is in `taken` (the numbers given out so far; the new one is added)."""
    birth = today - dt.timedelta(days=chance.randint(ages[0] * 365, ages[1] * 365))
    pnr = personal_number(country, birth, chance.randint(100, 989))
    if pnr in taken:
        return None
    taken.add(pnr)
    return Participant(
        personal_number=pnr,
        first_name=chance.choice(names["first_names"]),
        last_name=chance.choice(names["last_names"]),
    )


async def add_caseload(
    db: AsyncSession,
    job_centre: Organisation,
    caseworker: StaffUser,
    taken: set[str],
    settings: Settings,
    today: dt.date,
) -> None:
    """Generated participants assigned to the job centre; every tenth also to `caseworker`,
    every seventh with a person-group marking, every fifth with a job goal set by them."""
    names = texts_of(settings.country)["caseload"]
    chance = random.Random(2026)  # noqa: S311 -- demo data, not a secret
    author = Author(caseworker.full_name, staff_id=caseworker.id)
    links = Links.of(settings)
    for number in range(CASELOAD):
        participant = generated_participant(chance, names, settings.country, today, taken)
        if participant is None:
            continue
        db.add(participant)
        await db.flush()
        db.add(ParticipantAssignment(participant_id=participant.id, organisation_id=job_centre.id))
        if number % 10 == 0:
            db.add(
                ParticipantAssignment(participant_id=participant.id, staff_user_id=caseworker.id)
            )
        if number % 7 == 0:
            db.add(ParticipantMarking(participant_id=participant.id, marking=MARKED[number % 5]))
        if number % 5 == 0:
            writer = PlanWriter(participant, author, today, links)
            goal = chance.choice(texts_of(settings.country)["plans"]["anna_goals"])
            await save_goal(db, writer, "job", GoalInput(goal, None))
    await db.flush()
