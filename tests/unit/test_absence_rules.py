"""Absence rules: weeks, which days are offered, the reasons, copying a day, attendance."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from portal.hours.service import Month
from portal.reports import absence
from portal.reports.absence import Week
from portal.reports.rules import Period

PERIOD = Period(dt.date(2026, 11, 4), dt.date(2027, 2, 26))


def test_a_week_reads_and_writes_as_an_iso_week() -> None:
    week = Week.parse("2026-W53")
    assert week is not None and week.monday == dt.date(2026, 12, 28)
    assert str(week) == "2026-W53" and str(week.next()) == "2027-W01"
    assert Week.parse("2026-W54") is None and Week.parse("x") is None and Week.parse("") is None
    assert Week.of(dt.date(2026, 12, 3)).monday == dt.date(2026, 11, 30)


def test_weekends_holidays_days_outside_and_days_to_come_are_not_offered() -> None:
    days = absence.week_days("SE", Week(dt.date(2026, 11, 2)), PERIOD, dt.date(2026, 11, 5))
    why = {d.day.isoformat(): d.why_not for d in days if not d.offered}
    assert why["2026-11-02"] == "outside" and why["2026-11-03"] == "outside"
    assert why["2026-11-06"] == "future"
    assert why["2026-11-07"] == "weekend" and why["2026-11-08"] == "weekend"
    assert [d.day.isoformat() for d in days if d.offered] == ["2026-11-04", "2026-11-05"]
    christmas = absence.week_days("SE", Week(dt.date(2026, 12, 21)), PERIOD, dt.date(2027, 1, 5))
    holidays = {d.day.day: d.why_not for d in christmas if not d.offered and d.day.weekday() < 5}
    assert set(holidays) == {24, 25}  # Julafton is not a working day in Sweden; Juldagen a holiday


def test_other_needs_a_note_and_an_unknown_reason_is_refused() -> None:
    days = absence.week_days("SE", Week(dt.date(2026, 11, 30)), PERIOD, dt.date(2026, 12, 4))
    form = {
        "reason-2026-11-30": "illness",
        "reason-2026-12-01": "other",
        "reason-2026-12-02": "holiday",
        "reason-2026-12-05": "illness",  # a Saturday: not offered, so not read
    }
    absent, errors = absence.parse_week(form, days)
    assert set(errors) == {"note-2026-12-01", "reason-2026-12-02"}
    assert absent[dt.date(2026, 11, 30)] == ("illness", "")
    assert dt.date(2026, 12, 5) not in absent
    form["note-2026-12-01"] = "Moving house"
    form["reason-2026-12-02"] = ""
    absent, errors = absence.parse_week(form, days)
    assert errors == {} and absent[dt.date(2026, 12, 1)] == ("other", "Moving house")


def test_a_day_is_copied_to_the_chosen_days() -> None:
    form = {"reason-2026-11-30": "other", "note-2026-11-30": "Court", "reason-2026-12-01": ""}
    copied = absence.copy_day(
        form, dt.date(2026, 11, 30), [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    )
    assert copied["reason-2026-12-02"] == "other" and copied["note-2026-12-01"] == "Court"


def test_attendance_counts_working_days_within_the_intervention_up_to_today() -> None:
    absences: list[Any] = [
        SimpleNamespace(day=dt.date(2026, 11, 10), reason="illness"),
        SimpleNamespace(day=dt.date(2026, 11, 11), reason="child_care"),
    ]
    months = absence.attendance("SE", PERIOD, dt.date(2026, 12, 2), absences)
    assert [m.month for m in months] == [Month(2026, 12), Month(2026, 11)]
    december, november = months
    assert december.working_days == 2  # 1 and 2 December
    assert november.working_days == 19  # from the 4th; no holiday left after All Saints' Day
    assert november.absent["illness"] == 1 and november.present == 17
