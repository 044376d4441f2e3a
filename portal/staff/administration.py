"""Staff user administration against the database: the organisation's users and periods, the
administrator's "users to sign" list, the text that is signed, and what signing writes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.models import Signature
from portal.staff.changes import (
    Period,
    State,
    UserKey,
    apply,
    differences,
    key_of,
    organisation_problems,
    snapshot,
)
from portal.staff.models import (
    Organisation,
    PendingStaffChange,
    StaffAuditEntry,
    StaffAuthorization,
    StaffUser,
)
from portal.staff.service import ROLES
from portal.web.i18n import gettext

ROLE_LABELS = {role.code: role.label for role in ROLES}


class ChangeRefused(Exception):
    """The list cannot be signed (or a change saved) as it is; nothing was written."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass
class OrgUsers:
    """An organisation's users and their periods, as the rules see them."""

    users: dict[UserKey, StaffUser]
    state: State


def current_authorizations(user: StaffUser, today: dt.date) -> list[StaffAuthorization]:
    """The user's authorizations that have not ended: those a change may still change."""
    return [a for a in user.authorizations if a.end_date is None or a.end_date >= today]


def period_of(authorization: StaffAuthorization) -> Period:
    return Period(
        authorization.id, authorization.role, authorization.start_date, authorization.end_date
    )


async def organisation_users(db: AsyncSession, organisation_id: int) -> OrgUsers:
    users = (
        await db.scalars(select(StaffUser).where(StaffUser.organisation_id == organisation_id))
    ).all()
    return OrgUsers(
        {key_of(u.id): u for u in users},
        {key_of(u.id): [period_of(a) for a in u.authorizations] for u in users},
    )


async def org_user(db: AsyncSession, organisation_id: int, user_id: int) -> StaffUser | None:
    """A user of this organisation (another organisation's answers None, shown as 404)."""
    return await db.scalar(
        select(StaffUser).where(
            StaffUser.id == user_id, StaffUser.organisation_id == organisation_id
        )
    )


async def pending_changes(db: AsyncSession, author: StaffUser) -> list[PendingStaffChange]:
    return list(
        await db.scalars(
            select(PendingStaffChange)
            .where(PendingStaffChange.author_id == author.id)
            .order_by(PendingStaffChange.id)
        )
    )


async def pending_change(
    db: AsyncSession, author: StaffUser, change_id: int
) -> PendingStaffChange | None:
    return await db.scalar(
        select(PendingStaffChange).where(
            PendingStaffChange.id == change_id, PendingStaffChange.author_id == author.id
        )
    )


def new_key(change_id: int | None) -> UserKey:
    return f"new:{change_id or 0}"


def projected(
    state: State,
    changes: Sequence[PendingStaffChange],
    today: dt.date,
    skip: int | None = None,
) -> State:
    """The organisation's periods once the waiting changes (but `skip`) are signed."""
    for change in changes:
        if change.id != skip:
            state = apply(state, change.kind, change.payload, today, new_key(change.id))
    return state


async def save_change(
    db: AsyncSession,
    author: StaffUser,
    kind: str,
    payload: dict[str, Any],
    today: dt.date,
    change: PendingStaffChange | None = None,
) -> PendingStaffChange:
    """Put a change in the author's list (or replace a waiting one), when the organisation would
    keep its rules with every waiting change signed; ChangeRefused otherwise."""
    organisation = await organisation_users(db, author.organisation_id)
    waiting = await pending_changes(db, author)
    before = projected(organisation.state, waiting, today, skip=change.id if change else None)
    after = apply(before, kind, payload, today, new_key(change.id if change else None))
    problems = organisation_problems(organisation.state, after, key_of(author.id), today)
    if problems:
        raise ChangeRefused(problems)
    if change is None:
        change = PendingStaffChange(
            organisation_id=author.organisation_id, author_id=author.id, kind=kind
        )
        db.add(change)
    change.payload = payload
    change.updated_at = dt.datetime.now(dt.UTC)
    await db.flush()
    return change


async def waiting_user_ids(db: AsyncSession, author: StaffUser) -> dict[int, int]:
    """Users with a waiting change of their own (change or end), by the change's id."""
    return {
        int(change.payload["user_id"]): change.id
        for change in await pending_changes(db, author)
        if change.kind in ("change", "end")
    }


