"""How the CV bank ranks the job seekers of an employer's search: the rule (`score`, `rank`),
and the same rule as one SQL query that the database runs over the occupation's wishes and
returns only the page shown (`ranked_page`). A test holds the two to the same order."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import Date, Float, Select, bindparam, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.areas import KM_PER_DEGREE, Place, bounding_box, local_scale, squared_km_from
from portal.cv.bank import Wish, wishes_query
from portal.db import Database
from portal.web.i18n import lazy_gettext as _

DEFAULT_DISTANCE = 25
HOURS_SPAN = 20  # hours apart at which the hours no longer count
LATE_SPAN = 90  # days late at which the start no longer counts

# Why a hit ranks where it does, as the employer reads it.
REASONS: dict[str, LazyProxy] = {
    "trained": _("Trained"),
    "experienced": _("Experienced"),
    "hours": _("Wants about these hours"),
    "start": _("Can start in time"),
    "form": _("Wants this form of employment"),
}


@dataclass(frozen=True)
class Criteria:
    """What the employer looks for; only the occupation is required."""

    occupation_uri: str
    place: Place | None = None
    km: int = DEFAULT_DISTANCE
    hours: Decimal | None = None
    start: dt.date | None = None
    employment_form: str | None = None

    def query(self, area_text: str) -> dict[str, str]:
        """The search's address parameters (for paging and links back)."""
        values = {"uri": self.occupation_uri, "area": area_text, "km": str(self.km)}
        if self.hours is not None:
            values["hours"] = str(self.hours)
        if self.start is not None:
            values["start"] = self.start.isoformat()
        if self.employment_form:
            values["form"] = self.employment_form
        return values


@dataclass(frozen=True)
class Hit:
    wish: Wish
    score: float
    distance: float | None
    reasons: tuple[str, ...]


def score(
    wish: Wish, criteria: Criteria, squared_km: float | None
) -> tuple[float, tuple[str, ...]]:
    """How well a participant's wish fits the search (higher is better), and why (written
    step by step as `ranked_queries` computes it, so that both round alike): trained (2)
    and experienced (2) in the occupation; wanting about the hours offered (3, less by the
    hours apart, none from 20 apart); free to start by the date (3, less by the days late,
    none from 90 late); wanting the form of employment (2); in an area search, nearness (2 at
    the place, none at the edge; by the squared distance)."""
    points = 0.0
    reasons = []
    if wish.trained:
        points += 2.0
        reasons.append("trained")
    if wish.experienced:
        points += 2.0
        reasons.append("experienced")
    if criteria.hours is not None:
        gap = abs(float(wish.hours_per_week) - float(criteria.hours))
        points += 0.0 if gap >= HOURS_SPAN else 3.0 - 3.0 * gap / HOURS_SPAN
        if gap <= 5:
            reasons.append("hours")
    if criteria.start is not None:
        late = (wish.earliest_start - criteria.start).days if wish.earliest_start else 0
        if late <= 0:
            points += 3.0
        elif late < LATE_SPAN:
            points += 3.0 - 3.0 * late / LATE_SPAN
        if late <= 0:
            reasons.append("start")
    if criteria.employment_form is not None and wish.employment_form == criteria.employment_form:
        points += 2.0
        reasons.append("form")
    if squared_km is not None:
        points += 2.0 - 2.0 * squared_km / float(criteria.km**2)  # within the area: 0 to 2
    return points, tuple(reasons)


def hit_of(wish: Wish, criteria: Criteria) -> Hit | None:
    """The wish as a hit of the search, or None when it lies outside the area."""
    squared = None
    if criteria.place is not None:
        if wish.latitude is None or wish.longitude is None:
            return None
        squared = squared_km_from(criteria.place, wish.latitude, wish.longitude)
        if squared > criteria.km**2:
            return None
    points, reasons = score(wish, criteria, squared)
    return Hit(wish, points, None if squared is None else math.sqrt(squared), reasons)


def rank(found: Sequence[Wish], criteria: Criteria) -> list[Hit]:
    """The wishes that fit the search, best first (then nearest, then by record)."""
    hits = [hit for wish in found if (hit := hit_of(wish, criteria)) is not None]
    hits.sort(key=lambda h: (-h.score, h.distance or 0.0, h.wish.participant_id))
    return hits


