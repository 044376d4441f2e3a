"""Rules around bookings that need no database: who sees an offer, the picker's week, and
when a meeting may still be cancelled or moved."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.booking import slot_engine as engine
from portal.booking.free_times import Eligibility, is_eligible
from portal.booking.meetings import Meeting, can_cancel, can_rebook
from portal.booking.models import Booking, MeetingOffer
from portal.booking.routes import build_picker

ZONE = ZoneInfo("Europe/Stockholm")
MONDAY = dt.date(2026, 11, 23)


def offer(**values: object) -> MeetingOffer:
    defaults: dict[str, object] = {
        "id": 1,
        "team_id": 1,
        "accept_cancellation": True,
        "accept_rebooking": True,
        "rebook_days_before": 2,
        "duration_minutes": 30,
    }
    return MeetingOffer(**{**defaults, **values})


def meeting(on: dt.date, **offer_values: object) -> Meeting:
    start = dt.datetime.combine(on, dt.time(10), tzinfo=ZONE)
    booking = Booking(
        id=1, starts_at=start, ends_at=start + dt.timedelta(minutes=30), status="booked"
    )
    return Meeting(booking, offer(**offer_values), "", ())


def slot(day: dt.date) -> engine.Slot:
    start = dt.datetime.combine(day, dt.time(9), tzinfo=ZONE)
    return engine.Slot(start, start + dt.timedelta(minutes=30), (1,))


def test_an_offer_without_rules_is_for_everybody_and_every_set_rule_must_hold() -> None:
    anybody = Eligibility(frozenset(), (), None)
    assert is_eligible(offer(), anybody)
    young_in_nacka = Eligibility(frozenset({"youth"}), (5, 1), "Nacka")
    assert is_eligible(
        offer(eligible_marking="youth", eligible_municipality="NACKA"), young_in_nacka
    )
    assert is_eligible(offer(eligible_team_id=1), young_in_nacka)  # a team above theirs
    assert not is_eligible(offer(eligible_team_id=7), young_in_nacka)
    assert not is_eligible(offer(eligible_marking="graduate"), young_in_nacka)
    assert not is_eligible(offer(eligible_municipality="Solna"), young_in_nacka)
    assert not is_eligible(offer(eligible_marking="youth"), anybody)


def test_the_picker_chooses_the_first_free_day_and_disables_the_others() -> None:
    slots = {MONDAY + dt.timedelta(days=2): [slot(MONDAY + dt.timedelta(days=2))] * 3}
    picker = build_picker(slots, MONDAY, MONDAY + dt.timedelta(weeks=4), None, None)
    assert picker.selected == MONDAY + dt.timedelta(days=2)
    assert [d.free for d in picker.days] == [0, 0, 3, 0, 0]  # Mon–Fri; no weekend without times
    assert picker.previous_week is None and picker.next_week == MONDAY + dt.timedelta(days=7)


def test_a_week_without_free_times_names_the_next_free_day() -> None:
    later = MONDAY + dt.timedelta(days=17)
    picker = build_picker({later: [slot(later)]}, MONDAY, later, MONDAY, None)
    assert picker.selected is None and picker.next_free == later
    jumped = build_picker({later: [slot(later)]}, MONDAY, later, None, later)
    assert jumped.selected == later and jumped.week == later - dt.timedelta(days=later.weekday())


def test_a_meeting_is_moved_until_the_offers_deadline_and_cancelled_until_it_starts() -> None:
    friday = MONDAY + dt.timedelta(days=4)
    now = dt.datetime.combine(MONDAY, dt.time(12), tzinfo=ZONE)
    assert can_rebook(meeting(friday), friday - dt.timedelta(days=2), ZONE)
    assert not can_rebook(meeting(friday), friday - dt.timedelta(days=1), ZONE)
    assert not can_rebook(meeting(friday, accept_rebooking=False), MONDAY, ZONE)
    assert can_cancel(meeting(friday), now)
    assert not can_cancel(meeting(friday, accept_cancellation=False), now)
    assert not can_cancel(meeting(MONDAY - dt.timedelta(days=1)), now)
