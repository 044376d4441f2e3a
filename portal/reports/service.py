"""Writing provider reports and deciding them: drafts, submission, corrections as new
versions, the reviewer's one decision per version, and the queries scoped to a provider's or
a reviewer's organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.db import Database, select_objects
from portal.hours.service import Month
from portal.participants.models import Participant
from portal.participants.search import END, matches_every_word
from portal.reports import summary
from portal.reports.models import (
    FinalConfirmation,
    Intervention,
    Report,
    ReportDecision,
    ReportVersion,
)
from portal.reports.rules import Period
from portal.staff.models import Organisation, StaffUser
from portal.web.i18n import gettext


class ReportsError(Exception):
    """A write the rules refuse; `message` is translated, for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def period_of(intervention: Intervention) -> Period:
    return Period(intervention.start_date, intervention.end_date)


def provider_interventions(organisation_id: int) -> Select[Intervention]:
    """The interventions a provider organisation runs: the one scope of its registrars."""
    return select(Intervention).where(Intervention.provider_id == organisation_id)


def reviewed_interventions(organisation_id: int) -> Select[Intervention]:
    """The interventions an organisation reviews: the one scope of its reviewers."""
    return select(Intervention).where(Intervention.reviewer_organisation_id == organisation_id)


async def participant_interventions(
    db: AsyncSession, organisation_id: int, participant_id: int
) -> Sequence[Intervention]:
    query = (
        provider_interventions(organisation_id)
        .where(Intervention.participant_id == participant_id)
        .order_by(Intervention.start_date.desc())
    )
    return (await db.scalars(query)).all()


async def reports_of(db: AsyncSession, intervention_ids: Sequence[int]) -> Sequence[Report]:
    query = (
        select(Report)
        .where(Report.intervention_id.in_(intervention_ids))
        .order_by(Report.kind, Report.period.desc())
    )
    return (await db.scalars(query)).all()


async def find_report(
    db: AsyncSession, intervention_id: int, kind: str, period: str = ""
) -> Report | None:
    query = select(Report).where(
        Report.intervention_id == intervention_id, Report.kind == kind, Report.period == period
    )
    return await db.scalar(query.execution_options(populate_existing=True))


def latest_with(report: Report | None, outcome: str) -> ReportVersion | None:
    """The newest version of the report decided with `outcome` ("approved", "returned")."""
    if report is None:
        return None
    for version in reversed(report.versions):
        if version.decision is not None and version.decision.outcome == outcome:
            return version
    return None


def latest_submitted(report: Report | None) -> ReportVersion | None:
    if report is None:
        return None
    submitted = [v for v in report.versions if v.state == "submitted"]
    return submitted[-1] if submitted else None


async def approved_plan(db: AsyncSession, intervention_id: int) -> list[dict[str, str]] | None:
    """The sub-activities of the intervention's approved implementation plan (its newest
    approved version), or None while no plan is approved."""
    version = latest_with(await find_report(db, intervention_id, "plan"), "approved")
    if version is None:
        return None
    activities: list[dict[str, str]] = version.content.get("activities", [])
    return activities


def editable(report: Report | None) -> bool:
    """A report can be written while it has no version or its newest is a draft."""
    return report is None or not report.versions or report.versions[-1].state == "draft"


async def save_draft(
    db: AsyncSession,
    intervention: Intervention,
    kind: str,
    period: str,
    content: dict[str, Any],
    author: StaffUser,
    now: dt.datetime,
) -> tuple[Report, ReportVersion]:
    """Keep `content` as the report's draft: the newest version when it is a draft, else a
    new one. A submitted version waiting for its review cannot be changed."""
    report = await find_report(db, intervention.id, kind, period)
    if report is None:
        report = Report(intervention_id=intervention.id, kind=kind, period=period, state="draft")
        report.versions = []
        db.add(report)
        await summary.refresh(db, intervention.id)
    latest = report.versions[-1] if report.versions else None
    if latest is not None and latest.state != "draft":
        raise ReportsError(
            gettext("This report is submitted and cannot be changed; start a correction.")
        )
    if latest is None:
        latest = ReportVersion(
            report_id=report.id,
            version=1,
            updated_by_name=author.full_name,
            decision=None,
            confirmation=None,
        )
        report.versions.append(latest)
    latest.content = content
    latest.updated_at = now
    latest.updated_by_name = author.full_name
    await db.flush()
    return report, latest


async def submit(
    db: AsyncSession, report: Report, content: dict[str, Any], author: StaffUser, now: dt.datetime
) -> ReportVersion:
    """Lock the draft as submitted; the report waits for its review."""
    latest = report.versions[-1] if report.versions else None
    if latest is None or latest.state != "draft":
        raise ReportsError(gettext("This report was submitted already."))
    latest.content = content
    latest.state = "submitted"
    latest.submitted_at = now
    latest.submitted_by_staff_id = author.id
    latest.submitted_by_name = author.full_name
    latest.updated_at = now
    report.state = "submitted"
    report.state_at = now
    report.submitted_at = now
    await summary.refresh(db, report.intervention_id)
    return latest


