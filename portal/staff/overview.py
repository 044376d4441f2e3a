"""The staff's case overview: the participants a staff user may see, searched, filtered,
sorted and paged in the database, each with their latest event (My Plan changed, hours sent,
a meeting booked or changed), which the services that make events keep per participant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, NamedTuple, cast

from babel.support import LazyProxy
from sqlalchemy import Integer, bindparam, exists, func, select
from sqlalchemy.orm import aliased

from portal.audit.service import looked_at_since
from portal.booking.bookings import MARKINGS
from portal.booking.trail import is_marked, marked_ids, marked_participants
from portal.db import Database
from portal.participants.models import LatestEvent, Participant, SearchTerm
from portal.participants.search import (
    END,
    ids_with_a_term_beginning,
    matches_every_word,
    search_words,
)
from portal.staff.models import ParticipantAssignment, StaffUser
from portal.staff.service import allows, scope_members, scope_rule
from portal.web.i18n import lazy_gettext as _
from portal.web.listing import chosen, page_number, query_string, search_text

PAGE_SIZE = 50
# Matches are counted up to this many: beyond it the page says "more than" and offers the
# first MAX_COUNTED, which is more than anyone pages through (they search instead).
MAX_COUNTED = 1_000
# The start page's "N have something new" counts this far ("more than 100"): a notice, not a
# list, and each one counted costs a look into the access log.
NEWS_COUNTED = 100
RECENT = dt.timedelta(days=7)  # events this recent are shown in bold
# A scope under this part of everyone (a quarter) is read whole and sorted: walking an order's
# index over everyone would read this many rows or more for each of the scope's.
SPARSE = 4

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
    news: bool = False  # only those whose latest event came after the user last opened them

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> OverviewQuery:
        return cls(
            search=search_text(params),
            scope=chosen(params, "scope", SCOPES, "organisation"),
            marking=chosen(params, "marking", MARKINGS, ""),
            sort=chosen(params, "sort", SORTS, "latest"),
            page=page_number(params),
            news=params.get("new") == "1",
        )

    def link(self, **changes: Any) -> dict[str, str]:
        """The query string of this overview with some values changed (for paging links)."""
        values = {"q": self.search, "scope": self.scope, "marking": self.marking}
        values["new"] = "1" if self.news else ""
        return query_string({**values, "sort": self.sort, "page": self.page}, **changes)


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


class OverviewLine(NamedTuple):
    """What one participant's line of the overview shows (the values of its cached fragment)."""

    id: int
    name: str
    number: str
    event: str  # the latest event's label, in the request's language ("" for none)
    at: dt.datetime | None
    recent: bool  # the event is of the last week


