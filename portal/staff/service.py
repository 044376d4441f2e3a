"""Staff rules: the permission matrix (data), active authorizations, and participant scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import Exists, Select, Subquery, bindparam, exists, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.db import Database, select_objects
from portal.participants.models import Participant
from portal.row_objects import objects_of
from portal.staff.models import ParticipantAssignment, StaffAuthorization, StaffUser
from portal.web.i18n import lazy_gettext as _

WRITE = "write"
READ = "read"


@dataclass(frozen=True)
class Role:
    code: str
    label: LazyProxy


@dataclass(frozen=True)
class Permission:
    code: str
    label: LazyProxy


ROLES: tuple[Role, ...] = (
    Role("authorization_admin", _("Authorization administrator")),
    Role("service_admin", _("Service administrator (caseworker)")),
    Role("registrar", _("Registrar (provider)")),
    Role("reviewer", _("Reviewer")),
    Role("planner_admin", _("Planner administrator")),
    Role("reader", _("Reader")),
)

PERMISSIONS: tuple[Permission, ...] = (
    Permission("manage_staff", _("Manage staff users of own organisation")),
    Permission("write_plan", _("Write My Plan of assigned participants")),
    Permission("view_participant", _("Read-only view of assigned participants")),
    Permission("register_reports", _("Register hour histories, reports and absence")),
    Permission("review_reports", _("Approve or return provider reports")),
    Permission("manage_tracks", _("Keep the provider's tracks and their predefined plans")),
    Permission("run_offers", _("Run meeting offers and calendars")),
    Permission("booking_admin", _("Booking administration (teams, rooms, closing days)")),
    Permission("export_consented", _("Export consented data (ESF and statistics)")),
)

# The matrix of SPEC 1: permission -> role -> WRITE (creates, changes, deletes) or READ.
MATRIX: dict[str, dict[str, str]] = {
    "manage_staff": {"authorization_admin": WRITE},
    "write_plan": {"authorization_admin": WRITE, "service_admin": WRITE},
    "view_participant": {
        "authorization_admin": WRITE,
        "service_admin": WRITE,
        "registrar": READ,
        "reviewer": READ,
        "reader": READ,
    },
    "register_reports": {"authorization_admin": WRITE, "registrar": WRITE},
    "review_reports": {"authorization_admin": WRITE, "reviewer": WRITE},
    "manage_tracks": {"authorization_admin": WRITE, "registrar": READ},
    "run_offers": {"authorization_admin": WRITE, "service_admin": WRITE, "planner_admin": WRITE},
    "booking_admin": {"authorization_admin": WRITE, "planner_admin": WRITE},
    "export_consented": {"authorization_admin": WRITE, "service_admin": WRITE},
}


def active_roles(user: StaffUser, today: dt.date) -> set[str]:
    """Roles whose authorization period includes today."""
    return {
        a.role
        for a in user.authorizations
        if a.start_date <= today and (a.end_date is None or today <= a.end_date)
    }


def is_authorized(authorizations: Sequence[StaffAuthorization], today: dt.date) -> bool:
    return any(
        a.start_date <= today and (a.end_date is None or today <= a.end_date)
        for a in authorizations
    )


def allows(roles: set[str], permission: str, level: str = READ) -> bool:
    """Whether any of the roles grants the permission at the level (WRITE implies READ)."""
    granted = MATRIX[permission]
    return any(role in granted and (level == READ or granted[role] == WRITE) for role in roles)


def runs_meetings(user: StaffUser, roles: set[str]) -> bool:
    """Meetings are the job centre's: its staff whose roles run offers (booking
    administration needs its own permission on top)."""
    return user.organisation.kind == "job_centre" and allows(roles, "run_offers", WRITE)


# What a staff user may do about a participant beyond looking, by the path of the tool under
# the participant's (/staff/participants/{id}/<tool>), in the order they are offered.
PARTICIPANT_TOOLS: dict[str, LazyProxy] = {
    "edit-plan": _("Edit My Plan"),
    "rehab-editor": _("Rehabilitation plan"),
    "hour-reports": _("Register hours"),
    "provider-reports": _("Write reports"),
    "meeting-markings": _("Markings for meeting offers"),
}


def participant_tools(user: StaffUser, roles: set[str]) -> list[str]:
    """The tools (keys of PARTICIPANT_TOOLS) this user's roles open for their participants:
    offered on the participant's row and beside the read-only view."""
    allowed = {
        "edit-plan": allows(roles, "write_plan", WRITE),
        "rehab-editor": allows(roles, "write_plan", WRITE),
        "hour-reports": allows(roles, "register_reports", WRITE),
        "provider-reports": allows(roles, "register_reports", WRITE),
        "meeting-markings": runs_meetings(user, roles),
    }
    return [tool for tool in PARTICIPANT_TOOLS if allowed[tool]]