async def start_correction(
    db: AsyncSession, report: Report, author: StaffUser, now: dt.datetime
) -> ReportVersion:
    """A new draft version from the newest submitted one: a returned report is corrected, an
    approved one changed. A version waiting for its review is not."""
    latest = report.versions[-1]
    if latest.state == "draft":
        return latest
    if latest.decision is None:
        raise ReportsError(gettext("The report waits for its review; it cannot be changed now."))
    draft = ReportVersion(
        report_id=report.id,
        version=latest.version + 1,
        content=dict(latest.content),
        updated_at=now,
        updated_by_name=author.full_name,
        decision=None,
        confirmation=None,
    )
    report.versions.append(draft)
    await db.flush()
    return draft


async def decide(
    db: AsyncSession,
    report: Report,
    version_number: int,
    outcome: str,
    comment: str,
    reviewer: StaffUser,
    now: dt.datetime,
) -> ReportDecision:
    """The reviewer's approval or return of the submitted version `version_number`. A version
    is decided once: a second decision (another reviewer at the same moment, or a double
    click) is refused, by the rule here and by the database's unique version id."""
    submitted = latest_submitted(report)
    if submitted is None or submitted.version != version_number:
        raise ReportsError(gettext("This version is no longer the one to review; reload."))
    if submitted.decision is not None:
        raise ReportsError(already_decided(submitted.decision))
    decision = ReportDecision(
        version_id=submitted.id,
        outcome=outcome,
        comment=comment,
        reviewer_staff_id=reviewer.id,
        reviewer_name=reviewer.full_name,
        decided_at=now,
    )
    submitted.decision = decision
    try:
        await db.flush()
    except IntegrityError:
        raise ReportsError(gettext("Another reviewer decided this version just now.")) from None
    if report.versions[-1].id == submitted.id:
        report.state = outcome
    if outcome == "approved":
        report.approved_version = submitted.version
    report.state_at = now
    await summary.refresh(db, report.intervention_id)
    return decision


def already_decided(decision: ReportDecision) -> str:
    if decision.outcome == "approved":
        return gettext("%(name)s approved this version already.", name=decision.reviewer_name)
    return gettext("%(name)s returned this version already.", name=decision.reviewer_name)


def reviewed_and_submitted(query: Select[Any]) -> Select[Any]:
    """`query` over the submitted reports the organisation {"organisation_id"} reviews, each
    joined to its intervention, participant and provider: the one rule of the review queue."""
    return (
        query.select_from(Report)
        .join(Intervention, Intervention.id == Report.intervention_id)
        .join(Participant, Participant.id == Intervention.participant_id)
        .join(Organisation, Organisation.id == Intervention.provider_id)
        .where(
            Intervention.reviewer_organisation_id == bindparam("organisation_id"),
            Report.state == "submitted",
        )
    )


QUEUE_SHOWN = 200
QUEUE_ROW = (Report, Participant, None)  # how `read_objects` reads a row of `queue_page_query`


@cache
def queue_page_query(by_provider: bool, by_kind: bool, words: int) -> Select[Any]:
    """The queue's first reports, oldest first, as QUEUE_ROW for `Database.read_objects`,
    built once per shape of the filters; run with {"organisation_id"} and, as filtered,
    {"provider_id"}, {"kind"} and each word's {"w<n>", "w<n>_end"} (the start of a word of
    the participant's name or personal number)."""
    query = (
        reviewed_and_submitted(select_objects(Report, Participant, Organisation.name))
        .order_by(Report.submitted_at, Report.id)
        .limit(QUEUE_SHOWN)
    )
    if by_provider:
        query = query.where(Intervention.provider_id == bindparam("provider_id"))
    if by_kind:
        query = query.where(Report.kind == bindparam("kind"))
    if words:
        found: list[Any] = [bindparam(f"w{n}") for n in range(words)]
        query = query.where(*matches_every_word(found, Intervention.participant_id))
    return query


@cache
def waiting_for_review_query() -> Select[Any]:
    """How many reports wait in the queue of {"organisation_id"}."""
    return reviewed_and_submitted(select(func.count()))


@cache
def reviewed_providers_query() -> Any:
    """The provider organisations whose interventions {"organisation_id"} reviews, by name."""
    return (
        select(Organisation.id, Organisation.name)
        .where(
            Organisation.id.in_(
                select(Intervention.provider_id).where(
                    Intervention.reviewer_organisation_id == bindparam("organisation_id")
                )
            )
        )
        .order_by(Organisation.name)
    )


