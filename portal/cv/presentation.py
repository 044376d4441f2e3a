"""Rules of the presentation CV: its texts, its experiences, and links shared with employers
(long random tokens stored only as keyed hashes, expiring, revocable, every view logged)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.sessions import token_hash
from portal.cv.models import CvShare, CvShareView, PresentationCv, PresentationExperience
from portal.cv.service import apply, own_row
from portal.db import Database
from portal.web.forms import Errors, Fields, whole_number
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

TEXT_LIMIT = 2000
DEFAULT_DAYS = 30
MAX_DAYS = 90

EXPERIENCE_KINDS: dict[str, LazyProxy] = {
    "job": _("Job"),
    "internship": _("Internship"),
    "voluntary": _("Voluntary work"),
}
VERDICTS: dict[str, LazyProxy] = {
    "good": _("A good experience"),
    "mixed": _("Both good and bad"),
    "bad": _("A bad experience"),
}


@dataclass(frozen=True)
class TextsInput:
    about_me: str
    job_functions: str
    competences: str


def parse_texts(form: Mapping[str, Any]) -> tuple[TextsInput | None, Errors]:
    fields = Fields(form)
    values = [fields.text(name, TEXT_LIMIT, required=False) for name in TextsInput.__annotations__]
    return (None, fields.errors) if fields.errors else (TextsInput(*values), {})


@dataclass(frozen=True)
class ExperienceInput:
    kind: str
    place: str
    tasks: str
    verdict: str
    why: str


def parse_experience(form: Mapping[str, Any]) -> tuple[ExperienceInput | None, Errors]:
    fields = Fields(form)
    data = ExperienceInput(
        fields.choice("kind", EXPERIENCE_KINDS),
        fields.text("place", 200),
        fields.text("tasks", TEXT_LIMIT),
        fields.choice("verdict", VERDICTS),
        fields.text("why", TEXT_LIMIT, required=False),
    )
    return (None, fields.errors) if fields.errors else (data, {})


async def texts_of(db: AsyncSession, participant_id: int) -> PresentationCv | None:
    return await db.get(PresentationCv, participant_id)


async def save_texts(db: AsyncSession, participant_id: int, data: TextsInput) -> None:
    apply(await own_row(db, PresentationCv, participant_id), data)
    await db.flush()


def experiences_query(participant_id: int) -> Any:
    return (
        select(PresentationExperience)
        .where(PresentationExperience.participant_id == participant_id)
        .order_by(PresentationExperience.created_at, PresentationExperience.id)
    )


async def experiences(db: AsyncSession, participant_id: int) -> Sequence[PresentationExperience]:
    return (await db.scalars(experiences_query(participant_id))).all()


async def find_experience(
    db: AsyncSession, participant_id: int, experience_id: int
) -> PresentationExperience | None:
    return await db.scalar(
        experiences_query(participant_id).where(PresentationExperience.id == experience_id)
    )


# ---------------------------------------------------------------- sharing


@dataclass(frozen=True)
class ShareInput:
    employer_name: str
    employer_email: str
    days: int
    message: str = ""


def parse_share(form: Mapping[str, Any]) -> tuple[ShareInput | None, Errors]:
    fields = Fields(form)
    name = fields.text("employer_name", 200, required=False)
    email = fields.email("employer_email")
    message = fields.text("message", MESSAGE_LIMIT, required=False)
    raw = str(form.get("days", "")).strip() or str(DEFAULT_DAYS)
    days = whole_number(raw) or 0
    if not 1 <= days <= MAX_DAYS:
        fields.errors["days"] = gettext(
            "Give a number of days from 1 to %(maximum)s.", maximum=MAX_DAYS
        )
    if message and not email:
        fields.errors["employer_email"] = gettext(
            "Give the employer's e-mail address, so that your message can be sent."
        )
    if fields.errors:
        return None, fields.errors
    return ShareInput(name, email, days, message), {}


MESSAGE_LIMIT = 1000


def share_email(participant_name: str, data: ShareInput, link: str, until: str) -> tuple[str, str]:
    """The e-mail that takes a new link to the employer: (subject, text), in the language of
    the page the participant made it on. `until` is the last day, written out."""
    subject = gettext("%(name)s shares a presentation CV with you", name=participant_name)
    parts = [data.message] if data.message else []
    parts += [
        gettext(
            "%(name)s shares their presentation CV with you. Open it here; the link works "
            "until %(until)s:",
            name=participant_name,
            until=until,
        ),
        link,
        gettext(
            "The link was made in the public employment service's participant portal; "
            "%(name)s can withdraw it at any time. Please answer %(name)s directly, not to "
            "this e-mail.",
            name=participant_name,
        ),
    ]
    return subject, "\n\n".join(parts)


def share_state(share: CvShare, now: dt.datetime) -> str:
    if share.revoked_at is not None:
        return "revoked"
    return "expired" if now >= share.expires_at else "active"


def link_token(seed: str, secret: str) -> str:
    """The link's token made from the sharing form's one-time token: the same form sent twice
    names the same link, so whichever answer the browser shows can show it."""
    if not seed:
        return secrets.token_urlsafe(32)
    return token_hash("cv-share-link:" + seed, secret)


async def create_share(
    db: AsyncSession,
    participant_id: int,
    data: ShareInput,
    secret: str,
    now: dt.datetime,
    seed: str = "",
) -> tuple[CvShare, str]:
    """A new link; the token is returned (and shown) but only its keyed hash is kept."""
    token = link_token(seed, secret)
    share = CvShare(
        participant_id=participant_id,
        token_hash=token_hash(token, secret),
        employer_name=data.employer_name,
        employer_email=data.employer_email,
        created_at=now,
        expires_at=now + dt.timedelta(days=data.days),
    )
    db.add(share)
    await db.flush()
    return share, token


async def made_link(db: AsyncSession, participant_id: int, seed: str, secret: str) -> str | None:
    """The token of the participant's link made by the sharing form with this one-time token
    (None when there is none: no token, or the form was never saved)."""
    if not seed:
        return None
    token = link_token(seed, secret)
    found = await db.scalar(
        select(CvShare.id).where(
            CvShare.token_hash == token_hash(token, secret),
            CvShare.participant_id == participant_id,
        )
    )
    return token if found is not None else None


def link_hash(token: str, secret: str) -> str | None:
    """The keyed hash a link's token is kept as; None for what cannot be a token."""
    if not token or len(token) > 100:
        return None
    return token_hash(token, secret)


