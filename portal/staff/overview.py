"""The staff's case overview: the participants a staff user may see, searched, filtered,
sorted and paged in the database, each with their latest event (My Plan changed, hours sent,
a meeting booked or changed), which the services that make events keep per participant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from babel.support import LazyProxy
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.booking.bookings import MARKINGS
from portal.booking.trail import marked_participants
from portal.participants.models import LatestEvent, Participant
from portal.staff.models import StaffUser
from portal.staff.service import allows, assigned_to
from portal.web.i18n import lazy_gettext as _

PAGE_SIZE = 50
RECENT = dt.timedelta(days=7)  # events this recent are shown in bold

EVENT_LABELS: dict[str, LazyProxy] = {
    "plan_changed": _("My Plan changed"),
    "hours_sent": _("Hours sent for approval"),
    "meeting": _("Meeting booked or changed"),
}
SCOPES: dict[str, LazyProxy] = {
    "organisation": _("All I may see"),
    "mine": _("Assigned to me"),
}
SORTS: dict[str, LazyProxy] = {
    "latest": _("Latest event first"),
    "name": _("Last name"),
    "number": _("Personal number"),
}


@dataclass(frozen=True)
class OverviewQuery:
    """What a staff user asks of the overview (from the page's query string)."""

    search: str = ""
    scope: str = "organisation"
    marking: str = ""
    sort: str = "latest"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> OverviewQuery:
        """Unknown choices fall back to the defaults: a filter form cannot be "wrong"."""
        page = params.get("page", "1")
        return cls(
            search=" ".join(params.get("q", "").split())[:100],
            scope=params.get("scope", "") if params.get("scope") in SCOPES else "organisation",
            marking=params.get("marking", "") if params.get("marking") in MARKINGS else "",
            sort=params.get("sort", "") if params.get("sort") in SORTS else "latest",
            page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
        )

    def link(self, **changes: Any) -> dict[str, str]:
        """The query string of this overview with some values changed (for paging links)."""
        values = {
            "q": self.search,
            "scope": self.scope,
            "marking": self.marking,
            "sort": self.sort,
            "page": str(self.page),
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


class OverviewRow(NamedTuple):
    id: int
    first_name: str
    last_name: str
    personal_number: str
    latest_kind: str | None
    latest_at: dt.datetime | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class OverviewPage:
    rows: list[OverviewRow]
    total: int
    query: OverviewQuery

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return 0 if not self.rows else (self.query.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


async def case_overview(
    db: AsyncSession, user: StaffUser, roles: set[str], query: OverviewQuery
) -> OverviewPage:
    """One page of the overview, and how many participants match in all."""
    if not allows(roles, "view_participant"):
        return OverviewPage([], 0, query)
    conditions: list[Any] = [Participant.id.in_(assigned_to(user, only_mine=query.scope == "mine"))]
    if query.marking:
        conditions.append(Participant.id.in_(marked_participants(query.marking)))
    if query.search:
        pattern = "%" + query.search.replace("%", "").replace("_", "") + "%"
        name = Participant.first_name + " " + Participant.last_name
        number = func.replace(Participant.personal_number, "-", "")
        digits = pattern.replace("-", "").replace(" ", "")
        conditions.append(or_(name.ilike(pattern), number.like(digits)))
    total = await db.scalar(select(func.count()).select_from(Participant).where(*conditions))
    orders: dict[str, list[Any]] = {
        "latest": [LatestEvent.at.desc().nulls_last(), Participant.last_name, Participant.id],
        "name": [Participant.last_name, Participant.first_name, Participant.id],
        "number": [Participant.personal_number, Participant.id],
    }
    order = orders[query.sort]
    pages = max(1, -(-(total or 0) // PAGE_SIZE))
    query = OverviewQuery(
        query.search, query.scope, query.marking, query.sort, min(query.page, pages)
    )
    rows = await db.execute(
        select(
            Participant.id,
            Participant.first_name,
            Participant.last_name,
            Participant.personal_number,
            LatestEvent.kind,
            LatestEvent.at,
        )
        .outerjoin(LatestEvent, LatestEvent.participant_id == Participant.id)
        .where(*conditions)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((query.page - 1) * PAGE_SIZE)
    )
    return OverviewPage([OverviewRow(*row) for row in rows], total or 0, query)
