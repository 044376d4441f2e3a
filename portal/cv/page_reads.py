"""What My CV shows, read in one go (`Database.read_objects`): the entries with their
occupations named in the reader's language, the single fields, how many occupations are
sought, the latest employers' sightings and the contact requests waiting for an answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select

from portal.cv.models import CvEntry, CvProfile, SoughtOccupation
from portal.db import Database, select_objects
from portal.employers.contact import waiting_query
from portal.employers.search import Sighting, sightings_query
from portal.occupations.service import preferred_label

SIGHTINGS_SHOWN = 5


@dataclass(frozen=True)
class CvPage:
    entries: list[CvEntry]  # by kind, then as the participant ordered them
    profile: CvProfile | None
    occupations: dict[str, str]  # the entries' occupation URIs -> preferred label
    sought_count: int
    sightings: list[Sighting]  # the newest few
    waiting_requests: int


@cache
def cv_page_queries() -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None for plain rows, query) for {"participant_id", "language", "now"}."""
    mine: Any = bindparam("participant_id")
    return (
        (
            CvEntry,
            select_objects(CvEntry)
            .where(CvEntry.participant_id == mine)
            .order_by(CvEntry.kind, CvEntry.position, CvEntry.id),
        ),
        (CvProfile, select_objects(CvProfile).where(CvProfile.participant_id == mine)),
        (
            None,
            select(CvEntry.occupation_uri, preferred_label(CvEntry.occupation_uri)).where(
                CvEntry.participant_id == mine, CvEntry.occupation_uri.is_not(None)
            ),
        ),
        (
            None,
            select(func.count())
            .select_from(SoughtOccupation)
            .where(SoughtOccupation.participant_id == mine),
        ),
        (None, sightings_query(SIGHTINGS_SHOWN)),
        (None, waiting_query()),
    )


async def cv_page(
    database: Database, participant_id: int, language: str, now: dt.datetime
) -> CvPage:
    given = {"participant_id": participant_id, "language": language, "now": now}
    entries, profile, labels, sought, sightings, waiting = await database.read_objects(
        *((model, query, given) for model, query in cv_page_queries())
    )
    return CvPage(
        entries,
        profile[0] if profile else None,
        {uri: label for uri, label in labels if label is not None},
        int(sought[0][0]),
        [Sighting(*row) for row in sightings],
        int(waiting[0][0] or 0),
    )
