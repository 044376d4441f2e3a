"""My Plan's rules: what a valid goal, agreement and initiative is, and how they change. Every
change is a new version, takes the plan's next revision and queues the participant's reminder,
in the caller's transaction. No HTTP here; routes, the API and the demo data call these.
Reading the plan as the participant sees it is in `plan.reading`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, cast

from babel.support import LazyProxy
from sqlalchemy import Select, Table, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import insert_into, utcnow
from portal.notify.service import PLAN_CHANGED, Links, notify_participant
from portal.participants.models import Participant
from portal.participants.service import record_event
from portal.plan.inputs import AgreementInput, GoalInput, InitiativeInput, StatusInput
from portal.plan.models import (
    AgreementVersion,
    Goal,
    GoalVersion,
    Initiative,
    InitiativeVersion,
    PlanRevision,
    StatusEntry,
)
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

STATES: dict[str, LazyProxy] = {
    "ongoing": _("Ongoing"),
    "planned": _("Planned"),
    "ended": _("Ended"),
    "cancelled": _("Cancelled"),
}
STATE_ORDER = {"ongoing": 0, "planned": 1, "ended": 2, "cancelled": 3}

# What the participant is told changed, by field of an initiative version.
FIELD_LABELS: dict[str, LazyProxy] = {
    "type": _("Type"),
    "title": _("Title"),
    "content": _("What is agreed"),
    "hours_per_week": _("Hours per week"),
    "agreed_by": _("Agreed by"),
    "start_date": _("When"),
    "end_date": _("When"),
    "address": _("Where"),
    "contact_name": _("Contact person"),
    "contact_phone": _("Contact person"),
    "contact_email": _("Contact person"),
    "purpose": _("Why"),
    "cancelled": _("Cancelled"),
    "final_status": _("Final status"),
}
LATEST_STATUS_LABEL = _("Latest status")


class PlanError(Exception):
    """A change the rules refuse; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PlanConflict(PlanError):
    """The change was based on a version that is no longer the latest: someone else saved in
    between. Saving it anyway would silently replace their change."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            gettext("Someone else saved a change in between. Look at it and save again.")
        )
        self.current_version = current_version


def check_based_on(current_version: int, based_on: int | None) -> None:
    """A change based on an older version than `current_version` is a conflict; None means
    the writer states what is true now (a case system's upsert)."""
    if based_on is not None and based_on != current_version:
        raise PlanConflict(current_version)


@dataclass(frozen=True)
class Author:
    name: str
    staff_id: int | None = None
    client: str | None = None


@dataclass(frozen=True)
class PlanWriter:
    """Who changes whose plan, on which day, and where the participant's reminder links to."""

    participant: Participant
    author: Author
    today: dt.date
    links: Links

    async def change(self, db: AsyncSession) -> dict[str, Any]:
        """This transaction changes the plan: take its next revision, queue the participant's
        reminder, and return the stamp of the version written."""
        revision = await next_revision(db, self.participant.id)
        await notify_participant(db, self.participant, PLAN_CHANGED, self.links)
        now = utcnow()
        await record_event(db, self.participant.id, "plan_changed", now)
        return {
            "changed_by_name": self.author.name,
            "changed_by_staff_id": self.author.staff_id,
            "changed_by_client": self.author.client,
            "changed_at": now,
            "revision": revision,
        }


async def next_revision(db: AsyncSession, participant_id: int) -> int:
    """One more revision of the participant's plan, counted in the row itself: a second writer
    waits for the first to commit (row lock on PostgreSQL, write lock on SQLite), so revisions
    follow the order of commits, which a clock read before commit does not."""
    table = cast(Table, PlanRevision.__table__)
    now = utcnow()
    statement = (
        insert_into(db, table)
        .values(participant_id=participant_id, revision=1, changed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.participant_id],
            set_={"revision": table.c.revision + 1, "changed_at": now},
        )
        .returning(table.c.revision)
    )
    return int((await db.execute(statement)).scalar_one())


# ---------------------------------------------------------------- states


def initiative_state(version: InitiativeVersion, today: dt.date) -> str:
    """Planned, ongoing or ended follow from the dates; cancelled and ended can be explicit."""
    if version.cancelled:
        return "cancelled"
    if version.final_status is not None or (
        version.end_date is not None and version.end_date < today
    ):
        return "ended"
    if version.start_date > today:
        return "planned"
    return "ongoing"


def is_locked(version: InitiativeVersion, today: dt.date) -> bool:
    """Ended and cancelled initiatives are kept as they are."""
    return initiative_state(version, today) in ("ended", "cancelled")


def may_end(version: InitiativeVersion, today: dt.date) -> bool:
    """An initiative that has started can be ended with a final status, once."""
    return not version.cancelled and version.final_status is None and version.start_date <= today


