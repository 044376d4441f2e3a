"""The participant's side of an hour history: the reports they see, approving by signature or
marking not agreed, and consent to pass the data on (given with an approval, withdrawn at any
time), each kept with its signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.auth.models import Signature
from portal.hours.models import (
    ConsentEvent,
    HourEntry,
    HourReport,
    HourReportVersion,
    HourResponse,
)
from portal.hours.service import (
    COMMENT_LIMIT,
    CONSENT_NOTICE_VERSION,
    EXPIRY_MONTHS,
    HoursError,
    Month,
    add_months,
    is_expired,
    latest_submitted,
    statistics_agency,
)
from portal.web.i18n import Formatter, gettext

# ---------------------------------------------------------------- participant's side


class Waiting(NamedTuple):
    """An hour history that waits for the participant's answer, and the moment it disappears."""

    report_id: int
    year: int
    month: int
    submitted_at: dt.datetime

    @property
    def month_start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def disappears_at(self) -> dt.datetime:
        return add_months(self.submitted_at, EXPIRY_MONTHS)


@cache
def waiting_for_answer_query() -> Select[int, int, int, dt.datetime | None]:
    """The participant's hour histories whose latest sent version has no answer yet (run with
    {"participant_id"}; `waiting_for_answer` leaves out the expired ones), oldest first."""
    sent = aliased(HourReportVersion)
    latest = (
        select(func.max(sent.version))
        .where(sent.report_id == HourReport.id, sent.state == "submitted")
        .scalar_subquery()
    )
    return (
        select(HourReport.id, HourReport.year, HourReport.month, HourReportVersion.submitted_at)
        .join(HourReportVersion, HourReportVersion.report_id == HourReport.id)
        .where(
            HourReport.participant_id == bindparam("participant_id"),
            HourReportVersion.state == "submitted",
            HourReportVersion.version == latest,
            ~exists().where(HourResponse.version_id == HourReportVersion.id),
        )
        .order_by(HourReport.year, HourReport.month)
    )


def waiting_for_answer(rows: Iterable[Any], now: dt.datetime) -> list[Waiting]:
    """The rows of `waiting_for_answer_query` that have not expired."""
    waiting = [Waiting(*row) for row in rows]
    return [w for w in waiting if w.submitted_at is not None and now < w.disappears_at]


def participant_reports_query(participant_id: int) -> Select[HourReport]:
    return (
        select(HourReport)
        .where(HourReport.participant_id == participant_id)
        .order_by(HourReport.year.desc(), HourReport.month.desc(), HourReport.id.desc())
    )


def visible_to_participant(report: HourReport, now: dt.datetime) -> HourReportVersion | None:
    """The version the participant sees, or None: nothing submitted yet, or expired."""
    version = latest_submitted(report)
    if version is None or is_expired(version, now):
        return None
    return version


async def participant_report(
    db: AsyncSession, participant_id: int, report_id: int, now: dt.datetime
) -> tuple[HourReport, HourReportVersion] | None:
    report = await db.scalar(
        participant_reports_query(participant_id).where(HourReport.id == report_id)
    )
    if report is None:
        return None
    version = visible_to_participant(report, now)
    return None if version is None else (report, version)


async def consent_in_force(db: AsyncSession, participant_id: int) -> ConsentEvent | None:
    """The consent event in force now: the latest event, when it gave consent."""
    latest = await db.scalar(
        select(ConsentEvent)
        .where(ConsentEvent.participant_id == participant_id)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.kind == "given" else None


async def consent_history(db: AsyncSession, participant_id: int) -> Sequence[ConsentEvent]:
    return (
        await db.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.participant_id == participant_id)
            .order_by(ConsentEvent.id.desc())
        )
    ).all()


async def may_offer_consent(db: AsyncSession, participant_id: int) -> bool:
    """Consent is asked with an approval whenever it is not in force. Since nothing else asks
    for it, it is never asked before the first approval."""
    return await consent_in_force(db, participant_id) is None


