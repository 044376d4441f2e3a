"""The forms of staff user administration, read into the payloads of waiting changes, with one
message per field (the field names are those the templates give)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from portal.participants.service import normalise_personal_number
from portal.staff.changes import period_problems
from portal.staff.models import StaffAuthorization
from portal.staff.service import ROLES
from portal.web.forms import Errors, Fields
from portal.web.i18n import gettext

MAX_ROWS = 8
ROLE_CODES = {role.code: role.label for role in ROLES}


def row_count(form: Mapping[str, Any], least: int) -> int:
    raw = str(form.get("rows", ""))
    rows = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 3 else least
    return min(max(rows, least, 1), MAX_ROWS)


def _new_rows(fields: Fields, rows: int, today: dt.date) -> list[dict[str, Any]]:
    """The new roles the form gives (rows left empty are skipped)."""
    added = []
    for n in range(rows):
        role_name, start_name, end_name = f"role-{n}", f"start-{n}", f"end-{n}"
        given = [
            str(fields.source.get(name) or "").strip() for name in (role_name, start_name, end_name)
        ]
        if not any(given):
            continue
        role = fields.choice(role_name, ROLE_CODES) if given[0] else ""
        if not given[0]:
            fields.errors[role_name] = gettext("Choose a role.")
        start = fields.date(start_name)
        end = fields.date(end_name, required=False)
        for field, message in period_problems(role, start, end, today).items():
            fields.errors.setdefault(f"{field}-{n}", message)
        if role and start:
            added.append(
                {"role": role, "start": start.isoformat(), "end": end.isoformat() if end else None}
            )
    return added


def parse_new_user(
    form: Mapping[str, Any], country: str, today: dt.date
) -> tuple[dict[str, Any], Errors]:
    """A new user: names, personal number (with its check digits), e-mail, at least one role."""
    fields = Fields(form)
    first_name = fields.text("first_name", 100)
    last_name = fields.text("last_name", 100)
    raw_number = fields.text("personal_number", 20)
    number = normalise_personal_number(country, raw_number) if raw_number else None
    if raw_number and number is None:
        fields.errors["personal_number"] = (
            gettext("Give a personal number like 19900101-1239, with the right check digit.")
            if country == "SE"
            else gettext("Give a CPR number like 010190-1009.")
        )
    email = fields.email("email")
    if not email and "email" not in fields.errors:
        fields.errors["email"] = gettext("Fill this in.")
    added = _new_rows(fields, row_count(form, 1), today)
    if not added and not any(key.startswith(("role-", "start-", "end-")) for key in fields.errors):
        fields.errors["role-0"] = gettext("Give the user at least one role.")
    payload = {
        "user": {
            "first_name": first_name,
            "last_name": last_name,
            "personal_number": number or raw_number,
            "email": email,
        },
        "add": added,
    }
    return payload, fields.errors


def parse_user_change(
    form: Mapping[str, Any],
    user_id: int,
    current: Sequence[StaffAuthorization],
    today: dt.date,
) -> tuple[dict[str, Any], Errors]:
    """A change to a user: e-mail, the dates of each current or coming role (or End now), and
    new roles."""
    fields = Fields(form)
    email = fields.email("email")
    if not email and "email" not in fields.errors:
        fields.errors["email"] = gettext("Fill this in.")
    updates: list[dict[str, Any]] = []
    for authorization in current:
        suffix = f"a{authorization.id}"
        if fields.flag(f"end_now-{suffix}"):
            updates.append({"id": authorization.id, "end_now": True})
            continue
        start = fields.date(f"start-{suffix}")
        end = fields.date(f"end-{suffix}", required=False)
        problems = period_problems(
            authorization.role,
            start,
            end,
            today,
            start_changed=start != authorization.start_date,
            end_changed=end != authorization.end_date,
        )
        for field, message in problems.items():
            fields.errors.setdefault(f"{field}-{suffix}", message)
        if start is not None:
            updates.append(
                {
                    "id": authorization.id,
                    "start": start.isoformat(),
                    "end": end.isoformat() if end else None,
                }
            )
    added = _new_rows(fields, row_count(form, 1), today)
    return {"user_id": user_id, "email": email, "update": updates, "add": added}, fields.errors


def form_of_payload(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for a waiting change, to change it again."""
    values: dict[str, Any] = {}
    if kind == "create":
        values.update(payload["user"])
    else:
        values["email"] = payload.get("email", "")
        for row in payload.get("update", []):
            suffix = f"a{row['id']}"
            if row.get("end_now"):
                values[f"end_now-{suffix}"] = "yes"
            else:
                values[f"start-{suffix}"] = row["start"]
                values[f"end-{suffix}"] = row.get("end") or ""
    for n, row in enumerate(payload.get("add", [])):
        values[f"role-{n}"] = row["role"]
        values[f"start-{n}"] = row["start"]
        values[f"end-{n}"] = row.get("end") or ""
    values["rows"] = str(len(payload.get("add", [])) + 1)
    return values


def parse_batch(
    form: Mapping[str, Any], known: set[int], today: dt.date
) -> tuple[dict[str, Any], Errors]:
    """Several users (ticked in the list) and a new start or end date for all of them."""
    fields = Fields(form)
    field = fields.choice("batch_field", {"end": 1, "start": 1})
    day = fields.date("batch_date")
    chosen = sorted(
        {int(v) for v in form.get("user_ids", []) if v.isascii() and v.isdigit() and len(v) < 10}
        & known
    )
    if not chosen:
        fields.errors["user_ids"] = gettext("Tick at least one user in the list.")
    payload = {"user_ids": chosen, "field": field, "date": day.isoformat() if day else ""}
    return payload, fields.errors


CONTACT_ROWS = 3


def parse_organisation(form: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The organisation's own details, and up to three contact persons (a row left empty is
    skipped; a row with a phone or e-mail needs a name)."""
    fields = Fields(form)
    values: dict[str, Any] = {
        "name": fields.text("name", 200),
        "organisation_number": fields.text("organisation_number", 20, required=False),
        "street_address": fields.text("street_address", 200, required=False),
        "postal_address": fields.text("postal_address", 200, required=False),
        "phone": fields.phone("phone"),
        "email": fields.email("email"),
    }
    contacts = []
    for n in range(CONTACT_ROWS):
        name = fields.text(f"contact-{n}-name", 200, required=False)
        email = fields.email(f"contact-{n}-email")
        phone = fields.phone(f"contact-{n}-phone")
        if (email or phone) and not name:
            fields.errors[f"contact-{n}-name"] = gettext("Give the contact person's name.")
        if name:
            contacts.append({"name": name, "email": email, "phone": phone})
    values["contact_persons"] = contacts
    return values, fields.errors


def organisation_form(details: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: value or "" for key, value in details.items() if key != "contact_persons"}
    for n, contact in enumerate(details.get("contact_persons") or []):
        for key in ("name", "email", "phone"):
            values[f"contact-{n}-{key}"] = contact.get(key, "")
    return values
