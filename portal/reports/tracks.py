"""A provider's tracks (jobbspår): each with the implementation plan every participant on the
track starts from, as sub-activities placed by days from the intervention's start. Kept by
the provider's administrators; a change applies to plans not yet begun."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.reports.models import Track
from portal.reports.rules import NAME_LIMIT, TEXT_LIMIT
from portal.web.forms import Errors, Fields, whole_number
from portal.web.i18n import gettext

LONGEST_DAY = 3 * 366
ROW_FIELDS = ("name", "description", "start_day", "end_day")


def template_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows of a track form (row-<i>-<field>), as typed; rows left wholly empty dropped."""
    numbers = (
        whole_number(key.split("-")[1], maximum=999)
        for key in form
        if key.startswith("row-") and key.count("-") == 2
    )
    indexes = sorted({index for index in numbers if index is not None})
    rows = []
    for index in indexes:
        row = {name: str(form.get(f"row-{index}-{name}") or "").strip() for name in ROW_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def row_values(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {
        f"row-{index}-{name}": str(row.get(name, ""))
        for index, row in enumerate(rows)
        for name in ROW_FIELDS
    }


def parse_track(form: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]], Errors]:
    """The track's name and template from its form, and what is wrong by field."""
    fields = Fields(form)
    name = fields.text("name", NAME_LIMIT)
    rows = template_rows(form)
    if not rows:
        fields.errors["row-0-name"] = gettext("Add at least one sub-activity.")
    template: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        typed = Fields({f"row-{index}-{key}": value for key, value in row.items()})
        typed.text(f"row-{index}-name", NAME_LIMIT)
        typed.text(f"row-{index}-description", TEXT_LIMIT, required=False)
        start = typed.integer(f"row-{index}-start_day", 0, LONGEST_DAY)
        end = typed.integer(f"row-{index}-end_day", 0, LONGEST_DAY)
        if start is not None and end is not None and end < start:
            typed.errors[f"row-{index}-end_day"] = gettext("The end comes before the start.")
        fields.errors.update(typed.errors)
        template.append(
            {
                "name": row["name"],
                "description": row["description"],
                "start_day": start or 0,
                "end_day": end or 0,
            }
        )
    return name, template, fields.errors


async def tracks_of(db: AsyncSession, organisation_id: int) -> Sequence[Track]:
    query = select(Track).where(Track.organisation_id == organisation_id).order_by(Track.name)
    return (await db.scalars(query)).all()


async def track_of(db: AsyncSession, organisation_id: int, track_id: int) -> Track | None:
    """The organisation's track (another's: None, answered 404)."""
    query = select(Track).where(Track.id == track_id, Track.organisation_id == organisation_id)
    return await db.scalar(query)


async def save_track(
    db: AsyncSession,
    organisation_id: int,
    track: Track | None,
    name: str,
    template: list[dict[str, Any]],
) -> Errors:
    """Create or change the track; the name is the organisation's only one of that name."""
    same_name = await db.scalar(
        select(Track.id).where(Track.organisation_id == organisation_id, Track.name == name)
    )
    if same_name is not None and (track is None or same_name != track.id):
        return {"name": gettext("Your organisation has a track of that name already.")}
    if track is None:
        track = Track(organisation_id=organisation_id)
        db.add(track)
    track.name = name
    track.template = template
    await db.flush()
    return {}
