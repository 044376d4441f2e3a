"""My Plan as the participant sees it: the plan's items in timeline order, each marked new or
changed against the revision the participant last saw, and the one-statement read of whether
anything is unseen. Read-only; the writes are in `plan.service`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from portal.db import utcnow
from portal.fast_rows import typed_row
from portal.plan.models import (
    AgreementVersion,
    Goal,
    GoalVersion,
    Initiative,
    InitiativeVersion,
    PlanRevision,
    PlanView,
    StatusEntry,
)
from portal.plan.service import (
    FIELD_LABELS,
    LATEST_STATUS_LABEL,
    STATE_ORDER,
    initiative_state,
    latest_agreement_query,
    moved_from,
)


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


class Seen(NamedTuple):
    """The participant's latest look at the plan: the revision seen, and when."""

    revision: int
    at: dt.datetime


@dataclass
class Plan:
    job_goals: list[GoalView]
    progression_goals: list[GoalView]
    agreement: AgreementVersion | None
    agreement_mark: str | None
    initiatives: list[InitiativeView]
    revision: int  # 0: never written
    last_changed_at: dt.datetime | None
    seen: Seen | None

    @property
    def is_empty(self) -> bool:
        return not (self.job_goals or self.progression_goals or self.agreement or self.initiatives)

    @property
    def seen_at(self) -> dt.datetime | None:
        return self.seen.at if self.seen else None

    @property
    def has_unseen_changes(self) -> bool:
        return self.revision > (self.seen.revision if self.seen else 0)


def _mark(created: int, changes: Sequence[int], seen: int | None) -> str | None:
    if seen is None:
        return None  # never looked: nothing is "changed", and the notice says the plan is there
    if created > seen:
        return "new"
    if any(revision > seen for revision in changes):
        return "changed"
    return None


def _changed_labels(
    versions: Sequence[InitiativeVersion], statuses: Sequence[StatusEntry], seen: int
) -> list[str]:
    known = [v for v in versions if v.revision <= seen]
    labels: list[str] = []
    if known:
        before, now = known[-1], versions[-1]
        for name, label in FIELD_LABELS.items():
            if getattr(before, name) != getattr(now, name) and str(label) not in labels:
                labels.append(str(label))
    if any(entry.revision > seen for entry in statuses):
        labels.append(str(LATEST_STATUS_LABEL))
    return labels


def last_seen(db: Session, participant_id: int) -> Seen | None:
    row = db.execute(
        select(PlanView.revision, PlanView.seen_at)
        .where(PlanView.participant_id == participant_id)
        .order_by(PlanView.revision.desc(), PlanView.seen_at.desc())
        .limit(1)
    ).first()
    return Seen(row.revision, row.seen_at) if row else None


def load_plan(
    db: Session, participant_id: int, today: dt.date, seen: Seen | bool | None = True
) -> Plan:
    """The plan as it stands, marked against what the participant saw (`seen`; True: their
    last look; None: no marks). Read-only; run it with `Database.read`."""
    if seen is True:
        seen = last_seen(db, participant_id)
    seen = seen or None
    seen_revision = seen.revision if seen else None
    revisions: list[int] = []
    moments: list[dt.datetime] = []
    goals = db.scalars(
        select(Goal).where(Goal.participant_id == participant_id).order_by(Goal.id)
    ).all()
    goal_views: dict[str, list[GoalView]] = {"job": [], "progression": []}
    for goal in goals:
        revisions.extend(v.revision for v in goal.versions)
        moments.extend(v.changed_at for v in goal.versions)
        latest = goal.versions[-1]
        if latest.removed:
            continue
        mark = _mark(goal.versions[0].revision, [v.revision for v in goal.versions], seen_revision)
        goal_views[goal.kind].append(GoalView(goal, latest, mark))

    agreement = db.scalar(latest_agreement_query(participant_id))
    agreement_mark = None
    if agreement is not None:
        revisions.append(agreement.revision)
        moments.append(agreement.changed_at)
        if seen_revision is not None and agreement.revision > seen_revision:
            agreement_mark = "changed" if agreement.version > 1 else "new"

    initiatives = db.scalars(
        select(Initiative).where(Initiative.participant_id == participant_id)
    ).all()
    views = []
    for initiative in initiatives:
        versions = initiative.versions
        statuses = list(initiative.status_entries)
        changes = [v.revision for v in versions] + [s.revision for s in statuses]
        revisions.extend(changes)
        moments.extend([v.changed_at for v in versions] + [s.created_at for s in statuses])
        current = versions[-1]
        view = InitiativeView(
            initiative=initiative,
            current=current,
            state=initiative_state(current, today),
            statuses=sorted(statuses, key=lambda s: (s.entry_date, s.id), reverse=True),
            moved_from=moved_from(versions),
            mark=_mark(versions[0].revision, changes, seen_revision),
        )
        if view.mark == "changed" and seen_revision is not None:
            view.changed = _changed_labels(versions, statuses, seen_revision)
        views.append(view)
    views.sort(key=_timeline_key)
    return Plan(
        job_goals=goal_views["job"],
        progression_goals=goal_views["progression"],
        agreement=agreement,
        agreement_mark=agreement_mark,
        initiatives=views,
        revision=max(revisions, default=0),
        last_changed_at=max(moments) if moments else None,
        seen=seen,
    )


