"""Personal numbers: Swedish Luhn check and date, Danish CPR date."""

from __future__ import annotations

import pytest

from portal.auth.personas import PERSONAS
from portal.employers.identity import normalise_organisation_number
from portal.participants.service import normalise_personal_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19900101-1239", "19900101-1239"),
        ("199001011239", "19900101-1239"),
        (" 19850615-4569 ", "19850615-4569"),
        ("19900101-1238", None),  # wrong check digit
        ("19900230-1230", None),  # no 30 February
        ("900101-1239", None),  # ten digits are not accepted: the century would be a guess
        ("abc", None),
        ("", None),
    ],
)
def test_swedish_personal_numbers(text: str, expected: str | None) -> None:
    assert normalise_personal_number("SE", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("010190-1009", "010190-1009"),
        ("0101901009", "010190-1009"),
        ("310290-1234", None),  # no 31 February
        ("19900101-1239", None),
    ],
)
def test_danish_cpr_numbers(text: str, expected: str | None) -> None:
    assert normalise_personal_number("DK", text) == expected


@pytest.mark.parametrize("country", ["SE", "DK"])
def test_every_persona_has_a_valid_personal_number(country: str) -> None:
    """Employers log in for their organisation: a valid organisation number, no personal one."""
    for persona in PERSONAS:
        if persona.organisations is not None:
            number = persona.organisations[country][0]
            assert normalise_organisation_number(country, number) == number
            continue
        number = persona.personal_number(country)
        assert normalise_personal_number(country, number) == number