def scope_rule(
    user_id: Any, organisation_id: Any, only_mine: bool = False, participant_id: Any = None
) -> Exists:
    """The one rule of whom a staff user may see, as a condition on one participant (a
    column, by default `Participant.id`): assigned to the user (`user_id`) or, unless
    `only_mine`, to their organisation (values or bound parameters). Checked row by row
    through the assignments' index, so that it costs the same at any size of caseload (an IN
    list of every assigned participant is read whole first)."""
    mine = ParticipantAssignment.staff_user_id == user_id
    return exists().where(
        ParticipantAssignment.participant_id
        == (Participant.id if participant_id is None else participant_id),
        mine if only_mine else or_(mine, ParticipantAssignment.organisation_id == organisation_id),
    )


def scope_members(
    user_id: Any, organisation_id: Any, only_mine: bool = False, most: int | None = None
) -> Subquery:
    """The same scope as `scope_rule`, as the ids (column `participant_id`) of its
    participants, each once, read from the assignments' indexes by user and by organisation
    (a participant is assigned to a user, or to an organisation, at most once): to go through
    a whole scope, to count it, at a cost that grows with the scope and stops at a LIMIT, not
    with every participant of the database. With `most`, at most that many (a LIMIT of its
    own: the databases then read the scope first, whatever else the statement joins)."""
    by_user = aliased(ParticipantAssignment)
    own = select(by_user.participant_id).where(by_user.staff_user_id == user_id)
    if only_mine:
        return own.limit(most).subquery()
    by_organisation, also = aliased(ParticipantAssignment), aliased(ParticipantAssignment)
    shared = select(by_organisation.participant_id).where(
        by_organisation.organisation_id == organisation_id
    )
    only_own = own.where(
        ~exists().where(
            also.participant_id == by_user.participant_id, also.organisation_id == organisation_id
        )
    )
    return union_all(shared, only_own).limit(most).subquery()


def assigned_to(user: StaffUser, only_mine: bool = False) -> Exists:
    """Whether a participant (`Participant.id`) is this user's to see."""
    return scope_rule(user.id, user.organisation_id, only_mine)


def visible_participants_query(user: StaffUser, roles: set[str]) -> Select[Participant]:
    """Participants assigned to this user or to their organisation; none without the right."""
    query = select(Participant).order_by(Participant.last_name, Participant.first_name)
    if not allows(roles, "view_participant"):
        return query.where(Participant.id.is_(None))
    return query.where(assigned_to(user))


def visible_participant_for(user_id: Any, organisation_id: Any) -> Select[Any]:
    """The participant {"participant_id"} when the staff user `user_id` of the organisation
    `organisation_id` (bound parameters, or columns of a statement it is joined into) may see
    them (`scope_rule`), as rows of `select_objects`."""
    return select_objects(Participant).where(
        Participant.id == bindparam("participant_id"), scope_rule(user_id, organisation_id)
    )


@cache
def visible_participant_query() -> Select[Any]:
    """`visible_participant_for` the staff user {"user_id"} of {"organisation_id"}, for
    `Database.read_objects`."""
    return visible_participant_for(bindparam("user_id"), bindparam("organisation_id"))


async def visible_participant(
    database: Database,
    user: StaffUser,
    roles: set[str],
    participant_id: int,
    read: tuple[int, list[Any]] | None = None,
) -> Participant | None:
    """The participant if this user may see them; None (answered as 404) otherwise. Read on
    the fast path, as a read-only object: every staff page on a participant asks it. `read`:
    the rows of the same question about a participant (their id, then the rows) when they
    were read already, with this user's session."""
    if not allows(roles, "view_participant"):
        return None
    if read is not None and read[0] == participant_id:
        found = objects_of(Participant, read[1])
    else:
        given = {
            "participant_id": participant_id,
            "user_id": user.id,
            "organisation_id": user.organisation_id,
        }
        (found,) = await database.read_objects((Participant, visible_participant_query(), given))
    return found[0] if found else None


async def visible_participant_by_number(
    db: AsyncSession, user: StaffUser, roles: set[str], personal_number: str
) -> Participant | None:
    """The participant with this (normalised) personal number if this user may see them."""
    query = visible_participants_query(user, roles).where(
        Participant.personal_number == personal_number
    )
    return await db.scalar(query)


async def staff_user_for_login(db: AsyncSession, personal_number: str) -> StaffUser | None:
    return await db.scalar(select(StaffUser).where(StaffUser.personal_number == personal_number))