def _timeline_key(view: InitiativeView) -> tuple[int, int]:
    """Ongoing by start, planned soonest first, ended and cancelled latest first."""
    order = STATE_ORDER[view.state]
    start = view.current.start_date.toordinal()
    end = (view.current.end_date or view.current.start_date).toordinal()
    return (order, start if view.state in ("ongoing", "planned") else -end)


async def record_seen(db: AsyncSession, participant_id: int, revision: int) -> None:
    """The participant has now seen the plan as of `revision` (the one their page showed; a
    change committed after it stays unseen)."""
    db.add(PlanView(participant_id=participant_id, seen_at=utcnow(), revision=revision))
    await db.flush()


async def goals_history(
    db: AsyncSession, participant_id: int
) -> tuple[list[tuple[Goal, GoalVersion]], list[AgreementVersion]]:
    """Every version of every goal and of the agreement, newest first."""
    goals = (await db.scalars(select(Goal).where(Goal.participant_id == participant_id))).all()
    goal_versions = sorted(
        ((goal, version) for goal in goals for version in goal.versions),
        key=lambda pair: pair[1].revision,
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


class PlanState(NamedTuple):
    """A row of `unseen_changes_query`."""

    revision: int | None  # None: never written
    changed_at: dt.datetime | None
    seen_revision: int | None  # None: never looked
    seen_at: dt.datetime | None


@cache
def unseen_changes_query() -> Any:
    """One statement: the plan's revision and its moment, and the participant's latest look.
    Built once; run it with {"participant_id": ...}; read the row with `plan_state`."""
    participant_id: BindParameter[int] = bindparam("participant_id")
    current = select(PlanRevision).where(PlanRevision.participant_id == participant_id)
    looks = select(PlanView).where(PlanView.participant_id == participant_id)
    return select(
        current.with_only_columns(PlanRevision.revision).scalar_subquery().label("revision"),
        current.with_only_columns(PlanRevision.changed_at).scalar_subquery().label("changed_at"),
        looks.with_only_columns(func.max(PlanView.revision))
        .scalar_subquery()
        .label("seen_revision"),
        looks.with_only_columns(func.max(PlanView.seen_at)).scalar_subquery().label("seen_at"),
    )


def plan_state(row: Any) -> PlanState:
    """The row of `unseen_changes_query`, by name."""
    return typed_row(PlanState, row)


def has_unseen_changes(state: PlanState) -> bool:
    """Changed after the participant's last look (or never looked at since it was written)."""
    return state.revision is not None and state.revision > (state.seen_revision or 0)


class InitiativePeriod(NamedTuple):
    """An initiative's title and period as it stands (what other domains read of it)."""

    initiative_id: int
    title: str
    start_date: dt.date
    end_date: dt.date | None


@cache
def initiative_periods_query() -> Any:
    """Each of the participant's initiatives (run with {"participant_id"}) with its latest
    version's title and period, in order of start: `InitiativePeriod` rows."""
    latest = (
        select(InitiativeVersion.initiative_id, func.max(InitiativeVersion.version).label("v"))
        .join(Initiative, Initiative.id == InitiativeVersion.initiative_id)
        .where(Initiative.participant_id == bindparam("participant_id"))
        .group_by(InitiativeVersion.initiative_id)
        .subquery()
    )
    return (
        select(
            InitiativeVersion.initiative_id,
            InitiativeVersion.title,
            InitiativeVersion.start_date,
            InitiativeVersion.end_date,
        )
        .join(
            latest,
            (latest.c.initiative_id == InitiativeVersion.initiative_id)
            & (latest.c.v == InitiativeVersion.version),
        )
        .order_by(InitiativeVersion.start_date, InitiativeVersion.initiative_id)
    )


async def initiative_periods(db: AsyncSession, participant_id: int) -> list[InitiativePeriod]:
    """`initiative_periods_query`'s periods, read in a session (the activities an hour
    history is registered against)."""
    rows = await db.execute(initiative_periods_query(), {"participant_id": participant_id})
    return [InitiativePeriod(*row) for row in rows]
