"""Rules of hour histories, in one place: the month grid and its checks, versions and locking,
the participant's approval and consent, expiry, and what an export may contain.

Functions that depend on the time take `now` (or `today`), so tests can move the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.support import LazyProxy
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import utcnow
from portal.holidays import holiday_name, is_working_day, month_days, working_days
from portal.hours.models import (
    HourEntry,
    HourReport,
    HourReportVersion,
)
from portal.notify.service import HOURS_TO_APPROVE, Links, notify_participant
from portal.participants.models import Participant
from portal.participants.service import record_event
from portal.plan.reading import initiative_periods
from portal.web.forms import portal_date
from portal.web.i18n import (
    Formatter,
    current_language,
    gettext,
    national_language,
    upper_first,
)
from portal.web.i18n import lazy_gettext as _

MAX_HOURS_PER_DAY = Decimal(8)
STEP = Decimal("0.25")
EXPIRY_MONTHS = 3
OWN_WORK = "own_work"
OWN_WORK_LABEL = _("Own work according to the joint planning with the provider")
CONSENT_NOTICE_VERSION = "2026-1"
COMMENT_LIMIT = 1000

# What the participant and staff see of a report's latest submitted version.
STATUSES: dict[str, LazyProxy] = {
    "draft": _("Draft"),
    "to_approve": _("To approve"),
    "approved": _("Approved"),
    "not_agreed": _("Not agreed"),
    "expired": _("Expired"),
}


def statistics_agency(country: str) -> tuple[str, str]:
    """The statistics agency that receives consented data, in full and short, translated."""
    if country == "DK":
        return gettext("Statistics Denmark (DST)"), "DST"
    return gettext("Statistics Sweden (SCB)"), "SCB"


def own_work_label(country: str) -> str:
    """The built-in activity's name in the country's language, as exports name it."""
    token = current_language.set(national_language(country))
    try:
        return str(OWN_WORK_LABEL)
    finally:
        current_language.reset(token)


class HoursError(Exception):
    """A refused action, with the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- months


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """ "2026-03" -> Month(2026, 3); None for anything else."""
        try:
            year, month = (int(part) for part in text.split("-"))
        except ValueError:
            return None
        if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(text) != 7:
            return None
        return cls(year, month)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        return self.next().first - dt.timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later; the month's last day when it has no such day."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    last_day = Month(year, month + 1).last.day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


# ---------------------------------------------------------------- the month grid


@dataclass(frozen=True)
class Activity:
    key: str
    label: str


def activities_for_month(
    initiatives: Iterable[tuple[int, str, dt.date, dt.date | None]], month: Month
) -> list[Activity]:
    """The participant's initiatives whose period touches the month, then own work."""
    found = [
        Activity(f"initiative:{initiative_id}", title)
        for initiative_id, title, start, end in initiatives
        if start <= month.last and (end is None or end >= month.first)
    ]
    return [*found, Activity(OWN_WORK, str(OWN_WORK_LABEL))]


def field_name(day: dt.date, activity: str) -> str:
    return f"h_{day.isoformat()}_{activity}"


def day_field(day: dt.date) -> str:
    return f"day_{day.isoformat()}"


@dataclass
class Grid:
    """Checked hours of a month: (day, activity) -> hours, and messages by field."""

    hours: dict[tuple[dt.date, str], Decimal] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))

    def day_total(self, day: dt.date) -> Decimal:
        return sum((h for (d, _a), h in self.hours.items() if d == day), Decimal(0))


def parse_hours(raw: str) -> tuple[Decimal | None, str | None]:
    """One cell: empty is 0; otherwise a number of quarter hours from 0 to 8."""
    text = raw.strip().replace(",", ".")
    if not text:
        return Decimal(0), None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, gettext("Give hours as a number, like 2.5.")
    if not value.is_finite() or value < 0:
        return None, gettext("Give hours as a number, like 2.5.")
    # The bound first: Decimal's % refuses a quotient of more than 28 digits (1e30 hours).
    if value > MAX_HOURS_PER_DAY:
        return None, gettext("At most %(maximum)s hours.", maximum=MAX_HOURS_PER_DAY)
    if value % STEP:
        return None, gettext("Use quarter hours: .25, .5 or .75.")
    return value, None