def moved_from(versions: Sequence[InitiativeVersion]) -> tuple[dt.date, dt.date | None] | None:
    """The period before the latest move, when the period was ever moved."""
    current = versions[-1]
    for earlier in reversed(versions[:-1]):
        if (earlier.start_date, earlier.end_date) != (current.start_date, current.end_date):
            return earlier.start_date, earlier.end_date
    return None


# ---------------------------------------------------------------- changes (append-only)

INITIATIVE_FIELDS = [f.name for f in fields(InitiativeInput)]


async def find_initiative(
    db: AsyncSession, participant_id: int, initiative_id: int
) -> Initiative | None:
    """The participant's initiative; someone else's is not found."""
    return await db.scalar(
        select(Initiative).where(
            Initiative.id == initiative_id, Initiative.participant_id == participant_id
        )
    )


async def find_goal(db: AsyncSession, participant_id: int, goal_id: int) -> Goal | None:
    return await db.scalar(
        select(Goal).where(Goal.id == goal_id, Goal.participant_id == participant_id)
    )


async def save_initiative(
    db: AsyncSession,
    writer: PlanWriter,
    data: InitiativeInput,
    initiative: Initiative | None = None,
    external_id: str | None = None,
    based_on: int | None = None,
) -> tuple[Initiative, bool]:
    """Create an initiative or add a version to it; (initiative, whether anything changed).
    `based_on`: the version the writer saw (PlanConflict when another one is the latest)."""
    if initiative is None:
        initiative = Initiative(
            participant_id=writer.participant.id, external_id=external_id, status_entries=[]
        )
        db.add(initiative)
        await db.flush()
        previous = None
    else:
        previous = initiative.versions[-1]
        if all(getattr(previous, name) == getattr(data, name) for name in INITIATIVE_FIELDS):
            return initiative, False  # the same again changes nothing, even when locked
        check_based_on(previous.version, based_on)
        if is_locked(previous, writer.today):
            raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    version = InitiativeVersion(
        initiative_id=initiative.id,
        version=previous.version + 1 if previous else 1,
        cancelled=False,
        final_status=None,
        **{name: getattr(data, name) for name in INITIATIVE_FIELDS},
        **await writer.change(db),
    )
    db.add(version)
    await db.flush()
    await db.refresh(initiative, ["versions"])
    return initiative, True


async def _successor(
    db: AsyncSession, writer: PlanWriter, initiative: Initiative, **changes: Any
) -> InitiativeVersion:
    previous = initiative.versions[-1]
    values = {name: getattr(previous, name) for name in INITIATIVE_FIELDS}
    values.update(cancelled=previous.cancelled, final_status=previous.final_status)
    values.update(changes)
    version = InitiativeVersion(
        initiative_id=initiative.id,
        version=previous.version + 1,
        **values,
        **await writer.change(db),
    )
    db.add(version)
    await db.flush()
    await db.refresh(initiative, ["versions"])
    return version


async def end_initiative(
    db: AsyncSession,
    writer: PlanWriter,
    initiative: Initiative,
    final_status: str,
    end_date: dt.date | None = None,
    based_on: int | None = None,
) -> InitiativeVersion:
    """End with a final status; the end date is kept unless it lies ahead (then: today)."""
    current, today = initiative.versions[-1], writer.today
    check_based_on(current.version, based_on)
    if current.cancelled:
        raise PlanError(gettext("A cancelled initiative cannot be ended."))
    if current.final_status is not None:
        raise PlanError(gettext("This initiative has already ended with a final status."))
    if current.start_date > today:
        raise PlanError(gettext("An initiative that has not started cannot be ended; cancel it."))
    if end_date is None:
        end_date = current.end_date if current.end_date and current.end_date <= today else today
    if end_date < current.start_date or end_date > today:
        raise PlanError(gettext("The end date must lie between the start date and today."))
    return await _successor(db, writer, initiative, final_status=final_status, end_date=end_date)


async def cancel_initiative(
    db: AsyncSession, writer: PlanWriter, initiative: Initiative, based_on: int | None = None
) -> InitiativeVersion:
    check_based_on(initiative.versions[-1].version, based_on)
    if is_locked(initiative.versions[-1], writer.today):
        raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    return await _successor(db, writer, initiative, cancelled=True)


async def add_status_entry(
    db: AsyncSession, writer: PlanWriter, initiative: Initiative, data: StatusInput
) -> StatusEntry:
    if is_locked(initiative.versions[-1], writer.today):
        raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    stamp = await writer.change(db)
    entry = StatusEntry(
        initiative_id=initiative.id,
        entry_date=data.entry_date,
        text=data.text,
        created_at=stamp["changed_at"],
        created_by_name=stamp["changed_by_name"],
        created_by_staff_id=stamp["changed_by_staff_id"],
        created_by_client=stamp["changed_by_client"],
        revision=stamp["revision"],
    )
    db.add(entry)
    await db.flush()
    await db.refresh(initiative, ["status_entries"])
    return entry


