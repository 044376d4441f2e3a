"""The status board: one row per intervention (a participant with a provider), one cell per
report type, worked out by the database a page at a time (one query for the rows, one for
their count), so that a reviewer with thousands of participants waits no longer than one
with ten."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from portal.db import Database, utcnow
from portal.participants.models import Participant
from portal.participants.search import END, matches_every_word, search_words
from portal.reports import rules, summary
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
        return scope_condition(self.provider, self.reviewer, self.participant_id is not None)

    def values(self) -> dict[str, Any]:
        return {"organisation": self.organisation_id, "participant": self.participant_id}


def scope_condition(provider: bool, reviewer: bool, one_participant: bool) -> ColumnElement[bool]:
    """The interventions in scope, with the organisation (or participant) as a parameter."""
    if one_participant:
        return Intervention.participant_id == bindparam("participant")
    conditions = []
    if provider:
        conditions.append(Intervention.provider_id == bindparam("organisation"))
    if reviewer:
        conditions.append(Intervention.reviewer_organisation_id == bindparam("organisation"))
    return or_(*conditions) if conditions else false()


@dataclass
class BoardPage:
    query: BoardQuery
    rows: list[Any]
    total: int
    pages: int
    last_month: str


def cells() -> tuple[dict[str, ColumnElement[str]], dict[str, Any]]:
    """Each column's cell status (for the day `:today`, whose last month is `:month`, from
    `:month_first` to `:month_last`), and the report joined for it."""
    plan, monthly, final = (aliased(Report, name=kind) for kind in COLUMNS)
    plan_approved = plan.approved_version.is_not(None)
    statuses = {
        "plan": rules.plan_cell(plan.state),
        "monthly": rules.monthly_cell(
            monthly.state,
            plan_approved,
            Intervention.start_date,
            Intervention.end_date,
            bindparam("month_first", type_=Date),
            bindparam("month_last", type_=Date),
        ),
        "final": rules.final_cell(
            final.state, plan_approved, Intervention.end_date, bindparam("today", type_=Date)
        ),
    }
    return statuses, {"plan": plan, "monthly": monthly, "final": final}


class Shape(NamedTuple):
    counted: Select[Any]
    page: Select[Any]
    windowed: bool  # the page's rows carry the count of all rows (`total_rows`)


@cache
def shape(
    provider: bool,
    reviewer: bool,
    one_participant: bool,
    by_provider: bool,
    by_track: bool,
    status_of: str,  # "" (no status filter), "any" (any column) or a column
    sent: bool,  # the status is of a sent report (submitted, approved, returned)
    words: int,
    sort: str,
    descending: bool,
) -> Shape:
    """The board's two statements for one combination of filters and sorting, built once
    with every value a parameter, so that each request only runs them. A page's 50
    interventions are chosen first, by the scope's and the names' indexes and each
    intervention's summary of its reports (one narrow row each, `reports.summary`), and only
    their cells are worked out from the reports themselves."""
    statuses, joined = cells()
    kept = summary.cells()
    filters: list[Any] = [scope_condition(provider, reviewer, one_participant)]
    if by_provider:
        filters.append(Intervention.provider_id == bindparam("provider"))
    if by_track:
        filters.append(Intervention.track_id == bindparam("track"))
    word_values = [bindparam(f"w{n}", type_=String) for n in range(words)]
    filters += matches_every_word(word_values, Intervention.participant_id)
    if status_of:
        chosen_cells = list(kept.values()) if status_of == "any" else [kept[status_of]]
        filters.append(or_(*(cell == bindparam("status") for cell in chosen_cells)))
    if status_of and sent:
        # A sent report's status: the interventions with such a report, found by the reports'
        # state index, so that a few returned reports among thousands are found as a few.
        periods_of = {"plan": literal(""), "monthly": bindparam("month", type_=String)}
        kinds = COLUMNS if status_of == "any" else (status_of,)
        with_state = select(Report.intervention_id).where(
            Report.state == bindparam("status"),
            or_(
                *(
                    and_(Report.kind == kind, Report.period == periods_of.get(kind, literal("")))
                    for kind in kinds
                )
            ),
        )
        filters.append(Intervention.id.in_(with_state))
    window = (bindparam("limit", type_=Integer), bindparam("offset", type_=Integer))
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
            AbsenceDay.day.between(bindparam("month_first"), bindparam("month_last")),
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
    periods = {
        "plan": literal(""),
        "monthly": bindparam("month", type_=String),
        "final": literal(""),
    }
    full = (
        select(*columns)
        .select_from(Intervention)
        .join(Participant, Participant.id == Intervention.participant_id)
        .join(Organisation, Organisation.id == Intervention.provider_id)
        .outerjoin(Track, Track.id == Intervention.track_id)
    )

    def report_of(kind: str) -> ColumnElement[bool]:
        report = joined[kind]
        return and_(
            report.intervention_id == Intervention.id,
            report.kind == kind,
            report.period == periods[kind],
        )

    for kind in COLUMNS:
        full = full.outerjoin(joined[kind], report_of(kind))
    # With a status to filter by, every intervention in scope is looked at anyway: the chosen
    # rows carry the count of all (`total_rows`), which saves counting them in a second pass.
    # (Sorted by a status, the count of the scope alone is cheaper than that window.)
    windowed = bool(status_of)
    names: tuple[Any, Any] = (Participant.last_name, Participant.first_name)
    if status_of:
        # Not by walking the names' index: PostgreSQL cannot tell how many interventions a
        # status matches and, guessing few, would try each name against all of them. (The
        # same names, in the same order, as an expression no index holds.)
        names = (names[0] + literal(""), names[1] + literal(""))
    chosen = (
        select(Intervention.id, *([func.count().over().label("total_rows")] if windowed else []))
        .join(Participant, Participant.id == Intervention.participant_id)
        .order_by(*ordering(sort, descending, kept, names))
    )
    chosen = chosen.where(*filters).limit(window[0]).offset(window[1])
    in_order = ordering(sort, descending, statuses, names)
    count = select(func.count()).select_from(Intervention).where(*filters)
    if windowed:
        rows = chosen.subquery("chosen")
        page = (
            full.add_columns(rows.c.total_rows)
            .join(rows, rows.c.id == Intervention.id)
            .order_by(*in_order)
        )
    else:
        page = full.where(Intervention.id.in_(chosen.scalar_subquery())).order_by(*in_order)
    return Shape(count, page, windowed)


def ordering(
    sort: str,
    descending: bool,
    statuses: dict[str, ColumnElement[str]],
    names: tuple[Any, Any] = (Participant.last_name, Participant.first_name),
) -> list[Any]:
    by_name = [*names, Intervention.id]
    first: Any
    if sort == "start":
        first = Intervention.start_date
    elif sort == "end":
        first = Intervention.end_date
    elif sort in statuses:
        first = case(
            {status: rank for rank, status in enumerate(STATUS_ORDER)}, value=statuses[sort]
        )
    else:
        first = None
    keys = ([first] if first is not None else []) + by_name
    return [key.desc() for key in keys] if descending else keys


class BoardLine(NamedTuple):
    """What one row of the board shows (the values of its cached fragment)."""

    intervention_id: int
    participant_id: int
    name: str
    number: str
    provider_name: str
    start: dt.date
    end: dt.date
    track: str | None
    absent_days: int
    cells: tuple[tuple[Any, ...], ...]


def lines(rows: list[Any], now: dt.datetime | None = None) -> list[BoardLine]:
    moment = now or utcnow()
    return [
        BoardLine(
            row.intervention_id,
            row.participant_id,
            f"{row.first_name} {row.last_name}",
            row.personal_number,
            row.provider_name,
            row.start_date,
            row.end_date,
            row.track_name,
            row.absent_days,
            cell_values(row, moment),
        )
        for row in rows
    ]


def cell_values(row: Any, now: dt.datetime | None = None) -> tuple[tuple[Any, ...], ...]:
    """A board row's cells as (column, status, report id, changed in the last seven days)."""
    since = (now or utcnow()) - RECENT
    cells = []
    for column in COLUMNS:
        status, at = getattr(row, f"{column}_status"), getattr(row, f"{column}_at")
        recent = at is not None and status != "missing" and at >= since
        cells.append((column, status, getattr(row, f"{column}_id"), recent))
    return tuple(cells)


