"""Contact requests: an employer asks a job seeker they found to get in touch about a job;
the participant accepts (choosing what to share) or declines. A request expires unanswered
after 14 days; an organisation sends at most a set number a day, and asks the same person
again only after an earlier request expired or, when declined, after 90 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portal.employers.models import (
    ContactRequest,
    EmployerOrganisation,
    EmployerPseudonym,
    EmployerUser,
)
from portal.participants.models import Participant
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

EXPIRES_AFTER = dt.timedelta(days=14)
ASK_AGAIN_AFTER_DECLINE = dt.timedelta(days=90)
DAY = dt.timedelta(days=1)
LIMITS = {"job_title": 200, "message": 1000}

STATUSES: dict[str, LazyProxy] = {
    "pending": _("Waiting for an answer"),
    "accepted": _("Accepted"),
    "declined": _("Declined"),
    "expired": _("Expired without an answer"),
}


def status_of(request: ContactRequest, now: dt.datetime) -> str:
    if request.status == "pending" and now >= request.expires_at:
        return "expired"
    return request.status


class Refused(Exception):
    """A request or answer the rules do not allow; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RequestInput:
    job_title: str
    message: str


def parse_request(form: Mapping[str, Any]) -> tuple[RequestInput | None, Errors]:
    fields = Fields(form)
    job_title = fields.text("job_title", LIMITS["job_title"])
    message = fields.text("message", LIMITS["message"])
    if fields.errors:
        return None, fields.errors
    return RequestInput(job_title, message), {}


def may_ask_again(earlier: list[ContactRequest], now: dt.datetime) -> bool:
    """Whether the organisation may ask this person again, given its earlier requests."""
    for request in earlier:
        status = status_of(request, now)
        if status in ("pending", "accepted"):
            return False
        answered = request.answered_at or request.created_at
        if status == "declined" and now - answered < ASK_AGAIN_AFTER_DECLINE:
            return False
    return True


async def send(
    db: AsyncSession,
    organisation: EmployerOrganisation,
    user: EmployerUser,
    participant_id: int,
    data: RequestInput,
    occupation_label: str,
    per_day: int,
    now: dt.datetime,
) -> ContactRequest:
    sent_today = await db.scalar(
        select(func.count())
        .select_from(ContactRequest)
        .where(
            ContactRequest.organisation_id == organisation.id,
            ContactRequest.created_at > now - DAY,
        )
    )
    if (sent_today or 0) >= per_day:
        raise Refused(
            gettext(
                "Your organisation has sent %(num)s contact requests in the last 24 hours, "
                "as many as it may. Try again tomorrow.",
                num=per_day,
            )
        )
    if not may_ask_again(await requests_between(db, organisation.id, participant_id), now):
        raise Refused(
            gettext("Your organisation has already asked this job seeker to get in touch.")
        )
    request = ContactRequest(
        organisation_id=organisation.id,
        employer_user_id=user.id,
        participant_id=participant_id,
        occupation_label=occupation_label[:300],
        job_title=data.job_title,
        message=data.message,
        status="pending",
        created_at=now,
        expires_at=now + EXPIRES_AFTER,
    )
    db.add(request)
    await db.flush()
    return request


async def requests_between(
    db: AsyncSession, organisation_id: int, participant_id: int
) -> list[ContactRequest]:
    """The organisation's requests to the participant, newest first."""
    found = await db.scalars(
        select(ContactRequest)
        .where(
            ContactRequest.organisation_id == organisation_id,
            ContactRequest.participant_id == participant_id,
        )
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
    )
    return list(found)


async def requests_of_organisation(
    db: AsyncSession, organisation_id: int
) -> list[tuple[ContactRequest, str]]:
    """The organisation's requests with the pseudonym of whom each went to, newest first."""
    found = await db.execute(
        select(ContactRequest, EmployerPseudonym.pseudonym)
        .join(
            EmployerPseudonym,
            (EmployerPseudonym.organisation_id == ContactRequest.organisation_id)
            & (EmployerPseudonym.participant_id == ContactRequest.participant_id),
        )
        .where(ContactRequest.organisation_id == organisation_id)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        .limit(200)
    )
    return [(row[0], row[1]) for row in found]


async def requests_to(db: AsyncSession, participant_id: int) -> list[tuple[ContactRequest, str]]:
    """The participant's requests with the asking organisation's name, newest first."""
    found = await db.execute(
        select(ContactRequest, EmployerOrganisation.name)
        .join(EmployerOrganisation, EmployerOrganisation.id == ContactRequest.organisation_id)
        .where(ContactRequest.participant_id == participant_id)
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
        .limit(200)
    )
    return [(row[0], row[1]) for row in found]


@cache
def waiting_query() -> Select[Any]:
    """How many requests wait for the participant's answer; run with {"participant_id", "now"}."""
    return (
        select(func.count().label("waiting"))
        .select_from(ContactRequest)
        .where(
            ContactRequest.participant_id == bindparam("participant_id"),
            ContactRequest.status == "pending",
            ContactRequest.expires_at > bindparam("now"),
        )
    )


@dataclass(frozen=True)
class Answer:
    accept: bool
    share_email: bool
    share_phone: bool


def contact_details(participant: Participant) -> dict[str, str]:
    """What the participant could share: their e-mail address and mobile number, if known."""
    return {
        "email": participant.notify_email or participant.email or "",
        "phone": participant.notify_phone or "",
    }


async def answer(
    db: AsyncSession,
    participant: Participant,
    request_id: int,
    choice: Answer,
    now: dt.datetime,
) -> ContactRequest | None:
    """Accept or decline a waiting request of the participant's own (None: no such request).
    Only one answer counts: a second one, or one after expiry, is refused."""
    request = await db.scalar(
        select(ContactRequest).where(
            ContactRequest.id == request_id, ContactRequest.participant_id == participant.id
        )
    )
    if request is None:
        return None
    if status_of(request, now) == "expired":
        raise Refused(gettext("The request has expired; it can no longer be answered."))
    details = contact_details(participant)
    values: dict[str, Any] = {"status": "declined", "answered_at": now}
    if choice.accept:
        values.update(
            status="accepted",
            shared_name=participant.full_name,
            shared_email=details["email"] if choice.share_email else "",
            shared_phone=details["phone"] if choice.share_phone else "",
        )
    answered = await db.execute(
        update(ContactRequest)
        .where(ContactRequest.id == request.id, ContactRequest.status == "pending")
        .values(**values)
    )
    if getattr(answered, "rowcount", 0) != 1:
        raise Refused(gettext("You have already answered this request."))
    await db.refresh(request)
    return request
