"""Booking administration: caseworkers with their default working hours (the pages that set
up teams, rooms and offers build on this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking import service as engine
from portal.booking.models import (
    Caseworker,
    TeamMember,
    WorkingHours,
)

LUNCH = (dt.time(11, 30), dt.time(12, 0))
MIDNIGHT = dt.time(0, 0)
WEEKDAYS = range(7)


def default_hours(weekday: int) -> tuple[dt.time, dt.time]:
    """Mon–Fri 07:30–16:00; 00:00–00:00 (not working) at the weekend."""
    return engine.DEFAULT_HOURS if weekday < 5 else (MIDNIGHT, MIDNIGHT)


async def add_caseworker(
    db: AsyncSession,
    name: str,
    email: str | None,
    staff_user_id: int | None,
    team_ids: Sequence[int],
) -> Caseworker:
    """A caseworker with the default working hours, in the teams given."""
    caseworker = Caseworker(name=name, email=email or None, staff_user_id=staff_user_id)
    db.add(caseworker)
    await db.flush()
    for weekday in WEEKDAYS:
        starts, ends = default_hours(weekday)
        db.add(WorkingHours(caseworker_id=caseworker.id, weekday=weekday, starts=starts, ends=ends))
    db.add_all(TeamMember(team_id=t, caseworker_id=caseworker.id) for t in team_ids)
    await db.flush()
    return caseworker
