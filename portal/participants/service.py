"""Rules about participants: personal numbers by country, and finding or creating a record."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import insert_into, utcnow
from portal.participants.models import LatestEvent, Participant
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

_SE = re.compile(r"^(\d{8})-?(\d{4})$")
_DK = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def normalise_personal_number(country: str, text: str) -> str | None:
    """The canonical form (SE YYYYMMDD-NNNN, DK DDMMYY-NNNN), or None when it is not valid."""
    text = text.strip().replace(" ", "")
    if country == "SE":
        match = _SE.match(text)
        if not match:
            return None
        date_part, serial = match.groups()
        try:
            dt.date(int(date_part[:4]), int(date_part[4:6]), int(date_part[6:8]))
        except ValueError:
            return None
        if luhn_check_digit(date_part[2:] + serial[:3]) != int(serial[3]):
            return None
        return f"{date_part}-{serial}"
    match = _DK.match(text)
    if not match:
        return None
    date_part, serial = match.groups()
    # The CPR modulus-11 check was dropped in 2007, so only the date is checked.
    try:
        dt.date(2000 + int(date_part[4:6]), int(date_part[2:4]), int(date_part[:2]))
    except ValueError:
        return None
    return f"{date_part}-{serial}"


async def participant_for_login(
    db: AsyncSession, personal_number: str, first_name: str, last_name: str
) -> Participant:
    """The participant with this personal number (staff may have registered them), or a new one."""
    participant = await db.scalar(
        select(Participant).where(Participant.personal_number == personal_number)
    )
    if participant is None:
        participant = Participant(
            personal_number=personal_number, first_name=first_name, last_name=last_name
        )
        db.add(participant)
    participant.last_login_at = utcnow()
    await db.flush()
    return participant


@dataclass(frozen=True)
class NotificationSettings:
    email: str
    phone: str
    by_email: bool
    by_sms: bool


def parse_notification_settings(
    form: Mapping[str, str],
) -> tuple[NotificationSettings | None, Errors]:
    """The reminder service's choices; a channel that is switched on needs its address."""
    f = Fields(form)
    email = f.email("notify_email")
    phone = f.phone("notify_phone")
    by_email = form.get("notify_by_email") == "on"
    by_sms = form.get("notify_by_sms") == "on"
    if by_email and not email and "notify_email" not in f.errors:
        f.errors["notify_email"] = gettext("Give the e-mail address to send to.")
    if by_sms and not phone and "notify_phone" not in f.errors:
        f.errors["notify_phone"] = gettext("Give the mobile number to send to.")
    if f.errors:
        return None, f.errors
    return NotificationSettings(email, phone, by_email, by_sms), {}


async def save_notification_settings(
    db: AsyncSession, participant_id: int, choice: NotificationSettings
) -> None:
    participant = await db.get(Participant, participant_id)
    if participant is None:
        raise LookupError(participant_id)
    participant.notify_email = choice.email or None
    participant.notify_phone = choice.phone or None
    participant.notify_by_email = choice.by_email
    participant.notify_by_sms = choice.by_sms


# What staff see as a participant's latest event (the case overview's words for them).
EVENT_KINDS = ("plan_changed", "hours_sent", "meeting")


async def record_event(db: AsyncSession, participant_id: int, kind: str, at: dt.datetime) -> None:
    """Note the participant's latest event, in the transaction that makes it; an older moment
    than the one noted changes nothing."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event {kind!r}")
    table = cast(Table, LatestEvent.__table__)
    statement = insert_into(db, table).values(participant_id=participant_id, kind=kind, at=at)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.participant_id],
        set_={"kind": statement.excluded.kind, "at": statement.excluded.at},
        where=table.c.at <= statement.excluded.at,
    )
    await db.execute(statement)
