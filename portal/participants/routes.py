"""The participant's own pages: start, meetings, access log, settings, login."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.audit.service import WHAT_LABELS, access_log_query
from portal.auth.guards import participant_only
from portal.booking import free_times
from portal.booking.trail import next_meeting_query, unseen_job_centre_change
from portal.db import utcnow
from portal.employers import contact
from portal.employers.search import Sighting, sightings_query
from portal.fast_rows import typed_row
from portal.hours import approval
from portal.participants.models import Participant
from portal.participants.pages import Page, ParticipantView, participant_page_routes, render
from portal.participants.service import parse_notification_settings, save_notification_settings
from portal.plan import reading as plan_reading
from portal.reports import service as reports_service
from portal.web.access import public
from portal.web.forms import read_form
from portal.web.i18n import current_language
from portal.web.i18n import lazy_gettext as _
from portal.web.requests import database, today
from portal.web.security import local_path
from portal.web.templating import pages


class StartPage(NamedTuple):
    """What the start page's notices need: the plan's revision and the participant's latest
    look at it, whether the job centre changed a meeting since they looked, and when the next
    meeting starts (None: none)."""

    revision: int | None
    changed_at: dt.datetime | None
    seen_revision: int | None
    seen_at: dt.datetime | None
    meeting_changed: bool
    next_meeting: dt.datetime | None

    @property
    def plan(self) -> plan_reading.PlanState:
        return plan_reading.PlanState(*self[:4])


@cache
def start_page_query() -> Select[Any]:
    """The start page's `StartPage`, in one row; run with {"participant_id", "now"}."""
    plan = plan_reading.unseen_changes_query().selected_columns
    return select(
        *plan,
        unseen_job_centre_change().label("meeting_changed"),
        next_meeting_query().scalar_subquery().label("next_meeting"),
    )


async def start_page(request: Request, view: ParticipantView) -> Response:
    now = utcnow()
    values = {"participant_id": view.participant.id, "now": now}
    reads = database(request)
    (row,), hours, ((contact_requests,),), to_confirm, invited = await reads.read_all(
        (start_page_query(), values),
        (approval.waiting_for_answer_query(), values),
        (contact.waiting_query(), values),
        (reports_service.to_confirm_query(), values),
        (free_times.invitations_query(), values),
    )
    start = typed_row(StartPage, row)
    if invited:  # rare: the offers' other rules, read only then
        async with reads.sessions() as db:
            invited = await free_times.invitations(db, view.participant.id, today(request), invited)
    return render(
        request,
        view,
        "participant/start.html",
        plan_changed=plan_reading.has_unseen_changes(start.plan),
        next_meeting=start.next_meeting,
        meeting_changed=bool(start.meeting_changed),
        contact_requests=int(contact_requests or 0),
        # Offers the job centre asks them to book a time of: (offer id, title).
        to_book=tuple(invited),
        # Final reports the provider asks them to confirm: (report id, provider's name).
        to_confirm=tuple((int(id), str(provider)) for id, provider in to_confirm),
        # What the participant is asked to do: hour histories to approve, before they go.
        to_do=tuple(
            (w.report_id, w.month_start, w.disappears_at)
            for w in approval.waiting_for_answer(hours, now)
        ),
    )


# The newest openings of the participant's pages and employers' sightings the log shows.
LOG_SHOWN = 200


async def access_log_page(request: Request, view: ParticipantView) -> Response:
    given = {"participant_id": view.participant.id, "language": current_language.get()}
    entries, sightings = await database(request).read_objects(
        (None, access_log_query(LOG_SHOWN), given),
        (None, sightings_query(LOG_SHOWN), given),
    )
    formatter = pages(request).formatter
    # The table's cells as text, made once here: up to 200 lines, each a row of four.
    rows = [
        (
            formatter.datetime(entry.at),
            entry.staff_name,
            entry.organisation_name,
            str(WHAT_LABELS[entry.what]),
        )
        for entry in entries
    ]
    return render(
        request,
        view,
        "participant/access_log.html",
        rows=rows,
        sightings=[Sighting(*row) for row in sightings],
    )


async def settings_page(request: Request, view: ParticipantView) -> Response:
    participant = view.participant
    values = {
        "notify_email": participant.notify_email or participant.email or "",
        "notify_phone": participant.notify_phone or "",
        "notify_by_email": participant.notify_by_email,
        "notify_by_sms": participant.notify_by_sms,
    }
    return render(
        request,
        view,
        "participant/settings.html",
        values=values,
        errors={},
        saved=request.query_params.get("saved") == "1",
        labels=NOTIFICATION_LABELS,
    )


NOTIFICATION_LABELS = {
    "notify_email": _("E-mail address"),
    "notify_phone": _("Mobile number"),
}


async def save_notifications(request: Request, participant: Participant) -> Response:
    """The participant's own reminder-service choices (never from the read-only view)."""
    form = await read_form(request)
    choice, errors = parse_notification_settings(form)
    if choice is None:
        values = {
            **form,
            "notify_by_email": form.get("notify_by_email") == "on",
            "notify_by_sms": form.get("notify_by_sms") == "on",
        }
        return render(
            request,
            ParticipantView(participant),
            "participant/settings.html",
            400,
            values=values,
            errors=errors,
            labels=NOTIFICATION_LABELS,
        )
    async with database(request).transaction() as db:
        await save_notification_settings(db, participant.id, choice)
    return RedirectResponse("/settings?saved=1#notifications-title", status_code=303)


# (path suffix, page, what the access log calls it)
PAGES: tuple[tuple[str, Page, str], ...] = (
    ("", start_page, "start"),
    ("/access-log", access_log_page, "access-log"),
    ("/settings", settings_page, "settings"),
)


async def landing_page(request: Request) -> Response:
    """Where an anonymous visitor starts: log in with eID, or go to the staff login."""
    next_path = local_path(request.query_params.get("next"), "/")
    return pages(request).render(
        request,
        "participant/login.html",
        {
            "next": next_path,
            "ended": request.query_params.get("ended"),
            "logged_out": request.query_params.get("logged_out") == "1",
        },
    )


def routes() -> list[Route]:
    table = [
        Route("/login", public(landing_page)),
        Route("/settings/notifications", participant_only(save_notifications), methods=["POST"]),
    ]
    for suffix, page, what in PAGES:
        anonymous = landing_page if suffix == "" else None
        table.extend(participant_page_routes(suffix, page, what, anonymous))
    return table
