"""What a provider has to do about reports: returned reports with the reviewer's comment
(until corrected and resubmitted), and the reports the status board shows as missing (the
plan, last month's monthly report, the final report of an ended intervention). Shown on the
provider's start page, and sent once a day by e-mail to those who subscribed (as counts and a
link: an e-mail is no place for participants' names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.db import Database, utcnow
from portal.notify.service import send_email
from portal.participants.models import Participant
from portal.reports import board
from portal.reports.models import (
    Intervention,
    ReminderSubscription,
    Report,
    ReportDecision,
    ReportVersion,
)
from portal.settings import Settings
from portal.staff.models import StaffUser
from portal.web.i18n import current_language, gettext, national_language, ngettext

SHOWN = 20
DIGEST = "report_reminders"


@dataclass
class Reminders:
    returned: list[Any]  # rows: report, participant and the reviewer's comment
    returned_total: int
    missing: list[Any]  # board rows with at least one missing cell
    missing_total: int
    last_month: str

    @property
    def any(self) -> bool:
        return bool(self.returned_total or self.missing_total)


@cache
def returned_statements() -> tuple[Any, Any]:
    """The provider's (`:organisation`) returned reports with the comment of the return,
    oldest first (the first SHOWN), and how many there are: built once, so that they are
    compiled once (built with the provider's id in them, each request compiled them anew,
    most of the provider's start page)."""
    version, later = aliased(ReportVersion), aliased(ReportVersion)
    newest_sent = (
        select(func.max(later.version))
        .where(later.report_id == Report.id, later.state == "submitted")
        .scalar_subquery()
    )
    returned = (
        select(
            Report.id,
            Report.kind,
            Report.period,
            Intervention.id.label("intervention_id"),
            Participant.id.label("participant_id"),
            Participant.first_name,
            Participant.last_name,
            ReportDecision.comment,
            ReportDecision.reviewer_name,
            ReportDecision.decided_at,
        )
        .join(Intervention, Intervention.id == Report.intervention_id)
        .join(Participant, Participant.id == Intervention.participant_id)
        .join(version, version.report_id == Report.id)
        .join(ReportDecision, ReportDecision.version_id == version.id)
        .where(
            Intervention.provider_id == bindparam("organisation"),
            Report.state == "returned",
            version.version == newest_sent,
        )
        .order_by(ReportDecision.decided_at, Report.id)
    )
    counted = select(func.count()).select_from(returned.order_by(None).subquery())
    return returned.limit(SHOWN), counted


async def provider_reminders(database: Database, organisation_id: int, today: dt.date) -> Reminders:
    shown, counted = returned_statements()
    provider = {"organisation": organisation_id}
    returned_rows, (returned_total,) = await database.read_all(
        (shown, provider), (counted, provider)
    )
    scope = board.Scope(organisation_id, provider=True, reviewer=False)
    missing = await board.board_page(
        database, scope, board.BoardQuery(status="missing", sort="end"), today
    )
    return Reminders(
        list(returned_rows),
        int(returned_total[0]),
        missing.rows[:SHOWN],
        missing.total,
        missing.last_month,
    )


# ---------------------------------------------------------------- the daily e-mail


async def subscribed(db: AsyncSession, staff_user_id: int) -> bool:
    return await db.get(ReminderSubscription, staff_user_id) is not None


async def set_subscription(db: AsyncSession, user: StaffUser, on: bool) -> None:
    found = await db.get(ReminderSubscription, user.id)
    if on and found is None:
        db.add(ReminderSubscription(staff_user_id=user.id, created_at=utcnow()))
    elif not on and found is not None:
        await db.delete(found)
    await db.flush()


def digest_text(reminders: Reminders, base_url: str) -> tuple[str, str]:
    """Subject and body of the daily e-mail, in the current language."""
    lines = []
    if reminders.returned_total:
        lines.append(
            ngettext(
                "%(num)s report was returned for revision.",
                "%(num)s reports were returned for revision.",
                reminders.returned_total,
            )
        )
    if reminders.missing_total:
        lines.append(
            ngettext(
                "%(num)s participant has a report to send.",
                "%(num)s participants have a report to send.",
                reminders.missing_total,
            )
        )
    lines.append(gettext("Log in to see them: %(url)s", url=f"{base_url}/staff/"))
    return gettext("Reports to do"), "\n".join(lines)


async def send_daily_digests(
    database: Database, settings: Settings, moment: dt.datetime | None = None
) -> int:
    """Queue today's e-mail for every subscriber who has not had it today (from 06:00 in the
    deployment's time zone), when they have something to do. Returns how many were queued."""
    local = (moment or utcnow()).astimezone(ZoneInfo(settings.timezone))
    today = local.date()
    if local.hour < 6:
        return 0
    async with database.sessions() as db:
        due = (
            await db.execute(
                select(ReminderSubscription.staff_user_id, StaffUser.organisation_id)
                .join(StaffUser, StaffUser.id == ReminderSubscription.staff_user_id)
                .where(
                    or_(
                        ReminderSubscription.last_sent_on.is_(None),
                        ReminderSubscription.last_sent_on < today,
                    )
                )
            )
        ).all()
    queued = 0
    for staff_user_id, organisation_id in due:
        reminders = await provider_reminders(database, organisation_id, today)
        async with database.transaction() as db:
            # Marked sent in the same statement that checks it: of two workers, one sends.
            claimed = await db.execute(
                update(ReminderSubscription)
                .where(
                    ReminderSubscription.staff_user_id == staff_user_id,
                    or_(
                        ReminderSubscription.last_sent_on.is_(None),
                        ReminderSubscription.last_sent_on < today,
                    ),
                )
                .values(last_sent_on=today)
            )
            user = await db.get(StaffUser, staff_user_id)
            if not claimed.rowcount or user is None:  # type: ignore[attr-defined]
                continue
            if reminders.any:
                token = current_language.set(user.language or national_language(settings.country))
                try:
                    subject, body = digest_text(reminders, settings.base_url)
                finally:
                    current_language.reset(token)
                await send_email(db, user.email, DIGEST, subject, body)
                queued += 1
    return queued
