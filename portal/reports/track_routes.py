"""The provider's tracks (`/staff/reports/tracks`): the list, and each track's predefined
implementation plan, kept by the provider's administrators and read by its registrars."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.auth.guards import StaffIdentity, current_staff, login_redirect
from portal.reports import tracks
from portal.reports.models import Track
from portal.staff.service import READ, WRITE, allows
from portal.web.access import STAFF, Access, declare
from portal.web.forms import Refused, new_form_token, once_per_token, read_form
from portal.web.requests import database
from portal.web.templating import pages

BASE = "/staff/reports/tracks"
StaffPage = Callable[[Request, StaffIdentity], Awaitable[Response]]


def with_tracks(handler: StaffPage, level: str = READ) -> Callable[[Request], Awaitable[Response]]:
    """Staff whose roles read tracks (registrars) or keep them (administrators); others 403."""

    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            return login_redirect(request, "/staff/login")
        if not allows(staff.roles, "manage_tracks"):
            raise HTTPException(403)
        if request.method != "GET" and not allows(staff.roles, "manage_tracks", WRITE):
            raise HTTPException(403)
        return await handler(request, staff)

    endpoint.__name__ = handler.__name__
    return declare(endpoint, Access(STAFF, "manage_tracks", level))


def render(
    request: Request, staff: StaffIdentity, name: str, status: int = 200, **context: Any
) -> Response:
    return pages(request).render_staff(
        request,
        name,
        {
            "staff": staff,
            "base": BASE,
            "may_change": allows(staff.roles, "manage_tracks", WRITE),
            "is_provider": staff.user.organisation.kind == "provider",
            **context,
        },
        status,
    )


async def track_list(request: Request, staff: StaffIdentity) -> Response:
    async with database(request).sessions() as db:
        found = await tracks.tracks_of(db, staff.user.organisation_id)
    return render(
        request, staff, "reports/tracks.html", tracks=found, saved=request.query_params.get("saved")
    )


async def the_track(request: Request, staff: StaffIdentity) -> Track | None:
    if "track_id" not in request.path_params:
        return None
    async with database(request).sessions() as db:
        track = await tracks.track_of(
            db, staff.user.organisation_id, request.path_params["track_id"]
        )
    if track is None:
        raise HTTPException(404)
    return track


async def track_page(request: Request, staff: StaffIdentity) -> Response:
    track = await the_track(request, staff)
    values = {"name": track.name, **tracks.row_values(track.template)} if track else {}
    if track is None:  # a new track is made once, however often its form is sent
        values["form_token"] = new_form_token()
    return form_page(request, staff, track, values, {})


def form_page(
    request: Request,
    staff: StaffIdentity,
    track: Track | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    count = len(tracks.template_rows(values)) or 1
    return render(
        request,
        staff,
        "reports/track_form.html",
        status,
        track=track,
        values=values,
        errors=errors,
        rows=range(count + (1 if values.get("action") == "add" else 0)),
    )


async def track_post(request: Request, staff: StaffIdentity) -> Response:
    track = await the_track(request, staff)
    form = await read_form(request)
    values = {
        "name": form.get("name", ""),
        "form_token": form.get("form_token", ""),
        **tracks.row_values(tracks.template_rows(form)),
    }
    if form.get("action") == "add":
        return form_page(request, staff, track, {**values, "action": "add"}, {})
    name, template, errors = tracks.parse_track(form)
    if not errors:
        organisation = staff.user.organisation_id

        async def write(db: Any) -> None:
            fresh = await tracks.track_of(db, organisation, track.id) if track else None
            refused = await tracks.save_track(db, organisation, fresh, name, template)
            if refused:
                raise Refused(refused)

        try:
            # A double click on "save" makes the new track once; both answers say saved.
            token = values["form_token"] if track is None else ""
            await once_per_token(database(request), token, write)
        except Refused as refusal:
            errors = refusal.errors
        else:
            return RedirectResponse(f"{BASE}?saved=1", status_code=303)
    return form_page(request, staff, track, values, errors, 400)


def routes() -> list[Route]:
    return [
        Route(BASE, with_tracks(track_list)),
        Route(BASE + "/new", with_tracks(track_page)),
        Route(BASE + "/new", with_tracks(track_post, WRITE), methods=["POST"]),
        Route(BASE + "/{track_id:int}", with_tracks(track_page)),
        Route(BASE + "/{track_id:int}", with_tracks(track_post, WRITE), methods=["POST"]),
    ]
