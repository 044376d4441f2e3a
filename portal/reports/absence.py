"""Absence from an intervention: a week at a time, a day marked absent with a reason (days,
not hours); one day's absence copied to other days; and the attendance of each month. Weekends,
national holidays, days outside the intervention and days still to come are not offered."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.holidays import holiday_name, is_working_day
from portal.hours.service import Month
from portal.participants.models import Participant
from portal.reports.models import AbsenceDay, Intervention
from portal.reports.rules import Period
from portal.staff.models import StaffUser
from portal.web.forms import Errors, clean_text
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

REASONS: dict[str, LazyProxy] = {
    "illness": _("Illness"),
    "child_care": _("Care of a sick child"),
    "other": _("Other reason"),
}
NOTE_LIMIT = 200


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: its Monday."""

    monday: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Week:
        return cls(day - dt.timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, text: str) -> Week | None:
        """ "2026-W48" -> that week; None for anything else."""
        try:
            year, _w, number = text.partition("-W")
            monday = dt.date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            return None
        if len(text) > 8 or not 2000 <= monday.year <= 2100:
            return None
        return cls(monday)

    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=n) for n in range(7)]

    def previous(self) -> Week:
        return Week(self.monday - dt.timedelta(days=7))

    def next(self) -> Week:
        return Week(self.monday + dt.timedelta(days=7))

    def __str__(self) -> str:
        year, number, _day = self.monday.isocalendar()
        return f"{year:04d}-W{number:02d}"


@dataclass(frozen=True)
class Day:
    day: dt.date
    offered: bool
    why_not: str  # a holiday's name, "weekend", "outside", "future" (when not offered)


def week_days(country: str, week: Week, period: Period, today: dt.date) -> list[Day]:
    """The week's days, each offered or with why not."""
    days = []
    for day in week.days():
        if day.weekday() >= 5:
            days.append(Day(day, False, "weekend"))
        elif not is_working_day(country, day):
            days.append(Day(day, False, holiday_name(country, day) or "holiday"))
        elif not period.start <= day <= period.end:
            days.append(Day(day, False, "outside"))
        elif day > today:
            days.append(Day(day, False, "future"))
        else:
            days.append(Day(day, True, ""))
    return days


def reason_field(day: dt.date) -> str:
    return f"reason-{day.isoformat()}"


def note_field(day: dt.date) -> str:
    return f"note-{day.isoformat()}"


def values_of(absences: Sequence[AbsenceDay]) -> dict[str, str]:
    values = {}
    for absence in absences:
        values[reason_field(absence.day)] = absence.reason
        values[note_field(absence.day)] = absence.note
    return values


def parse_week(
    form: Mapping[str, Any], days: Sequence[Day]
) -> tuple[dict[dt.date, tuple[str, str]], Errors]:
    """The absent days of the form's offered days: day -> (reason, note); and what is wrong by
    field ("other" needs a note saying what)."""
    absent: dict[dt.date, tuple[str, str]] = {}
    errors: Errors = {}
    for day in (d.day for d in days if d.offered):
        reason = str(form.get(reason_field(day)) or "")
        note = clean_text(str(form.get(note_field(day)) or "")).strip()
        if not reason:
            continue
        if reason not in REASONS:
            errors[reason_field(day)] = gettext("Choose one of the options.")
            continue
        if len(note) > NOTE_LIMIT:
            errors[note_field(day)] = gettext(
                "At most %(limit)s characters; this has %(count)s.",
                limit=NOTE_LIMIT,
                count=len(note),
            )
        elif reason == "other" and not note:
            errors[note_field(day)] = gettext("Say what the other reason is.")
        absent[day] = (reason, note)
    return absent, errors


def copy_day(
    form: Mapping[str, Any], source: dt.date, targets: Sequence[dt.date]
) -> dict[str, Any]:
    """The form with the source day's reason and note on each target day."""
    copied = dict(form)
    for target in targets:
        copied[reason_field(target)] = form.get(reason_field(source), "")
        copied[note_field(target)] = form.get(note_field(source), "")
    return copied


