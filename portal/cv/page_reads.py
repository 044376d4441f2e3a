"""What My CV shows, read in one go (`Database.read_objects`): the entries with their
occupations named in the reader's language, the single fields, how many occupations are
sought, the latest employers' sightings and the contact requests waiting for an answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select

from portal.cv.models import (
    CvEntry,
    CvProfile,
    CvShare,
    CvShareView,
    PresentationCv,
    PresentationExperience,
    SoughtOccupation,
)
from portal.db import Database, select_objects
from portal.employers.contact import waiting_query
from portal.employers.search import Sighting, sightings_query
from portal.occupations.service import preferred_label
from portal.participants.models import Participant

SIGHTINGS_SHOWN = 5
OPENINGS_SHOWN = 10  # of each share link, the newest


class SharedLink(NamedTuple):
    """A share link of the presentation CV, with its newest openings and how many there are."""

    share: CvShare
    openings: list[CvShareView]  # the newest OPENINGS_SHOWN, newest first
    opened: int


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


@dataclass(frozen=True)
class PresentationPage:
    texts: PresentationCv | None
    experiences: list[PresentationExperience]  # in the order they were added
    shares: list[SharedLink]  # newest first


@cache
def presentation_queries(by_link: bool = False) -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class, query) for {"participant_id"}: the texts, the experiences, the share links and
    how often each was opened (each link's newest openings: `link_openings`). With `by_link`,
    for {"token_hash"}: the share link, its participant, and their texts and experiences."""
    link: Any = bindparam("token_hash")
    owner = select(CvShare.participant_id).where(CvShare.token_hash == link).scalar_subquery()
    mine: Any = owner if by_link else bindparam("participant_id")
    cv = (
        (
            PresentationCv,
            select_objects(PresentationCv).where(PresentationCv.participant_id == mine),
        ),
        (
            PresentationExperience,
            select_objects(PresentationExperience)
            .where(PresentationExperience.participant_id == mine)
            .order_by(PresentationExperience.created_at, PresentationExperience.id),
        ),
    )
    if by_link:
        return (
            (CvShare, select_objects(CvShare).where(CvShare.token_hash == link)),
            (Participant, select_objects(Participant).where(Participant.id == owner)),
            *cv,
        )
    return (
        *cv,
        (
            CvShare,
            select_objects(CvShare)
            .where(CvShare.participant_id == mine)
            .order_by(CvShare.created_at.desc(), CvShare.id.desc()),
        ),
        (
            None,
            select(CvShareView.share_id, func.count())
            .join(CvShare, CvShare.id == CvShareView.share_id)
            .where(CvShare.participant_id == mine)
            .group_by(CvShareView.share_id),
        ),
    )


@cache
def link_openings() -> Any:
    """A link's ({"share"}) newest OPENINGS_SHOWN openings, read from the index by link and
    moment (however often it was opened)."""
    return (
        select_objects(CvShareView)
        .where(CvShareView.share_id == bindparam("share"))
        .order_by(CvShareView.viewed_at.desc(), CvShareView.id.desc())
        .limit(OPENINGS_SHOWN)
    )


async def presentation_page(
    database: Database, participant_id: int, with_shares: bool = True
) -> PresentationPage:
    """The presentation CV; with `with_shares`, also its share links (the participant's own
    page; an employer's shared page reads the CV only)."""
    queries = presentation_queries() if with_shares else presentation_queries()[:2]
    given = {"participant_id": participant_id}
    found = await database.read_objects(*((model, query, given) for model, query in queries))
    texts, experiences = found[0], found[1]
    shares: list[SharedLink] = []
    if with_shares:
        counted = dict(found[3])
        opened = [share.id for share in found[2] if counted.get(share.id)]
        # The newest openings of each link opened: one statement a link, sent together.
        newest = (
            await database.read_objects(
                *((CvShareView, link_openings(), {"share": share}) for share in opened)
            )
            if opened
            else []
        )
        openings = dict(zip(opened, newest, strict=True))
        shares = [
            SharedLink(share, openings.get(share.id, []), counted.get(share.id, 0))
            for share in found[2]
        ]
    return PresentationPage(texts[0] if texts else None, experiences, shares)


@cache
def sought_queries() -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None, query) for {"participant_id", "language"}: the occupations sought, in
    the order added, and each one's name in the language."""
    mine: Any = bindparam("participant_id")
    return (
        (
            SoughtOccupation,
            select_objects(SoughtOccupation)
            .where(SoughtOccupation.participant_id == mine)
            .order_by(SoughtOccupation.created_at, SoughtOccupation.id),
        ),
        (
            None,
            select(
                SoughtOccupation.occupation_uri, preferred_label(SoughtOccupation.occupation_uri)
            ).where(SoughtOccupation.participant_id == mine),
        ),
    )


async def sought_page(
    database: Database, participant_id: int, language: str
) -> tuple[list[SoughtOccupation], dict[str, str]]:
    """The occupations the participant looks for, and their names (URIs no longer listed are
    left out)."""
    given = {"participant_id": participant_id, "language": language}
    items, labels = await database.read_objects(
        *((model, query, given) for model, query in sought_queries())
    )
    return items, {uri: label for uri, label in labels if label is not None}


@dataclass(frozen=True)
class SharedPage:
    share: CvShare
    participant: Participant
    texts: PresentationCv | None
    experiences: list[PresentationExperience]


async def shared_page(database: Database, token_hash: str) -> SharedPage | None:
    """The share link with this token's hash, its participant and their presentation CV, in
    one read; None when no link has it."""
    given = {"token_hash": token_hash}
    shares, participants, texts, experiences = await database.read_objects(
        *((model, query, given) for model, query in presentation_queries(True))
    )
    if not shares or not participants:
        return None
    return SharedPage(shares[0], participants[0], texts[0] if texts else None, experiences)
