"""Reading form fields: every date the portal takes lies between 1900 and 2199."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.web.forms import Fields, whole_number


@pytest.mark.parametrize("raw", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_date_outside_the_years_the_portal_keeps_is_refused_at_the_field(raw: str) -> None:
    fields = Fields({"day": raw})
    assert fields.date("day") is None
    assert fields.errors["day"] == "Give a date from 1900-01-01 to 2199-12-31."


def test_a_date_within_them_is_read() -> None:
    fields = Fields({"day": " 2026-12-03 ", "first": "1900-01-01", "last": "2199-12-31"})
    assert fields.date("day") == dt.date(2026, 12, 3)
    assert fields.date("first") and fields.date("last") and not fields.errors
    assert Fields({"day": "2026-02-30"}).date("day") is None


def test_text_is_kept_in_one_normal_form_without_control_characters() -> None:
    decomposed = "A\u030angstr\u00f6m"  # "Å" as A + ring above
    fields = Fields({"name": f" {decomposed}\x00\x1b[31m ", "note": "one\r\ntwo\tthree"})
    assert fields.text("name", 100) == "Ångström[31m"
    assert fields.text("note", 100) == "one\ntwo\tthree"


@pytest.mark.parametrize(
    "raw",
    ["²", "٣", "-1", "+1", " 1", "1.0", "1e3", "", "9" * 19, "1" * 20, "9" * 5000, "0x10", "１"],
)
def test_a_number_in_anything_but_ascii_digits_within_its_bounds_is_none(raw: str) -> None:
    assert whole_number(raw) is None


def test_a_whole_number_is_read_within_its_bounds() -> None:
    assert whole_number("0") == 0
    assert whole_number("007") == 7
    assert whole_number(str(2**62)) == 2**62
    assert whole_number("12", maximum=11) is None
    assert whole_number("3", minimum=4) is None
    assert whole_number(None) is None


@pytest.mark.parametrize("raw", ["²", "5" * 5000, "1e30"])
def test_a_number_field_refuses_what_is_not_a_small_ascii_number(raw: str) -> None:
    fields = Fields({"seats": raw, "team": raw})
    assert fields.integer("seats", 1, 500) is None and "seats" in fields.errors
    assert fields.one_of("team", {1: "A"}) is None and "team" in fields.errors


@pytest.mark.parametrize(
    "raw", ["\ufffd\ufffdanna@example.org", "anna@exa\ufffdmple.org", "anna@", "an na@x.se"]
)
def test_an_email_address_from_bytes_that_were_not_utf8_is_refused(raw: str) -> None:
    fields = Fields({"email": raw})
    fields.email("email")
    assert "email" in fields.errors


def test_an_international_email_address_is_taken() -> None:
    fields = Fields({"email": "åsa.öberg@exempel.se"})
    assert fields.email("email") == "åsa.öberg@exempel.se" and not fields.errors