class DaysBetween(FunctionElement[float]):
    """later - earlier in days, for two dates (SQLite keeps them as text)."""

    type = Float()
    inherit_cache = True


@compiles(DaysBetween, "sqlite")
def _days_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(DaysBetween)
def _days(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@cache
def ranked_queries(
    hours: bool, start: bool, form: bool, area: bool
) -> tuple[Select[Any], Select[Any]]:
    """`score` in SQL over the occupation's searchable wishes, for the criteria given: the
    page's rows (Wish's columns, then the score and the squared distance), and the count of
    all hits. Parameters: uri (and the box: south, north, west, east), hours, start, form,
    lat, lon, lon_km, km2, limit, offset."""
    wishes = wishes_query(area).subquery()
    c = wishes.c
    points: Any = case((c.trained, 2.0), else_=0.0) + case((c.experienced, 2.0), else_=0.0)
    if hours:
        gap = func.abs(c.hours_per_week - bindparam("hours", type_=Float))
        points = points + case((gap >= HOURS_SPAN, 0.0), else_=3.0 - 3.0 * gap / HOURS_SPAN)
    if start:
        late = DaysBetween(c.earliest_start, bindparam("start", type_=Date))
        points = points + case(
            (c.earliest_start.is_(None), 3.0),
            (late <= 0, 3.0),
            (late >= LATE_SPAN, 0.0),
            else_=3.0 - 3.0 * late / LATE_SPAN,
        )
    if form:
        points = points + case((c.employment_form == bindparam("form"), 2.0), else_=0.0)
    squared: Any = literal(0.0, Float)
    conditions = []
    if area:
        dy = (c.latitude - bindparam("lat", type_=Float)) * KM_PER_DEGREE
        dx = (c.longitude - bindparam("lon", type_=Float)) * bindparam("lon_km", type_=Float)
        squared = dx * dx + dy * dy
        km2 = bindparam("km2", type_=Float)
        conditions.append(squared <= km2)
        nearness = 2.0 - 2.0 * squared / km2
        points = nearness + points  # as score adds it (a + b == b + a), grouped as it must be
    page = (
        select(*c, points.label("score"), squared.label("squared_km"))
        .where(*conditions)
        .order_by(points.desc(), squared, c.participant_id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    count = select(func.count().label("hits")).select_from(wishes).where(*conditions)
    return page, count


def parameters(criteria: Criteria) -> dict[str, Any]:
    values: dict[str, Any] = {"uri": criteria.occupation_uri}
    if criteria.hours is not None:
        values["hours"] = float(criteria.hours)
    if criteria.start is not None:
        values["start"] = criteria.start
    if criteria.employment_form is not None:
        values["form"] = criteria.employment_form
    place = criteria.place
    if place is not None:
        south, north, west, east = bounding_box(place, criteria.km)
        values.update(
            lat=place.latitude,
            lon=place.longitude,
            lon_km=KM_PER_DEGREE * local_scale(place),
            km2=float(criteria.km**2),
            south=south,
            north=north,
            west=west,
            east=east,
        )
    return values


async def ranked_page(
    database: Database, criteria: Criteria, page_size: int, page: int
) -> tuple[list[Hit], int, int]:
    """The hits of the page asked for (the last one when asked past it), how many there are
    in all, and which page it is; ranked by the database."""
    page_query, count_query = ranked_queries(
        criteria.hours is not None,
        criteria.start is not None,
        criteria.employment_form is not None,
        criteria.place is not None,
    )
    values = parameters(criteria)
    page = max(1, page)
    rows, ((total,),) = await database.read_all(
        (page_query, {**values, "limit": page_size, "offset": (page - 1) * page_size}),
        (count_query, values),
    )
    last = max(1, math.ceil(total / page_size))
    if page > last:
        page = last
        (rows,) = await database.read_all(
            (page_query, {**values, "limit": page_size, "offset": (page - 1) * page_size})
        )
    hits = []
    for row in rows:
        wish = Wish(*row[: len(Wish._fields)])
        _points, reasons = score(wish, criteria, None)
        squared = row[-1] if criteria.place is not None else None
        hits.append(
            Hit(wish, float(row[-2]), None if squared is None else math.sqrt(squared), reasons)
        )
    return hits, int(total), page
