"""Demo data: the development IdP's personas as records, so every persona has something to see."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.audit.models import AccessLogEntry
from portal.auth.models import Signature
from portal.auth.personas import PERSONAS_BY_ID
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
from portal.cv.models import PresentationExperience
from portal.cv.mycv import EntryInput, ProfileInput, add_entry, save_profile
from portal.cv.presentation import TextsInput, save_texts
from portal.cv.service import SoughtInput, add_sought
from portal.db import Database, utcnow
from portal.holidays import working_days
from portal.hours import approval as hours_approval
from portal.hours import service as hours
from portal.notify.service import Links
from portal.occupations.listfile import DEFAULT_LIST
from portal.occupations.models import Occupation, OccupationLabel
from portal.occupations.service import import_file
from portal.participants.models import Participant
from portal.plan.service import (
    AgreementInput,
    Author,
    GoalInput,
    InitiativeInput,
    PlanWriter,
    StatusInput,
    add_status_entry,
    cancel_initiative,
    end_initiative,
    save_agreement,
    save_goal,
    save_initiative,
)
from portal.settings import Settings
from portal.staff.models import (
    Organisation,
    ParticipantAssignment,
    StaffAuthorization,
    StaffUser,
)
from portal.web.i18n import Formatter

ORGANISATIONS = {
    "SE": {
        "job_centre": "Arbetsförmedlingen Nacka",
        "provider": "Framsteg Coaching AB",
        "other_provider": "Nya Vägar AB",
    },
    "DK": {
        "job_centre": "Jobcenter København",
        "provider": "Fremdrift Coaching ApS",
        "other_provider": "Nye Veje ApS",
    },
}

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
            for key, name in ORGANISATIONS[country].items()
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
        await add_demo_hours(db, participants, staff, settings)
        await add_demo_cvs(db, participants, country)
        await add_demo_meetings(db, participants, staff, settings, today)
    return True


def _initiative(**values: object) -> InitiativeInput:
    defaults: dict[str, object] = {
        "hours_per_week": None,
        "end_date": None,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    return InitiativeInput(**{**defaults, **values})  # type: ignore[arg-type]


DEMO_PLANS: dict[str, dict[str, Any]] = {
    "SE": {
        "anna_goals": ("Bagare / konditor", "Butiksbiträde i livsmedelsbutik"),
        "anna_progression": "Arbeta 20 timmar i veckan före sommaren",
        "anna_agreements": (
            "Anna söker tre jobb i veckan och börjar praktiken på bageriet.",
            "Anna fortsätter praktiken på bageriet och går kursen i livsmedelshygien. "
            "Vi följer upp varannan vecka.",
        ),
        "internship": {
            "title": "Praktik på Bageriet Solsidan",
            "content": "Bakning och försäljning i butiken, måndag till torsdag.",
            "address": "Solsidevägen 12, Saltsjöbaden",
            "contact_phone": "+46 8 555 012 34",
            "contact_email": "lena@bageriet-solsidan.example",
            "purpose": "Att pröva yrket och visa vad du kan inför ett anställningsbeslut.",
        },
        "internship_status": "Första veckorna har gått bra. Anna bakar nu bröd på egen hand.",
        "course": {
            "title": "Kurs i livsmedelshygien",
            "content": "Webbkurs med ett prov på slutet.",
            "address": "Distans",
            "purpose": "Hygienbeviset krävs för de flesta jobb i bageri och livsmedelsbutik.",
        },
        "guidance": {
            "title": "Vägledningssamtal om yrkesval",
            "content": "Tre samtal med studie- och yrkesvägledare.",
            "contact_name": "Per Vägledare",
            "purpose": "Att hitta yrken som passar dina intressen och din arbetsförmåga.",
        },
        "guidance_ended": "Samtalen ledde fram till jobbmålet bagare. "
        "Anna vill också söka butiksjobb.",
        "job_search": {
            "title": "Jobbsökarträffar",
            "content": "Träffar varje tisdag med jobbcoach: CV, brev och intervjuträning.",
            "address": "Arbetsförmedlingen Nacka, Järnvägsgatan 1",
            "purpose": "Att skriva ansökningar som visar vad du kan.",
        },
        "mentor": {
            "title": "Mentor på arbetsplatsen",
            "content": "En mentor under praktiken.",
            "purpose": "Stöd i början av en anställning.",
        },
        "bo_goal": "Lagerarbetare",
        "bo_agreement": "Bo tar truckkort och söker lagerjobb.",
        "bo_course": {
            "title": "Truckkort A+B",
            "content": "Tre dagars utbildning med prov.",
            "address": "Lagervägen 3, Nacka",
            "purpose": "Truckkort krävs på nästan alla lager.",
        },
    },
    "DK": {
        "anna_goals": ("Bager / konditor", "Butiksassistent i dagligvarebutik"),
        "anna_progression": "Arbejde 20 timer om ugen inden sommerferien",
        "anna_agreements": (
            "Anna søger tre job om ugen og begynder i praktik på bageriet.",
            "Anna fortsætter praktikken på bageriet og tager kurset i fødevarehygiejne. "
            "Vi følger op hver anden uge.",
        ),
        "internship": {
            "title": "Virksomhedspraktik hos Bageriet Solsiden",
            "content": "Bagning og salg i butikken, mandag til torsdag.",
            "address": "Solsidevej 12, 2900 Hellerup",
            "contact_phone": "+45 33 12 34 56",
            "contact_email": "lena@bageriet-solsiden.example",
            "purpose": "At afprøve faget og vise, hvad du kan, før der tages stilling til "
            "en ansættelse.",
        },
        "internship_status": "De første uger er gået godt. Anna bager nu brød på egen hånd.",
        "course": {
            "title": "Kursus i fødevarehygiejne",
            "content": "Onlinekursus med en prøve til sidst.",
            "address": "Fjernundervisning",
            "purpose": "Hygiejnebeviset kræves til de fleste job i bagerier og dagligvarebutikker.",
        },
        "guidance": {
            "title": "Vejledningssamtaler om valg af fag",
            "content": "Tre samtaler med en uddannelses- og erhvervsvejleder.",
            "contact_name": "Per Vejleder",
            "purpose": "At finde fag, der passer til dine interesser og din arbejdsevne.",
        },
        "guidance_ended": "Samtalerne førte frem til jobmålet bager. Anna vil også søge butiksjob.",
        "job_search": {
            "title": "Jobsøgningsmøder",
            "content": "Møder hver tirsdag med en jobkonsulent: CV, ansøgninger og "
            "træning i jobsamtaler.",
            "address": "Jobcenter København, Gyldenløvesgade 7",
            "purpose": "At skrive ansøgninger, der viser, hvad du kan.",
        },
        "mentor": {
            "title": "Mentor på arbejdspladsen",
            "content": "En mentor under praktikken.",
            "purpose": "Støtte i starten af en ansættelse.",
        },
        "bo_goal": "Lagerarbejder",
        "bo_agreement": "Bo tager truckcertifikat og søger lagerjob.",
        "bo_course": {
            "title": "Truckcertifikat A+B",
            "content": "Tre dages uddannelse med prøve.",
            "address": "Lagervej 3, 2600 Glostrup",
            "purpose": "Truckcertifikat kræves på næsten alle lagre.",
        },
    },
}


async def add_demo_plans(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    today: dt.date,
    settings: Settings,
) -> None:
    """Anna's plan with goals, agreements and five initiatives in every state; Bo's own. In
    the deployment's language."""
    texts = DEMO_PLANS[settings.country]
    day = dt.timedelta(days=1)
    karin = Author(staff["karin"].full_name, staff_id=staff["karin"].id)
    lars = Author(staff["lars"].full_name, staff_id=staff["lars"].id)
    # The demo's participants ask for no reminders, so no message is queued.
    anna = PlanWriter(participants["anna"], karin, today, Links.of(settings))
    bo = PlanWriter(participants["bo"], lars, today, Links.of(settings))

    for goal in texts["anna_goals"]:
        await save_goal(db, anna, "job", GoalInput(goal, None))
    await save_goal(db, anna, "progression", GoalInput(texts["anna_progression"], None))
    first_agreement, second_agreement = texts["anna_agreements"]
    await save_agreement(db, anna, AgreementInput(first_agreement, today - 40 * day, karin.name))
    await save_agreement(db, anna, AgreementInput(second_agreement, today - 10 * day, karin.name))
    internship_plan = _initiative(
        type="company_internship",
        hours_per_week=Decimal("20"),
        agreed_by=karin.name,
        start_date=today - 30 * day,
        end_date=today + 30 * day,
        contact_name="Lena Holm",
        **texts["internship"],
    )
    internship, _changed = await save_initiative(db, anna, internship_plan)
    # The period was moved two weeks later, so Anna sees a moved period.
    await save_initiative(db, anna, replace(internship_plan, end_date=today + 44 * day), internship)
    await add_status_entry(
        db, anna, internship, StatusInput(texts["internship_status"], today - 9 * day)
    )
    await save_initiative(
        db,
        anna,
        _initiative(
            type="education",
            hours_per_week=Decimal("4"),
            agreed_by=karin.name,
            start_date=today + 14 * day,
            end_date=today + 42 * day,
            **texts["course"],
        ),
    )
    guidance, _changed = await save_initiative(
        db,
        replace(anna, today=today - 60 * day),
        _initiative(
            type="guidance",
            agreed_by=karin.name,
            start_date=today - 90 * day,
            end_date=today - 50 * day,
            **texts["guidance"],
        ),
    )
    await end_initiative(
        db, replace(anna, today=today - 50 * day), guidance, texts["guidance_ended"]
    )
    await save_initiative(
        db,
        anna,
        _initiative(
            type="job_search",
            hours_per_week=Decimal("3"),
            agreed_by=karin.name,
            start_date=today - 20 * day,
            **texts["job_search"],
        ),
    )
    mentor, _changed = await save_initiative(
        db,
        anna,
        _initiative(
            type="mentor", agreed_by=karin.name, start_date=today + 50 * day, **texts["mentor"]
        ),
    )
    await cancel_initiative(db, anna, mentor)

    await save_goal(db, bo, "job", GoalInput(texts["bo_goal"], None))
    await save_agreement(db, bo, AgreementInput(texts["bo_agreement"], today - 5 * day, lars.name))
    await save_initiative(
        db,
        bo,
        _initiative(
            type="education",
            agreed_by=lars.name,
            start_date=today + 7 * day,
            end_date=today + 9 * day,
            **texts["bo_course"],
        ),
    )


