"""What every booking-administration page shares: the guard, rendering, and saving a form once in
one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal.auth.guards import StaffIdentity, staff_only
from portal.booking import admin
from portal.booking.free_times import Place
from portal.booking.models import (
    Team,
)
from portal.db import utcnow
from portal.staff.service import WRITE, allows, runs_meetings
from portal.web.forms import (
    Errors,
    claim_form_token,
    form_token_claimed,
    new_form_token,
    read_form,
)
from portal.web.i18n import gettext
from portal.web.requests import database
from portal.web.templating import pages

BASE = "/staff/booking"
M = TypeVar("M")


async def found(db: Any, model: type[M], request: Request, key: str) -> M:
    """The row the path names (`key` is its path parameter), or 404."""
    row: M | None = await db.get(model, request.path_params[key])
    if row is None:
        raise HTTPException(404)
    return row


async def team_tree(db: Any) -> list[tuple[Team, int]]:
    return admin.tree(list(await db.scalars(select(Team))))


def team_options(teams: list[tuple[Team, int]]) -> list[tuple[str, str]]:
    """The teams as the options of a select or checkboxes, indented by their depth."""
    return [(str(team.id), "— " * depth + team.name) for team, depth in teams]


def place_of(request: Request) -> Place:
    settings = request.app.state.settings
    return Place(settings.country, settings.timezone)


AdminHandler = Callable[[Request, StaffIdentity], Awaitable[Response]]


def job_centre_staff(
    permission: str, handler: AdminHandler
) -> Callable[[Request], Awaitable[Response]]:
    """Staff of the job centre whose roles may write under `permission`; others get 404."""

    async def endpoint(request: Request, staff: StaffIdentity) -> Response:
        if not runs_meetings(staff.user, staff.roles):
            raise HTTPException(404)
        return await handler(request, staff)

    endpoint.__name__ = handler.__name__
    return staff_only(permission, endpoint)


def page(
    request: Request,
    staff: StaffIdentity,
    name: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {
            "staff": staff,
            "base": BASE,
            "may_administer": allows(staff.roles, "booking_admin", WRITE),
            **context,
        },
        status_code,
    )


class Repeat(Exception):
    """The same new-object form was saved already (a second click, or one racing it)."""


class Refused(Exception):
    """The rules refuse what the form asks (the messages say why); nothing is written."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


S = TypeVar("S")


class Conflict(Exception):
    """The database refused the write for a reason other than a claimed form token (a name
    taken between the check and the commit): the form is checked again."""


@asynccontextmanager
async def one_write(
    request: Request, form: dict[str, Any], creating: bool, once_by: str = "form_token"
) -> AsyncIterator[Any]:
    """One transaction. A form that creates something is saved once per form token, so a
    double click makes one team, room or offer; raise Refused inside to write nothing. An
    integrity error is a repeat only when a racing twin claimed the token; otherwise Conflict."""
    token = str(form.get(once_by, ""))
    try:
        async with database(request).transaction() as db:
            if creating and not await claim_form_token(db, token):
                raise Repeat()
            yield db
    except IntegrityError as error:
        if creating:
            async with database(request).sessions() as db:
                if await form_token_claimed(db, token):
                    raise Repeat() from error
        raise Conflict() from error


async def save_once(
    request: Request,
    form: dict[str, Any],
    creating: bool,
    save: Callable[[Any], Awaitable[S | Errors]],
) -> S | Errors | None:
    """`save` in one write (see `one_write`): what it saved, or the messages it refused with
    (then nothing is written), or None when the same new-object form was saved already. On a
    conflict `save` runs once more, so its checks see what the other writer committed (a name
    just taken comes back as a message at the field, with what was typed)."""
    for attempt in (1, 2):
        try:
            async with one_write(request, form, creating) as db:
                saved = await save(db)
                if isinstance(saved, dict):
                    raise Refused(saved)
                return saved
        except Refused as refusal:
            return refusal.errors
        except Repeat:
            return None
        except Conflict:
            if attempt == 2:
                return {
                    "form_token": gettext(
                        "Someone changed this at the same moment. Check the form and save again."
                    )
                }
    raise AssertionError("unreachable")


async def add_once(request: Request, form: dict[str, Any], once_by: str, record: Any) -> None:
    """Add one record in its own transaction, once per form token (`once_by`): the same
    form sent twice adds it once."""
    try:
        async with one_write(request, form, True, once_by) as db:
            db.add(record)
    except (Repeat, Conflict):
        pass  # the same closing day or busy time, saved by a racing request, is there


