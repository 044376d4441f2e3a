"""The status board: one row per intervention (a participant with a provider), one cell per
report type, worked out by the database a page at a time (one query for the rows, one for
their count), so that a reviewer with thousands of participants waits no longer than one
with ten."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from portal.db import Database
from portal.participants.models import Participant
from portal.participants.search import matches_every_word, search_words
from portal.reports import rules
from portal.reports.models import AbsenceDay, Intervention, Report, Track
from portal.staff.models import Organisation
from portal.web.i18n import lazy_gettext as _
from portal.web.listing import chosen, page_number, query_string, search_text

PAGE_SIZE = 50
RECENT = dt.timedelta(days=7)
COLUMNS = ("plan", "monthly", "final")

SORTS = {
    "name": _("Name"),
    "start": _("Start date"),
    "end": _("End date"),
    "plan": rules.KINDS["plan"],
    "monthly": rules.KINDS["monthly"],
    "final": rules.KINDS["final"],
}
# Sorting by a column puts what needs doing first.
STATUS_ORDER = ("missing", "returned", "submitted", "approved", "not_applicable")


@dataclass(frozen=True)
class BoardQuery:
    search: str = ""
    provider: str = ""
    track: str = ""
    status: str = ""
    kind: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> BoardQuery:
        def number(name: str) -> str:
            raw = params.get(name, "")
            return raw if raw.isascii() and raw.isdigit() and len(raw) < 10 else ""

        return cls(
            search=search_text(params),
            provider=number("provider"),
            track=number("track"),
            status=chosen(params, "status", rules.CELL_STATUSES, ""),
            kind=chosen(params, "kind", COLUMNS, ""),
            sort=chosen(params, "sort", SORTS, "name"),
            descending=params.get("order") == "desc",
            page=page_number(params),
        )

    def link(self, **changes: Any) -> dict[str, str]:
        values = {
            "q": self.search,
            "provider": self.provider,
            "track": self.track,
            "status": self.status,
            "kind": self.kind,
            "sort": "" if self.sort == "name" else self.sort,
            "order": "desc" if self.descending else "",
            "page": "" if self.page == 1 else self.page,
        }
        return query_string(values, **changes)


@dataclass(frozen=True)
class Scope:
    """Whose board: a provider's (the interventions it runs) or a reviewer's (those its
    organisation reviews); both when one user holds both permissions. With `participant_id`,
    one participant's rows (for the read-only view of staff who may see them)."""

    organisation_id: int
    provider: bool
    reviewer: bool
    participant_id: int | None = None

    def condition(self) -> ColumnElement[bool]:
        if self.participant_id is not None:
            return Intervention.participant_id == self.participant_id
        conditions = []
        if self.provider:
            conditions.append(Intervention.provider_id == self.organisation_id)
        if self.reviewer:
            conditions.append(Intervention.reviewer_organisation_id == self.organisation_id)
        return or_(*conditions) if conditions else Intervention.id.is_(None)


@dataclass
class BoardPage:
    query: BoardQuery
    rows: list[Any]
    total: int
    pages: int
    last_month: str


def cells(today: dt.date) -> tuple[dict[str, ColumnElement[str]], dict[str, Any]]:
    """Each column's cell status, and the report joined for it."""
    plan, monthly, final = (aliased(Report, name=kind) for kind in COLUMNS)
    last_month = rules.report_month(today)
    plan_approved = plan.approved_version.is_not(None)
    statuses = {
        "plan": rules.plan_cell(plan.state),
        "monthly": rules.monthly_cell(
            monthly.state, plan_approved, Intervention.start_date, Intervention.end_date, last_month
        ),
        "final": rules.final_cell(final.state, plan_approved, Intervention.end_date, today),
    }
    return statuses, {"plan": plan, "monthly": monthly, "final": final}


