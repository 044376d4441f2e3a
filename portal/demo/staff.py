"""Demo staff: the job centre's users beside the personas (several roles, some ended, some
starting later), so that the administrator's user list has pages and filters to show, and the
organisation's own details."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from sqlalchemy.ext.asyncio import AsyncSession

from portal.demo.caseload import personal_number
from portal.demo.texts import texts as texts_of
from portal.staff.models import Organisation, StaffAuthorization, StaffUser

STAFF = 32
ROLES = ("service_admin", "service_admin", "reader", "planner_admin", "reviewer")


def ascii_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "")


async def add_staff_directory(
    db: AsyncSession, job_centre: Organisation, taken: set[str], country: str, today: dt.date
) -> None:
    """Generated staff users of the job centre: every sixth has ended, every ninth starts next
    month; the rest are active until the end of next year."""
    texts = texts_of(country)
    names = texts["caseload"]
    details = texts["organisation_details"]
    job_centre.organisation_number = details["organisation_number"]
    job_centre.street_address = details["street_address"]
    job_centre.postal_address = details["postal_address"]
    job_centre.phone = details["phone"]
    job_centre.email = details["email"]
    job_centre.contact_persons = details["contact_persons"]
    chance = random.Random(1207)  # noqa: S311 -- demo data, not a secret
    for number in range(STAFF):
        birth = dt.date(chance.randint(1960, 2000), chance.randint(1, 12), chance.randint(1, 28))
        pnr = personal_number(country, birth, chance.randint(100, 989))
        if pnr in taken:
            continue
        taken.add(pnr)
        first, last = chance.choice(names["first_names"]), chance.choice(names["last_names"])
        role = ROLES[number % len(ROLES)]
        start = today - dt.timedelta(days=chance.randint(30, 900))
        end: dt.date | None = dt.date(today.year + 1, 12, 31)
        if number % 6 == 0:
            end = today - dt.timedelta(days=chance.randint(1, 20))
        elif number % 9 == 0:
            start = today + dt.timedelta(days=30)
        user = StaffUser(
            personal_number=pnr,
            first_name=first,
            last_name=last,
            email=f"{ascii_name(first)}.{ascii_name(last)}{number}@jobcentre.example.org",
            organisation=job_centre,
        )
        user.authorizations.append(StaffAuthorization(role=role, start_date=start, end_date=end))
        db.add(user)
    await db.flush()
