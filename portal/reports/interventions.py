"""Registering an intervention: the reviewing organisation (the job centre that buys it)
assigns one of its participants to a provider for a period, optionally on one of the
provider's tracks. The rules answer by field, with what was typed kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import insert_into
from portal.participants.models import Participant
from portal.participants.service import normalise_personal_number
from portal.reports.models import Intervention, Track
from portal.staff.models import Organisation, ParticipantAssignment, StaffUser
from portal.staff.service import visible_participant_by_number
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

LONGEST = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class InterventionInput:
    personal_number: str
    provider_id: int
    track_id: int | None
    start: dt.date
    end: dt.date


def parse_intervention(
    form: Mapping[str, Any],
    country: str,
    providers: Mapping[int, str],
    tracks: Sequence[Track],
) -> tuple[InterventionInput | None, Errors]:
    fields = Fields(form)
    raw = fields.text("personal_number", 20)
    number = normalise_personal_number(country, raw) if raw else None
    if raw and number is None:
        fields.errors["personal_number"] = gettext(
            "This is not a valid personal number; check the digits."
        )
    provider = fields.one_of("provider", providers)
    by_id = {t.id: t for t in tracks}
    track = fields.one_of("track", by_id, required=False)
    if track is not None and provider is not None and by_id[track].organisation_id != provider:
        fields.errors["track"] = gettext("Choose a track of the chosen provider.")
    start = fields.date("start")
    end = fields.date("end")
    if start and end and end < start:
        fields.errors["end"] = gettext("The end comes before the start.")
    elif start and end and end - start > LONGEST:
        fields.errors["end"] = gettext("An intervention lasts at most three years.")
    if fields.errors or number is None or provider is None or start is None or end is None:
        return None, fields.errors
    return InterventionInput(number, provider, track, start, end), {}


async def providers_and_tracks(db: AsyncSession) -> tuple[dict[int, str], Sequence[Track]]:
    found = await db.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == "provider")
        .order_by(Organisation.name)
    )
    providers = {row[0]: row[1] for row in found.all()}
    tracks = (await db.scalars(select(Track).order_by(Track.name))).all()
    return providers, tracks


async def register(
    db: AsyncSession, user: StaffUser, roles: set[str], given: InterventionInput
) -> tuple[Intervention | None, Errors]:
    """The new intervention (and the provider's access to the participant), or why not."""
    participant = await visible_participant_by_number(db, user, roles, given.personal_number)
    if participant is None:
        return None, {
            "personal_number": gettext("None of your participants has this personal number.")
        }
    overlapping = await db.scalar(
        select(Intervention.id).where(
            Intervention.participant_id == participant.id,
            Intervention.provider_id == given.provider_id,
            Intervention.start_date <= given.end,
            Intervention.end_date >= given.start,
        )
    )
    if overlapping is not None:
        return None, {
            "start": gettext(
                "The participant already has an intervention with this provider in this period."
            )
        }
    intervention = Intervention(
        participant_id=participant.id,
        provider_id=given.provider_id,
        reviewer_organisation_id=user.organisation_id,
        track_id=given.track_id,
        start_date=given.start,
        end_date=given.end,
    )
    db.add(intervention)
    await grant_provider(db, participant, given.provider_id)
    await db.flush()
    return intervention, {}


async def grant_provider(db: AsyncSession, participant: Participant, provider_id: int) -> None:
    """The provider's staff may see the participant (once: a second grant, also one made at
    the same moment, changes nothing)."""
    await db.execute(
        insert_into(db, ParticipantAssignment)
        .values(participant_id=participant.id, organisation_id=provider_id)
        .on_conflict_do_nothing()
    )
