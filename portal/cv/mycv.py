"""Rules of My CV: its entries (jobs, educations, languages) and single fields, what is required,
month-precise periods, ordering, and what is missing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portal.areas import places
from portal.cv.models import CvEntry, CvProfile, SoughtOccupation
from portal.cv.service import apply, own_row
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LIMITS = {"organisation": 200, "title": 200, "description": 2000, "profile": 1000, "text": 1000}

KINDS: dict[str, LazyProxy] = {
    "work": _("Work experience"),
    "education": _("Education, courses and certifications"),
    "language": _("Languages"),
}
EDUCATION_LEVELS: dict[str, LazyProxy] = {
    "compulsory": _("Compulsory school"),
    "upper_secondary": _("Upper secondary school"),
    "vocational": _("Vocational education"),
    "higher": _("University or college"),
    "course": _("Course"),
    "certification": _("Certification or licence"),
}
LANGUAGE_LEVELS: dict[str, LazyProxy] = {
    "native": _("Mother tongue"),
    "C": _("Very good (C1–C2)"),
    "B": _("Good (B1–B2)"),
    "A": _("Basic (A1–A2)"),
}
DRIVING_LICENCES = (
    "AM",
    "A1",
    "A2",
    "A",
    "B",
    "BE",
    "C1",
    "C1E",
    "C",
    "CE",
    "D1",
    "D1E",
    "D",
    "DE",
)


def parse_month(raw: object) -> dt.date | None:
    """ "2024-03" -> 1 March 2024; None for anything else (a day is not asked for)."""
    match = MONTH.match(str(raw or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


@dataclass(frozen=True)
class EntryInput:
    organisation: str
    title: str
    occupation_uri: str | None
    level: str
    start_month: dt.date | None
    end_month: dt.date | None
    ongoing: bool
    description: str


def _month(fields: Fields, name: str, required: bool, today: dt.date) -> dt.date | None:
    raw = fields.source.get(name)
    if raw is None or not str(raw).strip():
        if required:
            fields.errors[name] = gettext("Give a month, like 2024-03.")
        return None
    value = parse_month(raw)
    if value is None:
        fields.errors[name] = gettext("Give a month, like 2024-03.")
    elif value > today.replace(day=1):
        fields.errors[name] = gettext("Give this month or an earlier one.")
    return value


def parse_entry(
    kind: str, form: Mapping[str, Any], today: dt.date, occupation_uri: str | None = None
) -> tuple[EntryInput | None, Errors]:
    """One entry; a job may name an occupation from the list (checked by the caller)."""
    fields = Fields(form)
    organisation = title = description = level = ""
    start = end = None
    ongoing = False
    if kind == "language":
        title = fields.text("title", 100)
        level = fields.choice("level", LANGUAGE_LEVELS)
    else:
        organisation = fields.text("organisation", LIMITS["organisation"])
        title = fields.text("title", LIMITS["title"])
        if kind == "education":
            level = fields.choice("level", EDUCATION_LEVELS)
        description = fields.text("description", LIMITS["description"], required=kind == "work")
        start = _month(fields, "start_month", True, today)
        ongoing = form.get("ongoing") == "yes"
        end = None if ongoing else _month(fields, "end_month", kind == "work", today)
        if start and end and end < start and "end_month" not in fields.errors:
            fields.errors["end_month"] = gettext(
                "The end must be the same month as the start or later."
            )
    if fields.errors:
        return None, fields.errors
    uri = occupation_uri if kind == "work" else None
    return EntryInput(organisation, title, uri, level, start, end, ongoing, description), {}


@dataclass(frozen=True)
class ProfileInput:
    profile: str
    driving_licences: str
    it_skills: str
    other_competences: str
    searchable: bool
    # Where the participant looks for work, and that postcode's place (for employers' search).
    work_postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None


def parse_profile(
    form: Mapping[str, Any], licences: Sequence[str], country: str
) -> tuple[ProfileInput | None, Errors]:
    fields = Fields(form)
    place = None
    if str(form.get("work_postcode", "")).strip():
        place = places(country).postcode(str(form["work_postcode"]))
        if place is None:
            fields.errors["work_postcode"] = gettext(
                "Write a postcode of %(country)s, for example %(example)s.",
                country=country_name(country),
                example="113 51" if country == "SE" else "8000",
            )
    profile = fields.text("profile", LIMITS["profile"], required=False)
    it_skills = fields.text("it_skills", LIMITS["text"], required=False)
    other = fields.text("other_competences", LIMITS["text"], required=False)
    unknown = [licence for licence in licences if licence not in DRIVING_LICENCES]
    if unknown:
        fields.errors["driving_licences"] = gettext("Choose among the licences listed.")
    if fields.errors:
        return None, fields.errors
    chosen = ",".join(licence for licence in DRIVING_LICENCES if licence in licences)
    searchable = form.get("searchable") == "yes"
    if place is None:
        return ProfileInput(profile, chosen, it_skills, other, searchable), {}
    return ProfileInput(
        profile,
        chosen,
        it_skills,
        other,
        searchable,
        place.postcode,
        place.latitude,
        place.longitude,
    ), {}


def country_name(country: str) -> str:
    return gettext("Sweden") if country == "SE" else gettext("Denmark")


def missing_sections(entries: Sequence[CvEntry]) -> list[str]:
    """The required sections that have no entry yet: work experience and education."""
    kinds = {entry.kind for entry in entries}
    return [kind for kind in ("work", "education") if kind not in kinds]


def entries_query(participant_id: int) -> Any:
    return (
        select(CvEntry)
        .where(CvEntry.participant_id == participant_id)
        .order_by(CvEntry.kind, CvEntry.position, CvEntry.id)
    )


async def entries(db: AsyncSession, participant_id: int) -> Sequence[CvEntry]:
    return (await db.scalars(entries_query(participant_id))).all()


async def find_entry(db: AsyncSession, participant_id: int, entry_id: int) -> CvEntry | None:
    return await db.scalar(entries_query(participant_id).where(CvEntry.id == entry_id))


async def profile_of(db: AsyncSession, participant_id: int) -> CvProfile | None:
    return await db.get(CvProfile, participant_id)


async def add_entry(db: AsyncSession, participant_id: int, kind: str, data: EntryInput) -> CvEntry:
    last = await db.scalar(
        select(func.max(CvEntry.position)).where(
            CvEntry.participant_id == participant_id, CvEntry.kind == kind
        )
    )
    entry = CvEntry(participant_id=participant_id, kind=kind, position=(last or 0) + 1)
    apply(entry, data)
    db.add(entry)
    await db.flush()
    return entry


async def move_entry(db: AsyncSession, participant_id: int, entry: CvEntry, step: int) -> None:
    """Swap places with the neighbour above (-1) or below (+1) in the same section."""
    siblings = [e for e in await entries(db, participant_id) if e.kind == entry.kind]
    index = next(i for i, e in enumerate(siblings) if e.id == entry.id)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    await db.flush()


async def save_profile(db: AsyncSession, participant_id: int, data: ProfileInput) -> CvProfile:
    profile = await own_row(db, CvProfile, participant_id)
    apply(profile, data)
    await db.execute(
        update(SoughtOccupation)
        .where(SoughtOccupation.participant_id == participant_id)
        .values(searchable=data.searchable, latitude=data.latitude, longitude=data.longitude)
    )
    await db.flush()
    return profile