@dataclass(frozen=True)
class InitiativeState:
    """What a case system says of an initiative besides its fields: its status entries, and
    whether it is cancelled or ended (with its final status)."""

    statuses: Sequence[StatusInput]
    cancelled: bool
    final_status: str | None


async def upsert_initiative(
    db: AsyncSession,
    writer: PlanWriter,
    data: InitiativeInput,
    state: InitiativeState,
    initiative: Initiative | None,
    external_id: str,
    based_on: int | None = None,
) -> tuple[Initiative, bool]:
    """The initiative as a case system says it is now; the same again changes nothing.
    Status entries not yet known are added; cancelling or ending happens once."""
    initiative, changed = await save_initiative(db, writer, data, initiative, external_id, based_on)
    known = {(s.entry_date, s.text) for s in initiative.status_entries}
    for status in state.statuses:
        if (status.entry_date, status.text) not in known:
            await add_status_entry(db, writer, initiative, status)
            known.add((status.entry_date, status.text))
            changed = True
    current = initiative.versions[-1]
    if state.cancelled and not current.cancelled:
        await cancel_initiative(db, writer, initiative)
        changed = True
    elif state.final_status and current.final_status is None:
        end = data.end_date or writer.today
        await end_initiative(db, writer, initiative, state.final_status, end)
        changed = True
    return initiative, changed


async def save_goal(
    db: AsyncSession,
    writer: PlanWriter,
    kind: str,
    data: GoalInput,
    goal: Goal | None = None,
    external_id: str | None = None,
    based_on: int | None = None,
) -> tuple[Goal, bool]:
    if goal is None:
        goal = Goal(participant_id=writer.participant.id, kind=kind, external_id=external_id)
        db.add(goal)
        await db.flush()
        previous = None
    else:
        previous = goal.versions[-1]
        if (
            not previous.removed
            and previous.text == data.text
            and previous.occupation_uri == data.occupation_uri
        ):
            return goal, False
        check_based_on(previous.version, based_on)
    db.add(
        GoalVersion(
            goal_id=goal.id,
            version=previous.version + 1 if previous else 1,
            text=data.text,
            occupation_uri=data.occupation_uri,
            removed=False,
            **await writer.change(db),
        )
    )
    await db.flush()
    await db.refresh(goal, ["versions"])
    return goal, True


async def remove_goal(
    db: AsyncSession, writer: PlanWriter, goal: Goal, based_on: int | None = None
) -> bool:
    previous = goal.versions[-1]
    if previous.removed:
        return False
    check_based_on(previous.version, based_on)
    db.add(
        GoalVersion(
            goal_id=goal.id,
            version=previous.version + 1,
            text=previous.text,
            occupation_uri=previous.occupation_uri,
            removed=True,
            **await writer.change(db),
        )
    )
    await db.flush()
    await db.refresh(goal, ["versions"])
    return True


async def save_agreement(
    db: AsyncSession, writer: PlanWriter, data: AgreementInput, based_on: int | None = None
) -> tuple[AgreementVersion, bool]:
    """A new latest agreement; `based_on` is the version the writer saw (0: none yet)."""
    participant_id = writer.participant.id
    latest = await latest_agreement(db, participant_id)
    if latest is not None and (latest.text, latest.agreed_on, latest.agreed_by) == (
        data.text,
        data.agreed_on,
        data.agreed_by,
    ):
        return latest, False
    check_based_on(latest.version if latest else 0, based_on)
    version = AgreementVersion(
        participant_id=participant_id,
        version=latest.version + 1 if latest else 1,
        text=data.text,
        agreed_on=data.agreed_on,
        agreed_by=data.agreed_by,
        **await writer.change(db),
    )
    db.add(version)
    await db.flush()
    return version, True


def latest_agreement_query(participant_id: int) -> Select[AgreementVersion]:
    return (
        select(AgreementVersion)
        .where(AgreementVersion.participant_id == participant_id)
        .order_by(AgreementVersion.version.desc())
        .limit(1)
    )


async def latest_agreement(db: AsyncSession, participant_id: int) -> AgreementVersion | None:
    return await db.scalar(latest_agreement_query(participant_id))


def job_goal_rows_query(participant_id: Any) -> Any:
    """("goal", removed, occupation, text) of each job goal's latest version (rows the job-goal
    check reads beside the occupations sought)."""
    latest = (
        select(GoalVersion.goal_id, func.max(GoalVersion.version).label("v"))
        .join(Goal, Goal.id == GoalVersion.goal_id)
        .where(Goal.participant_id == participant_id, Goal.kind == "job")
        .group_by(GoalVersion.goal_id)
        .subquery()
    )
    return select(
        literal("goal").label("kind"),
        GoalVersion.removed,
        GoalVersion.occupation_uri,
        GoalVersion.text,
    ).join(
        latest,
        (latest.c.goal_id == GoalVersion.goal_id) & (latest.c.v == GoalVersion.version),
    )
