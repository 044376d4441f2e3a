"""Reading staff administration: the organisation's users searched, filtered, sorted and paged;
the signed audit; a signature's receipt; birth dates from personal numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.auth.models import Signature
from portal.staff.models import StaffAuditEntry, StaffAuthorization, StaffUser
from portal.staff.service import ROLES, is_authorized
from portal.web.i18n import lazy_gettext as _
from portal.web.listing import chosen, page_number, query_string, search_text

PAGE_SIZE = 25
STATUSES: dict[str, LazyProxy] = {
    "active": _("Active today"),
    "coming": _("Starts later"),
    "ended": _("Ended"),
}
SORTS: dict[str, LazyProxy] = {
    "last_name": _("Last name"),
    "first_name": _("First name"),
    "email": _("E-mail"),
    "number": _("Personal number"),
}
ACTIONS: dict[str, LazyProxy] = {
    "create": _("New user"),
    "change": _("Changed"),
    "end": _("Ended"),
    "batch": _("New period for several"),
}


def birth_date(country: str, personal_number: str) -> dt.date | None:
    """The birth date in a (normalised) personal number; a Swedish co-ordination number's day
    is 60 more. Danish numbers give the century by the serial's first digit."""
    try:
        if country == "SE":
            year, month, day = (
                int(personal_number[:4]),
                int(personal_number[4:6]),
                int(personal_number[6:8]),
            )
            return dt.date(year, month, day - 60 if day > 60 else day)
        day, month, short = (int(personal_number[i : i + 2]) for i in (0, 2, 4))
        digit = int(personal_number[7])
        if digit <= 3:
            century = 1900
        elif digit in (4, 9):
            century = 2000 if short <= 36 else 1900
        else:
            century = 2000 if short <= 57 else 1800
        return dt.date(century + short, month, day)
    except (ValueError, IndexError):
        return None


@dataclass(frozen=True)
class UserQuery:
    search: str = ""
    role: str = ""
    status: str = ""
    sort: str = "last_name"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> UserQuery:
        return cls(
            search=search_text(params),
            role=chosen(params, "role", {role.code for role in ROLES}, ""),
            status=chosen(params, "status", STATUSES, ""),
            sort=chosen(params, "sort", SORTS, "last_name"),
            page=page_number(params),
        )

    def link(self, **changes: Any) -> dict[str, str]:
        values = {"q": self.search, "role": self.role, "status": self.status}
        return query_string({**values, "sort": self.sort, "page": self.page}, **changes)


@dataclass(frozen=True)
class UserPage:
    query: UserQuery
    users: Sequence[StaffUser]
    total: int
    pages: int

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.users) - 1


def _authorization(today: dt.date, *conditions: Any) -> Any:
    return exists().where(StaffAuthorization.staff_user_id == StaffUser.id, *conditions)


def _searched(query: Any, search: str) -> Any:
    digits = re.sub(r"\D", "", search)
    words = [w for w in search.lower().split() if not re.sub(r"\D", "", w)]
    for word in words:
        pattern = f"%{word}%"
        query = query.where(
            or_(
                func.lower(StaffUser.first_name).like(pattern),
                func.lower(StaffUser.last_name).like(pattern),
            )
        )
    if digits:
        number = func.replace(StaffUser.personal_number, "-", "")
        query = query.where(number.like(f"%{digits}%"))
    return query


async def user_page(
    db: AsyncSession, organisation_id: int, query: UserQuery, today: dt.date
) -> UserPage:
    found = _searched(
        select(StaffUser).where(StaffUser.organisation_id == organisation_id), query.search
    )
    if query.role:
        found = found.where(_authorization(today, StaffAuthorization.role == query.role))
    running = or_(StaffAuthorization.end_date.is_(None), StaffAuthorization.end_date >= today)
    if query.status == "active":
        found = found.where(_authorization(today, StaffAuthorization.start_date <= today, running))
    elif query.status == "coming":
        found = found.where(
            _authorization(today, StaffAuthorization.start_date > today),
            ~_authorization(today, StaffAuthorization.start_date <= today, running),
        )
    elif query.status == "ended":
        found = found.where(~_authorization(today, running))
    total = int(await db.scalar(select(func.count()).select_from(found.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    order = {
        "last_name": (StaffUser.last_name, StaffUser.first_name),
        "first_name": (StaffUser.first_name, StaffUser.last_name),
        "email": (StaffUser.email,),
        "number": (StaffUser.personal_number,),
    }[query.sort]
    users = (
        await db.scalars(
            found.order_by(*order, StaffUser.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
    ).all()
    return UserPage(UserQuery(**{**query.__dict__, "page": page}), users, total, pages)


def status_of(user: StaffUser, today: dt.date) -> str:
    periods = user.authorizations
    if is_authorized(periods, today):
        return "active"
    if any(a.start_date > today for a in periods):
        return "coming"
    return "ended"


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[tuple[StaffAuditEntry, StaffUser, StaffUser]]  # entry, user, signer
    total: int
    pages: int
    page: int


async def audit_page(
    db: AsyncSession,
    organisation_id: int,
    search: str = "",
    page: int = 1,
    signature_id: int | None = None,
) -> AuditPage:
    """The organisation's signed changes, newest first: searched by the changed user's name or
    personal number, or those of one signature (its receipt)."""
    signer = aliased(StaffUser)
    query = (
        select(StaffAuditEntry, StaffUser, signer)
        .join(StaffUser, StaffUser.id == StaffAuditEntry.staff_user_id)
        .join(signer, signer.id == StaffAuditEntry.signed_by_id)
        .where(StaffAuditEntry.organisation_id == organisation_id)
    )
    if signature_id is not None:
        query = query.where(StaffAuditEntry.signature_id == signature_id)
    query = _searched(query, search)
    total = int(await db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        await db.execute(
            query.order_by(StaffAuditEntry.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    return AuditPage([(row[0], row[1], row[2]) for row in rows], total, pages, page)


async def receipt(
    db: AsyncSession, organisation_id: int, signature_id: int
) -> tuple[Signature, AuditPage] | None:
    """A signature of staff changes in this organisation, with what it changed; None otherwise."""
    signature = await db.scalar(
        select(Signature).where(
            Signature.id == signature_id,
            Signature.purpose == "staff.changes",
            and_(
                Signature.staff_user_id.is_not(None),
                exists().where(
                    StaffAuditEntry.signature_id == Signature.id,
                    StaffAuditEntry.organisation_id == organisation_id,
                ),
            ),
        )
    )
    if signature is None:
        return None
    return signature, await audit_page(db, organisation_id, signature_id=signature_id)