async def form_page(
    request: Request,
    staff: StaffIdentity,
    template: str,
    values: dict[str, Any],
    errors: Errors,
    labels: dict[str, Any],
    status_code: int = 200,
    **context: Any,
) -> Response:
    """An administration form: what was typed, the messages, and the teams to choose from."""
    async with database(request).sessions() as db:
        teams = await team_tree(db)
    return page(
        request,
        staff,
        template,
        status_code,
        values=values,
        errors=errors,
        labels=field_labels(labels),
        team_options=team_options(teams),
        saved=request.query_params.get("saved"),
        **context,
    )


def refused(
    request: Request,
    staff: StaffIdentity,
    message: str,
    back: str,
    meetings: Sequence[Any] = (),
) -> Response:
    """The page that says why something was refused (and which meetings stand in the way)."""
    return page(
        request,
        staff,
        "booking/admin/refused.html",
        409,
        message=message,
        meetings=list(meetings),
        back=back,
    )


def delete_unless_used(
    model: type[Any],
    key: str,
    path: str,
    rule: Callable[[Any, Any, dt.datetime], Awaitable[Any]],
    word: str,
) -> AdminHandler:
    """A delete handler: `rule` deletes the row the path names, or says why it is in use."""

    async def delete(request: Request, staff: StaffIdentity) -> Response:
        async with database(request).transaction() as db:
            row = await found(db, model, request, key)
            in_use = await rule(db, row, utcnow())
        if in_use is not None:
            back = f"{BASE}/{path}/{row.id}"
            return refused(request, staff, in_use.message, back, in_use.meetings)
        return done(f"{BASE}/", word)

    delete.__name__ = f"delete_{path}"
    return delete


def done(path: str, saved: str) -> Response:
    return RedirectResponse(f"{path}?saved={saved}", status_code=303)


def field_labels(labels: dict[str, Any]) -> dict[str, str]:
    return {name: str(label) for name, label in labels.items()}


Show = Callable[[Request, StaffIdentity, Any, dict[str, Any], Errors, int], Awaitable[Response]]
Values = Callable[[Any, Request, Any], Awaitable[dict[str, Any]]]
Check = Callable[[Any, Request, dict[str, Any], Any], Awaitable[tuple[Any, Errors]]]
Save = Callable[[Any, Request, Any, Any], Awaitable["tuple[Any, str] | Errors"]]
Action = Callable[[Request, StaffIdentity, Any, dict[str, Any]], Awaitable[Response | None]]


@dataclass(frozen=True)
class EditForm:
    """The create-and-change flow every administration form shares (teams, caseworkers, rooms,
    offers, variants). GET shows the saved values, or a new form with its one-time token; POST
    checks the form, saves it once in one transaction, and either goes to the saved thing's
    page (`?saved=` says what happened) or comes back with the messages and what was typed."""

    model: type[Any]
    key: str  # the path parameter naming one ("team_id")
    path: str  # where a saved one is shown ("teams")
    show: Show
    values: Values  # (db, request, the saved thing or None) -> the form's values
    check: Check  # (db, request, form, the saved thing or None) -> (checked input, errors)
    save: Save  # (db, request, checked input, current) -> (saved thing, word) or errors
    lists: tuple[str, ...] = ()  # checkbox fields, read as lists
    action: Action | None = None  # other buttons (copy Monday, save as template)

    @property
    def __name__(self) -> str:  # routes and guards name an endpoint by its handler
        return f"{self.path}_form"

    async def __call__(self, request: Request, staff: StaffIdentity) -> Response:
        creating = self.key not in request.path_params
        async with database(request).sessions() as db:
            item = None if creating else await found(db, self.model, request, self.key)
            if request.method == "GET":
                values = await self.values(db, request, item)
                if item is None:
                    values = {**values, "form_token": new_form_token()}
                return await self.show(request, staff, item, values, {}, 200)
            form = await read_form(request, *self.lists)
            if self.action is not None:
                answered = await self.action(request, staff, item, form)
                if answered is not None:
                    return answered
            checked, errors = await self.check(db, request, form, item)
        if checked is None or errors:
            return await self.show(request, staff, item, form, errors, 400)

        async def save(db: Any) -> tuple[Any, str] | Errors:
            current = None if creating else await found(db, self.model, request, self.key)
            return await self.save(db, request, checked, current)

        result = await save_once(request, form, creating, save)
        if result is None:
            return done(f"{BASE}/", "repeated")
        if isinstance(result, dict):
            return await self.show(request, staff, item, form, result, 400)
        saved, word = result
        return done(f"{BASE}/{self.path}/{saved.id}", word)