@dataclass(frozen=True)
class OverviewPage:
    rows: list[OverviewRow]
    total: int
    query: OverviewQuery
    news: int = 0  # with `count_news`: how many have something new (up to NEWS_COUNTED + 1)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_COUNTED) // PAGE_SIZE))

    @property
    def more_than_counted(self) -> bool:
        return self.total > MAX_COUNTED

    @property
    def first(self) -> int:
        return 0 if not self.rows else (self.query.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def lines(self, recent_since: dt.datetime) -> list[OverviewLine]:
        labels = {kind: str(label) for kind, label in EVENT_LABELS.items()}  # once, not per row
        return [
            OverviewLine(
                row.id,
                row.full_name,
                row.personal_number,
                labels[row.latest_kind] if row.latest_kind else "",
                row.latest_at,
                row.latest_at is not None and row.latest_at >= recent_since,
            )
            for row in self.rows
        ]


def in_scope(only_mine: bool, participant_id: Any = Participant.id) -> Any:
    """The scope rule for the staff user `:user` of organisation `:organisation`."""
    return scope_rule(bindparam("user"), bindparam("organisation"), only_mine, participant_id)


COLUMNS = (
    Participant.id,
    Participant.first_name,
    Participant.last_name,
    Participant.personal_number,
    LatestEvent.kind,
    LatestEvent.at,
)
BY_NAME = (Participant.last_name, Participant.first_name, Participant.id)
ORDERS: dict[str, tuple[Any, ...]] = {
    "latest": (LatestEvent.at.desc(), LatestEvent.participant_id.desc()),
    "name": BY_NAME,
    "number": (Participant.personal_number,),
}


def bounded(query: Any, most: int = MAX_COUNTED) -> Any:
    """How many rows the query has, counting at most `most` + 1."""
    return select(func.count()).select_from(query.limit(most + 1).subquery())


@dataclass(frozen=True)
class Shape:
    """The overview's statements for one combination of filters, built once: the filters'
    values are parameters (`:user`, `:organisation`, `:marking`, `:w0`…, `:offset`, `:limit`)."""

    count: Any
    page: Any  # by the sort; for "latest", those with an event
    events: Any  # "latest": how many have an event
    without_event: Any  # "latest": those without one, by name


def has_news() -> Any:
    """A condition: the participant's latest event came after the user (`:user`) last opened
    their pages (or they never did): something new to look at."""
    event = aliased(LatestEvent)
    return exists().where(
        event.participant_id == Participant.id,
        ~looked_at_since(Participant.id, bindparam("user"), event.at),
    )


def filters(
    only_mine: bool, marking: bool, words: int, driving: bool, news: bool = False
) -> list[Any]:
    """The conditions of a filtered overview. `driving`: read the matches from the narrowest
    filter's index (the search's first word, else the marking) and check the rest; for a
    count, and for a page of few matches. Otherwise a page is read down its sort order's
    index, each filter checked row by row: for many matches, the first ones come at once."""
    conditions: list[Any] = []  # the most selective first; the scope (everyone's) last
    marked = cast(str, bindparam("marking"))
    if marking and (not driving or words):
        conditions.append(is_marked(marked, Participant.id))
    elif marking:
        conditions.append(Participant.id.in_(marked_participants(marked)))
    word_values = [cast(str, bindparam(f"w{n}")) for n in range(words)]
    if words and driving:
        first = select(SearchTerm.participant_id).where(
            SearchTerm.term >= word_values[0], SearchTerm.term < bindparam("w0_end")
        )
        conditions.append(Participant.id.in_(first))
        word_values = word_values[1:]
    conditions.extend(matches_every_word(word_values))
    if only_mine and driving and not words and not marking:
        conditions.append(Participant.id.in_(assigned_to_user()[0]))
    if news:
        conditions.append(has_news())
    return [*conditions, in_scope(only_mine)]


def assigned_to_user() -> tuple[Any, Any]:
    """The ids of the participants assigned to the user `:user` themselves, read from the
    assignments' index by user (a statement, and its id column)."""
    mine = aliased(ParticipantAssignment)
    return select(mine.participant_id).where(mine.staff_user_id == bindparam("user")), (
        mine.participant_id
    )


def driven_count(
    only_mine: bool, marking: bool, words: int, news: bool, most: int = MAX_COUNTED
) -> Any:
    """How many match (up to the bound), read from the narrowest filter's index: the search's
    first word, else the marking, else the user's scope (their own, or also their
    organisation's); the other filters checked per id."""
    word_values = [cast(str, bindparam(f"w{n}")) for n in range(words)]
    marked = cast(str, bindparam("marking"))
    if words:
        ids, id_column = ids_with_a_term_beginning(word_values.pop(0))
    elif marking:
        ids, id_column = marked_ids(marked)
    else:
        scope = scope_members(bindparam("user"), bindparam("organisation"), only_mine)
        ids, id_column = select(scope.c.participant_id), scope.c.participant_id
    conditions = matches_every_word(word_values, id_column)
    if marking and words:
        conditions.append(is_marked(marked, id_column))
    if words or marking:
        conditions.append(in_scope(only_mine, id_column))
        ids = ids.distinct()
    if news and not (words or marking):
        # The scope joined with the latest events. Looked up in a subquery per participant,
        # the events table is read whole for each one once PostgreSQL has statistics and the
        # table is a few pages (a deployment's first hundreds of participants: 5.8 ms for a
        # scope of 350 among 500; 0.6 ms joined). Joined, a provider's scope of 25 000 among
        # 100 000 is read from its index into a bitmap first (1.2 ms looked up, 2.1 ms
        # joined): a cost that grows with the scope, not with a table per participant.
        ids = ids.join(LatestEvent, LatestEvent.participant_id == id_column)
        conditions.append(
            ~looked_at_since(LatestEvent.participant_id, bindparam("user"), LatestEvent.at)
        )
    elif news:
        # The latest event looked up per id of the search or the marking, in a subquery
        # PostgreSQL keeps as one (joined, it may read every participant's latest event
        # before the count could stop at its bound).
        conditions.append(
            select(LatestEvent.participant_id)
            .where(
                LatestEvent.participant_id == id_column,
                ~looked_at_since(LatestEvent.participant_id, bindparam("user"), LatestEvent.at),
            )
            .correlate_except(LatestEvent)
            .scalar_subquery()
            .is_not(None)
        )
    return bounded(ids.where(*conditions), most)


@cache
def shape(
    only_mine: bool,
    marking: bool,
    words: int,
    news: bool,
    sort: str,
    narrow: bool,
    sparse: bool = False,
) -> Shape:
    """The statements for these filters; `narrow`: the matches are few (at most MAX_COUNTED);
    `sparse`: the user's scope is a small part of everyone, so when it is also narrow and
    neither searched nor marked, its participants (at most MAX_COUNTED) are read from the
    assignments and sorted, instead of walking an order's index over everyone for the few
    that are theirs."""
    window = (bindparam("limit", type_=Integer), bindparam("offset", type_=Integer))
    if sparse and narrow and not words and not marking:
        # A LIMIT of its own (the scope has fewer): the databases read the scope first.
        scope = scope_members(
            bindparam("user"), bindparam("organisation"), only_mine, MAX_COUNTED + 1
        )
        base = select(*COLUMNS).join_from(
            scope, Participant, Participant.id == scope.c.participant_id
        )
        conditions = [has_news()] if news else []
        everyone = base.outerjoin(LatestEvent, LatestEvent.participant_id == Participant.id)
        with_event = base.join(LatestEvent, LatestEvent.participant_id == Participant.id).where(
            *conditions
        )
        events_from: Any = with_event.with_only_columns(LatestEvent.participant_id)
    else:
        conditions = filters(only_mine, marking, words, driving=narrow, news=news)
        everyone = select(*COLUMNS).outerjoin(
            LatestEvent, LatestEvent.participant_id == Participant.id
        )
        with_event = (
            select(*COLUMNS)
            .select_from(LatestEvent)
            .join(Participant, Participant.id == LatestEvent.participant_id)
            .where(*conditions)
        )
        counted = filters(only_mine, marking, words, driving=True, news=news)
        events_from = (
            select(LatestEvent.participant_id)
            .join(Participant, Participant.id == LatestEvent.participant_id)
            .where(*counted)
        )
    page = with_event if sort == "latest" else everyone.where(*conditions)
    return Shape(
        count=driven_count(only_mine, marking, words, news),
        page=page.order_by(*ORDERS[sort]).limit(window[0]).offset(window[1]),
        events=bounded(events_from),
        without_event=everyone.where(*conditions, LatestEvent.participant_id.is_(None))
        .order_by(*BY_NAME)
        .limit(window[0])
        .offset(window[1]),
    )


EVERYONE = select(func.max(Participant.id))


@cache
def news_statement() -> Any:
    return driven_count(False, False, 0, True, NEWS_COUNTED)


async def case_overview(
    database: Database,
    user: StaffUser,
    roles: set[str],
    query: OverviewQuery,
    count_news: bool = False,
) -> OverviewPage:
    """One page of the overview (a page beyond the last shows the last), and how many
    participants match (up to MAX_COUNTED + 1); with `count_news`, also how many of the
    user's participants have something new since they last looked (up to NEWS_COUNTED + 1:
    what the start page says waits for them), read with the count."""
    if not allows(roles, "view_participant"):
        return OverviewPage([], 0, query)
    words = search_words(query.search)
    filtered = (query.scope == "mine", bool(query.marking), len(words), query.news, query.sort)
    values: dict[str, Any] = {
        "user": user.id,
        "organisation": user.organisation_id,
        "marking": query.marking,
        **{f"w{n}": word for n, word in enumerate(words)},
        **{f"w{n}_end": word + END for n, word in enumerate(words)},
    }
    news_values = {"user": user.id, "organisation": user.organisation_id, "marking": ""}
    counted, everyone, *news = await database.read_all(
        (shape(*filtered, narrow=True).count, values),
        (EVERYONE, {}),
        *([(news_statement(), news_values)] if count_news else []),
    )
    total = int(counted[0][0])
    query = replace(query, page=min(query.page, max(1, -(-min(total, MAX_COUNTED) // PAGE_SIZE))))
    offset = (query.page - 1) * PAGE_SIZE
    # The highest id stands for how many participants there are (read from its index at once).
    sparse = total * SPARSE < (everyone[0][0] or 0)
    statements = shape(*filtered, narrow=total <= MAX_COUNTED, sparse=sparse)
    (found,) = await database.read_all(
        (statements.page, {**values, "limit": PAGE_SIZE, "offset": offset})
    )
    rows = [OverviewRow(*row) for row in found]
    if query.sort == "latest" and len(rows) < PAGE_SIZE:
        events = offset + len(rows)
        if not rows:
            (counted_events,) = await database.read_all((statements.events, values))
            events = int(counted_events[0][0])
        (without,) = await database.read_all(
            (
                statements.without_event,
                {**values, "limit": PAGE_SIZE - len(rows), "offset": max(0, offset - events)},
            )
        )
        rows += [OverviewRow(*row) for row in without]
    return OverviewPage(rows, total, query, int(news[0][0][0]) if news else 0)