def approval_document(
    report: HourReport, version: HourReportVersion, participant_id: int, consent: bool
) -> dict[str, Any]:
    """What an approval signs, in a canonical form that does not depend on the language."""
    return {
        "purpose": "hour_history_approval",
        "participant": participant_id,
        "report": report.id,
        "month": str(Month(report.year, report.month)),
        "version": version.version,
        "total_hours": f"{version.total_hours:.2f}",
        "entries_sha256": entries_digest(version.entries),
        "consent_esf_scb": consent,
        "consent_notice": CONSENT_NOTICE_VERSION if consent else None,
    }


def withdrawal_document(participant_id: int) -> dict[str, Any]:
    return {
        "purpose": "consent_withdrawal",
        "participant": participant_id,
        "consent_notice": CONSENT_NOTICE_VERSION,
    }


def entries_digest(entries: Iterable[HourEntry]) -> str:
    lines = "\n".join(f"{e.day.isoformat()};{e.activity};{e.hours:.2f}" for e in entries)
    return hashlib.sha256(lines.encode()).hexdigest()


def canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def approve(
    db: AsyncSession,
    participant_id: int,
    report_id: int,
    version_number: int,
    consent: bool,
    signature: Signature,
    now: dt.datetime,
) -> HourResponse:
    """Record a signed approval (and the consent given with it) of exactly the signed version."""
    found = await participant_report(db, participant_id, report_id, now)
    if found is None:
        raise HoursError(gettext("This hour history can no longer be approved."))
    _report, version = found
    if version.version != version_number:
        raise HoursError(
            gettext("The provider has corrected this month since you started. Look it over again.")
        )
    if version.response is not None:
        raise HoursError(gettext("You have already answered this hour history."))
    if consent and not await may_offer_consent(db, participant_id):
        consent = False  # already in force: nothing to give again
    response = HourResponse(kind="approved", responded_at=now, signature_id=signature.id)
    version.response = response
    if consent:
        db.add(
            ConsentEvent(
                participant_id=participant_id,
                kind="given",
                at=now,
                notice_version=CONSENT_NOTICE_VERSION,
                signature_id=signature.id,
            )
        )
    await db.flush()
    return response


async def not_agreed(
    db: AsyncSession, participant_id: int, report_id: int, comment: str, now: dt.datetime
) -> HourResponse:
    found = await participant_report(db, participant_id, report_id, now)
    if found is None:
        raise HoursError(gettext("This hour history can no longer be answered."))
    _report, version = found
    if version.response is not None:
        raise HoursError(gettext("You have already answered this hour history."))
    response = HourResponse(kind="not_agreed", comment=comment, responded_at=now)
    version.response = response
    await db.flush()
    return response


def parse_comment(raw: str) -> tuple[str, str | None]:
    comment = raw.strip()
    if not comment:
        return comment, gettext("Tell your provider what is not right.")
    if len(comment) > COMMENT_LIMIT:
        return comment, gettext(
            "At most %(limit)s characters; this has %(count)s.",
            limit=COMMENT_LIMIT,
            count=len(comment),
        )
    return comment, None


async def withdraw_consent(
    db: AsyncSession, participant_id: int, signature: Signature, now: dt.datetime
) -> ConsentEvent:
    if await consent_in_force(db, participant_id) is None:
        raise HoursError(gettext("You have not given consent, so there is nothing to withdraw."))
    event = ConsentEvent(
        participant_id=participant_id,
        kind="withdrawn",
        at=now,
        notice_version=CONSENT_NOTICE_VERSION,
        signature_id=signature.id,
    )
    db.add(event)
    await db.flush()
    return event


def approval_text(month: Month, version: Any, consent: bool, fmt: Formatter, country: str) -> str:
    """What the participant signs, in their language."""
    text = gettext(
        "I approve my hour history for %(month)s, version %(version)s: %(hours)s hours in total.",
        month=fmt.date(month.first, "LLLL yyyy"),
        version=version.version,
        hours=fmt.decimal(version.total_hours),
    )
    if consent:
        text += " " + gettext(
            "I consent to data from my hour histories being passed on to the European Social "
            "Fund (ESF) and %(agency)s.",
            agency=statistics_agency(country)[0],
        )
    return text
