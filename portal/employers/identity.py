"""Who an employer is: the organisation number with its check digit, the organisation and
the person found or made at login, and the pseudonym by which an organisation knows a
participant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import utcnow
from portal.employers.models import EmployerOrganisation, EmployerUser
from portal.participants.service import luhn_check_digit

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def normalise_organisation_number(country: str, text: str) -> str | None:
    """The number's digits when it is valid, else None. Denmark: a CVR number, eight digits
    with the modulus-11 check. Sweden: an organisationsnummer, ten digits (optionally with a
    hyphen, or the "16" prefix) whose last is the Luhn check digit of the nine before."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not digits.isdigit():
        return None
    if country == "DK":
        if len(digits) != 8 or digits[0] == "0":
            return None
        total = sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=True))
        return digits if total % 11 == 0 else None
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or luhn_check_digit(digits[:9]) != int(digits[9]):
        return None
    return digits


def format_organisation_number(country: str, digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}" if country == "SE" else digits


def subject_key(issuer: str, subject: str) -> str:
    """A person's key: the IdP's subject is unique only within its issuer."""
    return hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()


async def employer_for_login(
    db: AsyncSession, subject: str, number: str, organisation_name: str, name: str, email: str
) -> EmployerUser:
    """The organisation by number and the person by subject, made at their first login and
    kept up to date with what the IdP says of them (a person may change organisation)."""
    organisation = await db.scalar(
        select(EmployerOrganisation).where(EmployerOrganisation.number == number)
    )
    if organisation is None:
        organisation = EmployerOrganisation(number=number, name=organisation_name or number)
        db.add(organisation)
        await db.flush()
    elif organisation_name and organisation.name != organisation_name:
        organisation.name = organisation_name
    user = await db.scalar(select(EmployerUser).where(EmployerUser.subject == subject))
    if user is None:
        user = EmployerUser(subject=subject, organisation_id=organisation.id, name=name)
        db.add(user)
    user.organisation_id = organisation.id
    user.name = name or user.name
    user.email = email
    user.last_login_at = utcnow()
    await db.flush()
    return user


PSEUDONYM_LENGTH = 10


def pseudonym(secret: str, organisation_id: int, participant_id: int) -> str:
    """A participant's id for one organisation: keyed with the portal's secret, so it can be
    neither guessed nor linked to the participant or to another organisation's id."""
    mac = hmac.new(
        secret.encode(), f"cv-bank|{organisation_id}|{participant_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(mac).decode()[:PSEUDONYM_LENGTH]


def pseudonym_label(value: str) -> str:
    """As shown: two groups of five, easy to read out on the phone."""
    return f"{value[:5]}-{value[5:]}"
