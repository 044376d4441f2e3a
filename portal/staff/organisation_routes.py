"""The organisation's own details (/staff/organisation): every staff user reads them; those who
manage staff keep them up to date."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import current_staff, login_redirect
from portal.staff.models import Organisation
from portal.staff.service import WRITE, allows
from portal.staff.user_forms import CONTACT_ROWS, organisation_form, parse_organisation
from portal.web.access import any_staff
from portal.web.forms import Errors, read_form
from portal.web.i18n import gettext
from portal.web.requests import database
from portal.web.templating import pages

FIELDS = ("name", "organisation_number", "street_address", "postal_address", "phone", "email")


def labels() -> dict[str, str]:
    found = {
        "name": gettext("Name"),
        "organisation_number": gettext("Organisation number"),
        "street_address": gettext("Street address"),
        "postal_address": gettext("Postcode and town"),
        "phone": gettext("Phone"),
        "email": gettext("E-mail"),
    }
    for n in range(CONTACT_ROWS):
        found[f"contact-{n}-name"] = gettext("Contact person %(n)s, name", n=n + 1)
        found[f"contact-{n}-email"] = gettext("Contact person %(n)s, e-mail", n=n + 1)
        found[f"contact-{n}-phone"] = gettext("Contact person %(n)s, phone", n=n + 1)
    return found


async def name_taken(db: AsyncSession, organisation: Organisation, name: str) -> bool:
    found = await db.scalar(
        select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id
        )
    )
    return found is not None


async def organisation_page(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return login_redirect(request, "/staff/login")
    may_change = allows(staff.roles, "manage_staff", WRITE)
    errors: Errors = {}
    async with database(request).transaction() as db:
        organisation = await db.get(Organisation, staff.user.organisation_id)
        assert organisation is not None
        details = {key: getattr(organisation, key) for key in (*FIELDS, "contact_persons")}
        values = organisation_form(details)
        if request.method == "POST" and may_change:
            form = await read_form(request)
            parsed, errors = parse_organisation(form)
            if not errors and await name_taken(db, organisation, parsed["name"]):
                errors["name"] = gettext("Another organisation has this name.")
            if not errors:
                for key, value in parsed.items():
                    setattr(organisation, key, value or None)
                return RedirectResponse("/staff/organisation?saved=1", status_code=303)
            values = form
    return pages(request).render_staff(
        request,
        "staff/organisation.html",
        {
            "staff": staff,
            "organisation": organisation,
            "may_change": may_change,
            "values": values,
            "errors": errors,
            "labels": labels(),
            "contact_rows": CONTACT_ROWS,
            "saved": request.query_params.get("saved"),
        },
        400 if errors else 200,
    )


def routes() -> list[Route]:
    return [Route("/staff/organisation", any_staff(organisation_page), methods=["GET", "POST"])]
