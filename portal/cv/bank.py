"""The CV bank: what employers may read of the CVs that participants made searchable. Only
searchable CVs are ever read here, and never a name, a personal number or contact details:
those reach an employer only through a contact request the participant accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from portal.areas import Place, places
from portal.cv import mycv, service
from portal.cv.models import CvProfile, SoughtOccupation
from portal.occupations.service import labels_of


class Wish(NamedTuple):
    """One searchable participant's wish to work as the occupation searched for."""

    participant_id: int
    trained: bool
    experienced: bool
    hours_per_week: Decimal
    earliest_start: dt.date | None
    employment_form: str
    latitude: float | None
    longitude: float | None


@cache
def wishes_query(with_area: bool) -> Select[Any]:
    """The searchable participants' wishes of one occupation (bound as `uri`), optionally
    within a box of coordinates (`south`, `north`, `west`, `east`). One table, one index
    range: the wishes carry their profile's switch and place (see `mycv.save_profile`)."""
    sought = SoughtOccupation
    columns: list[Any] = [
        sought.participant_id,
        sought.trained,
        sought.experienced,
        sought.hours_per_week,
        sought.earliest_start,
        sought.employment_form,
        sought.latitude,
        sought.longitude,
    ]
    query = select(*columns).where(
        sought.occupation_uri == bindparam("uri"), sought.searchable == true()
    )
    if with_area:
        query = query.where(
            sought.latitude.between(bindparam("south"), bindparam("north")),
            sought.longitude.between(bindparam("west"), bindparam("east")),
        )
    return query


async def searchable_ids(db: AsyncSession, participant_ids: list[int]) -> set[int]:
    """Which of the participants have a searchable CV now."""
    found = await db.scalars(
        select(CvProfile.participant_id).where(
            CvProfile.participant_id.in_(participant_ids), CvProfile.searchable == true()
        )
    )
    return set(found)


async def is_searchable(db: AsyncSession, participant_id: int) -> bool:
    return bool(await searchable_ids(db, [participant_id]))


async def public_cv(
    db: AsyncSession, participant_id: int, language: str, country: str
) -> dict[str, Any]:
    """The searchable CV as an employer reads it: entries, profile and skills, and the
    occupations looked for, with their labels in `language`. No name, no contact details,
    and never the presentation CV."""
    items = await service.sought(db, participant_id)
    profile = await mycv.profile_of(db, participant_id)
    return {
        "entries": await mycv.entries(db, participant_id),
        "profile": profile,
        "sought": items,
        "sought_labels": await labels_of(db, [i.occupation_uri for i in items], language),
        "area": area_of(profile, country),
    }


def area_of(profile: CvProfile | None, country: str) -> Place | None:
    """Where the participant looks for work, when they said."""
    if profile is None or not profile.work_postcode:
        return None
    return places(country).postcode(profile.work_postcode)
