"""Reminder-service rules: addresses needed for the channels chosen, and retry backoff."""

from __future__ import annotations

import datetime as dt

from portal.notify.service import backoff
from portal.participants.service import parse_notification_settings


def test_a_chosen_channel_needs_its_address() -> None:
    _choice, errors = parse_notification_settings(
        {"notify_by_email": "on", "notify_email": "", "notify_by_sms": "on", "notify_phone": ""}
    )
    assert set(errors) == {"notify_email", "notify_phone"}


def test_addresses_are_checked_even_when_their_channel_is_off() -> None:
    _choice, errors = parse_notification_settings({"notify_email": "anna@", "notify_phone": "x"})
    assert set(errors) == {"notify_email", "notify_phone"}


def test_no_channel_chosen_is_a_valid_choice() -> None:
    choice, errors = parse_notification_settings({})
    assert errors == {} and choice is not None and not (choice.by_email or choice.by_sms)


def test_retries_back_off_to_at_most_six_hours() -> None:
    assert backoff(1) == dt.timedelta(minutes=1)
    assert backoff(2) == dt.timedelta(minutes=2)
    assert backoff(5) == dt.timedelta(minutes=16)
    assert backoff(30) == dt.timedelta(hours=6)