def sent_at(month: hours.Month, now: dt.datetime) -> dt.datetime:
    """When the demo's provider sent a month's hours: on the 3rd of the next month at ten, or
    a minute ago when that is still ahead (early in a month)."""
    third = dt.datetime.combine(month.next().first + dt.timedelta(days=2), dt.time(10), now.tzinfo)
    return min(third, now - dt.timedelta(minutes=1))


async def add_demo_hours(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    settings: Settings,
) -> None:
    """Anna: last month submitted by Erik for her to approve, the month before approved.
    Bo: two months from his own provider."""
    zone = ZoneInfo(settings.timezone)
    today = dt.datetime.now(zone).date()
    formatter = Formatter(settings.timezone)
    last = hours.Month.of(today).previous()
    months = [(last.previous(), "approved"), (last, "submitted")]
    for persona_id, registrar in (("anna", "erik"), ("bo", "olle")):
        participant, user = participants[persona_id], staff[registrar]
        initiatives = await hours.participant_initiatives(db, participant.id)
        for month, state in months:
            activities = hours.activities_for_month(initiatives, month)
            values = {}
            for day in working_days(settings.country, month.year, month.month):
                first = activities[0].key
                values[hours.field_name(day, first)] = "4" if day.weekday() < 4 else "2"
                if first != hours.OWN_WORK:
                    values[hours.field_name(day, hours.OWN_WORK)] = "1.5"
            grid = hours.parse_grid(values, settings.country, month, activities, today, formatter)
            submitted_at = sent_at(month, dt.datetime.now(zone))
            await hours.save_draft(
                db,
                user.organisation_id,
                participant.id,
                month,
                values,
                user.full_name,
                submitted_at,
            )
            report = await hours.find_report(db, user.organisation_id, participant.id, month)
            assert report is not None
            await hours.submit(
                db,
                report,
                grid,
                activities,
                user.id,
                user.full_name,
                submitted_at,
                Links.of(settings),
            )
            if state == "approved" and persona_id == "anna":
                version = report.versions[-1]
                document = hours_approval.canonical(
                    hours_approval.approval_document(report, version, participant.id, consent=False)
                )
                signature = Signature(
                    participant_id=participant.id,
                    purpose="hours_approval.approve",
                    signed_at=submitted_at + dt.timedelta(days=1),
                    text=f"Demo: {month} version {version.version}, {version.total_hours} h.",
                    document=document,
                    document_sha256=hours_approval.digest(document),
                    subject="demo",
                    acr=None,
                    id_token_sha256=hours_approval.digest("demo"),
                )
                db.add(signature)
                await db.flush()
                await hours_approval.approve(
                    db,
                    participant.id,
                    report.id,
                    version.version,
                    False,
                    signature,
                    signature.signed_at,
                )


