"""The development IdP's demo people: ids are the login_hint values scripts and tests use."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import LazyProxy

from portal.web.i18n import lazy_gettext as _


@dataclass(frozen=True)
class Persona:
    id: str
    given_name: str
    family_name: str
    kind: str  # "participant", "staff" or "employer"
    description: LazyProxy
    personal_numbers: dict[str, str]  # by country
    email: str
    # An employer's organisation by country: its number and name.
    organisations: dict[str, tuple[str, str]] | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def personal_number(self, country: str) -> str:
        return self.personal_numbers[country]


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "anna",
        "Anna",
        "Andersson",
        "participant",
        _("Participant"),
        {"SE": "19900101-1239", "DK": "010190-1009"},
        "anna@example.org",
    ),
    Persona(
        "bo",
        "Bo",
        "Berg",
        "participant",
        _("Participant"),
        {"SE": "19850615-4569", "DK": "150685-1005"},
        "bo@example.org",
    ),
    Persona(
        "karin",
        "Karin",
        "Karlsson",
        "staff",
        _("Caseworker (Anna)"),
        {"SE": "19780312-1230", "DK": "120378-1004"},
        "karin@jobcentre.example.org",
    ),
    Persona(
        "lars",
        "Lars",
        "Lind",
        "staff",
        _("Caseworker (Bo)"),
        {"SE": "19820907-3454", "DK": "070982-1008"},
        "lars@jobcentre.example.org",
    ),
    Persona(
        "erik",
        "Erik",
        "Ek",
        "staff",
        _("Provider staff"),
        {"SE": "19750520-2346", "DK": "200575-1007"},
        "erik@provider.example.org",
    ),
    Persona(
        "vera",
        "Vera",
        "Vik",
        "staff",
        _("Reviewer"),
        {"SE": "19880214-5675", "DK": "140288-1018"},
        "vera@jobcentre.example.org",
    ),
    Persona(
        "admin",
        "Alva",
        "Åberg",
        "staff",
        _("Authorization administrator"),
        {"SE": "19700101-4328", "DK": "010170-1018"},
        "alva@jobcentre.example.org",
    ),
    Persona(
        "palle",
        "Palle",
        "Persson",
        "staff",
        _("Planner administrator"),
        {"SE": "19911123-8763", "DK": "231191-1018"},
        "palle@jobcentre.example.org",
    ),
    Persona(
        "nora",
        "Nora",
        "Nyberg",
        "employer",
        _("Employer (a bakery)"),
        {},
        "nora@bakery.example.org",
        {"SE": ("5561234567", "Norrbageriet AB"), "DK": ("12345674", "Bageriet Nord ApS")},
    ),
    Persona(
        "emil",
        "Emil",
        "Eskildsen",
        "employer",
        _("Employer (a builder)"),
        {},
        "emil@builder.example.org",
        {"SE": ("5569876542", "Bygg & Montage AB"), "DK": ("23456788", "Byg & Montage A/S")},
    ),
)

PERSONAS_BY_ID = {persona.id: persona for persona in PERSONAS}


def persona_of(hint: str, country: str, valid_number: str | None) -> Persona | None:
    """The demo person a `login_hint` names: a persona's id, or (`valid_number`, the hint as a
    checked personal number) anyone with that number, called "Test Person"."""
    if hint in PERSONAS_BY_ID:
        return PERSONAS_BY_ID[hint]
    if valid_number is None:
        return None
    return Persona(
        f"pnr:{valid_number}",
        "Test",
        "Person",
        "any",
        _("Anyone by personal number"),
        {country: valid_number},
        "",
    )