async def board_page(
    database: Database, scope: Scope, query: BoardQuery, today: dt.date
) -> BoardPage:
    words = search_words(query.search)
    status_of = (query.kind or "any") if query.status else ""
    statements = shape(
        scope.provider,
        scope.reviewer,
        scope.participant_id is not None,
        bool(query.provider),
        bool(query.track),
        status_of,
        query.status in ("submitted", "approved", "returned"),
        len(words),
        query.sort,
        query.descending,
    )
    last_month = rules.report_month(today)
    values: dict[str, Any] = {
        **scope.values(),
        "provider": int(query.provider or 0),
        "track": int(query.track or 0),
        "status": query.status,
        "today": today,
        "month": str(last_month),
        "month_first": last_month.first,
        "month_last": last_month.last,
        **{f"w{n}": word for n, word in enumerate(words)},
        **{f"w{n}_end": word + END for n, word in enumerate(words)},
    }

    def paged(page: int) -> tuple[Select[Any], dict[str, Any]]:
        return statements.page, {**values, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}

    if statements.windowed:
        (rows,) = await database.read_all(paged(query.page))
        if rows:
            total = int(rows[0].total_rows)
        else:
            (count_rows,) = await database.read_all((statements.counted, values))
            total = int(count_rows[0][0])
    else:
        count_rows, rows = await database.read_all((statements.counted, values), paged(query.page))
        total = int(count_rows[0][0])
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(query.page, pages)
    if page != query.page:  # a page past the end (the list got shorter): the last one
        (rows,) = await database.read_all(paged(page))
    return BoardPage(
        BoardQuery(**{**query.__dict__, "page": page}),
        list(rows),
        total,
        pages,
        str(last_month),
    )


@cache
def option_queries(provider: bool, reviewer: bool, one_participant: bool) -> tuple[Any, Any]:
    """The tracks and the providers of the interventions in scope (the filters' options)."""
    in_scope = scope_condition(provider, reviewer, one_participant)
    # For each (of the few) tracks and providers: is there one intervention in scope? Found
    # by the track's and the provider's index, stopping at the first.
    tracks = (
        select(Track.id, Track.name)
        .where(exists().where(Intervention.track_id == Track.id, in_scope))
        .order_by(Track.name)
    )
    providers = (
        select(Organisation.id, Organisation.name)
        .where(exists().where(Intervention.provider_id == Organisation.id, in_scope))
        .order_by(Organisation.name)
    )
    return tracks, providers


async def filter_options(
    database: Database, scope: Scope
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(tracks, providers) of the interventions in scope, as (id, name)."""
    queries = option_queries(scope.provider, scope.reviewer, scope.participant_id is not None)
    tracks, providers = await database.read_all(
        (queries[0], scope.values()), (queries[1], scope.values())
    )
    return [(row[0], row[1]) for row in tracks], [(row[0], row[1]) for row in providers]