async def queue_page(
    database: Database,
    organisation_id: int,
    provider: str,
    kind: str,
    words: Sequence[str],
) -> tuple[list[tuple[str, str]], list[Any]]:
    """The providers this organisation reviews (id as text, name), and the first reports of
    its queue as (report, participant, provider's name); `provider` counts only when it is
    one of those providers."""
    values: dict[str, Any] = {
        "organisation_id": organisation_id,
        "kind": kind,
        **{f"w{n}": word for n, word in enumerate(words)},
        **{f"w{n}_end": word + END for n, word in enumerate(words)},
    }
    (providers,) = await database.read_all((reviewed_providers_query(), values))
    options = [(str(id), str(name)) for id, name in providers]
    by_provider = provider in {id for id, _ in options}
    values["provider_id"] = int(provider) if by_provider else 0
    (rows,) = await database.read_objects(
        (QUEUE_ROW, queue_page_query(by_provider, bool(kind), len(words)), values)
    )
    return options, rows


async def report_for_reviewer(
    db: AsyncSession, organisation_id: int, report_id: int
) -> Report | None:
    """A report of an intervention this organisation reviews (others: None, answered 404)."""
    query = (
        select(Report)
        .join(Intervention, Intervention.id == Report.intervention_id)
        .where(Report.id == report_id, Intervention.reviewer_organisation_id == organisation_id)
    )
    return await db.scalar(query.execution_options(populate_existing=True))


def due_months(period: Period, today: dt.date) -> list[Month]:
    """The months of the intervention that have ended, newest first: those a monthly report
    can be written for."""
    return [m for m in reversed(period.months()) if m.last < today]


async def waiting_for_review(database: Database, organisation_id: int) -> int:
    """How many submitted reports wait for this organisation's review."""
    (rows,) = await database.read_all(
        (waiting_for_review_query(), {"organisation_id": organisation_id})
    )
    return int(rows[0][0])


# ---------------------------------------------------------------- the participant's view


async def interventions_of_participant(
    db: AsyncSession, participant_id: int
) -> list[tuple[Intervention, str, Sequence[Report]]]:
    """Every intervention of the participant, newest first, with its provider's name and its
    plan and final report."""
    found = (
        await db.execute(
            select(Intervention, Organisation.name)
            .join(Organisation, Organisation.id == Intervention.provider_id)
            .where(Intervention.participant_id == participant_id)
            .order_by(Intervention.start_date.desc())
        )
    ).all()
    reports = (
        await db.scalars(
            select(Report).where(
                Report.intervention_id.in_([i.id for i, _name in found]),
                Report.kind.in_(("plan", "final")),
            )
        )
    ).all()
    return [
        (intervention, name, [r for r in reports if r.intervention_id == intervention.id])
        for intervention, name in found
    ]


@cache
def to_confirm_query() -> Select[int, str]:
    """The final reports the participant is asked to confirm and has not (`asks_confirmation`
    and no confirmation yet, in one statement for the start page; a test holds the two to the
    same answer: run with {"participant_id"}):
    report id and provider name, oldest first. Built once, so the fast read paths compile it
    once."""
    newer = aliased(ReportVersion)
    return (
        select(Report.id, Organisation.name)
        .join(Intervention, Intervention.id == Report.intervention_id)
        .join(Organisation, Organisation.id == Intervention.provider_id)
        .join(ReportVersion, ReportVersion.report_id == Report.id)
        .where(
            Intervention.participant_id == bindparam("participant_id"),
            Report.kind == "final",
            ReportVersion.state == "submitted",
            ~exists().where(
                newer.report_id == Report.id,
                newer.state == "submitted",
                newer.version > ReportVersion.version,
            ),
            ReportVersion.content["ask_confirmation"].as_string() == "yes",
            ~exists().where(
                ReportDecision.version_id == ReportVersion.id,
                ReportDecision.outcome == "returned",
            ),
            ~exists().where(FinalConfirmation.version_id == ReportVersion.id),
        )
        .order_by(Report.id)
    )


def asks_confirmation(report: Report) -> ReportVersion | None:
    """The final report version the participant is asked to confirm: the newest submitted one,
    when the provider asked for it and it is not returned."""
    submitted = latest_submitted(report)
    if report.kind != "final" or submitted is None:
        return None
    if submitted.content.get("ask_confirmation") != "yes":
        return None
    if submitted.decision is not None and submitted.decision.outcome == "returned":
        return None
    return submitted


def shown_to_participant(report: Report) -> ReportVersion | None:
    """What the participant reads of a report: a final report they are asked to confirm, else
    the newest approved version (nothing before approval)."""
    return asks_confirmation(report) or latest_with(report, "approved")


async def confirm_final(
    db: AsyncSession, participant_id: int, report_id: int, version_number: int, signature_id: int
) -> FinalConfirmation:
    report = await db.scalar(
        select(Report)
        .join(Intervention, Intervention.id == Report.intervention_id)
        .where(Report.id == report_id, Intervention.participant_id == participant_id)
        .execution_options(populate_existing=True)
    )
    version = asks_confirmation(report) if report is not None else None
    if version is None or version.version != version_number:
        raise ReportsError(gettext("This report is no longer the one to confirm; look again."))
    if version.confirmation is not None:
        raise ReportsError(gettext("You have confirmed this report already."))
    confirmation = FinalConfirmation(
        version_id=version.id, participant_id=participant_id, signature_id=signature_id
    )
    version.confirmation = confirmation
    await db.flush()
    return confirmation