DEMO_OCCUPATIONS = {
    "SE": {"anna": "bagare", "bo": "lagerarbetare"},
    "DK": {"anna": "bager", "bo": "lagerarbejder"},
}


DEMO_CVS: dict[str, dict[str, Any]] = {
    "SE": {
        "anna_profile": "Noggrann och glad, gillar att baka och möta kunder.",
        "anna_job": ("Café Kanelen", "Kafébiträde", "Bakade bullar, servering och kassa."),
        "anna_language": "Svenska",
        "anna_texts": (
            "Jag är morgonpigg, noggrann och tycker om att ha kunder omkring mig.",
            "Baka bröd och bullar, hålla ordning i butiken, ta betalt i kassan.",
            "Tålamod, ett öga för hygien och vana att arbeta i team.",
        ),
        "anna_experience": (
            "Bageriet Solsidan",
            "Degar, bakning och försäljning.",
            "Jag fick eget ansvar för morgonbaket.",
        ),
        "bo_job": ("Lagerhuset AB", "Lagerarbetare", "Plock, packning och inventering."),
        "bo_school": ("Nacka gymnasium", "Handelsprogrammet"),
    },
    "DK": {
        "anna_profile": "Omhyggelig og glad, kan lide at bage og møde kunder.",
        "anna_job": ("Café Kanelen", "Caféassistent", "Bagte boller, serverede og stod i kassen."),
        "anna_language": "Dansk",
        "anna_texts": (
            "Jeg er morgenfrisk, omhyggelig og kan lide at have kunder omkring mig.",
            "Bage brød og boller, holde orden i butikken og tage imod betaling i kassen.",
            "Tålmodighed, sans for hygiejne og vant til at arbejde i team.",
        ),
        "anna_experience": (
            "Bageriet Solsiden",
            "Dej, bagning og salg.",
            "Jeg fik selv ansvaret for morgenbagningen.",
        ),
        "bo_job": ("Lagerhuset ApS", "Lagerarbejder", "Plukning, pakning og optælling."),
        "bo_school": ("Glostrup Handelsskole", "Handelsgymnasium (hhx)"),
    },
}