def board_select(scope: Scope, query: BoardQuery, today: dt.date) -> Select[Any]:
    statuses, joined = cells(today)
    last_month = rules.report_month(today)
    columns: list[Any] = [
        Intervention.id.label("intervention_id"),
        Intervention.participant_id,
        Participant.first_name,
        Participant.last_name,
        Participant.personal_number,
        Organisation.name.label("provider_name"),
        Intervention.start_date,
        Intervention.end_date,
        Track.name.label("track_name"),
        select(func.count())
        .where(
            AbsenceDay.intervention_id == Intervention.id,
            AbsenceDay.day.between(last_month.first, last_month.last),
        )
        .scalar_subquery()
        .label("absent_days"),
    ]
    for kind in COLUMNS:
        columns += [
            statuses[kind].label(f"{kind}_status"),
            joined[kind].id.label(f"{kind}_id"),
            joined[kind].state_at.label(f"{kind}_at"),
        ]
    selected = (
        select(*columns)
        .select_from(Intervention)
        .join(Participant, Participant.id == Intervention.participant_id)
        .join(Organisation, Organisation.id == Intervention.provider_id)
        .outerjoin(Track, Track.id == Intervention.track_id)
    )
    periods = {"plan": "", "monthly": str(last_month), "final": ""}
    for kind in COLUMNS:
        report = joined[kind]
        selected = selected.outerjoin(
            report,
            and_(
                report.intervention_id == Intervention.id,
                report.kind == kind,
                report.period == periods[kind],
            ),
        )
    selected = selected.where(scope.condition())
    if query.provider:
        selected = selected.where(Intervention.provider_id == int(query.provider))
    if query.track:
        selected = selected.where(Intervention.track_id == int(query.track))
    if query.status:
        chosen_cells = [statuses[query.kind]] if query.kind else list(statuses.values())
        selected = selected.where(or_(*(cell == query.status for cell in chosen_cells)))
    words = search_words(query.search)
    if words:
        selected = selected.where(*matches_every_word(words, Intervention.participant_id))
    return selected.order_by(*ordering(query, statuses))


def ordering(query: BoardQuery, statuses: dict[str, ColumnElement[str]]) -> list[Any]:
    by_name = [Participant.last_name, Participant.first_name, Intervention.id]
    first: Any
    if query.sort == "start":
        first = Intervention.start_date
    elif query.sort == "end":
        first = Intervention.end_date
    elif query.sort in statuses:
        first = case(
            {status: rank for rank, status in enumerate(STATUS_ORDER)}, value=statuses[query.sort]
        )
    else:
        first = None
    keys = ([first] if first is not None else []) + by_name
    return [key.desc() for key in keys] if query.descending else keys


async def board_page(
    database: Database, scope: Scope, query: BoardQuery, today: dt.date
) -> BoardPage:
    selected = board_select(scope, query, today)
    counted = select(func.count()).select_from(selected.order_by(None).subquery())

    def paged(page: int) -> Select[Any]:
        return selected.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)

    count_rows, rows = await database.read_all((counted, {}), (paged(query.page), {}))
    total = int(count_rows[0][0])
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(query.page, pages)
    if page != query.page:  # a page past the end (the list got shorter): the last one
        (rows,) = await database.read_all((paged(page), {}))
    return BoardPage(
        BoardQuery(**{**query.__dict__, "page": page}),
        list(rows),
        total,
        pages,
        str(rules.report_month(today)),
    )


async def tracks_of(database: Database, scope: Scope) -> list[tuple[int, str]]:
    query = (
        select(Track.id, Track.name)
        .where(Track.id.in_(select(Intervention.track_id).where(scope.condition())))
        .order_by(Track.name)
    )
    (rows,) = await database.read_all((query, {}))
    return [(row.id, row.name) for row in rows]


async def providers_of(database: Database, scope: Scope) -> list[tuple[int, str]]:
    query = (
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(select(Intervention.provider_id).where(scope.condition())))
        .order_by(Organisation.name)
    )
    (rows,) = await database.read_all((query, {}))
    return [(row.id, row.name) for row in rows]
