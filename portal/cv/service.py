"""Rules of "I am looking for a job as": what each occupation needs, and that one always stays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from babel.support import LazyProxy
from sqlalchemy import false, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.cv.models import CvProfile, PresentationCv, SoughtOccupation
from portal.db import utcnow
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

R = TypeVar("R", CvProfile, PresentationCv)
MAX_HOURS = Decimal(60)
FULL_TIME_HOURS = Decimal(37)
MAX_OCCUPATIONS = 20

EMPLOYMENT_FORMS: dict[str, LazyProxy] = {
    "permanent": _("Permanent"),
    "temporary": _("Temporary"),
    "seasonal": _("Seasonal"),
    "self_employed": _("Self-employed"),
    "other": _("Other"),
}
CONDITIONS: dict[str, LazyProxy] = {
    "ordinary": _("Ordinary terms"),
    "flex_job": _("Flex job"),
    "wage_subsidy": _("Wage subsidy"),
    "other": _("Other"),
}
YES_NO = {"yes": True, "no": False}


class CvError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SoughtInput:
    trained: bool
    experienced: bool
    hours_per_week: Decimal
    earliest_start: dt.date | None
    employment_form: str
    conditions: str


def parse_sought(form: Mapping[str, Any], today: dt.date) -> tuple[SoughtInput | None, Errors]:
    fields = Fields(form)
    trained = fields.choice("trained", YES_NO)
    experienced = fields.choice("experienced", YES_NO)
    hours = fields.decimal("hours_per_week", MAX_HOURS)
    if hours is None and "hours_per_week" not in fields.errors:
        fields.errors["hours_per_week"] = gettext("Give the hours per week you want to work.")
    elif hours is not None and hours <= 0:
        fields.errors["hours_per_week"] = gettext("Give a number of hours above 0.")
    start_kind = fields.choice("start", {"now": True, "date": True})
    earliest = None
    if start_kind == "date":
        earliest = fields.date("earliest_start")
        if earliest is not None and earliest < today:
            fields.errors["earliest_start"] = gettext("Give a date from today on.")
    form_ = fields.choice("employment_form", EMPLOYMENT_FORMS)
    conditions = fields.choice("conditions", CONDITIONS)
    if fields.errors or hours is None:
        return None, fields.errors
    return (
        SoughtInput(YES_NO[trained], YES_NO[experienced], hours, earliest, form_, conditions),
        {},
    )


def is_full_time(hours: Decimal) -> bool:
    return hours >= FULL_TIME_HOURS


def sought_query(participant_id: int) -> Any:
    return (
        select(SoughtOccupation)
        .where(SoughtOccupation.participant_id == participant_id)
        .order_by(SoughtOccupation.created_at, SoughtOccupation.id)
    )


async def sought(db: AsyncSession, participant_id: int) -> Sequence[SoughtOccupation]:
    return (await db.scalars(sought_query(participant_id))).all()


async def find_sought(
    db: AsyncSession, participant_id: int, sought_id: int
) -> SoughtOccupation | None:
    return await db.scalar(sought_query(participant_id).where(SoughtOccupation.id == sought_id))


async def add_sought(
    db: AsyncSession, participant_id: int, uri: str, label: str, data: SoughtInput
) -> SoughtOccupation:
    existing = await db.scalar(
        sought_query(participant_id).where(SoughtOccupation.occupation_uri == uri)
    )
    if existing is not None:
        raise CvError(gettext("You already look for a job as %(label)s.", label=label))
    count = await db.scalar(
        select(func.count()).where(SoughtOccupation.participant_id == participant_id)
    )
    if (count or 0) >= MAX_OCCUPATIONS:
        raise CvError(gettext("At most %(count)s occupations.", count=MAX_OCCUPATIONS))
    item = SoughtOccupation(participant_id=participant_id, occupation_uri=uri, label=label)
    apply(item, data)
    profile = await db.get(CvProfile, participant_id)
    if profile is not None:
        item.searchable = profile.searchable
        item.latitude, item.longitude = profile.latitude, profile.longitude
    db.add(item)
    await db.flush()
    return item


def apply(record: Any, data: Any) -> None:
    """Copy a checked input's fields onto its record (and note when, where the record does)."""
    for name, value in vars(data).items():
        setattr(record, name, value)
    if hasattr(record, "updated_at"):
        record.updated_at = utcnow()


async def own_row(db: AsyncSession, model: type[R], participant_id: int) -> R:
    """The participant's one row of a table keyed by participant (made when missing)."""
    row = await db.get(model, participant_id)
    if row is None:
        row = model(participant_id=participant_id)
        db.add(row)
    return row


async def remove_sought(db: AsyncSession, participant_id: int, item: SoughtOccupation) -> None:
    """Remove one; the last one stays, since at least one occupation is required."""
    count = await db.scalar(
        select(func.count()).where(SoughtOccupation.participant_id == participant_id)
    )
    if (count or 0) <= 1:
        raise CvError(
            gettext(
                "You must look for a job as at least one occupation. Add another before you "
                "remove this one."
            )
        )
    await db.delete(item)
    await db.flush()


def sought_rows_query(participant_id: Any) -> Any:
    """("sought", false, occupation, label) for each occupation the participant looks for a
    job as, by the label it was chosen by (rows the job-goal check reads beside the goals)."""
    return select(
        literal("sought"), false(), SoughtOccupation.occupation_uri, SoughtOccupation.label
    ).where(SoughtOccupation.participant_id == participant_id)


def sought_uris_query(participant_id: Any) -> Any:
    """The occupations (URIs) the participant looks for a job as."""
    return select(SoughtOccupation.occupation_uri).where(
        SoughtOccupation.participant_id == participant_id
    )
