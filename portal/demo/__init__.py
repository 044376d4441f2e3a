"""Demo data: the development IdP's personas as records, so every persona has something to see.
The texts are data, one file per country (`texts/`); each domain's records are made by its
own module here, through that domain's services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from portal.audit.models import AccessLogEntry
from portal.auth.personas import PERSONAS_BY_ID
from portal.db import Database, utcnow
from portal.demo.caseload import add_caseload
from portal.demo.cvs import add_demo_cvs
from portal.demo.hours import add_demo_hours
from portal.demo.meetings import add_demo_meetings
from portal.demo.plans import add_demo_plans
from portal.demo.reports import add_demo_reports
from portal.demo.staff import add_staff_directory
from portal.demo.texts import texts as texts_of
from portal.occupations.listfile import DEFAULT_LIST
from portal.occupations.service import import_file
from portal.participants.models import Participant
from portal.settings import Settings
from portal.staff.models import (
    Organisation,
    ParticipantAssignment,
    StaffAuthorization,
    StaffUser,
)

# persona -> (organisation kind, role)
STAFF_ROLES = {
    "karin": ("job_centre", "service_admin"),
    "lars": ("job_centre", "service_admin"),
    "erik": ("provider", "registrar"),
    "vera": ("job_centre", "reviewer"),
    "admin": ("job_centre", "authorization_admin"),
    "palle": ("job_centre", "planner_admin"),
}


async def load_demo_data(database: Database, settings: Settings, only_if_empty: bool) -> bool:
    """Create the demo records in one transaction; False when skipped (already there, or
    `only_if_empty` and the database has participants)."""
    country = settings.country
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    await import_file(database, DEFAULT_LIST, only_if_empty=True)
    async with database.transaction() as db:
        anna_number = PERSONAS_BY_ID["anna"].personal_number(country)
        if await db.scalar(select(Participant).where(Participant.personal_number == anna_number)):
            return False
        if only_if_empty and await db.scalar(select(func.count()).select_from(Participant)):
            return False
        organisations = {
            key: Organisation(name=name, kind="job_centre" if key == "job_centre" else "provider")
            for key, name in texts_of(country)["organisations"].items()
        }
        db.add_all(organisations.values())
        participants = {}
        for persona_id in ("anna", "bo"):
            persona = PERSONAS_BY_ID[persona_id]
            participants[persona_id] = Participant(
                personal_number=persona.personal_number(country),
                first_name=persona.given_name,
                last_name=persona.family_name,
                email=persona.email,
            )
        db.add_all(participants.values())
        staff = {}
        for persona_id, (organisation_kind, role) in STAFF_ROLES.items():
            persona = PERSONAS_BY_ID[persona_id]
            user = StaffUser(
                personal_number=persona.personal_number(country),
                first_name=persona.given_name,
                last_name=persona.family_name,
                email=persona.email,
                organisation=organisations[organisation_kind],
            )
            user.authorizations.append(
                StaffAuthorization(
                    role=role,
                    start_date=today - dt.timedelta(days=365),
                    # An administrator's authorization has no end; others end with next year.
                    end_date=None
                    if role == "authorization_admin"
                    else dt.date(today.year + 1, 12, 31),
                )
            )
            staff[persona_id] = user
        # Bo's provider: a registrar without a demo login, so Bo has reports of another provider.
        staff["olle"] = StaffUser(
            personal_number="19800101-0000" if country == "SE" else "010180-0000",
            first_name="Olle",
            last_name="Öst",
            email="olle@nyavagar.example.org",
            organisation=organisations["other_provider"],
        )
        db.add_all(staff.values())
        await db.flush()
        staff_numbers = {user.personal_number for user in staff.values()}
        await add_staff_directory(db, organisations["job_centre"], staff_numbers, country, today)

        db.add_all(
            [
                ParticipantAssignment(
                    participant_id=participants["anna"].id, staff_user_id=staff["karin"].id
                ),
                ParticipantAssignment(
                    participant_id=participants["bo"].id, staff_user_id=staff["lars"].id
                ),
                ParticipantAssignment(
                    participant_id=participants["anna"].id, staff_user_id=staff["vera"].id
                ),
                ParticipantAssignment(
                    participant_id=participants["bo"].id, staff_user_id=staff["vera"].id
                ),
                ParticipantAssignment(
                    participant_id=participants["anna"].id,
                    organisation_id=organisations["provider"].id,
                ),
                ParticipantAssignment(
                    participant_id=participants["bo"].id,
                    organisation_id=organisations["other_provider"].id,
                ),
            ]
        )
        # Two earlier readings, so anna's access log shows what it is for.
        now = utcnow()
        for days_ago, staff_id in ((6, "karin"), (2, "erik")):
            user = staff[staff_id]
            db.add(
                AccessLogEntry(
                    participant_id=participants["anna"].id,
                    staff_user_id=user.id,
                    staff_name=user.full_name,
                    organisation_name=organisations[STAFF_ROLES[staff_id][0]].name,
                    what="start",
                    at=now - dt.timedelta(days=days_ago, hours=3),
                )
            )
        await add_demo_plans(db, participants, staff, today, settings)
        taken = {participant.personal_number for participant in participants.values()}
        await add_caseload(db, organisations["job_centre"], staff["karin"], taken, settings, today)
        await add_demo_reports(
            db,
            participants["anna"],
            organisations["provider"],
            organisations["job_centre"],
            staff["erik"],
            staff["vera"],
            taken,
            country,
            today,
        )
        await add_demo_hours(db, participants, staff, settings)
        await add_demo_cvs(db, participants, country, today)
        await add_demo_meetings(db, participants, staff, settings, today)
    return True
