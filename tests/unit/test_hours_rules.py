"""Rules of hour histories: the month grid, versions, approval, consent, expiry and export."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import portal.models  # noqa: F401  (every table)
from portal.auth.models import Signature
from portal.db import Base, Database
from portal.holidays import easter_sunday, is_working_day, working_days
from portal.hours import approval, exports, service
from portal.hours.models import HourExportItem, HourReport
from portal.hours.service import Activity, HoursError, Month, field_name, parse_grid
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.staff.models import Organisation
from portal.web.i18n import Formatter, current_language
from tests.conftest import run_in_own_thread

T = TypeVar("T")
UTC = dt.UTC
OWN = service.OWN_WORK
ACTIVITIES = [Activity("initiative:1", "Praktik"), Activity(OWN, "Eget arbete")]
MARCH = Month(2026, 3)
LINKS = Links("http://testserver", "SE")
TODAY = dt.date(2026, 4, 10)
FORMAT = Formatter("Europe/Stockholm")


def grid(values: dict[str, str], country: str = "SE", month: Month = MARCH) -> service.Grid:
    return parse_grid(values, country, month, ACTIVITIES, TODAY, FORMAT)


# ---------------------------------------------------------------- calendar


def test_easter_is_computed_for_known_years() -> None:
    assert easter_sunday(2025) == dt.date(2025, 4, 20)
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    assert easter_sunday(2027) == dt.date(2027, 3, 28)


@pytest.mark.parametrize(
    ("country", "day", "working"),
    [
        ("SE", dt.date(2026, 4, 3), False),  # Good Friday
        ("SE", dt.date(2026, 4, 6), False),  # Easter Monday
        ("SE", dt.date(2026, 6, 19), False),  # Midsummer Eve
        ("SE", dt.date(2026, 6, 5), True),  # 5 June is an ordinary day in Sweden
        ("DK", dt.date(2026, 6, 5), False),  # Constitution Day
        ("DK", dt.date(2026, 4, 2), False),  # Maundy Thursday
        ("DK", dt.date(2023, 5, 5), False),  # Great Prayer Day, until 2023
        ("DK", dt.date(2026, 5, 1), True),  # not a Danish public holiday
        ("SE", dt.date(2026, 3, 7), False),  # Saturday
    ],
)
def test_working_days_skip_weekends_and_the_countrys_holidays(
    country: str, day: dt.date, working: bool
) -> None:
    assert is_working_day(country, day) is working


def test_a_month_lists_only_its_working_days() -> None:
    days = working_days("SE", 2026, 3)
    assert len(days) == 22 and all(day.weekday() < 5 for day in days)


def test_months_step_across_the_year() -> None:
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month.parse("2026-03") == MARCH and Month.parse("2026-3") is None
    assert Month.parse("2026-13") is None and Month.parse("x") is None


# ---------------------------------------------------------------- grid


def test_several_activities_on_a_day_up_to_8_hours_are_accepted() -> None:
    day = dt.date(2026, 3, 3)
    result = grid({field_name(day, "initiative:1"): "5,5", field_name(day, OWN): "2.5"})
    assert not result.errors
    assert result.total == Decimal(8)


def test_more_than_8_hours_on_a_day_across_activities_is_refused_at_the_day() -> None:
    day = dt.date(2026, 3, 3)
    token = current_language.set("en")
    try:
        result = grid({field_name(day, "initiative:1"): "6", field_name(day, OWN): "2.5"})
    finally:
        current_language.reset(token)
    assert result.errors == {"day_2026-03-03": "Tuesday 3 March: 8.5 hours, at most 8."}


@pytest.mark.parametrize("typed", ["0.3", "1.1", "-1", "two", "9", "nan", "1e30", "9" * 40, "inf"])
def test_hours_must_be_quarter_hours_from_0_to_8(typed: str) -> None:
    name = field_name(dt.date(2026, 3, 3), OWN)
    assert name in grid({name: typed}).errors


@pytest.mark.parametrize("typed", ["0.25", "0,5", "7.75", "8", "0"])
def test_quarter_hours_are_accepted(typed: str) -> None:
    assert not grid({field_name(dt.date(2026, 3, 3), OWN): typed}).errors


@pytest.mark.parametrize(
    ("country", "day"),
    [("SE", dt.date(2026, 3, 7)), ("SE", dt.date(2026, 6, 6)), ("DK", dt.date(2026, 6, 5))],
)
def test_weekends_and_holidays_cannot_be_filled(country: str, day: dt.date) -> None:
    month = Month.of(day)
    result = parse_grid(
        {field_name(day, OWN): "2"}, country, month, ACTIVITIES, dt.date(2026, 12, 31), FORMAT
    )
    assert f"day_{day.isoformat()}" in result.errors and not result.hours


def test_days_that_have_not_come_cannot_be_filled() -> None:
    result = grid({field_name(dt.date(2026, 4, 13), OWN): "2"}, month=Month(2026, 4))
    assert "day_2026-04-13" in result.errors


def test_an_empty_month_is_a_valid_report() -> None:
    result = grid({})
    assert not result.errors and result.total == 0


def test_a_day_is_copied_to_selected_days_as_typed() -> None:
    source, target = dt.date(2026, 3, 3), dt.date(2026, 3, 4)
    copied = service.copy_day(
        {field_name(source, OWN): "2,5"}, source, [target], [a.key for a in ACTIVITIES]
    )
    assert copied[field_name(target, OWN)] == "2,5"
    assert copied[field_name(target, "initiative:1")] == ""


def test_activities_are_the_initiatives_touching_the_month_and_own_work() -> None:
    found = service.activities_for_month(
        [
            (1, "Praktik", dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
            (2, "Kurs", dt.date(2026, 4, 1), None),
            (3, "Mentor", dt.date(2026, 1, 1), None),
        ],
        MARCH,
    )
    assert [a.key for a in found] == ["initiative:1", "initiative:3", OWN]


def test_expiry_is_three_calendar_months_after_submission() -> None:
    submitted = dt.datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert service.add_months(submitted, 3) == dt.datetime(2027, 2, 28, 12, tzinfo=UTC)


# ---------------------------------------------------------------- with a database


def run(test: Callable[[AsyncSession, dict[str, Any]], Awaitable[T]]) -> T:
    async def main(folder: str) -> T:
        sqlite3.connect(f"{folder}/hours.db").close()  # the portal never creates the file
        database = Database(f"sqlite:///{folder}/hours.db")
        async with database.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with database.transaction() as db:
            provider = Organisation(name="Provider", kind="provider")
            people = [
                Participant(personal_number=f"1990010{i}-0000", first_name="P", last_name=str(i))
                for i in range(2)
            ]
            db.add_all([provider, *people])
            await db.flush()
            ids = {"org": provider.id, "p": people[0].id, "q": people[1].id}
            try:
                return await test(db, ids)
            finally:
                await db.rollback()
                await database.dispose()

    with tempfile.TemporaryDirectory() as folder:
        return run_in_own_thread(main(folder))


NOW = dt.datetime(2026, 4, 10, 9, tzinfo=UTC)


async def submitted_report(
    db: AsyncSession, ids: dict[str, Any], month: Month = MARCH, participant: str = "p"
) -> HourReport:
    values = {field_name(dt.date(month.year, month.month, 2), OWN): "4"}
    await service.save_draft(db, ids["org"], ids[participant], month, values, "Erik", NOW)
    report = await service.find_report(db, ids["org"], ids[participant], month)
    assert report is not None
    checked = parse_grid(values, "SE", month, ACTIVITIES, TODAY, FORMAT)
    await service.submit(db, report, checked, ACTIVITIES, None, "Erik", NOW, LINKS)
    return report


async def signature(db: AsyncSession, participant_id: int) -> Signature:
    record = Signature(
        participant_id=participant_id,
        purpose="test",
        text="t",
        document="{}",
        document_sha256="0" * 64,
        subject="s",
        id_token_sha256="0" * 64,
    )
    db.add(record)
    await db.flush()
    return record


async def approve(
    db: AsyncSession, ids: dict[str, Any], report: HourReport, consent: bool, who: str = "p"
) -> None:
    version = service.latest_submitted(report)
    assert version is not None
    await approval.approve(
        db, ids[who], report.id, version.version, consent, await signature(db, ids[who]), NOW
    )


def test_a_submitted_month_is_locked_and_a_correction_is_a_new_version() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        report = await submitted_report(db, ids)
        with pytest.raises(HoursError):
            await service.save_draft(db, ids["org"], ids["p"], MARCH, {}, "Erik", NOW)
        draft = await service.start_correction(db, report, "Erik", NOW)
        assert draft.version == 2 and "h_2026-03-02_own_work" in draft.draft_data
        with pytest.raises(HoursError):
            await service.start_correction(db, report, "Erik", NOW)
        # Until the correction is submitted, the participant still sees version 1.
        visible = approval.visible_to_participant(report, NOW)
        assert visible is not None and visible.version == 1

    run(check)


def test_an_approval_is_for_the_version_that_was_shown() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        report = await submitted_report(db, ids)
        await service.start_correction(db, report, "Erik", NOW)
        checked = parse_grid({}, "SE", MARCH, ACTIVITIES, TODAY, FORMAT)
        await service.submit(db, report, checked, ACTIVITIES, None, "Erik", NOW, LINKS)
        with pytest.raises(HoursError):
            await approval.approve(db, ids["p"], report.id, 1, False, await signature(db, 1), NOW)

    run(check)


def test_consent_is_given_only_with_an_approval_and_offered_while_not_in_force() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        assert await approval.consent_in_force(db, ids["p"]) is None
        with pytest.raises(HoursError):  # nothing to withdraw before anything was given
            await approval.withdraw_consent(db, ids["p"], await signature(db, ids["p"]), NOW)
        await approve(db, ids, await submitted_report(db, ids), consent=True)
        assert await approval.consent_in_force(db, ids["p"]) is not None
        assert not await approval.may_offer_consent(db, ids["p"])
        await approval.withdraw_consent(db, ids["p"], await signature(db, ids["p"]), NOW)
        assert await approval.may_offer_consent(db, ids["p"])

    run(check)


def test_a_report_not_approved_in_three_months_disappears_for_the_participant() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        report = await submitted_report(db, ids)
        late = service.add_months(NOW, 3)
        assert approval.visible_to_participant(report, late - dt.timedelta(seconds=1))
        assert approval.visible_to_participant(report, late) is None
        assert service.status_of(service.latest_submitted(report), late) == "expired"
        assert await approval.participant_report(db, ids["p"], report.id, late) is None

    run(check)


def test_an_approved_report_does_not_expire() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        report = await submitted_report(db, ids)
        await approve(db, ids, report, consent=False)
        later = service.add_months(NOW, 12)
        assert approval.visible_to_participant(report, later) is not None

    run(check)


async def export_now(db: AsyncSession) -> set[int]:
    export = await exports.create_export(
        db, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "Karin", NOW
    )
    rows = await db.scalars(
        select(HourExportItem.version_id).where(HourExportItem.export_id == export.id)
    )
    return set(rows)


def test_an_export_holds_approved_consented_reports_never_twice() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        consented = await submitted_report(db, ids)
        await approve(db, ids, consented, consent=True)
        unconsented = await submitted_report(db, ids, participant="q")
        await approve(db, ids, unconsented, consent=False, who="q")
        await submitted_report(db, ids, month=Month(2026, 2))  # not approved
        first = await export_now(db)
        assert first == {service.latest_submitted(consented).id}  # type: ignore[union-attr]
        assert await export_now(db) == set()

    run(check)


def test_a_withdrawal_stops_later_exports_but_keeps_earlier_ones() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        january = await submitted_report(db, ids, month=Month(2026, 1))
        await approve(db, ids, january, consent=True)
        assert len(await export_now(db)) == 1
        february = await submitted_report(db, ids, month=Month(2026, 2))
        await approve(db, ids, february, consent=False)
        await approval.withdraw_consent(db, ids["p"], await signature(db, ids["p"]), NOW)
        assert await export_now(db) == set()
        items = await db.scalar(select(func.count()).select_from(HourExportItem))
        assert items == 1  # what was passed on stays passed on

    run(check)


def test_a_superseded_version_is_not_exported() -> None:
    async def check(db: AsyncSession, ids: dict[str, Any]) -> None:
        report = await submitted_report(db, ids)
        await approve(db, ids, report, consent=True)
        await service.start_correction(db, report, "Erik", NOW)
        checked = parse_grid({}, "SE", MARCH, ACTIVITIES, TODAY, FORMAT)
        await service.submit(db, report, checked, ACTIVITIES, None, "Erik", NOW, LINKS)
        assert await export_now(db) == set()  # the correction awaits approval

    run(check)


def test_the_demo_providers_hours_are_never_sent_after_now() -> None:
    from portal.demo.hours import sent_at

    zone = ZoneInfo("Europe/Stockholm")
    early = dt.datetime(2026, 12, 2, 9, 0, tzinfo=zone)
    assert sent_at(Month(2026, 11), early) < early
    later = dt.datetime(2026, 12, 20, 9, 0, tzinfo=zone)
    assert sent_at(Month(2026, 11), later) == dt.datetime(2026, 12, 3, 10, 0, tzinfo=zone)


def test_a_draft_keeps_only_the_months_cells_each_bounded() -> None:
    march = Month(2026, 3)
    posted = {
        field_name(dt.date(2026, 3, 3), OWN): " 2,5 ",
        field_name(dt.date(2026, 3, 4), "initiative:7"): "9" * 1000,
        field_name(dt.date(2026, 4, 1), OWN): "3",  # another month
        field_name(dt.date(2026, 3, 5), OWN): "  ",  # empty
        "h_2026-03-06_<script>": "1",
        "h_9999-W52_own_work": "1",
        "junk": "x" * 10_000,
    }
    assert service.draft_cells(posted, march) == {
        field_name(dt.date(2026, 3, 3), OWN): "2,5",
        field_name(dt.date(2026, 3, 4), "initiative:7"): "9" * service.CELL_LIMIT,
    }
