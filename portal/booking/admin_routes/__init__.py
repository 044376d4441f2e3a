"""Booking administration over HTTP (staff of the job centre), one module per thing it keeps:
teams with their closing days, caseworkers, rooms, offers with variants and templates, calendars,
meetings, person-group markings and the audit trail. Handlers parse, call `booking.admin` in one
transaction, and render; `common` holds what they share."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from portal.booking.admin_routes import (
    audit,
    calendars,
    caseworkers,
    markings,
    meetings,
    offers,
    overview,
    rooms,
    teams,
)
from portal.booking.admin_routes.common import BASE, job_centre_staff


def routes() -> list[Route]:
    admin_pages: list[tuple[str, Any, list[str]]] = [
        ("/teams/new", teams.team_form, ["GET", "POST"]),
        ("/teams/{team_id:int}", teams.team_form, ["GET", "POST"]),
        ("/teams/{team_id:int}/closing-days", teams.add_closing_day, ["POST"]),
        (
            "/teams/{team_id:int}/closing-days/{closing_id:int}/remove",
            teams.remove_closing_day,
            ["POST"],
        ),
        ("/caseworkers/new", caseworkers.caseworker_form, ["GET", "POST"]),
        ("/caseworkers/{caseworker_id:int}", caseworkers.caseworker_form, ["GET", "POST"]),
        ("/caseworkers/{caseworker_id:int}/teams", caseworkers.add_caseworker_to_team, ["POST"]),
        (
            "/caseworkers/{caseworker_id:int}/teams/{team_id:int}/remove",
            caseworkers.team_removal,
            ["GET", "POST"],
        ),
        ("/caseworkers/{caseworker_id:int}/busy", caseworkers.add_busy_time, ["POST"]),
        (
            "/caseworkers/{caseworker_id:int}/busy/{busy_id:int}/remove",
            caseworkers.remove_busy_time,
            ["POST"],
        ),
        ("/caseworkers/{caseworker_id:int}/delete", caseworkers.delete_caseworker, ["POST"]),
        ("/rooms/new", rooms.room_form, ["GET", "POST"]),
        ("/rooms/{room_id:int}", rooms.room_form, ["GET", "POST"]),
        ("/rooms/{room_id:int}/delete", rooms.delete_room, ["POST"]),
        ("/variants/new", offers.variant_form, ["GET", "POST"]),
        ("/variants/{variant_id:int}", offers.variant_form, ["GET", "POST"]),
        ("/templates/{template_id:int}/delete", offers.delete_template, ["POST"]),
    ]
    offer_pages: list[tuple[str, Any, list[str]]] = [
        ("/", overview.overview, ["GET"]),
        ("/offers/new", offers.offer_form, ["GET", "POST"]),
        ("/offers/{offer_id:int}", offers.offer_form, ["GET", "POST"]),
        ("/audit", audit.audit_trail, ["GET"]),
        ("/caseworkers/{caseworker_id:int}/calendar", calendars.caseworker_calendar, ["GET"]),
        ("/rooms/{room_id:int}/calendar", calendars.room_calendar, ["GET"]),
        ("/bookings/{booking_id:int}", meetings.booking_details, ["GET"]),
        ("/bookings/{booking_id:int}/cancel", meetings.cancel_booking, ["POST"]),
        ("/bookings/{booking_id:int}/move", meetings.move_booking, ["GET", "POST"]),
    ]
    return [
        Route(
            "/staff/participants/{participant_id:int}/meeting-markings",
            job_centre_staff("run_offers", markings.participant_eligibility),
            methods=["GET", "POST"],
        ),
        *(
            Route(BASE + path, job_centre_staff("booking_admin", handler), methods=methods)
            for path, handler, methods in admin_pages
        ),
        *(
            Route(BASE + path, job_centre_staff("run_offers", handler), methods=methods)
            for path, handler, methods in offer_pages
        ),
    ]
