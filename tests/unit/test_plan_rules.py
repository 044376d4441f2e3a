"""My Plan's rules: validation with stated limits, states from dates, locking, moved periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.plan.inputs import LIMITS, parse_agreement, parse_goal, parse_initiative, parse_status
from portal.plan.models import InitiativeVersion
from portal.plan.service import initiative_state, is_locked, may_end, moved_from

TODAY = dt.date(2026, 11, 22)

VALID = {
    "type": "company_internship",
    "title": "Internship at the bakery",
    "content": "Baking and serving, four days a week.",
    "hours_per_week": "22,5",
    "agreed_by": "Karin Karlsson",
    "start_date": "2026-11-01",
    "end_date": "2027-01-31",
    "address": "Storgatan 1, Nacka",
    "contact_name": "Lena Bagare",
    "contact_phone": "+46 8 123 456 78",
    "contact_email": "lena@bageriet.example",
    "purpose": "To practise customer service before applying for shop jobs.",
}


def version(**changes: object) -> InitiativeVersion:
    values: dict[str, object] = {
        "start_date": dt.date(2026, 11, 1),
        "end_date": dt.date(2027, 1, 31),
        "cancelled": False,
        "final_status": None,
    }
    values.update(changes)
    return InitiativeVersion(**values)


def test_a_complete_initiative_is_accepted_with_a_decimal_comma() -> None:
    data, errors = parse_initiative(VALID)
    assert errors == {}
    assert data is not None and data.hours_per_week == Decimal("22.50")


@pytest.mark.parametrize("name", ["type", "title", "content", "agreed_by", "start_date", "purpose"])
def test_required_initiative_fields_are_named_when_missing(name: str) -> None:
    data, errors = parse_initiative({**VALID, name: ""})
    assert data is None and set(errors) == {name}


def test_an_end_before_the_start_is_refused_at_the_end_date() -> None:
    _data, errors = parse_initiative({**VALID, "end_date": "2026-10-31"})
    assert set(errors) == {"end_date"}


@pytest.mark.parametrize("hours", ["41", "-1", "many", "7.125", "NaN"])
def test_hours_per_week_must_be_0_to_40_with_two_decimals(hours: str) -> None:
    _data, errors = parse_initiative({**VALID, "hours_per_week": hours})
    assert set(errors) == {"hours_per_week"}


def test_hours_per_week_may_be_left_out() -> None:
    data, errors = parse_initiative({**VALID, "hours_per_week": ""})
    assert errors == {} and data is not None and data.hours_per_week is None


def test_too_long_text_is_refused_not_cut_and_the_message_states_the_limit() -> None:
    too_long = "x" * (LIMITS["title"] + 1)
    _data, errors = parse_initiative({**VALID, "title": too_long})
    assert str(LIMITS["title"]) in errors["title"]
    assert str(LIMITS["title"] + 1) in errors["title"]


@pytest.mark.parametrize(
    ("name", "value"),
    [("contact_email", "lena@"), ("contact_phone", "call me"), ("start_date", "31/12/2026")],
)
def test_malformed_contact_details_and_dates_are_refused(name: str, value: str) -> None:
    _data, errors = parse_initiative({**VALID, name: value})
    assert set(errors) == {name}


def test_json_values_of_the_wrong_kind_are_refused() -> None:
    _data, errors = parse_initiative({**VALID, "title": ["a"], "hours_per_week": True})
    assert set(errors) == {"title", "hours_per_week"}


def test_an_unknown_initiative_type_is_refused() -> None:
    _data, errors = parse_initiative({**VALID, "type": "holiday"})
    assert set(errors) == {"type"}


def test_a_goal_needs_a_text_within_its_limit() -> None:
    assert parse_goal({"text": "Baker"})[1] == {}
    assert set(parse_goal({"text": " "})[1]) == {"text"}
    assert set(parse_goal({"text": "x" * 201})[1]) == {"text"}


def test_an_agreement_and_a_status_cannot_be_dated_in_the_future() -> None:
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    agreement = {"text": "We agreed.", "agreed_on": future, "agreed_by": "Karin"}
    assert set(parse_agreement(agreement, TODAY)[1]) == {"agreed_on"}
    assert set(parse_status({"text": "Going well", "entry_date": future}, TODAY)[1]) == {
        "entry_date"
    }


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({"start_date": dt.date(2026, 12, 1)}, "planned"),
        ({}, "ongoing"),
        ({"end_date": TODAY}, "ongoing"),  # the last day is still a day of the initiative
        ({"end_date": None}, "ongoing"),
        ({"end_date": dt.date(2026, 11, 21)}, "ended"),
        ({"final_status": "Went well"}, "ended"),
        ({"cancelled": True}, "cancelled"),
        ({"cancelled": True, "start_date": dt.date(2027, 1, 1)}, "cancelled"),
    ],
)
def test_state_follows_from_dates_and_explicit_end_or_cancel(
    changes: dict[str, object], state: str
) -> None:
    assert initiative_state(version(**changes), TODAY) == state


def test_ended_and_cancelled_initiatives_are_locked() -> None:
    assert not is_locked(version(), TODAY)
    assert not is_locked(version(start_date=dt.date(2027, 1, 1)), TODAY)
    assert is_locked(version(final_status="Done"), TODAY)
    assert is_locked(version(cancelled=True), TODAY)
    assert is_locked(version(end_date=dt.date(2026, 11, 1)), TODAY)


def test_only_a_started_initiative_without_final_status_may_be_ended() -> None:
    assert may_end(version(), TODAY)
    assert may_end(version(end_date=dt.date(2026, 11, 10)), TODAY)  # ended by date, no status yet
    assert not may_end(version(start_date=dt.date(2027, 1, 1)), TODAY)
    assert not may_end(version(final_status="Done"), TODAY)
    assert not may_end(version(cancelled=True), TODAY)


def test_a_moved_period_remembers_the_period_before_the_move() -> None:
    first = version()
    same = version()
    moved = version(end_date=dt.date(2027, 2, 28))
    assert moved_from([first]) is None
    assert moved_from([first, same]) is None
    assert moved_from([first, same, moved]) == (dt.date(2026, 11, 1), dt.date(2027, 1, 31))
