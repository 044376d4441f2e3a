"""The slot engine: working hours, pauses, closing days, notice, offer windows, admin time,
daylight saving, group seats and caseworker choice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.booking.slot_engine import (
    Caseworker,
    Offer,
    WeekSchedule,
    bookable_days,
    bookable_on,
    bookable_span,
    check_pauses,
    closing_days,
    group_seats,
    group_slots,
    individual_slots,
    subtract,
)

ZONE = "Europe/Stockholm"
TZ = ZoneInfo(ZONE)
MONDAY = dt.date(2026, 3, 2)  # today in most tests: the Sunday before
TODAY = MONDAY - dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def offer(**changes: object) -> Offer:
    values: dict[str, object] = {"duration": HOUR, "fixed_end": MONDAY + dt.timedelta(days=4)}
    values.update(changes)
    return Offer(**values)  # type: ignore[arg-type]


def nine_to_twelve(**pauses: object) -> WeekSchedule:
    return WeekSchedule(
        {d: (dt.time(9), dt.time(12)) if d < 5 else None for d in range(7)},
        pauses,  # type: ignore[arg-type]
    )


def times(slots: dict[dt.date, list], day: dt.date) -> list[str]:  # type: ignore[type-arg]
    return [s.start.strftime("%H:%M") for s in slots.get(day, [])]


def test_working_hours_are_cut_into_a_grid_of_the_meeting_length() -> None:
    slots = individual_slots(offer(), [Caseworker(1, nine_to_twelve())], set(), TODAY, ZONE)
    assert times(slots, MONDAY) == ["09:00", "10:00", "11:00"]
    assert set(slots) == {MONDAY + dt.timedelta(days=n) for n in range(5)}


def test_pauses_and_busy_time_are_taken_out() -> None:
    schedule = WeekSchedule(
        {d: (dt.time(9), dt.time(13)) if d < 5 else None for d in range(7)},
        {0: [(dt.time(10), dt.time(10, 30))]},
    )
    busy = [(at(MONDAY, 12), at(MONDAY, 13))]
    slots = individual_slots(offer(), [Caseworker(1, schedule, busy)], set(), TODAY, ZONE)
    assert times(slots, MONDAY) == ["09:00", "11:00"]  # 10:00 loses its half hour to the pause


def test_admin_time_after_a_meeting_must_fit_too() -> None:
    slots = individual_slots(
        offer(admin_time=dt.timedelta(minutes=30)),
        [Caseworker(1, nine_to_twelve())],
        set(),
        TODAY,
        ZONE,
    )
    assert times(slots, MONDAY) == ["09:00", "10:00"]  # 11:00 + 1 h + 30 min passes 12:00


def test_a_booked_meeting_with_its_admin_time_blocks_the_grid() -> None:
    meeting = (at(MONDAY, 9), at(MONDAY, 10, 30))  # an hour plus half an hour of admin
    slots = individual_slots(
        offer(), [Caseworker(1, nine_to_twelve(), [meeting])], set(), TODAY, ZONE
    )
    assert times(slots, MONDAY) == ["11:00"]


def test_closing_days_are_inherited_from_teams_above_and_include_national_holidays() -> None:
    parents = {1: None, 2: 1, 3: 2}
    local = {1: [(dt.date(2026, 3, 3), dt.date(2026, 3, 3))], 3: [(dt.date(2026, 3, 5),) * 2]}
    days = closing_days("SE", 3, parents, local, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert {dt.date(2026, 3, 3), dt.date(2026, 3, 5), dt.date(2026, 4, 3)} <= days
    sibling = closing_days("SE", 2, parents, local, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert dt.date(2026, 3, 3) in sibling and dt.date(2026, 3, 5) not in sibling


def test_danish_constitution_day_is_closed() -> None:
    days = closing_days("DK", 1, {1: None}, {}, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert dt.date(2026, 6, 5) in days
    assert dt.date(2026, 6, 5) not in closing_days(
        "SE", 1, {1: None}, {}, dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    )


def test_closed_days_have_no_slots() -> None:
    slots = individual_slots(offer(), [Caseworker(1, nine_to_twelve())], {MONDAY}, TODAY, ZONE)
    assert MONDAY not in slots and MONDAY + dt.timedelta(days=1) in slots


def test_the_earliest_slot_is_tomorrow() -> None:
    days = bookable_days(offer(), MONDAY)
    assert days[0] == MONDAY + dt.timedelta(days=1)


def test_the_earlier_of_fixed_and_rolling_end_wins_and_visible_from_hides() -> None:
    assert bookable_days(offer(rolling_weeks=1, fixed_end=None), TODAY)[-1] == TODAY + dt.timedelta(
        weeks=1
    )
    both = offer(rolling_weeks=4, fixed_end=MONDAY + dt.timedelta(days=2))
    assert bookable_days(both, TODAY)[-1] == MONDAY + dt.timedelta(days=2)
    assert bookable_days(offer(visible_from=MONDAY), TODAY) == []
    assert bookable_days(offer(first_date=MONDAY + dt.timedelta(days=3)), TODAY)[0] == (
        MONDAY + dt.timedelta(days=3)
    )
    assert bookable_days(offer(active=False), TODAY) == []


def test_the_bookable_span_is_the_first_and_last_bookable_day_or_none() -> None:
    cases = [
        offer(),
        offer(rolling_weeks=1, fixed_end=None),
        offer(rolling_weeks=4, fixed_end=MONDAY + dt.timedelta(days=2)),
        offer(visible_from=MONDAY),
        offer(first_date=MONDAY + dt.timedelta(days=3)),
        offer(active=False),
        offer(fixed_end=TODAY),  # ended: nothing from tomorrow on
        offer(fixed_end=None, rolling_weeks=None),
    ]
    around = [TODAY + dt.timedelta(days=n) for n in range(-2, 40)]
    for each in cases:
        days = bookable_days(each, TODAY)
        assert bookable_span(each, TODAY) == ((days[0], days[-1]) if days else None)
        assert [day for day in around if bookable_on(each, TODAY, day)] == days
    assert bookable_span(offer(fixed_end=TODAY), TODAY) is None


def test_wall_clock_times_hold_across_the_daylight_saving_change() -> None:
    # Sweden moves to summer time in the night to Sunday 29 March 2026.
    friday, monday = dt.date(2026, 3, 27), dt.date(2026, 3, 30)
    slots = individual_slots(
        offer(fixed_end=monday),
        [Caseworker(1, nine_to_twelve())],
        set(),
        dt.date(2026, 3, 26),
        ZONE,
    )
    assert times(slots, friday) == times(slots, monday) == ["09:00", "10:00", "11:00"]
    assert slots[friday][0].start.utcoffset() == HOUR
    assert slots[monday][0].start.utcoffset() == 2 * HOUR


def test_each_time_lists_the_caseworkers_free_then_for_the_participant_to_choose() -> None:
    busy = [(at(MONDAY, 9), at(MONDAY, 10))]
    slots = individual_slots(
        offer(),
        [Caseworker(1, nine_to_twelve()), Caseworker(2, nine_to_twelve(), busy)],
        set(),
        TODAY,
        ZONE,
    )
    assert [s.caseworkers for s in slots[MONDAY]] == [(1,), (1, 2), (1, 2)]


def test_a_room_holds_one_meeting_at_a_time_but_not_during_admin_time() -> None:
    room_busy = [(at(MONDAY, 10), at(MONDAY, 11))]  # another caseworker's meeting in the room
    slots = individual_slots(
        offer(admin_time=dt.timedelta(minutes=30), duration=dt.timedelta(minutes=30)),
        [Caseworker(1, nine_to_twelve()), Caseworker(2, nine_to_twelve())],
        set(),
        TODAY,
        ZONE,
        room_busy,
    )
    # 09:30 ends at 10:00 (its admin time may overlap the room's next meeting); 10:00 and
    # 10:30 would share the room.
    assert times(slots, MONDAY) == ["09:00", "09:30", "11:00"]
    assert times(slots, MONDAY + dt.timedelta(days=1)) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]


def test_group_times_show_while_seats_are_free() -> None:
    first, second = at(MONDAY, 10), at(MONDAY + dt.timedelta(days=1), 10)
    seats = group_seats(capacity=10, overbooking=2, set_number=None)
    assert seats == 12 and group_seats(10, 2, 5) == 5
    slots = group_slots(
        offer(), [first, second], seats, {first: 12, second: 11}, set(), TODAY, ZONE
    )
    assert MONDAY not in slots
    assert slots[MONDAY + dt.timedelta(days=1)][0].seats_left == 1


def test_interval_subtraction() -> None:
    free = [(at(MONDAY, 9), at(MONDAY, 17))]
    left = subtract(free, [(at(MONDAY, 10), at(MONDAY, 11)), (at(MONDAY, 16), at(MONDAY, 18))])
    assert left == [(at(MONDAY, 9), at(MONDAY, 10)), (at(MONDAY, 11), at(MONDAY, 16))]


def test_pauses_last_at_least_15_minutes() -> None:
    assert check_pauses([(dt.time(12), dt.time(12, 15))])
    assert not check_pauses([(dt.time(12), dt.time(12, 10))])