async def share_by_token(db: AsyncSession, token: str, secret: str) -> CvShare | None:
    hashed = link_hash(token, secret)
    if hashed is None:
        return None
    return await db.scalar(select(CvShare).where(CvShare.token_hash == hashed))


async def own_share(db: AsyncSession, participant_id: int, share_id: int) -> CvShare | None:
    """The participant's own share link (None for another's, or none)."""
    share: CvShare | None = await db.scalar(
        select(CvShare).where(CvShare.id == share_id, CvShare.participant_id == participant_id)
    )
    return share


async def revoke_share(
    db: AsyncSession, participant_id: int, share_id: int, now: dt.datetime
) -> CvShare | None:
    share = await own_share(db, participant_id, share_id)
    if share is not None and share.revoked_at is None:
        share.revoked_at = now
        await db.flush()
    return share


@cache
def _view_insert() -> Any:
    return insert(CvShareView).values(
        share_id=bindparam("share_id"), viewed_at=bindparam("viewed_at"), what=bindparam("what")
    )


async def record_view(database: Database, share: CvShare, what: str, now: dt.datetime) -> None:
    """Log an opening of the link (one INSERT in a transaction of its own: every opening
    writes one)."""
    await database.write(_view_insert(), {"share_id": share.id, "viewed_at": now, "what": what})