def parse_grid(
    form: Mapping[str, str],
    country: str,
    month: Month,
    activities: Sequence[Activity],
    today: dt.date,
    formatter: Formatter,
) -> Grid:
    """Read every cell of the month; check steps, working days, the future, the 8-hour day."""
    grid = Grid()
    keys = {activity.key for activity in activities}
    for day in month_days(month.year, month.month):
        for key in keys:
            name = field_name(day, key)
            raw = form.get(name, "")
            if not raw.strip():
                continue
            value, message = parse_hours(raw)
            if message is not None:
                grid.errors[name] = message
                continue
            assert value is not None
            if not value:
                continue
            if not is_working_day(country, day):
                grid.errors[day_field(day)] = gettext(
                    "%(day)s is not a working day and cannot be filled.",
                    day=formatter.day(day),
                )
                continue
            if day > today:
                grid.errors[day_field(day)] = gettext(
                    "%(day)s has not come yet.", day=formatter.day(day)
                )
                continue
            grid.hours[(day, key)] = value
    for day in working_days(country, month.year, month.month):
        total = grid.day_total(day)
        if total > MAX_HOURS_PER_DAY:
            grid.errors[day_field(day)] = gettext(
                "%(day)s: %(hours)s hours, at most %(maximum)s.",
                day=upper_first(formatter.day(day)),
                hours=formatter.decimal(total),
                maximum=formatter.decimal(MAX_HOURS_PER_DAY),
            )
    return grid


def copy_day(
    form: Mapping[str, str], source: dt.date, targets: Iterable[dt.date], keys: Iterable[str]
) -> dict[str, str]:
    """The form with the source day's cells copied to each target day (as typed)."""
    copied = dict(form)
    for key in keys:
        value = form.get(field_name(source, key), "")
        for target in targets:
            copied[field_name(target, key)] = value
    return copied


def values_of(entries: Iterable[HourEntry]) -> dict[str, str]:
    """A submitted version's entries as form values, for showing or for a correction."""
    return {field_name(e.day, e.activity): f"{e.hours.normalize():f}" for e in entries}


def not_working_reason(country: str, day: dt.date) -> str | None:
    """Why a day cannot be filled: the holiday's name, or None on a working day."""
    if is_working_day(country, day):
        return None
    return holiday_name(country, day) or ""


# ---------------------------------------------------------------- status


def latest_submitted(report: HourReport) -> HourReportVersion | None:
    submitted = [v for v in report.versions if v.state == "submitted"]
    return submitted[-1] if submitted else None


def is_expired(version: HourReportVersion, now: dt.datetime) -> bool:
    """Not approved within three months of submission."""
    if version.submitted_at is None:
        return False
    if version.response is not None and version.response.kind == "approved":
        return False
    return now >= add_months(version.submitted_at, EXPIRY_MONTHS)


def status_of(version: HourReportVersion | None, now: dt.datetime) -> str:
    if version is None or version.state == "draft":
        return "draft"
    if is_expired(version, now):
        return "expired"
    if version.response is None:
        return "to_approve"
    return version.response.kind


def week_totals(entries: Iterable[HourEntry]) -> list[tuple[int, dt.date, Decimal]]:
    """(ISO week number, Monday, hours) for each week of the entries, in order."""
    weeks: dict[tuple[int, int], Decimal] = {}
    for entry in entries:
        iso = entry.day.isocalendar()
        weeks[(iso.year, iso.week)] = weeks.get((iso.year, iso.week), Decimal(0)) + entry.hours
    return [
        (week, dt.date.fromisocalendar(year, week, 1), hours)
        for (year, week), hours in sorted(weeks.items())
    ]


def month_weeks(month: Month) -> list[tuple[int, dt.date]]:
    """(ISO week, Monday) of every week that has a day in the month."""
    seen: dict[tuple[int, int], dt.date] = {}
    for day in month_days(month.year, month.month):
        iso = day.isocalendar()
        seen.setdefault((iso.year, iso.week), dt.date.fromisocalendar(iso.year, iso.week, 1))
    return [(week, monday) for (_year, week), monday in seen.items()]


# ---------------------------------------------------------------- provider's side


def reports_query(organisation_id: int) -> Select[HourReport]:
    """Reports of one provider organisation: a provider never sees another's reports."""
    return select(HourReport).where(HourReport.organisation_id == organisation_id)


async def find_report(
    db: AsyncSession, organisation_id: int, participant_id: int, month: Month
) -> HourReport | None:
    return await db.scalar(
        reports_query(organisation_id).where(
            HourReport.participant_id == participant_id,
            HourReport.year == month.year,
            HourReport.month == month.month,
        )
    )


