"""An employer's search of the CV bank: what they ask for (checked), the page of hits (ranked
by `ranking`), and what a search leaves behind (the pseudonyms by
which the organisation knows them, and a line in each participant's log)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.areas import places
from portal.cv.service import EMPLOYMENT_FORMS
from portal.db import Database, insert_into, utcnow
from portal.employers.identity import pseudonym
from portal.employers.models import CvSighting, EmployerOrganisation, EmployerPseudonym
from portal.employers.ranking import DEFAULT_DISTANCE, Criteria, Hit, ranked_page
from portal.occupations.service import preferred_label
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

PAGE_SIZE = 10
DISTANCES = (5, 10, 25, 50, 100, 200)
MAX_HOURS = Decimal(60)


def parse_criteria(
    form: Mapping[str, Any], country: str, today: dt.date
) -> tuple[Criteria | None, Errors]:
    """The search form's values, checked; `uri` must already name a known occupation."""
    fields = Fields(form)
    area = str(form.get("area", "")).strip()
    place = None
    if area:
        place = places(country).find(area)
        if place is None:
            fields.errors["area"] = gettext(
                "No postcode or town “%(area)s” is known. Write a postcode, like %(example)s, "
                "or the name of a town.",
                area=area[:50],
                example="113 51" if country == "SE" else "8000",
            )
    km = DEFAULT_DISTANCE
    if str(form.get("km", "")).strip():
        chosen = fields.integer("km", 1, 500)
        km = chosen if chosen in DISTANCES else DEFAULT_DISTANCE
        if chosen is not None and chosen not in DISTANCES:
            fields.errors["km"] = gettext("Choose one of the options.")
    hours = None
    if str(form.get("hours", "")).strip():
        hours = fields.decimal("hours", MAX_HOURS)
        if hours is not None and hours <= 0:
            fields.errors["hours"] = gettext("Give a number of hours above 0.")
    start = fields.date("start", required=False)
    if start is not None and start < today:
        fields.errors["start"] = gettext("Give a date from today on.")
    employment_form = None
    if str(form.get("form", "")).strip():
        employment_form = fields.choice("form", EMPLOYMENT_FORMS)
    if fields.errors:
        return None, fields.errors
    uri = str(form.get("uri", ""))
    return Criteria(uri, place, km, hours, start, employment_form), {}


@dataclass(frozen=True)
class Results:
    hits: list[tuple[str, Hit]]  # (pseudonym, hit) on this page
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


async def search(
    database: Database,
    organisation: EmployerOrganisation,
    criteria: Criteria,
    occupation_label: str,
    page: int,
    secret: str,
) -> Results:
    """Run the search and note, for each participant shown, their pseudonym for this
    organisation and a line in their log (in one transaction)."""
    shown, total, page = await ranked_page(database, criteria, PAGE_SIZE, page)
    named = [(pseudonym(secret, organisation.id, h.wish.participant_id), h) for h in shown]
    if named:
        async with database.transaction() as db:
            await remember(db, organisation, [(p, h.wish.participant_id) for p, h in named])
            await record_sightings(
                db,
                organisation,
                [h.wish.participant_id for _, h in named],
                "search",
                (criteria.occupation_uri, occupation_label),
            )
    return Results(named, total, page)


async def remember(
    db: AsyncSession, organisation: EmployerOrganisation, pairs: list[tuple[str, int]]
) -> None:
    """Keep the pseudonyms shown, so that the organisation can open them later."""
    statement = insert_into(db, EmployerPseudonym).on_conflict_do_nothing()
    await db.execute(
        statement,
        [
            {"organisation_id": organisation.id, "participant_id": pid, "pseudonym": name}
            for name, pid in pairs
        ],
    )


async def record_sightings(
    db: AsyncSession,
    organisation: EmployerOrganisation,
    participant_ids: list[int],
    kind: str,
    occupation: tuple[str, str] = ("", ""),
) -> None:
    """A line in each participant's log: the organisation's search for `occupation` (its URI
    and label) showed their CV, or it opened their CV."""
    now = utcnow()
    db.add_all(
        CvSighting(
            participant_id=pid,
            organisation_id=organisation.id,
            organisation_name=organisation.name,
            kind=kind,
            occupation_uri=occupation[0],
            occupation_label=occupation[1][:300],
            at=now,
        )
        for pid in participant_ids
    )
    await db.flush()


async def participant_of(db: AsyncSession, organisation_id: int, name: str) -> int | None:
    """Whom the organisation knows by this pseudonym (None: nobody it was shown)."""
    found: int | None = await db.scalar(
        select(EmployerPseudonym.participant_id).where(
            EmployerPseudonym.organisation_id == organisation_id,
            EmployerPseudonym.pseudonym == name,
        )
    )
    return found


@cache
def sightings_query(limit: int) -> Select[Any]:
    """The participant's log of employers' searches and openings (run with
    {"participant_id", "language"}), newest first, as `Sighting`s: the occupation searched for
    named in the language, else as it was named then."""
    return (
        select(
            CvSighting.at,
            CvSighting.organisation_name,
            CvSighting.kind,
            func.coalesce(
                preferred_label(CvSighting.occupation_uri), CvSighting.occupation_label
            ).label("occupation_label"),
        )
        .where(CvSighting.participant_id == bindparam("participant_id"))
        .order_by(CvSighting.at.desc(), CvSighting.id.desc())
        .limit(limit)
    )


async def sightings_of(
    db: AsyncSession, participant_id: int, language: str, limit: int = 200
) -> list[Sighting]:
    """`sightings_query`'s log, read in a session."""
    rows = await db.execute(
        sightings_query(limit), {"participant_id": participant_id, "language": language}
    )
    return [Sighting(*row) for row in rows]


@dataclass(frozen=True)
class Sighting:
    at: dt.datetime
    organisation_name: str
    kind: str
    occupation_label: str
