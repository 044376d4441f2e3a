"""Writing and reading the access log; entries are only ever added."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import bindparam, exists, insert
from sqlalchemy.ext.asyncio import AsyncSession

from portal.audit.models import AccessLogEntry
from portal.db import Database, select_objects, utcnow
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.web.i18n import lazy_gettext as _

# What a staff user looked at, as the participant reads it in their log.
WHAT_LABELS: dict[str, LazyProxy] = {
    "start": _("Your start page"),
    "plan": _("My Plan"),
    "plan-editor": _("My Plan, in the caseworker's editor"),
    "hours": _("Hour histories"),
    "hour-registration": _("Hour histories, where the provider registers them"),
    "reports": _("Reports from your provider"),
    "meetings": _("Meetings"),
    "cv": _("CV"),
    "rehab": _("The rehabilitation plan's preparatory part"),
    "access-log": _("Who has looked at my data"),
    "settings": _("Settings"),
}


ACCESS_COLUMNS = (
    "participant_id",
    "staff_user_id",
    "staff_name",
    "organisation_name",
    "what",
    "at",
)


@cache
def _access_insert() -> Any:
    """One access-log line (run with the values of `_access_values`)."""
    return insert(AccessLogEntry).values({name: bindparam(name) for name in ACCESS_COLUMNS})


def _access_values(participant: Participant, staff: StaffUser, what: str) -> dict[str, Any]:
    if what not in WHAT_LABELS:
        raise ValueError(f"unknown access-log subject {what!r}")
    return {
        "participant_id": participant.id,
        "staff_user_id": staff.id,
        "staff_name": staff.full_name,
        "organisation_name": staff.organisation.name,
        "what": what,
        "at": utcnow(),
    }


async def record_access(
    db: AsyncSession, participant: Participant, staff: StaffUser, what: str
) -> None:
    """Write the opening to the participant's access log, in the unit of work `db` (one
    INSERT: every staff page writes one)."""
    connection = await db.connection()
    await connection.execute(_access_insert(), _access_values(participant, staff, what))


async def log_access(
    database: Database, participant: Participant, staff: StaffUser, what: str
) -> None:
    """The same line in a transaction of its own (`Database.write`), for an opening that
    writes nothing else."""
    await database.write(_access_insert(), _access_values(participant, staff, what))


@cache
def access_log_query(limit: int) -> Any:
    """The participant's entries (run with {"participant_id"}), newest first: the columns of
    `AccessLogEntry`, for `Database.read_objects` (read from the index in that order)."""
    return (
        select_objects(AccessLogEntry)
        .where(AccessLogEntry.participant_id == bindparam("participant_id"))
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .limit(limit)
    )


def looked_at_since(participant_id: Any, staff_user_id: Any, moment: Any) -> Any:
    """A condition: the staff user opened the participant's pages at or after `moment` (each
    a column or a bound parameter). Correlated with the enclosing statements at any depth:
    auto-correlation reaches only the statement just around it, and an uncorrelated
    participants table here would be a join with every participant."""
    return (
        exists()
        .where(
            AccessLogEntry.participant_id == participant_id,
            AccessLogEntry.staff_user_id == staff_user_id,
            AccessLogEntry.at >= moment,
        )
        .correlate_except(AccessLogEntry)
    )
