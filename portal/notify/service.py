"""What is sent to whom: messages in the participant's language, queued in the outbox, and
the outbox's rules for retrying."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import utcnow
from portal.notify.models import OutboxMessage
from portal.participants.models import Participant
from portal.settings import Settings
from portal.web.i18n import current_language, gettext, national_language

PLAN_CHANGED = "plan_changed"
HOURS_TO_APPROVE = "hours_to_approve"
MEETING_BOOKED = "meeting_booked"
MEETING_CHANGED = "meeting_changed"
CONTACT_REQUEST = "contact_request"
MAX_BACKOFF = dt.timedelta(hours=6)


def message_text(kind: str, base_url: str) -> tuple[str, str]:
    """Subject and body, in the current language. No personal details: mail and SMS are not
    a safe place for them; the participant reads the change after logging in."""
    if kind == PLAN_CHANGED:
        return (
            gettext("Your plan has changed"),
            gettext(
                "Your caseworker has changed My Plan. Log in to see what is new: %(url)s",
                url=f"{base_url}/plan",
            ),
        )
    if kind == HOURS_TO_APPROVE:
        return (
            gettext("An hour history to approve"),
            gettext(
                "Your provider has sent the hours of a month for you to approve. "
                "Log in to look them over: %(url)s",
                url=f"{base_url}/hours",
            ),
        )
    if kind == MEETING_BOOKED:
        return (
            gettext("Your meeting is booked"),
            gettext(
                "You have booked a meeting with the job centre. "
                "Log in to see the time and the place: %(url)s",
                url=f"{base_url}/meetings",
            ),
        )
    if kind == MEETING_CHANGED:
        return (
            gettext("The job centre has changed your meeting"),
            gettext(
                "The job centre has moved or cancelled one of your meetings. "
                "Log in to see what changed: %(url)s",
                url=f"{base_url}/meetings",
            ),
        )
    if kind == CONTACT_REQUEST:
        return (
            gettext("An employer would like to get in touch"),
            gettext(
                "An employer who found your CV asks you to get in touch about a job. "
                "Log in to read the request and answer it: %(url)s",
                url=f"{base_url}/cv/employers",
            ),
        )
    raise ValueError(f"unknown notification {kind!r}")


@dataclass(frozen=True)
class Links:
    """Where a message's link points (the portal's address), and the deployment's country,
    whose language a participant who chose none reads."""

    base_url: str
    country: str

    @classmethod
    def of(cls, settings: Settings) -> Links:
        return cls(settings.base_url, settings.country)


def language_of(participant: Participant, country: str) -> str:
    return participant.language or national_language(country)


async def notify_participant(
    db: AsyncSession, participant: Participant, kind: str, links: Links
) -> int:
    """Queue the message on every channel the participant subscribed to; a message of the
    same kind that is still waiting is not queued twice. Returns how many were queued."""
    recipients = []
    if participant.notify_by_email and participant.notify_email:
        recipients.append(("email", participant.notify_email))
    if participant.notify_by_sms and participant.notify_phone:
        recipients.append(("sms", participant.notify_phone))
    if not recipients:
        return 0
    waiting = set(
        (
            await db.scalars(
                select(OutboxMessage.channel).where(
                    OutboxMessage.participant_id == participant.id,
                    OutboxMessage.kind == kind,
                    OutboxMessage.sent_at.is_(None),
                )
            )
        ).all()
    )
    token = current_language.set(language_of(participant, links.country))
    try:
        subject, body = message_text(kind, links.base_url)
    finally:
        current_language.reset(token)
    queued = 0
    for channel, recipient in recipients:
        if channel in waiting:
            continue
        db.add(
            OutboxMessage(
                participant_id=participant.id,
                kind=kind,
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                created_at=utcnow(),
                next_attempt_at=utcnow(),
            )
        )
        queued += 1
    await db.flush()
    return queued


async def send_email(
    db: AsyncSession,
    recipient: str,
    kind: str,
    subject: str,
    body: str,
    participant_id: int | None = None,
) -> OutboxMessage:
    """Queue one e-mail: to a team's address (no participant: it carries no personal data),
    or one a participant sends through the portal (a shared CV to an employer)."""
    message = OutboxMessage(
        participant_id=participant_id,
        kind=kind,
        channel="email",
        recipient=recipient,
        subject=subject[:200],
        body=body,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    db.add(message)
    await db.flush()
    return message


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most six hours."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


async def due_messages(
    db: AsyncSession, now: dt.datetime, limit: int = 50
) -> Sequence[OutboxMessage]:
    """Unsent messages whose time has come, oldest first (each still to be claimed)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return (await db.scalars(query)).all()


# How long a claimed message is left to the worker that claimed it: when that worker dies
# while sending, another one sends the message after this.
SENDING_LEASE = dt.timedelta(minutes=10)


async def claim_message(
    db: AsyncSession, message_id: int, now: dt.datetime
) -> OutboxMessage | None:
    """The message, when it is still unsent and due and this worker is the one that claims it
    (its next attempt moved past the lease, in one conditional UPDATE: of several workers at
    once exactly one changes the row); None otherwise. Commit the claim before sending, so that
    no lock is held while the mail server answers."""
    claimed = await db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + SENDING_LEASE)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    return await db.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))


# Messages that carry a secret (a shared CV's link): their text is cleared once sent, so that
# the link is kept nowhere but in the recipient's mailbox.
CLEARED_WHEN_SENT = frozenset({"cv_shared"})


def record_attempt(message: OutboxMessage, now: dt.datetime, error: str | None) -> None:
    message.attempts += 1
    if error is None:
        message.sent_at = now
        message.last_error = None
        if message.kind in CLEARED_WHEN_SENT:
            message.body = ""
    else:
        message.last_error = error[:2000]
        message.next_attempt_at = now + backoff(message.attempts)


async def outbox_backlog(db: AsyncSession, now: dt.datetime) -> tuple[int, int, float]:
    """What the worker has yet to send: (unsent, due now, age in seconds of the oldest
    unsent message; 0 when there is none)."""
    unsent, due, oldest = (
        await db.execute(
            select(
                func.count(),
                func.count().filter(OutboxMessage.next_attempt_at <= now),
                func.min(OutboxMessage.created_at),
            ).where(OutboxMessage.sent_at.is_(None))
        )
    ).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return int(unsent), int(due), max(age, 0.0)
