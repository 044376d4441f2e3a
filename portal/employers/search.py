"""An employer's search of the CV bank: what they ask for, how the searchable participants
who look for that occupation are ranked, and what a search leaves behind (the pseudonyms by
which the organisation knows them, and a line in each participant's log)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.areas import Place, distance_km, places
from portal.cv.bank import Wish, wishes
from portal.cv.service import EMPLOYMENT_FORMS
from portal.db import Database, insert_into, utcnow
from portal.employers.identity import pseudonym
from portal.employers.models import CvSighting, EmployerOrganisation, EmployerPseudonym
from portal.occupations.service import labels_of
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

PAGE_SIZE = 10
DISTANCES = (5, 10, 25, 50, 100, 200)
DEFAULT_DISTANCE = 25
MAX_HOURS = Decimal(60)

# Why a hit ranks where it does, as the employer reads it.
REASONS: dict[str, LazyProxy] = {
    "trained": _("Trained"),
    "experienced": _("Experienced"),
    "hours": _("Wants about these hours"),
    "start": _("Can start in time"),
    "form": _("Wants this form of employment"),
}


@dataclass(frozen=True)
class Criteria:
    """What the employer looks for; only the occupation is required."""

    occupation_uri: str
    place: Place | None = None
    km: int = DEFAULT_DISTANCE
    hours: Decimal | None = None
    start: dt.date | None = None
    employment_form: str | None = None

    def query(self, area_text: str) -> dict[str, str]:
        """The search's address parameters (for paging and links back)."""
        values = {"uri": self.occupation_uri, "area": area_text, "km": str(self.km)}
        if self.hours is not None:
            values["hours"] = str(self.hours)
        if self.start is not None:
            values["start"] = self.start.isoformat()
        if self.employment_form:
            values["form"] = self.employment_form
        return values


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
class Hit:
    wish: Wish
    score: float
    distance: float | None
    reasons: tuple[str, ...]


def score(wish: Wish, criteria: Criteria, distance: float | None) -> tuple[float, tuple[str, ...]]:
    """How well a participant's wish fits the search (higher is better), and why: being
    trained and experienced in the occupation, wanting about the hours offered, being free to
    start by the date, wanting the form of employment, and (in an area search) nearness."""
    points = 0.0
    reasons = []
    if wish.trained:
        points += 2
        reasons.append("trained")
    if wish.experienced:
        points += 2
        reasons.append("experienced")
    if criteria.hours is not None:
        gap = abs(float(wish.hours_per_week) - float(criteria.hours))
        points += 3 * max(0.0, 1 - gap / 20)
        if gap <= 5:
            reasons.append("hours")
    if criteria.start is not None:
        late = (wish.earliest_start - criteria.start).days if wish.earliest_start else 0
        points += 3 * max(0.0, 1 - max(0, late) / 90)
        if late <= 0:
            reasons.append("start")
    if criteria.employment_form is not None and wish.employment_form == criteria.employment_form:
        points += 2
        reasons.append("form")
    if distance is not None and criteria.place is not None:
        points += 2 * max(0.0, 1 - distance / criteria.km)
    return points, tuple(reasons)


def rank(found: Sequence[Wish], criteria: Criteria) -> list[Hit]:
    """The wishes that fit the search, best first; within the area when one is given."""
    hits = []
    place = criteria.place
    for wish in found:
        distance = None
        if place is not None:
            if wish.latitude is None or wish.longitude is None:
                continue
            distance = distance_km(place.latitude, place.longitude, wish.latitude, wish.longitude)
            if distance > criteria.km:
                continue
        points, reasons = score(wish, criteria, distance)
        hits.append(Hit(wish, points, distance, reasons))
    hits.sort(key=lambda h: (-h.score, h.distance or 0.0, h.wish.participant_id))
    return hits


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
    found = rank(
        await wishes(database, criteria.occupation_uri, criteria.place, criteria.km), criteria
    )
    pages = max(1, math.ceil(len(found) / PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
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
    return Results(named, len(found), page)


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


async def sightings_of(
    db: AsyncSession, participant_id: int, language: str, limit: int = 200
) -> list[Sighting]:
    """The participant's log of employers' searches and openings, newest first, with the
    occupations searched for named in `language`."""
    found = list(
        await db.scalars(
            select(CvSighting)
            .where(CvSighting.participant_id == participant_id)
            .order_by(CvSighting.at.desc(), CvSighting.id.desc())
            .limit(limit)
        )
    )
    labels = await labels_of(db, {s.occupation_uri for s in found if s.occupation_uri}, language)
    return [
        Sighting(
            s.at,
            s.organisation_name,
            s.kind,
            labels.get(s.occupation_uri, s.occupation_label),
        )
        for s in found
    ]


@dataclass(frozen=True)
class Sighting:
    at: dt.datetime
    organisation_name: str
    kind: str
    occupation_label: str