async def number_taken(
    db: AsyncSession, personal_number: str, author: StaffUser, skip: int | None = None
) -> bool:
    """One person, one staff user: taken by any organisation's user, or by a waiting new user."""
    if await db.scalar(select(StaffUser.id).where(StaffUser.personal_number == personal_number)):
        return True
    return any(
        change.kind == "create"
        and change.id != skip
        and change.payload["user"]["personal_number"] == personal_number
        for change in await pending_changes(db, author)
    )


# ------------------------------------------------------------------ the text that is signed


def period_text(period: Period) -> str:
    role = str(ROLE_LABELS.get(period.role, period.role))
    if period.end is None:
        return gettext(
            "%(role)s from %(start)s, until further notice", role=role, start=period.start
        )
    return gettext("%(role)s %(start)s–%(end)s", role=role, start=period.start, end=period.end)


def describe(change: PendingStaffChange, users: Mapping[UserKey, StaffUser], today: dt.date) -> str:
    """One change in words, as it is listed and signed (in the reader's language)."""
    payload = change.payload
    if change.kind == "create":
        user = payload["user"]
        return gettext(
            "New user %(name)s (%(number)s, %(email)s): %(roles)s.",
            name=f"{user['first_name']} {user['last_name']}",
            number=user["personal_number"],
            email=user["email"],
            roles="; ".join(period_text(p) for p in apply({}, "create", payload, today, "n")["n"]),
        )
    if change.kind == "batch":
        names = ", ".join(
            users[key_of(int(i))].full_name for i in payload["user_ids"] if key_of(int(i)) in users
        )
        if payload["field"] == "end":
            return gettext("New end date %(day)s for: %(names)s.", day=payload["date"], names=names)
        return gettext("New start date %(day)s for: %(names)s.", day=payload["date"], names=names)
    user = users.get(key_of(int(payload["user_id"])))
    name = user.full_name if user else "?"
    if change.kind == "end":
        return gettext("%(name)s: every authorization ends today.", name=name)
    return gettext(
        "Changed %(name)s: %(what)s.", name=name, what="; ".join(_changed(user, payload))
    )


def _changed(user: StaffUser | None, payload: Mapping[str, Any]) -> list[str]:
    parts = []
    if user is not None and payload.get("email") and payload["email"] != user.email:
        parts.append(gettext("e-mail %(email)s", email=payload["email"]))
    current = {a.id: period_of(a) for a in (user.authorizations if user else [])}
    for row in payload.get("update", []):
        period = current.get(int(row["id"]))
        if period is None:
            continue
        if row.get("end_now"):
            parts.append(gettext("%(period)s ends today", period=period_text(period)))
            continue
        end = dt.date.fromisoformat(row["end"]) if row.get("end") else None
        new = Period(period.id, period.role, dt.date.fromisoformat(row["start"]), end)
        if new != period:
            parts.append(
                gettext(
                    "%(period)s (was %(before)s)",
                    period=period_text(new),
                    before=period_text(period),
                )
            )
    for period in apply({}, "create", payload, dt.date.min, "n")["n"]:
        parts.append(gettext("new: %(period)s", period=period_text(period)))
    return parts or [gettext("no difference")]


