"""Staff user administration pages (/staff/users): the organisation's users, creating and
changing them, ending authorizations, the "users to sign" list and its signing, receipts and
the signed audit. Only for roles that may manage staff; another organisation's user is 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import StaffIdentity, staff_only
from portal.auth.models import Signature
from portal.auth.signing import SigningRefused, start_signing
from portal.staff import administration as admin
from portal.staff import directory
from portal.staff.changes import batch_problems, is_admin, key_of, latest_end
from portal.staff.models import PendingStaffChange, StaffUser
from portal.staff.service import ROLES
from portal.staff.user_forms import (
    MAX_ROWS,
    form_of_payload,
    parse_batch,
    parse_new_user,
    parse_user_change,
    row_count,
)
from portal.web.forms import (
    Errors,
    claim_form_token,
    form_token_claimed,
    new_form_token,
    read_form,
)
from portal.web.i18n import gettext
from portal.web.listing import page_number, search_text
from portal.web.requests import database, today
from portal.web.templating import pages

BASE = "/staff/users"
PURPOSE = "staff.changes"


def settings_country(request: Request) -> str:
    country: str = request.app.state.settings.country
    return country


def page(
    request: Request, staff: StaffIdentity, name: str, status_code: int = 200, **context: Any
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {"staff": staff, "base": BASE, "roles": ROLES, "role_labels": admin.ROLE_LABELS, **context},
        status_code,
    )


def field_labels() -> dict[str, str]:
    labels = {
        "first_name": gettext("First name"),
        "last_name": gettext("Last name"),
        "personal_number": gettext("Personal number"),
        "email": gettext("E-mail"),
        "batch_field": gettext("Which date"),
        "batch_date": gettext("New date"),
        "user_ids": gettext("Users"),
    }
    for n in range(MAX_ROWS):
        labels[f"role-{n}"] = gettext("Role %(n)s", n=n + 1)
        labels[f"start-{n}"] = gettext("Role %(n)s, start date", n=n + 1)
        labels[f"end-{n}"] = gettext("Role %(n)s, end date", n=n + 1)
    return labels


# ------------------------------------------------------------------ the list


async def users_list(request: Request, staff: StaffIdentity, **extra: Any) -> Response:
    query = directory.UserQuery.parse(request.query_params)
    day = today(request)
    async with database(request).sessions() as db:
        found = await directory.user_page(db, staff.user.organisation_id, query, day)
        waiting = await admin.pending_changes(db, staff.user)
        organisation = await admin.organisation_users(db, staff.user.organisation_id)
    users = organisation.users
    return page(
        request,
        staff,
        "staff/users.html",
        extra.pop("status_code", 200),
        found=found,
        waiting=[(c, admin.describe(c, users, day)) for c in waiting],
        statuses=directory.STATUSES,
        sorts=directory.SORTS,
        sort_options=[(k, v) for k, v in directory.SORTS.items() if k != "last_name"],
        role_options=[(role.code, role.label) for role in ROLES],
        status_of=lambda user: directory.status_of(user, day),
        birth_date=lambda user: directory.birth_date(
            settings_country(request), user.personal_number
        ),
        saved=request.query_params.get("saved"),
        errors=extra.pop("errors", {}),
        values=extra.pop("values", {}),
        labels=field_labels(),
        **extra,
    )


async def list_page(request: Request, staff: StaffIdentity) -> Response:
    return await users_list(request, staff)


async def batch(request: Request, staff: StaffIdentity) -> Response:
    form = await read_form(request, "user_ids")
    day = today(request)
    async with database(request).transaction() as db:
        organisation = await admin.organisation_users(db, staff.user.organisation_id)
        known = {int(key) for key in organisation.users}
        payload, errors = parse_batch(form, known, day)
        if not errors:
            chosen = {
                key_of(i): (organisation.users[key_of(i)].full_name, organisation.state[key_of(i)])
                for i in payload["user_ids"]
            }
            new_date = dt.date.fromisoformat(payload["date"])
            problems = batch_problems(payload["field"], new_date, chosen, day)
            if problems:
                errors["user_ids"] = " ".join(problems)
        if not errors:
            try:
                await admin.save_change(db, staff.user, "batch", payload, day)
            except admin.ChangeRefused as refusal:
                errors["user_ids"] = " ".join(refusal.messages)
    if errors:
        return await users_list(request, staff, errors=errors, values=form, status_code=400)
    return RedirectResponse(f"{BASE}?saved=batch#to-sign", status_code=303)


# ------------------------------------------------------------------ one user


async def new_user(request: Request, staff: StaffIdentity) -> Response:
    if request.method == "GET":
        return user_form(request, staff, None, None, {"form_token": new_form_token(), "rows": "3"})
    return await save_new_user(request, staff, await read_form(request), None)


class Invalid(Exception):
    """The form is refused: the transaction is rolled back and the form shown again."""


async def save_new_user(
    request: Request,
    staff: StaffIdentity,
    form: dict[str, Any],
    change: PendingStaffChange | None,
) -> Response:
    """A new user into the list (or a waiting new user changed), once per form token."""
    if form.get("action") == "more_rows":
        return user_form(request, staff, None, change, more_rows(form))
    day = today(request)
    payload, errors = parse_new_user(form, settings_country(request), day)
    token = str(form.get("form_token", ""))
    try:
        async with database(request).transaction() as db:
            if change is None and await form_token_claimed(db, token):
                return RedirectResponse(f"{BASE}#to-sign", status_code=303)  # a second click
            saved = await admin.pending_change(db, staff.user, change.id) if change else None
            if change is not None and saved is None:
                raise HTTPException(404)  # discarded or signed meanwhile
            number = payload["user"]["personal_number"]
            skip = change.id if change else None
            if "personal_number" not in errors and await admin.number_taken(
                db, number, staff.user, skip
            ):
                errors["personal_number"] = gettext(
                    "This person already has a staff user, or waits for one in your list."
                )
            if not errors:
                if change is None:
                    await claim_form_token(db, token)
                try:
                    await admin.save_change(db, staff.user, "create", payload, day, saved)
                except admin.ChangeRefused as refusal:
                    errors["role-0"] = " ".join(refusal.messages)
            if errors:
                raise Invalid()
    except Invalid:
        return user_form(request, staff, None, change, form, errors, 400)
    except IntegrityError:
        # A racing second click claimed the form token first: its change is in the list.
        return RedirectResponse(f"{BASE}#to-sign", status_code=303)
    return RedirectResponse(f"{BASE}?saved=create#to-sign", status_code=303)


def more_rows(form: Mapping[str, Any]) -> dict[str, Any]:
    """The form as typed, with room for one more role (nothing is saved)."""
    return {**form, "rows": str(min(row_count(form, 1) + 1, MAX_ROWS))}


def user_form(
    request: Request,
    staff: StaffIdentity,
    user: StaffUser | None,
    change: PendingStaffChange | None,
    values: Mapping[str, Any],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    day = today(request)
    current = admin.current_authorizations(user, day) if user else []
    labels = field_labels()
    labels["current-roles"] = gettext("Current and coming roles")
    for a in current:
        role = admin.ROLE_LABELS.get(a.role, a.role)
        labels[f"start-a{a.id}"] = gettext("%(role)s, start date", role=role)
        labels[f"end-a{a.id}"] = gettext("%(role)s, end date", role=role)
    country = settings_country(request)
    return page(
        request,
        staff,
        "staff/user_form.html",
        status_code,
        user=user,
        change=change,
        current=current,
        history=[a for a in user.authorizations if a not in current] if user else [],
        values=values,
        rows=row_count(values, 1),
        max_rows=MAX_ROWS,
        role_options=[(role.code, role.label) for role in ROLES],
        latest_end=latest_end(day),
        number_hint=gettext("Like 19900101-1239")
        if country == "SE"
        else gettext("Like 010190-1009"),
        errors=errors or {},
        labels=labels,
        birth_date=directory.birth_date(country, user.personal_number) if user else None,
        status=directory.status_of(user, day) if user else None,
        statuses=directory.STATUSES,
    )


async def found_user(db: AsyncSession, staff: StaffIdentity, request: Request) -> StaffUser:
    user = await admin.org_user(db, staff.user.organisation_id, request.path_params["user_id"])
    if user is None:
        raise HTTPException(404)
    return user


async def already_waiting(
    request: Request, staff: StaffIdentity, db: AsyncSession, user: StaffUser
) -> Response | None:
    """One waiting change per user: the page that says so (and links to it), if there is one."""
    waiting = (await admin.waiting_user_ids(db, staff.user)).get(user.id)
    if waiting is None:
        return None
    return page(request, staff, "staff/user_waiting.html", user=user, change_id=waiting)


async def user_page(request: Request, staff: StaffIdentity) -> Response:
    day = today(request)
    async with database(request).transaction() as db:
        user = await found_user(db, staff, request)
        if waiting := await already_waiting(request, staff, db, user):
            return waiting
        if request.method == "GET":
            current = admin.current_authorizations(user, day)
            values = form_of_payload(
                "change",
                {
                    "email": user.email,
                    "update": [
                        {
                            "id": a.id,
                            "start": a.start_date.isoformat(),
                            "end": a.end_date.isoformat() if a.end_date else None,
                        }
                        for a in current
                    ],
                },
            )
            return user_form(request, staff, user, None, values)
        form = await read_form(request)
        return await save_user_change(request, staff, db, user, None, form)


async def save_user_change(
    request: Request,
    staff: StaffIdentity,
    db: AsyncSession,
    user: StaffUser,
    change: PendingStaffChange | None,
    form: Mapping[str, Any],
) -> Response:
    if form.get("action") == "more_rows":
        return user_form(request, staff, user, change, more_rows(form))
    day = today(request)
    current = admin.current_authorizations(user, day)
    payload, errors = parse_user_change(form, user.id, current, day)
    if not errors:
        try:
            await admin.save_change(db, staff.user, "change", payload, day, change)
        except admin.ChangeRefused as refusal:  # the organisation's rules: about the roles
            errors["current-roles" if current else "role-0"] = " ".join(refusal.messages)
    if errors:
        return user_form(request, staff, user, change, form, errors, 400)  # nothing was written
    return RedirectResponse(f"{BASE}?saved=change#to-sign", status_code=303)


async def end_user(request: Request, staff: StaffIdentity) -> Response:
    """Ending every authorization of a user at once: asked first, then put in the list."""
    day = today(request)
    async with database(request).transaction() as db:
        user = await found_user(db, staff, request)
        if waiting := await already_waiting(request, staff, db, user):
            return waiting
        error = None
        if request.method == "POST":
            try:
                await admin.save_change(db, staff.user, "end", {"user_id": user.id}, day)
                return RedirectResponse(f"{BASE}?saved=end#to-sign", status_code=303)
            except admin.ChangeRefused as refusal:
                error = " ".join(refusal.messages)
        return page(
            request,
            staff,
            "staff/user_end.html",
            400 if error else 200,
            user=user,
            error=error,
            is_admin=is_admin(map(admin.period_of, user.authorizations), day),
        )


# ------------------------------------------------------------------ the list to sign


async def waiting_change(request: Request, staff: StaffIdentity) -> Response:
    """A change in the list, to change again (a new user, or a change to one)."""
    raw = request.path_params["change_id"]
    async with database(request).transaction() as db:
        change = await admin.pending_change(db, staff.user, raw)
        if change is None or change.kind not in ("create", "change"):
            raise HTTPException(404)
        user = None
        if change.kind == "change":
            user = await admin.org_user(db, staff.user.organisation_id, change.payload["user_id"])
            if user is None:
                raise HTTPException(404)
        if request.method == "GET":
            return user_form(
                request, staff, user, change, form_of_payload(change.kind, change.payload)
            )
        form = await read_form(request)
        if user is not None:
            return await save_user_change(request, staff, db, user, change, form)
    return await save_new_user(request, staff, form, change)


async def discard(request: Request, staff: StaffIdentity) -> Response:
    raw = request.path_params["change_id"]
    async with database(request).transaction() as db:
        change = await admin.pending_change(db, staff.user, raw)
        if change is not None:
            await db.delete(change)
    return RedirectResponse(f"{BASE}?saved=discarded#to-sign", status_code=303)


async def sign(request: Request, staff: StaffIdentity) -> Response:
    """Send the administrator to sign the whole list, exactly as it is now."""
    day = today(request)
    async with database(request).sessions() as db:
        waiting = await admin.pending_changes(db, staff.user)
        organisation = await admin.organisation_users(db, staff.user.organisation_id)
    if not waiting:
        return RedirectResponse(BASE, status_code=303)
    text = admin.signing_text(staff.user.organisation, staff.user, waiting, organisation.users, day)
    document = admin.signing_document(staff.user, waiting)
    return await start_signing(
        request, PURPOSE, text, document, {}, back=f"{BASE}#to-sign", kind="staff"
    )


async def complete_signing(
    request: Request,
    db: AsyncSession,
    staff: StaffIdentity,
    payload: Mapping[str, Any],
    signature: Signature,
) -> str:
    try:
        await admin.sign_changes(db, staff.user, signature.document, signature, today(request))
    except admin.ChangeRefused as refusal:
        raise SigningRefused(" ".join(refusal.messages), f"{BASE}#to-sign") from refusal
    return f"{BASE}/receipts/{signature.id}"


SIGNING_HANDLERS = {PURPOSE: complete_signing}


async def receipt(request: Request, staff: StaffIdentity) -> Response:
    raw = request.path_params["signature_id"]
    async with database(request).sessions() as db:
        found = await directory.receipt(db, staff.user.organisation_id, raw)
    if found is None:
        raise HTTPException(404)
    signature, entries = found
    return page(
        request,
        staff,
        "staff/users_receipt.html",
        signature=signature,
        audit=entries,
        actions=directory.ACTIONS,
    )


async def audit(request: Request, staff: StaffIdentity) -> Response:
    search = search_text(request.query_params)
    number = page_number(request.query_params)
    async with database(request).sessions() as db:
        found = await directory.audit_page(db, staff.user.organisation_id, search, number)
    return page(
        request,
        staff,
        "staff/users_audit.html",
        audit=found,
        search=search,
        actions=directory.ACTIONS,
    )


def routes() -> list[Route]:
    def guarded(handler: Any) -> Any:
        return staff_only("manage_staff", handler)

    return [
        Route(BASE, guarded(list_page)),
        Route(f"{BASE}/batch", guarded(batch), methods=["POST"]),
        Route(f"{BASE}/new", guarded(new_user), methods=["GET", "POST"]),
        Route(f"{BASE}/sign", guarded(sign), methods=["POST"]),
        Route(f"{BASE}/audit", guarded(audit)),
        Route(f"{BASE}/receipts/{{signature_id:int}}", guarded(receipt)),
        Route(
            f"{BASE}/to-sign/{{change_id:int}}", guarded(waiting_change), methods=["GET", "POST"]
        ),
        Route(f"{BASE}/to-sign/{{change_id:int}}/discard", guarded(discard), methods=["POST"]),
        Route(f"{BASE}/{{user_id:int}}", guarded(user_page), methods=["GET", "POST"]),
        Route(f"{BASE}/{{user_id:int}}/end", guarded(end_user), methods=["GET", "POST"]),
    ]
