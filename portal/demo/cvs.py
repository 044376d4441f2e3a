"""Demo CVs: Anna's partly filled CVs and Bo's complete one, and what they look for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.areas import places
from portal.cv.models import PresentationExperience
from portal.cv.mycv import EntryInput, ProfileInput, add_entry, save_profile
from portal.cv.presentation import TextsInput, save_texts
from portal.cv.service import SoughtInput, add_sought
from portal.demo.texts import texts as texts_of
from portal.occupations.models import Occupation, OccupationLabel
from portal.participants.models import Participant
from portal.web.i18n import national_language


async def add_demo_cvs(
    db: AsyncSession, participants: dict[str, Participant], country: str, today: dt.date
) -> None:
    """Anna's partly filled My CV (a job, no education yet), Bo's complete one, and one
    occupation each in "I am looking for a job as" (when the list has it); in the
    deployment's language."""
    language = national_language(country)
    texts = texts_of(country)["cvs"]
    year = dt.timedelta(days=365)
    anna, bo = participants["anna"].id, participants["bo"].id
    # Anna lets employers find her CV, near the capital's centre or Aarhus.
    home = places(country).postcode("11351" if country == "SE" else "8000")
    assert home is not None
    await save_profile(
        db,
        anna,
        ProfileInput(
            texts["anna_profile"], "B", "", "", True, home.postcode, home.latitude, home.longitude
        ),
    )
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
    for persona_id, label in texts_of(country)["occupations"].items():
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
