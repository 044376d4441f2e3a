"""My Plan's rules: what a valid goal, agreement and initiative is, how they change, and what
the participant has not yet seen. No HTTP here; routes and the API both call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, Protocol

from babel.support import LazyProxy
from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.occupations.search import words
from portal.plan.models import (
    AgreementVersion,
    Goal,
    GoalVersion,
    Initiative,
    InitiativeVersion,
    PlanView,
    StatusEntry,
)
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

INITIATIVE_TYPES: dict[str, LazyProxy] = {
    "company_internship": _("Company internship"),
    "wage_subsidy": _("Wage subsidy job"),
    "flex_job": _("Flex job"),
    "education": _("Education or course"),
    "guidance": _("Guidance and upskilling"),
    "mentor": _("Mentor"),
    "job_search": _("Job-search activity"),
    "other": _("Other initiative"),
}

STATES: dict[str, LazyProxy] = {
    "ongoing": _("Ongoing"),
    "planned": _("Planned"),
    "ended": _("Ended"),
    "cancelled": _("Cancelled"),
}
STATE_ORDER = {"ongoing": 0, "planned": 1, "ended": 2, "cancelled": 3}

# Stated on the forms and enforced here; nothing is ever cut short silently.
LIMITS = {
    "goal_text": 200,
    "agreement_text": 2000,
    "agreed_by": 200,
    "title": 120,
    "content": 2000,
    "address": 300,
    "contact_name": 200,
    "contact_phone": 30,
    "contact_email": 254,
    "purpose": 2000,
    "status_text": 1000,
    "final_status": 2000,
    "external_id": 100,
}
MAX_HOURS_PER_WEEK = Decimal(40)

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


@dataclass(frozen=True)
class Author:
    name: str
    staff_id: int | None = None
    client: str | None = None

    def stamp(self) -> dict[str, Any]:
        return {
            "changed_by_name": self.name,
            "changed_by_staff_id": self.staff_id,
            "changed_by_client": self.client,
            "changed_at": utcnow(),
        }


# ---------------------------------------------------------------- parsing and validation


@dataclass(frozen=True)
class InitiativeInput:
    type: str
    title: str
    content: str
    hours_per_week: Decimal | None
    agreed_by: str
    start_date: dt.date
    end_date: dt.date | None
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    purpose: str


def parse_initiative(source: Mapping[str, Any]) -> tuple[InitiativeInput | None, Errors]:
    f = Fields(source)
    values: dict[str, Any] = {
        "type": f.choice("type", INITIATIVE_TYPES),
        "title": f.text("title", LIMITS["title"]),
        "content": f.text("content", LIMITS["content"]),
        "hours_per_week": f.decimal("hours_per_week", MAX_HOURS_PER_WEEK),
        "agreed_by": f.text("agreed_by", LIMITS["agreed_by"]),
        "start_date": f.date("start_date"),
        "end_date": f.date("end_date", required=False),
        "address": f.text("address", LIMITS["address"], required=False),
        "contact_name": f.text("contact_name", LIMITS["contact_name"], required=False),
        "contact_phone": f.phone("contact_phone", LIMITS["contact_phone"]),
        "contact_email": f.email("contact_email", LIMITS["contact_email"]),
        "purpose": f.text("purpose", LIMITS["purpose"]),
    }
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start and "end_date" not in f.errors:
        f.errors["end_date"] = gettext("The end date cannot be before the start date.")
    if f.errors:
        return None, f.errors
    return InitiativeInput(**values), {}


@dataclass(frozen=True)
class GoalInput:
    text: str
    occupation_uri: str | None


def parse_goal(source: Mapping[str, Any]) -> tuple[GoalInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["goal_text"])
    uri = source.get("occupation_uri") or None
    if uri is not None and (not isinstance(uri, str) or len(uri) > 200):
        f.errors["occupation_uri"] = gettext("Must be an occupation from the list.")
    if f.errors:
        return None, f.errors
    return GoalInput(text, uri), {}


@dataclass(frozen=True)
class AgreementInput:
    text: str
    agreed_on: dt.date
    agreed_by: str


def parse_agreement(
    source: Mapping[str, Any], today: dt.date
) -> tuple[AgreementInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["agreement_text"])
    agreed_on = f.date("agreed_on")
    agreed_by = f.text("agreed_by", LIMITS["agreed_by"])
    if agreed_on and agreed_on > today and "agreed_on" not in f.errors:
        f.errors["agreed_on"] = gettext("An agreement cannot be dated in the future.")
    if f.errors or agreed_on is None:
        return None, f.errors
    return AgreementInput(text, agreed_on, agreed_by), {}


@dataclass(frozen=True)
class StatusInput:
    text: str
    entry_date: dt.date


def parse_status(source: Mapping[str, Any], today: dt.date) -> tuple[StatusInput | None, Errors]:
    f = Fields(source)
    text = f.text("text", LIMITS["status_text"])
    entry_date = f.date("entry_date")
    if entry_date and entry_date > today and "entry_date" not in f.errors:
        f.errors["entry_date"] = gettext("A status cannot be dated in the future.")
    if f.errors or entry_date is None:
        return None, f.errors
    return StatusInput(text, entry_date), {}


def parse_final_status(source: Mapping[str, Any]) -> tuple[str | None, Errors]:
    f = Fields(source)
    text = f.text("final_status", LIMITS["final_status"])
    return (None, f.errors) if f.errors else (text, {})


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
    participant_id: int,
    data: InitiativeInput,
    author: Author,
    today: dt.date,
    initiative: Initiative | None = None,
    external_id: str | None = None,
) -> tuple[Initiative, bool]:
    """Create an initiative or add a version to it; (initiative, whether anything changed)."""
    if initiative is None:
        initiative = Initiative(
            participant_id=participant_id, external_id=external_id, status_entries=[]
        )
        db.add(initiative)
        await db.flush()
        previous = None
    else:
        previous = initiative.versions[-1]
        if all(getattr(previous, name) == getattr(data, name) for name in INITIATIVE_FIELDS):
            return initiative, False  # the same again changes nothing, even when locked
        if is_locked(previous, today):
            raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    version = InitiativeVersion(
        initiative_id=initiative.id,
        version=previous.version + 1 if previous else 1,
        cancelled=False,
        final_status=None,
        **{name: getattr(data, name) for name in INITIATIVE_FIELDS},
        **author.stamp(),
    )
    db.add(version)
    await db.flush()
    await db.refresh(initiative, ["versions"])
    return initiative, True


async def _successor(
    db: AsyncSession, initiative: Initiative, author: Author, **changes: Any
) -> InitiativeVersion:
    previous = initiative.versions[-1]
    values = {name: getattr(previous, name) for name in INITIATIVE_FIELDS}
    values.update(cancelled=previous.cancelled, final_status=previous.final_status)
    values.update(changes)
    version = InitiativeVersion(
        initiative_id=initiative.id, version=previous.version + 1, **values, **author.stamp()
    )
    db.add(version)
    await db.flush()
    await db.refresh(initiative, ["versions"])
    return version


async def end_initiative(
    db: AsyncSession,
    initiative: Initiative,
    final_status: str,
    author: Author,
    today: dt.date,
    end_date: dt.date | None = None,
) -> InitiativeVersion:
    """End with a final status; the end date is kept unless it lies ahead (then: today)."""
    current = initiative.versions[-1]
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
    return await _successor(db, initiative, author, final_status=final_status, end_date=end_date)


async def cancel_initiative(
    db: AsyncSession, initiative: Initiative, author: Author, today: dt.date
) -> InitiativeVersion:
    if is_locked(initiative.versions[-1], today):
        raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    return await _successor(db, initiative, author, cancelled=True)


async def add_status_entry(
    db: AsyncSession, initiative: Initiative, data: StatusInput, author: Author, today: dt.date
) -> StatusEntry:
    if is_locked(initiative.versions[-1], today):
        raise PlanError(gettext("An ended or cancelled initiative cannot be changed."))
    entry = StatusEntry(
        initiative_id=initiative.id,
        entry_date=data.entry_date,
        text=data.text,
        created_at=utcnow(),
        created_by_name=author.name,
        created_by_staff_id=author.staff_id,
        created_by_client=author.client,
    )
    db.add(entry)
    await db.flush()
    await db.refresh(initiative, ["status_entries"])
    return entry


async def save_goal(
    db: AsyncSession,
    participant_id: int,
    kind: str,
    data: GoalInput,
    author: Author,
    goal: Goal | None = None,
    external_id: str | None = None,
) -> tuple[Goal, bool]:
    if goal is None:
        goal = Goal(participant_id=participant_id, kind=kind, external_id=external_id)
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
    db.add(
        GoalVersion(
            goal_id=goal.id,
            version=previous.version + 1 if previous else 1,
            text=data.text,
            occupation_uri=data.occupation_uri,
            removed=False,
            **author.stamp(),
        )
    )
    await db.flush()
    await db.refresh(goal, ["versions"])
    return goal, True


async def remove_goal(db: AsyncSession, goal: Goal, author: Author) -> bool:
    previous = goal.versions[-1]
    if previous.removed:
        return False
    db.add(
        GoalVersion(
            goal_id=goal.id,
            version=previous.version + 1,
            text=previous.text,
            occupation_uri=previous.occupation_uri,
            removed=True,
            **author.stamp(),
        )
    )
    await db.flush()
    await db.refresh(goal, ["versions"])
    return True


async def save_agreement(
    db: AsyncSession, participant_id: int, data: AgreementInput, author: Author
) -> tuple[AgreementVersion, bool]:
    latest = await latest_agreement(db, participant_id)
    if latest is not None and (latest.text, latest.agreed_on, latest.agreed_by) == (
        data.text,
        data.agreed_on,
        data.agreed_by,
    ):
        return latest, False
    version = AgreementVersion(
        participant_id=participant_id,
        version=latest.version + 1 if latest else 1,
        text=data.text,
        agreed_on=data.agreed_on,
        agreed_by=data.agreed_by,
        **author.stamp(),
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


# ---------------------------------------------------------------- reading the plan


@dataclass
class InitiativeView:
    initiative: Initiative
    current: InitiativeVersion
    state: str
    statuses: list[StatusEntry]  # newest first
    moved_from: tuple[dt.date, dt.date | None] | None
    mark: str | None = None  # "new" or "changed" since the participant last looked
    changed: list[str] = field(default_factory=list)  # labels of what changed


@dataclass
class GoalView:
    goal: Goal
    current: GoalVersion
    mark: str | None = None


@dataclass
class Plan:
    job_goals: list[GoalView]
    progression_goals: list[GoalView]
    agreement: AgreementVersion | None
    agreement_mark: str | None
    initiatives: list[InitiativeView]
    last_changed_at: dt.datetime | None
    seen_at: dt.datetime | None

    @property
    def is_empty(self) -> bool:
        return not (self.job_goals or self.progression_goals or self.agreement or self.initiatives)

    @property
    def has_unseen_changes(self) -> bool:
        return self.last_changed_at is not None and (
            self.seen_at is None or self.last_changed_at > self.seen_at
        )


def _mark(
    created: dt.datetime, changes: Sequence[dt.datetime], seen_at: dt.datetime | None
) -> str | None:
    if seen_at is None:
        return None  # never looked: nothing is "changed", and the notice says the plan is there
    if created > seen_at:
        return "new"
    if any(moment > seen_at for moment in changes):
        return "changed"
    return None


def _changed_labels(
    versions: Sequence[InitiativeVersion], statuses: Sequence[StatusEntry], seen_at: dt.datetime
) -> list[str]:
    seen = [v for v in versions if v.changed_at <= seen_at]
    labels: list[str] = []
    if seen:
        before, now = seen[-1], versions[-1]
        for name, label in FIELD_LABELS.items():
            if getattr(before, name) != getattr(now, name) and str(label) not in labels:
                labels.append(str(label))
    if any(entry.created_at > seen_at for entry in statuses):
        labels.append(str(LATEST_STATUS_LABEL))
    return labels


def last_seen(db: Session, participant_id: int) -> dt.datetime | None:
    return db.scalar(
        select(func.max(PlanView.seen_at)).where(PlanView.participant_id == participant_id)
    )


def load_plan(
    db: Session, participant_id: int, today: dt.date, seen_at: dt.datetime | bool | None = True
) -> Plan:
    """The plan as it stands, marked against what the participant saw at `seen_at` (True: at
    their last look). Read-only; run it with `Database.read`."""
    if seen_at is True:
        seen_at = last_seen(db, participant_id)
    seen_at = seen_at or None
    goals = db.scalars(
        select(Goal).where(Goal.participant_id == participant_id).order_by(Goal.id)
    ).all()
    moments: list[dt.datetime] = []
    goal_views: dict[str, list[GoalView]] = {"job": [], "progression": []}
    for goal in goals:
        moments.extend(v.changed_at for v in goal.versions)
        latest = goal.versions[-1]
        if latest.removed:
            continue
        mark = _mark(goal.versions[0].changed_at, [v.changed_at for v in goal.versions], seen_at)
        goal_views[goal.kind].append(GoalView(goal, latest, mark))

    agreement = db.scalar(latest_agreement_query(participant_id))
    agreement_mark = None
    if agreement is not None:
        moments.append(agreement.changed_at)
        if seen_at is not None and agreement.changed_at > seen_at:
            agreement_mark = "changed" if agreement.version > 1 else "new"

    initiatives = db.scalars(
        select(Initiative).where(Initiative.participant_id == participant_id)
    ).all()
    views = []
    for initiative in initiatives:
        versions = initiative.versions
        statuses = list(initiative.status_entries)
        changes = [v.changed_at for v in versions] + [s.created_at for s in statuses]
        moments.extend(changes)
        current = versions[-1]
        view = InitiativeView(
            initiative=initiative,
            current=current,
            state=initiative_state(current, today),
            statuses=sorted(statuses, key=lambda s: (s.entry_date, s.id), reverse=True),
            moved_from=moved_from(versions),
            mark=_mark(initiative.created_at, changes, seen_at),
        )
        if view.mark == "changed" and seen_at is not None:
            view.changed = _changed_labels(versions, statuses, seen_at)
        views.append(view)
    views.sort(key=_timeline_key)
    return Plan(
        job_goals=goal_views["job"],
        progression_goals=goal_views["progression"],
        agreement=agreement,
        agreement_mark=agreement_mark,
        initiatives=views,
        last_changed_at=max(moments) if moments else None,
        seen_at=seen_at,
    )


def _timeline_key(view: InitiativeView) -> tuple[int, int]:
    """Ongoing by start, planned soonest first, ended and cancelled latest first."""
    order = STATE_ORDER[view.state]
    start = view.current.start_date.toordinal()
    end = (view.current.end_date or view.current.start_date).toordinal()
    return (order, start if view.state in ("ongoing", "planned") else -end)


async def record_seen(db: AsyncSession, participant_id: int) -> None:
    """The participant has now seen everything up to this moment (call it when they had not)."""
    db.add(PlanView(participant_id=participant_id, seen_at=utcnow()))
    await db.flush()


async def goals_history(
    db: AsyncSession, participant_id: int
) -> tuple[list[tuple[Goal, GoalVersion]], list[AgreementVersion]]:
    """Every version of every goal and of the agreement, newest first."""
    goals = (await db.scalars(select(Goal).where(Goal.participant_id == participant_id))).all()
    goal_versions = sorted(
        ((goal, version) for goal in goals for version in goal.versions),
        key=lambda pair: pair[1].changed_at,
        reverse=True,
    )
    agreements = (
        await db.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.participant_id == participant_id)
            .order_by(AgreementVersion.version.desc())
        )
    ).all()
    return goal_versions, list(agreements)


@cache
def unseen_changes_query() -> Any:
    """One statement: the plan's latest change and the participant's latest look at it.
    Built once; run it with {"participant_id": ...}."""
    participant_id: BindParameter[int] = bindparam("participant_id")
    goal_change = (
        select(func.max(GoalVersion.changed_at))
        .join(Goal, Goal.id == GoalVersion.goal_id)
        .where(Goal.participant_id == participant_id)
        .scalar_subquery()
    )
    agreement_change = (
        select(func.max(AgreementVersion.changed_at))
        .where(AgreementVersion.participant_id == participant_id)
        .scalar_subquery()
    )
    initiative_change = (
        select(func.max(InitiativeVersion.changed_at))
        .join(Initiative, Initiative.id == InitiativeVersion.initiative_id)
        .where(Initiative.participant_id == participant_id)
        .scalar_subquery()
    )
    status_change = (
        select(func.max(StatusEntry.created_at))
        .join(Initiative, Initiative.id == StatusEntry.initiative_id)
        .where(Initiative.participant_id == participant_id)
        .scalar_subquery()
    )
    seen = (
        select(func.max(PlanView.seen_at))
        .where(PlanView.participant_id == participant_id)
        .scalar_subquery()
    )
    return select(goal_change, agreement_change, initiative_change, status_change, seen)


def latest_change(
    row: Sequence[dt.datetime | None],
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the row of `unseen_changes_query`: (the plan's latest change, the last look)."""
    *changes, seen = row
    moments = [moment for moment in changes if moment is not None]
    return (max(moments) if moments else None), seen