async def add_demo_cvs(
    db: AsyncSession, participants: dict[str, Participant], country: str
) -> None:
    """Anna's partly filled My CV (a job, no education yet), Bo's complete one, and one
    occupation each in "I am looking for a job as" (when the list has it); in the
    deployment's language."""
    language = "sv" if country == "SE" else "da"
    texts = DEMO_CVS[country]
    today = dt.date.today()
    year = dt.timedelta(days=365)
    anna, bo = participants["anna"].id, participants["bo"].id
    await save_profile(db, anna, ProfileInput(texts["anna_profile"], "B", "", "", False))
    employer, title, duties = texts["anna_job"]
    await add_entry(
        db,
        anna,
        "work",
        EntryInput(
            employer,
            title,
            None,
            "",
            (today - 3 * year).replace(day=1),
            (today - 2 * year).replace(day=1),
            False,
            duties,
        ),
    )
    await add_entry(
        db,
        anna,
        "language",
        EntryInput("", texts["anna_language"], None, "native", None, None, False, ""),
    )
    await save_texts(db, anna, TextsInput(*texts["anna_texts"]))
    place, tasks, why = texts["anna_experience"]
    db.add(
        PresentationExperience(
            participant_id=anna,
            kind="internship",
            place=place,
            tasks=tasks,
            verdict="good",
            why=why,
        )
    )
    employer, title, duties = texts["bo_job"]
    await add_entry(
        db,
        bo,
        "work",
        EntryInput(
            employer,
            title,
            None,
            "",
            (today - 6 * year).replace(day=1),
            (today - year).replace(day=1),
            False,
            duties,
        ),
    )
    school, programme = texts["bo_school"]
    await add_entry(
        db,
        bo,
        "education",
        EntryInput(
            school,
            programme,
            None,
            "upper_secondary",
            (today - 12 * year).replace(day=1),
            (today - 9 * year).replace(day=1),
            False,
            "",
        ),
    )
    for persona_id, label in DEMO_OCCUPATIONS[country].items():
        uri = await db.scalar(
            select(Occupation.uri)
            .join(OccupationLabel, OccupationLabel.occupation_id == Occupation.id)
            .where(
                OccupationLabel.language == language,
                OccupationLabel.kind == "preferred",
                OccupationLabel.label == label,
            )
            .limit(1)
        )
        if uri is None:
            continue
        await add_sought(
            db,
            participants[persona_id].id,
            uri,
            label,
            SoughtInput(
                trained=persona_id == "anna",
                experienced=persona_id == "bo",
                hours_per_week=Decimal(30 if persona_id == "anna" else 37),
                earliest_start=None,
                employment_form="permanent",
                conditions="ordinary",
            ),
        )


