"""Staff calendars and bookings through HTTP: a caseworker's and a room's week, the booking's
details (logged in the access log and the audit trail), and the job centre cancelling a
meeting, which the participant is told of until they have seen it."""

from __future__ import annotations

import datetime as dt
import re

from starlette.testclient import TestClient

from tests.conftest import log_in
from tests.integration.test_booking_admin import (
    BASE,
    book_first_free,
    make_caseworker,
    make_offer,
    make_team,
    unique,
)
from tests.integration.test_meetings import participant_id, sql


def test_a_caseworkers_week_shows_hours_closing_days_and_meetings_linked_to_their_details(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Kalender"))
    caseworker = make_caseworker(client, unique("Kim"), team, pause=("12:00", "12:30"))
    offer = make_offer(client, team, [caseworker])
    booking = book_first_free(database_url, offer, caseworker, participant_id(database_url, "Bo"))
    (starts_at,) = sql(database_url, "SELECT starts_at FROM bookings WHERE id = :b", b=booking)[0]
    day = (
        starts_at.date()
        if isinstance(starts_at, dt.datetime)
        else dt.date.fromisoformat(str(starts_at)[:10])
    )
    week = client.get(f"{BASE}/caseworkers/{caseworker}/calendar", params={"week": day.isoformat()})
    assert week.status_code == 200
    assert "Working 08:00–16:00, pause 12:00–12:30" in week.text
    assert f'href="{BASE}/bookings/{booking}"' in week.text
    assert "Bo " not in week.text  # names only on the booking's own page, which is logged
    later = client.get(f"{BASE}/caseworkers/{caseworker}/calendar", params={"week": "2099-01-07"})
    assert "Week 2:" in later.text and "No meetings." in later.text
    assert "Trettondedag jul" in later.text  # a national holiday, shown closed
    assert client.get(f"{BASE}/caseworkers/999999/calendar").status_code == 404
    rooms = sql(database_url, "SELECT room_id FROM meeting_offers WHERE room_id IS NOT NULL")
    room = rooms[0][0]
    room_week = client.get(f"{BASE}/rooms/{room}/calendar")
    assert room_week.status_code == 200
    assert "booked of" in room_week.text or "No meetings." in room_week.text
    # The meeting held in the room is in the room's week, with no working hours of its own.
    sql(database_url, "UPDATE bookings SET room_id = :r WHERE id = :b", r=room, b=booking)
    in_room = client.get(f"{BASE}/rooms/{room}/calendar", params={"week": day.isoformat()})
    assert f'href="{BASE}/bookings/{booking}"' in in_room.text
    assert "Working 08:00" not in in_room.text and "Bo " not in in_room.text
    room_later = client.get(f"{BASE}/rooms/{room}/calendar", params={"week": "2099-01-07"})
    assert "No meetings." in room_later.text and "Trettondedag jul" in room_later.text
    assert client.get(f"{BASE}/rooms/999999/calendar").status_code == 404
    sql(database_url, "UPDATE bookings SET status = 'cancelled' WHERE id = :b", b=booking)


def test_the_job_centre_cancels_a_meeting_and_the_participant_is_told(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Avbokning"))
    caseworker = make_caseworker(client, unique("Alva"), team)
    offer = make_offer(client, team, [caseworker])
    bo = participant_id(database_url, "Bo")
    booking = book_first_free(database_url, offer, caseworker, bo)
    details = client.get(f"{BASE}/bookings/{booking}")
    assert details.status_code == 200
    # palle plans meetings without access to participants: the booking, not whose it is
    assert "Bo " not in details.text and "19850615" not in details.text
    assert "Not shown: you have no access to this participant." in details.text
    assert sql(
        database_url,
        "SELECT staff_user_id IS NOT NULL FROM booking_events "
        "WHERE booking_id = :b AND event = 'opened_by_staff'",
        b=booking,
    ) == [(True,)]
    assert sql(
        database_url,
        "SELECT what FROM access_log WHERE participant_id = :p ORDER BY id DESC LIMIT 1",
        p=bo,
    ) == [("meetings",)]
    no_reason = client.post(f"{BASE}/bookings/{booking}/cancel", data={"reason": " "})
    assert no_reason.status_code == 400
    assert "Fill this in." in no_reason.text
    cancelled = client.post(
        f"{BASE}/bookings/{booking}/cancel",
        data={"reason": "Handläggaren är sjuk"},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    assert sql(database_url, "SELECT status FROM bookings WHERE id = :b", b=booking) == [
        ("cancelled",)
    ]
    again = client.post(f"{BASE}/bookings/{booking}/cancel", data={"reason": "igen"})
    assert again.status_code == 409
    trail = client.get(f"{BASE}/audit", params={"participant": "19850615-4569"})
    assert trail.status_code == 200 and "No events match the search." in trail.text
    everything = client.get(f"{BASE}/audit").text
    assert "Bo " not in everything and "(not shown)" in everything
    client.post("/staff/logout")
    log_in(client, "lars", staff=True)  # Bo's caseworker sees whose meeting it was
    assert "Bo " in client.get(f"{BASE}/bookings/{booking}").text
    assert "Bo " in client.get(f"{BASE}/audit", params={"participant": "19850615-4569"}).text
    client.post("/staff/logout")
    log_in(client, "bo")
    start = client.get("/")
    assert "The job centre has cancelled or moved a meeting of yours." in start.text
    meetings = client.get("/meetings")
    assert "Cancelled by the job centre" in meetings.text
    assert "The job centre has cancelled or moved" not in client.get("/").text


def test_booking_details_are_for_job_centre_staff_only(
    client: TestClient, database_url: str
) -> None:
    (booking,) = sql(database_url, "SELECT id FROM bookings ORDER BY id LIMIT 1")[0]
    log_in(client, "erik", staff=True)
    assert client.get(f"{BASE}/bookings/{booking}").status_code == 404
    assert client.post(f"{BASE}/bookings/{booking}/cancel", data={"reason": "x"}).status_code == 404
    client.post("/staff/logout")
    log_in(client, "karin", staff=True)
    assert client.get(f"{BASE}/bookings/999999").status_code == 404


def test_a_caseworker_sets_the_markings_that_offers_choose_participants_by(
    client: TestClient, database_url: str
) -> None:
    anna = participant_id(database_url, "Anna")
    path = f"/staff/participants/{anna}/meeting-markings"
    log_in(client, "lars", staff=True)  # not anna's caseworker
    assert client.get(path).status_code == 404
    client.post("/staff/logout")
    log_in(client, "karin", staff=True)
    assert path in client.get("/staff/").text
    shown = client.get(path)
    assert shown.status_code == 200
    assert 'value="Nacka"' in shown.text
    (team,) = sql(
        database_url, "SELECT team_id FROM participant_teams WHERE participant_id = :p", p=anna
    )[0]
    wrong = client.post(path, data={"markings": ["long_term", "nonsense"], "team_id": "x"})
    assert wrong.status_code == 400
    assert 'value="long_term" checked' in wrong.text
    saved = client.post(
        path,
        data={"markings": ["long_term"], "team_id": str(team), "municipality": "Nacka"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert sql(
        database_url, "SELECT marking FROM participant_markings WHERE participant_id = :p", p=anna
    ) == [("long_term",)]
    client.post(path, data={"team_id": str(team), "municipality": "Nacka"})
    assert not sql(
        database_url, "SELECT marking FROM participant_markings WHERE participant_id = :p", p=anna
    )


def test_the_job_centre_moves_a_meeting_to_another_caseworkers_free_time_once(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Flyttdag"))
    first = make_caseworker(client, unique("Ebba"), team)
    second = make_caseworker(client, unique("Frans"), team)
    offer = make_offer(client, team, [first, second])
    bo = participant_id(database_url, "Bo")
    booking = book_first_free(database_url, offer, first, bo)
    page = client.get(f"{BASE}/bookings/{booking}/move")
    assert page.status_code == 200
    options = re.findall(rf'<option value="([^"|]+)\|{second}"', page.text)
    key = re.search(r'name="request_key" value="([^"]+)"', page.text)
    assert options and key
    no_time = client.post(f"{BASE}/bookings/{booking}/move", data={"slot": "soon"})
    assert no_time.status_code == 400
    form = {"slot": f"{options[-1]}|{second}", "request_key": key.group(1)}
    moved = client.post(f"{BASE}/bookings/{booking}/move", data=form, follow_redirects=False)
    assert moved.status_code == 303
    again = client.post(f"{BASE}/bookings/{booking}/move", data=form, follow_redirects=False)
    assert again.status_code in (303, 409)
    rows = sql(
        database_url,
        "SELECT status, caseworker_id FROM bookings WHERE participant_id = :p AND offer_id = :o "
        "ORDER BY id",
        p=bo,
        o=offer,
    )
    assert rows == [("moved", first), ("booked", second)]
    assert (
        len(
            sql(
                database_url,
                "SELECT 1 FROM booking_events WHERE event = "
                "'moved_by_job_centre' AND offer_id = :o",
                o=offer,
            )
        )
        == 2
    )
    client.post("/staff/logout")
    log_in(client, "bo")
    assert "The job centre has cancelled or moved a meeting of yours." in client.get("/").text
    assert "Moved by the job centre" in client.get("/meetings").text
    sql(database_url, "UPDATE bookings SET status = 'cancelled' WHERE offer_id = :o", o=offer)