async def participant_initiatives(
    db: AsyncSession, participant_id: int
) -> list[tuple[int, str, dt.date, dt.date | None]]:
    """(id, title, start, end) of each of the participant's initiatives, from My Plan."""
    periods = await initiative_periods(db, participant_id)
    return [(p.initiative_id, p.title, p.start_date, p.end_date) for p in periods]


# A cell of the grid: h_<day>_<activity>, the activity an initiative's or own work.
DRAFT_CELL = re.compile(r"h_(\d{4}-\d{2}-\d{2})_(initiative:\d{1,9}|[a-z_]{1,20})")
# More than any number of hours takes ("7,75"), less than junk would fill.
CELL_LIMIT = 12
MAX_ACTIVITIES = 30


def draft_cells(values: Mapping[str, str], month: Month) -> dict[str, str]:
    """What a draft keeps of a posted grid: only cells of the month's days that hold
    something, each bounded, and no more of them than a month of activities has."""
    cells: dict[str, str] = {}
    for key, value in values.items():
        match = DRAFT_CELL.fullmatch(key)
        if match is None or not isinstance(value, str) or not value.strip():
            continue
        day = portal_date(match[1])
        if day is not None and Month.of(day) == month:
            cells[key] = value.strip()[:CELL_LIMIT]
        if len(cells) >= 31 * MAX_ACTIVITIES:
            break
    return cells


async def save_draft(
    db: AsyncSession,
    organisation_id: int,
    participant_id: int,
    month: Month,
    values: Mapping[str, str],
    author_name: str,
    now: dt.datetime,
) -> HourReportVersion:
    """Keep what was typed in the month's draft, creating the report or a new draft version."""
    report = await find_report(db, organisation_id, participant_id, month)
    if report is None:
        report = HourReport(
            participant_id=participant_id,
            organisation_id=organisation_id,
            year=month.year,
            month=month.month,
        )
        db.add(report)
    draft = report.versions[-1] if report.versions else None
    if draft is not None and draft.state == "submitted":
        raise HoursError(
            gettext("This month has been submitted and is locked. Make a correction to change it.")
        )
    if draft is None:
        draft = HourReportVersion(version=1, updated_by_name=author_name)
        report.versions.append(draft)
    draft.draft_data = json.dumps(draft_cells(values, month), sort_keys=True)
    draft.updated_at = now
    draft.updated_by_name = author_name
    await db.flush()
    return draft


async def submit(
    db: AsyncSession,
    report: HourReport,
    grid: Grid,
    activities: Sequence[Activity],
    staff_id: int | None,
    author_name: str,
    now: dt.datetime,
    links: Links,
) -> HourReportVersion:
    """Lock the draft as submitted with the checked entries (the caller has checked `grid`),
    and tell the participant there are hours to approve."""
    if grid.errors:
        raise ValueError("a grid with errors cannot be submitted")
    draft = report.versions[-1] if report.versions else None
    if draft is None or draft.state != "draft":
        raise HoursError(gettext("This month has already been submitted."))
    labels = {activity.key: activity.label for activity in activities}
    for (day, key), hours in sorted(grid.hours.items()):
        draft.entries.append(
            HourEntry(day=day, activity=key, activity_label=labels[key], hours=hours)
        )
    draft.state = "submitted"
    draft.submitted_at = now
    draft.submitted_by_staff_id = staff_id
    draft.updated_at = now
    draft.updated_by_name = author_name
    draft.draft_data = "{}"
    await db.flush()
    participant = await db.get_one(Participant, report.participant_id)
    await notify_participant(db, participant, HOURS_TO_APPROVE, links)
    await record_event(db, participant.id, "hours_sent", now)
    return draft


async def start_correction(
    db: AsyncSession, report: HourReport, author_name: str, now: dt.datetime
) -> HourReportVersion:
    """A new draft version holding the last submitted hours, for the provider to change."""
    latest = report.versions[-1] if report.versions else None
    if latest is None or latest.state != "submitted":
        raise HoursError(gettext("There is already a correction being made of this month."))
    draft = HourReportVersion(
        version=latest.version + 1,
        draft_data=json.dumps(values_of(latest.entries), sort_keys=True),
        updated_at=now,
        updated_by_name=author_name,
    )
    report.versions.append(draft)
    await db.flush()
    return draft


def utc_now() -> dt.datetime:
    """The service's clock; tests replace it to move time."""
    return utcnow()