def signing_document(author: StaffUser, changes: Sequence[PendingStaffChange]) -> str:
    """The canonical form of the list that is signed: any change to the list changes it."""
    return json.dumps(
        {
            "purpose": "staff_changes",
            "organisation": author.organisation_id,
            "signer": author.id,
            "changes": [
                {
                    "id": c.id,
                    "kind": c.kind,
                    "payload": c.payload,
                    "updated_at": c.updated_at.isoformat(),
                }
                for c in changes
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def signing_text(
    organisation: Organisation,
    author: StaffUser,
    changes: Sequence[PendingStaffChange],
    users: Mapping[UserKey, StaffUser],
    today: dt.date,
) -> str:
    lines = [
        gettext(
            "I, %(name)s, sign these changes to the staff users of %(organisation)s:",
            name=author.full_name,
            organisation=organisation.name,
        )
    ]
    lines += [f"{n}. {describe(c, users, today)}" for n, c in enumerate(changes, start=1)]
    return "\n".join(lines)


# ------------------------------------------------- signing: the changes take effect


async def sign_changes(
    db: AsyncSession,
    author: StaffUser,
    document: str,
    signature: Signature,
    today: dt.date,
) -> list[StaffAuditEntry]:
    """Apply the author's whole list in the open transaction, exactly as it was shown (the
    `document`), write an audit entry per user and empty the list; ChangeRefused otherwise."""
    await db.scalar(
        select(Organisation.id).where(Organisation.id == author.organisation_id).with_for_update()
    )
    changes = await pending_changes(db, author)
    if not changes or signing_document(author, changes) != document:
        raise ChangeRefused(
            [gettext("The list changed after it was shown to you. Nothing was signed.")]
        )
    organisation = await organisation_users(db, author.organisation_id)
    after = projected(organisation.state, changes, today)
    problems = organisation_problems(organisation.state, after, key_of(author.id), today)
    for change in changes:
        if change.kind == "create" and await number_taken(
            db, change.payload["user"]["personal_number"], author, skip=change.id
        ):
            problems.append(
                gettext(
                    "%(number)s already has a staff user.",
                    number=change.payload["user"]["personal_number"],
                )
            )
    if problems:
        raise ChangeRefused(problems)
    touched: dict[UserKey, list[str]] = {}
    for change in changes:
        for key, action in _touched(change):
            touched.setdefault(key, []).append(action)
    fields = {new_key(c.id): c.payload["user"] for c in changes if c.kind == "create"}
    emails = {
        key_of(int(c.payload["user_id"])): c.payload["email"]
        for c in changes
        if c.kind == "change" and c.payload.get("email")
    }
    # What each user was, taken before anything is written (the writes change the objects).
    before = {
        key: snapshot(_user_fields(organisation.users[key]), organisation.state.get(key, []))
        for key in touched
        if key in organisation.users
    }
    entries = []
    for key, actions in touched.items():
        user = await _write_user(db, author, organisation, key, fields, emails, after)
        entries.append(
            StaffAuditEntry(
                organisation_id=author.organisation_id,
                signature_id=signature.id,
                signed_by_id=author.id,
                staff_user_id=user.id,
                action="+".join(dict.fromkeys(actions)),
                before=before.get(key),
                after=snapshot(_user_fields(user), after.get(key, [])),
                signed_at=signature.signed_at,
            )
        )
    db.add_all(entries)
    await db.execute(delete(PendingStaffChange).where(PendingStaffChange.author_id == author.id))
    await db.flush()
    return entries


def _touched(change: PendingStaffChange) -> list[tuple[UserKey, str]]:
    if change.kind == "create":
        return [(new_key(change.id), "create")]
    if change.kind == "batch":
        return [(key_of(int(i)), "batch") for i in change.payload["user_ids"]]
    return [(key_of(int(change.payload["user_id"])), change.kind)]


async def _write_user(
    db: AsyncSession,
    author: StaffUser,
    organisation: OrgUsers,
    key: UserKey,
    fields: Mapping[UserKey, Mapping[str, str]],
    emails: Mapping[UserKey, str],
    after: State,
) -> StaffUser:
    """Write one user's final state: a new user, a new e-mail, the periods that differ."""
    user = organisation.users.get(key)
    if user is None:
        user = StaffUser(organisation_id=author.organisation_id, **fields[key])
        db.add(user)
        await db.flush()
    elif key in emails:
        user.email = emails[key]
    written, removed = differences(organisation.state.get(key, []), after.get(key, []))
    for period in removed:
        await db.execute(delete(StaffAuthorization).where(StaffAuthorization.id == period.id))
    for period in written:
        row = await db.get(StaffAuthorization, period.id) if period.id else None
        if row is None:
            row = StaffAuthorization(staff_user_id=user.id)
            db.add(row)
        row.role, row.start_date, row.end_date = period.role, period.start, period.end
    return user


def _user_fields(user: StaffUser) -> dict[str, str]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "personal_number": user.personal_number,
        "email": user.email,
    }