def has_unseen_changes(row: Sequence[dt.datetime | None]) -> bool:
    """Changed after the participant's last look (or never looked at since it was written)."""
    last_change, seen = latest_change(row)
    return last_change is not None and (seen is None or last_change > seen)


@dataclass(frozen=True)
class SoughtOccupation:
    """An occupation the participant looks for work as (from "I am looking for a job as")."""

    uri: str | None
    label: str


@lru_cache(maxsize=4096)
def word_set(text: str) -> frozenset[str]:
    """The folded words of a text (goal texts and occupation labels recur on every page)."""
    return frozenset(words(text))


def _names_alike(goal: str, label: str) -> bool:
    """Whether a goal's text and an occupation's label name the same job: every word of one
    is a word of the other ("Bagare / konditor" names "bagare"), folded as search folds."""
    goal_words, label_words = word_set(goal), word_set(label)
    if not goal_words or not label_words:
        return False
    return label_words <= goal_words or goal_words <= label_words


class NamedGoal(Protocol):
    """What the job-goal check reads of a goal (a GoalVersion, or a row of its columns)."""

    @property
    def removed(self) -> bool: ...
    @property
    def occupation_uri(self) -> str | None: ...
    @property
    def text(self) -> str: ...


def job_goal_mismatch(job_goals: Sequence[NamedGoal], sought: Sequence[SoughtOccupation]) -> bool:
    """True when both lists have entries and no job goal names any occupation sought: the
    seeds ask that the job goal be the same in My Plan, My CV and "I am looking for a job as".
    A goal matches by occupation (URI) or by its text (see `_names_alike`)."""
    goals = [goal for goal in job_goals if not goal.removed]
    if not goals or not sought:
        return False
    uris = {occupation.uri for occupation in sought if occupation.uri}
    return not any(
        (goal.occupation_uri and goal.occupation_uri in uris)
        or any(_names_alike(goal.text, occupation.label) for occupation in sought)
        for goal in goals
    )