async def absences_of(
    db: AsyncSession,
    intervention_id: int,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Sequence[AbsenceDay]:
    query = select(AbsenceDay).where(AbsenceDay.intervention_id == intervention_id)
    if first is not None and last is not None:
        query = query.where(AbsenceDay.day.between(first, last))
    return (await db.scalars(query.order_by(AbsenceDay.day))).all()


async def save_week(
    db: AsyncSession,
    intervention: Intervention,
    days: Sequence[Day],
    absent: Mapping[dt.date, tuple[str, str]],
    author: StaffUser,
    now: dt.datetime,
) -> None:
    """Make the offered days of the week what the form says (in the caller's transaction)."""
    offered = [d.day for d in days if d.offered]
    if not offered:
        return
    existing = {a.day: a for a in await absences_of(db, intervention.id, offered[0], offered[-1])}
    gone = [day for day in existing if day in offered and day not in absent]
    if gone:
        await db.execute(
            delete(AbsenceDay).where(
                AbsenceDay.intervention_id == intervention.id, AbsenceDay.day.in_(gone)
            )
        )
    for day, (reason, note) in absent.items():
        found = existing.get(day)
        if found is not None and (found.reason, found.note) == (reason, note):
            continue
        if found is None:
            found = AbsenceDay(intervention_id=intervention.id, day=day)
            db.add(found)
        found.reason, found.note = reason, note
        found.recorded_by_name = author.full_name
        found.recorded_by_staff_id = author.id
        found.recorded_at = now
    await db.flush()


@dataclass(frozen=True)
class MonthAttendance:
    month: Month
    working_days: int  # within the intervention, up to today
    absent: Counter[str]

    @property
    def present(self) -> int:
        return self.working_days - sum(self.absent.values())


def attendance(
    country: str, period: Period, today: dt.date, absences: Sequence[AbsenceDay]
) -> list[MonthAttendance]:
    """Each month of the intervention so far, newest first: its working days and absent days
    by reason."""
    by_month: dict[Month, Counter[str]] = {}
    for absence in absences:
        by_month.setdefault(Month.of(absence.day), Counter())[absence.reason] += 1
    months = []
    for month in period.months():
        if month.first > today:
            break
        first, last = max(month.first, period.start), min(month.last, period.end, today)
        count = sum(
            1
            for n in range((last - first).days + 1)
            if is_working_day(country, first + dt.timedelta(days=n))
        )
        months.append(MonthAttendance(month, count, by_month.get(month, Counter())))
    return list(reversed(months))


# ---------------------------------------------------------------- a group's week

GROUP_PAGE = 25


def prefixed(form: Mapping[str, Any], intervention_id: int) -> dict[str, Any]:
    """One intervention's fields of a group form (i<id>-reason-<day>), without the prefix."""
    prefix = f"i{intervention_id}-"
    return {
        key.removeprefix(prefix): value for key, value in form.items() if key.startswith(prefix)
    }


def group_rows_query(organisation_id: int, week: Week) -> Select[Intervention, str, str]:
    """The provider's interventions that run during the week, with the participant's name,
    by name."""
    return (
        select(Intervention, Participant.first_name, Participant.last_name)
        .join(Participant, Participant.id == Intervention.participant_id)
        .where(
            Intervention.provider_id == organisation_id,
            Intervention.start_date <= week.monday + dt.timedelta(days=4),
            Intervention.end_date >= week.monday,
        )
        .order_by(Participant.last_name, Participant.first_name, Intervention.id)
    )


async def group_week(
    db: AsyncSession, organisation_id: int, week: Week, page: int
) -> tuple[list[tuple[Intervention, str]], int, dict[str, str]]:
    """A page of the provider's interventions running in the week (with the participant's
    name), how many there are, and their absence that week as form values."""
    query = group_rows_query(organisation_id, week)
    total = await db.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    found = (await db.execute(query.limit(GROUP_PAGE).offset((page - 1) * GROUP_PAGE))).all()
    rows = [(intervention, f"{first} {last}") for intervention, first, last in found]
    absences = (
        await db.scalars(
            select(AbsenceDay).where(
                AbsenceDay.intervention_id.in_([i.id for i, _name in rows]),
                AbsenceDay.day.between(week.monday, week.monday + dt.timedelta(days=6)),
            )
        )
    ).all()
    values = {}
    for absence in absences:
        values[f"i{absence.intervention_id}-{reason_field(absence.day)}"] = absence.reason
        values[f"i{absence.intervention_id}-{note_field(absence.day)}"] = absence.note
    return rows, int(total or 0), values