DEMO_MEETINGS = {
    "SE": {
        "centre": ("Arbetsförmedlingen Nacka", "Järnvägsgatan 1, 131 54 Nacka"),
        "adults": "Team Vuxna",
        "youth": "Team Unga",
        "third": "Maja Lind",
        "room": ("Rum Ekorren", "Järnvägsgatan 1, plan 2, 131 54 Nacka"),
        "closing": "Personaldag",
        "municipality": "Nacka",
        "individual": (
            "Uppföljningssamtal",
            "Vi går igenom din planering och hur ditt jobbsökande går.",
        ),
        "group": (
            "Informationsmöte om jobbsökning",
            "Ett gemensamt möte om hur du söker jobb och vilket stöd du kan få.",
        ),
    },
    "DK": {
        "centre": ("Jobcenter København", "Gyldenløvesgade 7, 1600 København V"),
        "adults": "Voksenteamet",
        "youth": "Ungeteamet",
        "third": "Maja Lind",
        "room": ("Mødelokale Egern", "Gyldenløvesgade 7, 2. sal, 1600 København V"),
        "closing": "Personaledag",
        "municipality": "København",
        "individual": (
            "Opfølgningssamtale",
            "Vi gennemgår din plan, og hvordan din jobsøgning går.",
        ),
        "group": (
            "Informationsmøde om jobsøgning",
            "Et fællesmøde om, hvordan du søger job, og hvilken støtte du kan få.",
        ),
    },
}


async def add_demo_meetings(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    settings: Settings,
    today: dt.date,
) -> None:
    """A job centre with two teams, three caseworkers, a room, a local closing day, an
    individual and a group offer anna may book, and one upcoming meeting of hers."""
    texts: dict[str, Any] = DEMO_MEETINGS[settings.country]
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
        if day.weekday() in (1, 3):
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
