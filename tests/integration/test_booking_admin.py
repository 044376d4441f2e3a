"""Booking administration through HTTP: who may use it, teams and inherited closing days,
caseworkers with hours and pauses, busy time, taking a caseworker out of a team (moving or
keeping their meetings), rooms and offers with their refusals, and the audit trail."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from portal.booking import admin, bookings, free_times
from portal.booking.models import MeetingOffer
from portal.db import Database
from portal.notify.service import Links
from tests.conftest import log_in, portal_today, run_in_own_thread
from tests.integration.test_meetings import participant_id, sql

BASE = "/staff/booking"
ZONE = ZoneInfo("Europe/Stockholm")


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def new_id(response: Any, kind: str) -> int:
    assert response.status_code == 303, response.text
    match = re.search(rf"/{kind}/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def hidden(page: str, name: str) -> dict[str, str]:
    """The hidden field `name` of a page's form, as form data (none when it has none)."""
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    return {name: match.group(1)} if match else {}


def create(client: TestClient, kind: str, data: Any, **options: Any) -> Any:
    """POST a new-object form as a browser does: with the form token its page gave."""
    token = hidden(client.get(f"{BASE}/{kind}/new").text, "form_token")
    return client.post(f"{BASE}/{kind}/new", data={**data, **token}, **options)


def centre_id(url: str) -> int:
    return int(sql(url, "SELECT id FROM teams WHERE parent_id IS NULL ORDER BY id")[0][0])


def week(
    monday: tuple[str, str] = ("08:00", "16:00"), pause: tuple[str, str] = ("", "")
) -> dict[str, str]:
    """Form fields of a week with the same hours and pause Monday–Friday."""
    fields: dict[str, str] = {}
    for weekday in range(7):
        working = monday if weekday < 5 else ("00:00", "00:00")
        fields[f"hours-{weekday}-from"], fields[f"hours-{weekday}-to"] = working
        fields[f"pause-{weekday}-from"], fields[f"pause-{weekday}-to"] = (
            pause if weekday < 5 else ("", "")
        )
    return fields


def make_team(client: TestClient, url: str, name: str, parent: int | None = None) -> int:
    response = create(
        client,
        "teams",
        data={"name": name, "parent_id": str(parent or centre_id(url))},
        follow_redirects=False,
    )
    return new_id(response, "teams")


def make_caseworker(client: TestClient, name: str, team: int, **hours: Any) -> int:
    response = create(
        client,
        "caseworkers",
        data={"name": name, "team_ids": [str(team)], **week(**hours), "action": "save"},
        follow_redirects=False,
    )
    return new_id(response, "caseworkers")


def offer_form(team: int, caseworkers: list[int], **overrides: Any) -> dict[str, Any]:
    return {
        "title": unique("Samtal"),
        "meeting_type": "follow_up",
        "kind": "individual",
        "team_id": str(team),
        "caseworker_ids": [str(c) for c in caseworkers],
        "duration_minutes": "60",
        "admin_minutes": "0",
        "rebook_days_before": "1",
        "rolling_weeks": "3",
        "accept_cancellation": "yes",
        "accept_rebooking": "yes",
        "active": "yes",
        # Seen by nobody (no participant has this marking), so other tests' pages stay as
        # they were.
        "eligible_marking": "sick_listed",
        **overrides,
    }


def make_offer(client: TestClient, team: int, caseworkers: list[int], **overrides: Any) -> int:
    response = create(
        client,
        "offers",
        data=offer_form(team, caseworkers, **overrides),
        follow_redirects=False,
    )
    return new_id(response, "offers")


def book_first_free(url: str, offer: int, caseworker: int, participant: int) -> int:
    """A booking of the offer's first free time with the caseworker, as the service makes it."""

    async def go() -> int:
        database = Database(url)
        today = dt.datetime.now(ZONE).date()
        place = free_times.Place("SE", "Europe/Stockholm")
        try:
            async with database.transaction() as db:
                row = await db.get_one(MeetingOffer, offer)
                slots = await free_times.free_slots(
                    db, row, today, place, caseworker_ids=[caseworker]
                )
                first = next(s for found in slots.values() for s in found)
                booking = await bookings.book(
                    db,
                    participant,
                    row,
                    first.start,
                    secrets.token_urlsafe(16),
                    today,
                    place,
                    caseworker_id=caseworker,
                    links=Links("http://testserver", "SE"),
                )
                return booking.id
        finally:
            await database.dispose()

    return int(run_in_own_thread(go()))


def test_booking_administration_is_for_the_job_centres_planners(client: TestClient) -> None:
    log_in(client, "erik", staff=True)  # a provider's registrar
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/teams/new").status_code == 404
    client.post("/staff/logout")
    log_in(client, "karin", staff=True)  # a caseworker runs offers but administers nothing
    overview = client.get(f"{BASE}/")
    assert overview.status_code == 200
    assert "/offers/new" in overview.text
    assert "/teams/new" not in overview.text
    assert client.get(f"{BASE}/rooms/new").status_code == 404
    assert create(client, "teams", data={"name": "X"}).status_code == 404
    client.post("/staff/logout")
    log_in(client, "palle", staff=True)
    start = client.get("/staff/")
    assert f'href="{BASE}/"' in start.text
    overview = client.get(f"{BASE}/")
    assert overview.status_code == 200
    assert "/teams/new" in overview.text and "/rooms/new" in overview.text


def test_anonymous_visitors_are_sent_to_the_staff_login(client: TestClient) -> None:
    response = client.get(f"{BASE}/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")


def test_a_team_refuses_a_taken_name_and_a_place_under_itself_keeping_what_was_typed(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    name = unique("Team Norr")
    parent = make_team(client, database_url, name)
    child = make_team(client, database_url, unique("Team Norr Unga"), parent)
    taken = create(
        client,
        "teams",
        data={"name": name.upper(), "email": "team@example.org", "parent_id": str(parent)},
    )
    assert taken.status_code == 400
    assert "Another team has this name." in taken.text
    assert 'value="team@example.org"' in taken.text
    loop = client.post(f"{BASE}/teams/{parent}", data={"name": name, "parent_id": str(child)})
    assert loop.status_code == 400
    assert "A team cannot be placed under itself." in loop.text
    bad_mail = client.post(f"{BASE}/teams/{parent}", data={"name": name, "email": "nope"})
    assert bad_mail.status_code == 400
    assert 'href="#email"' in bad_mail.text
    assert client.get(f"{BASE}/teams/999999").status_code == 404


def test_a_room_renamed_to_a_name_taken_meanwhile_gets_the_message_and_keeps_the_input(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(client, "palle", staff=True)
    taken = unique("Rum Tranan")
    create(client, "rooms", data={"name": taken, "capacity": "4", "usable": "yes"})
    renamed = create(
        client,
        "rooms",
        data={"name": unique("Rum Hägern"), "capacity": "4", "usable": "yes"},
        follow_redirects=False,
    )
    room = new_id(renamed, "rooms")
    # The other room took the name between this save's check and its commit.
    real = admin.name_taken
    checks: list[str] = []

    async def taken_after_the_check(*args: Any) -> bool:
        checks.append("check")
        return False if len(checks) == 1 else await real(*args)

    monkeypatch.setattr(admin, "name_taken", taken_after_the_check)
    response = client.post(
        f"{BASE}/rooms/{room}",
        data={"name": taken, "capacity": "6", "address": "Storgatan 1", "usable": "yes"},
    )
    assert response.status_code == 400
    assert "Another room has this name." in response.text
    assert 'value="Storgatan 1"' in response.text and 'value="6"' in response.text
    assert checks == ["check", "check"]


def test_a_closing_day_set_on_a_team_is_inherited_below_and_closes_its_offers(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    parent = make_team(client, database_url, unique("Team Syd"))
    child = make_team(client, database_url, unique("Team Syd Vuxna"), parent)
    caseworker = make_caseworker(client, unique("Sara Syd"), child)
    offer = new_id(
        create(client, "offers", data=offer_form(child, [caseworker]), follow_redirects=False),
        "offers",
    )
    rows = sql(database_url, "SELECT id FROM meeting_offers WHERE id = :o", o=offer)
    assert rows
    # The first weekday from tomorrow that is not a holiday: closed on the parent team.
    day = dt.datetime.now(ZONE).date() + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    backwards = client.post(
        f"{BASE}/teams/{parent}/closing-days",
        data={
            "closing_name": "Planeringsdag",
            "closing_first": day.isoformat(),
            "closing_last": (day - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert backwards.status_code == 400
    assert "The end cannot be before the start." in backwards.text
    assert 'value="Planeringsdag"' in backwards.text
    token = hidden(client.get(f"{BASE}/teams/{parent}").text, "closing_token")
    form = {"closing_name": "Planeringsdag", "closing_first": day.isoformat(), **token}
    saved = client.post(f"{BASE}/teams/{parent}/closing-days", data=form, follow_redirects=False)
    assert saved.status_code == 303
    client.post(f"{BASE}/teams/{parent}/closing-days", data=form)  # a second click: no twin
    assert len(sql(database_url, "SELECT id FROM closing_days WHERE team_id = :t", t=parent)) == 1
    child_page = client.get(f"{BASE}/teams/{child}")
    assert "Inherited from the teams above" in child_page.text
    assert "Planeringsdag" in child_page.text

    async def free_days() -> set[dt.date]:
        database = Database(database_url)
        try:
            async with database.sessions() as db:
                row = await db.get_one(MeetingOffer, offer)
                slots = await free_times.free_slots(
                    db,
                    row,
                    dt.datetime.now(ZONE).date(),
                    free_times.Place("SE", "Europe/Stockholm"),
                )
                return set(slots)
        finally:
            await database.dispose()

    assert run_in_own_thread(free_days())
    assert day not in run_in_own_thread(free_days())
    closing = sql(database_url, "SELECT id FROM closing_days WHERE team_id = :t", t=parent)[0][0]
    client.post(f"{BASE}/teams/{parent}/closing-days/{closing}/remove")
    assert day in run_in_own_thread(free_days())


def test_caseworker_hours_and_pauses_are_checked_and_monday_copies_to_the_week(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Väst"))
    short_pause = create(
        client,
        "caseworkers",
        data={
            "name": "Per Paus",
            "team_ids": [str(team)],
            **week(pause=("12:00", "12:10")),
            "hours-2-to": "07:00",
            "action": "save",
        },
    )
    assert short_pause.status_code == 400
    assert "A pause lasts at least 15 minutes." in short_pause.text
    assert "The end must be after the start (00:00–00:00 means not working)." in short_pause.text
    assert 'href="#hours-2-to"' in short_pause.text
    assert 'value="Per Paus"' in short_pause.text
    no_team = create(client, "caseworkers", data={"name": "Per Paus", **week(), "action": "save"})
    assert "Choose at least one team." in no_team.text
    outside = create(
        client,
        "caseworkers",
        data={"name": "Per", "team_ids": [str(team)], **week(pause=("17:00", "17:30"))},
    )
    assert "A pause must lie within the working hours." in outside.text
    copied = create(
        client,
        "caseworkers",
        data={
            "name": "Per Paus",
            "team_ids": [str(team)],
            **week(),
            "hours-0-from": "09:00",
            "hours-0-to": "15:00",
            "pause-0-from": "12:00",
            "pause-0-to": "12:30",
            "action": "copy_monday",
        },
    )
    assert copied.status_code == 200
    assert 'name="hours-4-from" type="time" value="09:00"' in copied.text
    assert 'name="pause-3-to" type="time" value="12:30"' in copied.text
    assert 'name="hours-5-from" type="time" value="00:00"' in copied.text
    assert not sql(database_url, "SELECT id FROM caseworkers WHERE name = 'Per Paus'")
    saved = create(
        client,
        "caseworkers",
        data={
            "name": "Per Paus",
            "team_ids": [str(team)],
            **week(("09:00", "15:00"), ("12:00", "12:30")),
        },
        follow_redirects=False,
    )
    caseworker = new_id(saved, "caseworkers")
    shown = client.get(f"{BASE}/caseworkers/{caseworker}")
    assert 'name="hours-2-from" type="time" value="09:00"' in shown.text
    assert 'name="pause-2-from" type="time" value="12:00"' in shown.text
    # Another caseworker reads in these pauses.
    other = make_caseworker(client, unique("Olle"), team)
    read_in = client.post(
        f"{BASE}/caseworkers/{other}",
        data={"name": "Olle", **week(), "pause_source": str(caseworker), "action": "copy_pauses"},
    )
    assert 'name="pause-1-to" type="time" value="12:30"' in read_in.text


def test_busy_time_is_added_checked_and_removed(client: TestClient, database_url: str) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Öst"))
    caseworker = make_caseworker(client, unique("Bodil"), team)
    day = (portal_today() + dt.timedelta(days=3)).isoformat()
    wrong = client.post(
        f"{BASE}/caseworkers/{caseworker}/busy",
        data={"busy_date": day, "busy_from": "10:00", "busy_to": "09:00", "busy_reason": "Kurs"},
    )
    assert wrong.status_code == 400
    assert "The end must be after the start." in wrong.text
    assert 'value="Kurs"' in wrong.text
    token = hidden(client.get(f"{BASE}/caseworkers/{caseworker}").text, "busy_token")
    form = {"busy_date": day, "busy_from": "09:00", "busy_to": "11:00", "busy_reason": "Kurs"}
    client.post(f"{BASE}/caseworkers/{caseworker}/busy", data={**form, **token})
    client.post(f"{BASE}/caseworkers/{caseworker}/busy", data={**form, **token})  # no twin
    (busy,) = sql(
        database_url, "SELECT id FROM caseworker_busy WHERE caseworker_id = :c", c=caseworker
    )
    assert "Kurs" in client.get(f"{BASE}/caseworkers/{caseworker}").text
    client.post(f"{BASE}/caseworkers/{caseworker}/busy/{busy[0]}/remove")
    assert not sql(
        database_url, "SELECT id FROM caseworker_busy WHERE caseworker_id = :c", c=caseworker
    )


def test_a_caseworker_leaving_a_team_hands_their_meetings_to_a_free_colleague_or_keeps_them(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Flytt"))
    leaving = make_caseworker(client, unique("Lena"), team)
    colleague = make_caseworker(client, unique("Kalle"), team)
    offer = new_id(
        create(
            client,
            "offers",
            data=offer_form(team, [leaving, colleague]),
            follow_redirects=False,
        ),
        "offers",
    )
    bo = participant_id(database_url, "Bo")
    booking = book_first_free(database_url, offer, leaving, bo)
    question = client.get(f"{BASE}/caseworkers/{leaving}/teams/{team}/remove")
    assert "What happens to the meetings?" in question.text
    unanswered = client.post(f"{BASE}/caseworkers/{leaving}/teams/{team}/remove", data={})
    assert unanswered.status_code == 400
    moved = client.post(
        f"{BASE}/caseworkers/{leaving}/teams/{team}/remove",
        data={"choice": "move"},
        follow_redirects=False,
    )
    assert "saved=removed" in moved.headers["location"]
    assert sql(database_url, "SELECT caseworker_id FROM bookings WHERE id = :b", b=booking) == [
        (colleague,)
    ]
    events = sql(
        database_url,
        "SELECT event, caseworker_id FROM booking_events WHERE booking_id = :b ORDER BY id",
        b=booking,
    )
    assert ("caseworker_detached", leaving) in events
    assert ("caseworker_attached", colleague) in events
    assert not sql(
        database_url,
        "SELECT 1 FROM team_members WHERE team_id = :t AND caseworker_id = :c",
        t=team,
        c=leaving,
    )
    # The colleague leaves too, keeping the meeting: still a member, taking no new bookings.
    kept = client.post(
        f"{BASE}/caseworkers/{colleague}/teams/{team}/remove",
        data={"choice": "keep"},
        follow_redirects=False,
    )
    assert "saved=kept" in kept.headers["location"]
    assert sql(
        database_url,
        "SELECT takes_bookings FROM team_members WHERE team_id = :t AND caseworker_id = :c",
        t=team,
        c=colleague,
    ) == [(False,)]
    assert "No new bookings" in client.get(f"{BASE}/caseworkers/{colleague}").text
    refused = client.post(f"{BASE}/caseworkers/{colleague}/delete")
    assert refused.status_code == 409
    assert "has meetings to come and cannot be deleted" in refused.text
    # Without meetings or offers, a caseworker can be deleted.
    spare = make_caseworker(client, unique("Vikarie"), team)
    deleted = client.post(f"{BASE}/caseworkers/{spare}/delete", follow_redirects=False)
    assert deleted.status_code == 303
    assert not sql(database_url, "SELECT id FROM caseworkers WHERE id = :c", c=spare)
    sql(database_url, "UPDATE bookings SET status = 'cancelled' WHERE id = :b", b=booking)


def test_rooms_have_unique_names_and_one_with_meetings_to_come_cannot_be_deleted(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    name = unique("Rum Älgen")
    created = create(
        client,
        "rooms",
        data={"name": name, "capacity": "8", "overbooking": "1", "usable": "yes"},
        follow_redirects=False,
    )
    room = new_id(created, "rooms")
    again = create(client, "rooms", data={"name": name.lower(), "capacity": "x"})
    assert again.status_code == 400
    assert "Give a whole number from 1 to 10000." in again.text
    taken = create(client, "rooms", data={"name": name.lower(), "capacity": "3"})
    assert "Another room has this name." in taken.text
    boundless = create(client, "rooms", data={"name": unique("Aulan"), "overbooking": "4"})
    assert "leave overbooking at 0" in boundless.text
    with_meetings = sql(
        database_url,
        "SELECT id FROM rooms WHERE id IN (SELECT room_id FROM "
        "meeting_offers WHERE room_id IS NOT NULL)",
    )[0][0]
    refused = client.post(f"{BASE}/rooms/{with_meetings}/delete")
    assert refused.status_code == 409
    deleted = client.post(f"{BASE}/rooms/{room}/delete", follow_redirects=False)
    assert deleted.status_code == 303
    assert not sql(database_url, "SELECT id FROM rooms WHERE id = :r", r=room)


def test_an_offer_states_what_is_missing_and_a_group_offer_gets_its_times(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Grupp"))
    caseworker = make_caseworker(client, unique("Gun"), team)
    outsider = make_caseworker(client, unique("Utan"), make_team(client, database_url, unique("T")))
    empty = create(client, "offers", data={"title": "", "kind": "group"})
    assert empty.status_code == 400
    for message in (
        "Fill this in.",
        "Give a fixed end date, a rolling end in weeks, or both.",
        "Choose at least one caseworker.",
        "Give at least one time for the group meeting.",
    ):
        assert message in empty.text
    wrong_team = create(
        client, "offers", data=offer_form(team, [caseworker, outsider], title="Fel team")
    )
    assert "Choose caseworkers of the offer's team who take bookings." in unescape(wrong_team.text)
    assert 'value="Fel team"' in wrong_team.text
    bad_time = create(
        client,
        "offers",
        data=offer_form(team, [caseworker], kind="group", seats="10", group_times="tisdag nio"),
    )
    assert "is not a date and time like 2026-12-01 09:00" in bad_time.text
    # An end years away is refused at the field before any rule works out its days.
    for far, message in (
        ("2099-12-31", "An offer is planned at most two years ahead"),
        ("9999-12-31", "Give a date from 1900-01-01 to 2199-12-31."),
    ):
        answer = create(client, "offers", data=offer_form(team, [caseworker], fixed_end=far))
        assert answer.status_code == 400 and message in answer.text, re.findall(
            r"validation-message[^>]*>([^<]*)<", answer.text
        )
        assert f'value="{far}"' in answer.text
    first = portal_today() + dt.timedelta(days=7)
    times = f"{first.isoformat()} 09:00\n{(first + dt.timedelta(days=1)).isoformat()} 13:30"
    created = create(
        client,
        "offers",
        data=offer_form(team, [caseworker], kind="group", seats="10", group_times=times),
        follow_redirects=False,
    )
    offer = new_id(created, "offers")
    sessions = sql(database_url, "SELECT seats FROM group_sessions WHERE offer_id = :o", o=offer)
    assert sessions == [(10,), (10,)]
    shown = client.get(f"{BASE}/offers/{offer}")
    assert f"{first.isoformat()} 09:00" in shown.text
    # Leaving out a time takes it away.
    client.post(
        f"{BASE}/offers/{offer}",
        data=offer_form(
            team, [caseworker], kind="group", seats="10", group_times=times.split("\n")[0]
        ),
    )
    assert len(sql(database_url, "SELECT id FROM group_sessions WHERE offer_id = :o", o=offer)) == 1


def test_the_audit_trail_is_searchable_by_event_participant_and_date(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    everything = client.get(f"{BASE}/audit")
    assert everything.status_code == 200
    # palle has no access to participants: their events, not their names, nor a search by them
    assert "(not shown)" in everything.text and "Booked" in everything.text
    assert "Anna" not in everything.text
    by_name = client.get(f"{BASE}/audit", params={"participant": "Anna"})
    assert "No events match the search." in by_name.text
    client.post("/staff/logout")
    log_in(client, "karin", staff=True)  # anna's caseworker
    assert "Anna Andersson" in client.get(f"{BASE}/audit").text
    only_bo = client.get(f"{BASE}/audit", params={"participant": "Bo ", "event": "created"})
    assert only_bo.status_code == 200
    assert "Anna Andersson" not in only_bo.text
    future = client.get(f"{BASE}/audit", params={"from": "2099-01-01"})
    assert "No events match the search." in future.text
    wrong = client.get(f"{BASE}/audit", params={"from": "2026-13-01", "event": "nothing"})
    assert wrong.status_code == 400
    assert "Give a real date" in wrong.text


def test_a_variant_is_for_its_meeting_types_and_teams_and_an_offer_must_match_it(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Variant"))
    other = make_team(client, database_url, unique("Team Annan"))
    caseworker = make_caseworker(client, unique("Vilma"), team)
    none_chosen = create(client, "variants", data={"name": "Uppföljning unga"})
    assert none_chosen.status_code == 400
    assert "Choose at least one meeting type." in none_chosen.text
    name = unique("Uppföljning unga")
    variant = new_id(
        create(
            client,
            "variants",
            data={"name": name, "meeting_types": ["follow_up"], "team_ids": [str(other)]},
            follow_redirects=False,
        ),
        "variants",
    )
    taken = create(client, "variants", data={"name": name.upper(), "meeting_types": ["cv"]})
    assert "Another variant has this name." in taken.text
    wrong_team = create(
        client, "offers", data=offer_form(team, [caseworker], variant_id=str(variant))
    )
    assert wrong_team.status_code == 400
    assert "This variant is not for the chosen meeting type and team." in wrong_team.text
    client.post(
        f"{BASE}/variants/{variant}",
        data={"name": name, "meeting_types": ["follow_up"], "team_ids": [str(team)]},
    )
    offer = make_offer(client, team, [caseworker], variant_id=str(variant))
    assert sql(database_url, "SELECT variant_id FROM meeting_offers WHERE id = :o", o=offer) == [
        (variant,)
    ]


def test_a_template_saved_from_the_offer_form_fills_in_a_new_offer(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Mall"))
    caseworker = make_caseworker(client, unique("Mats"), team)
    name = unique("Mall för uppföljning")
    form = offer_form(team, [caseworker], title="Uppföljning från mall", duration_minutes="50")
    unnamed = create(client, "offers", data={**form, "action": "template"})
    assert unnamed.status_code == 400
    assert "Give the template a name." in unnamed.text
    kept = create(client, "offers", data={**form, "action": "template", "template_name": name})
    assert kept.status_code == 200
    assert "Saved as the template" in kept.text
    assert not sql(database_url, "SELECT id FROM meeting_offers WHERE title = :t", t=form["title"])
    (template,) = sql(database_url, "SELECT id FROM offer_templates WHERE name = :n", n=name)[0]
    twice = create(client, "offers", data={**form, "action": "template", "template_name": name})
    assert "Another template has this name." in twice.text
    filled = client.get(f"{BASE}/offers/new", params={"template": template})
    assert 'value="Uppföljning från mall"' in filled.text
    assert 'value="50"' in filled.text
    assert f'value="{caseworker}" checked' in filled.text
    client.post("/staff/logout")
    log_in(client, "karin", staff=True)  # runs offers, keeps no templates
    refused = create(
        client, "offers", data={**form, "action": "template", "template_name": "Min mall"}
    )
    assert refused.status_code == 404
    assert client.post(f"{BASE}/templates/{template}/delete").status_code == 404
    client.post("/staff/logout")
    log_in(client, "palle", staff=True)
    client.post(f"{BASE}/templates/{template}/delete")
    assert not sql(database_url, "SELECT id FROM offer_templates WHERE id = :t", t=template)


def test_two_offers_in_one_room_never_book_it_twice_at_once(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    room = new_id(
        create(
            client,
            "rooms",
            data={"name": unique("Rum Lönnen"), "capacity": "2", "usable": "yes"},
            follow_redirects=False,
        ),
        "rooms",
    )
    team = make_team(client, database_url, unique("Team Rum"))
    first, second = (
        make_caseworker(client, unique("Rut"), team),
        make_caseworker(client, unique("Rolf"), team),
    )
    offer_a = make_offer(client, team, [first], room_id=str(room))
    offer_b = make_offer(client, team, [second], room_id=str(room))
    booking = book_first_free(database_url, offer_a, first, participant_id(database_url, "Bo"))
    (taken,) = sql(database_url, "SELECT starts_at FROM bookings WHERE id = :b", b=booking)[0]

    async def starts_of_b() -> set[str]:
        database = Database(database_url)
        try:
            async with database.sessions() as db:
                row = await db.get_one(MeetingOffer, offer_b)
                slots = await free_times.free_slots(
                    db,
                    row,
                    dt.datetime.now(ZONE).date(),
                    free_times.Place("SE", "Europe/Stockholm"),
                )
                return {
                    s.start.astimezone(dt.UTC).isoformat()[:16] for d in slots.values() for s in d
                }
        finally:
            await database.dispose()

    taken_at = taken if isinstance(taken, dt.datetime) else dt.datetime.fromisoformat(str(taken))
    if taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=dt.UTC)
    free = run_in_own_thread(starts_of_b())
    assert free
    assert taken_at.astimezone(dt.UTC).isoformat()[:16] not in free
    sql(database_url, "UPDATE bookings SET status = 'cancelled' WHERE id = :b", b=booking)
    assert taken_at.astimezone(dt.UTC).isoformat()[:16] in run_in_own_thread(starts_of_b())


def test_a_double_clicked_create_makes_one_and_a_refused_one_can_be_corrected(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    page = client.get(f"{BASE}/teams/new")
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match
    token = match.group(1)
    taken = client.post(f"{BASE}/teams/new", data={"name": "Team Vuxna", "form_token": token})
    assert taken.status_code == 400  # refused: nothing written, the token still unused
    assert f'value="{token}"' in taken.text
    name = unique("Team Dubbel")
    form = {"name": name, "parent_id": str(centre_id(database_url)), "form_token": token}
    first = client.post(f"{BASE}/teams/new", data=form, follow_redirects=False)
    second = client.post(f"{BASE}/teams/new", data=form, follow_redirects=False)
    assert "/teams/" in first.headers["location"]
    assert second.status_code == 303
    assert second.headers["location"] == f"{BASE}/?saved=repeated"
    assert len(sql(database_url, "SELECT id FROM teams WHERE name = :n", n=name)) == 1


def test_a_caseworker_joins_another_team_and_a_room_shows_what_was_saved(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    first = make_team(client, database_url, unique("Team Ett"))
    second = make_team(client, database_url, unique("Team Två"))
    caseworker = make_caseworker(client, unique("Tove"), first)
    nothing = client.post(f"{BASE}/caseworkers/{caseworker}/teams", data={"team_id": ""})
    assert nothing.status_code == 400
    assert "Choose a team." in nothing.text
    client.post(f"{BASE}/caseworkers/{caseworker}/teams", data={"team_id": str(second)})
    members = sql(
        database_url,
        "SELECT team_id FROM team_members WHERE caseworker_id = :c ORDER BY team_id",
        c=caseworker,
    )
    assert members == [(first,), (second,)]
    room = new_id(
        create(
            client,
            "rooms",
            data={"name": unique("Rum Aspen"), "capacity": "6", "address": "Storgatan 2"},
            follow_redirects=False,
        ),
        "rooms",
    )
    shown = client.get(f"{BASE}/rooms/{room}")
    assert 'value="6"' in shown.text and 'value="Storgatan 2"' in shown.text
    assert 'id="usable" name="usable" value="yes" checked' not in shown.text  # left unticked
    for missing in ("teams", "caseworkers", "rooms", "offers", "variants", "bookings"):
        assert client.get(f"{BASE}/{missing}/999999").status_code == 404


def test_a_day_may_have_two_pauses_that_do_not_overlap(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    team = make_team(client, database_url, unique("Team Pauser"))
    caseworker = make_caseworker(client, unique("Pia"), team, pause=("12:00", "12:30"))
    overlapping = client.post(
        f"{BASE}/caseworkers/{caseworker}",
        data={
            "name": "Pia",
            **week(pause=("12:00", "12:30")),
            "pause2-2-from": "12:15",
            "pause2-2-to": "13:00",
        },
    )
    assert overlapping.status_code == 400
    assert "The two pauses overlap." in overlapping.text
    assert 'href="#pause2-2-from"' in overlapping.text
    client.post(
        f"{BASE}/caseworkers/{caseworker}",
        data={
            "name": "Pia",
            **week(pause=("12:00", "12:30")),
            "pause2-2-from": "14:00",
            "pause2-2-to": "14:30",
            "action": "save",
        },
    )
    rows = sql(
        database_url,
        "SELECT weekday, starts FROM caseworker_pauses WHERE caseworker_id = :c AND weekday = 2 "
        "ORDER BY starts",
        c=caseworker,
    )
    assert [str(starts)[:5] for _day, starts in rows] == ["12:00", "14:00"]
    shown = client.get(f"{BASE}/caseworkers/{caseworker}")
    assert 'name="pause2-2-from" type="time" value="14:00"' in shown.text
    copied = client.post(
        f"{BASE}/caseworkers/{caseworker}",
        data={
            "name": "Pia",
            **week(),
            "pause2-0-from": "15:00",
            "pause2-0-to": "15:15",
            "action": "copy_monday",
        },
    )
    assert 'name="pause2-4-from" type="time" value="15:00"' in copied.text


def test_a_group_time_is_refused_while_its_room_holds_another_meeting(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    room, taken = sql(
        database_url,
        "SELECT o.room_id, s.starts_at FROM group_sessions s JOIN meeting_offers o "
        "ON o.id = s.offer_id WHERE o.room_id IS NOT NULL ORDER BY s.starts_at LIMIT 1",
    )[0]
    start = taken if isinstance(taken, dt.datetime) else dt.datetime.fromisoformat(str(taken))
    local = (start if start.tzinfo else start.replace(tzinfo=dt.UTC)).astimezone(ZONE)
    team = make_team(client, database_url, unique("Team Salen"))
    caseworker = make_caseworker(client, unique("Sam"), team)
    later = local + dt.timedelta(hours=4)
    times = f"{local:%Y-%m-%d %H:%M}\n{later:%Y-%m-%d %H:%M}"
    form = offer_form(team, [caseworker], kind="group", room_id=str(room), group_times=times)
    refused = create(client, "offers", data=form)
    assert refused.status_code == 400
    assert f"The room holds another meeting at {local:%Y-%m-%d %H:%M}." in refused.text
    assert f"{later:%Y-%m-%d %H:%M}" in refused.text  # what was typed is kept
    allowed = create(
        client,
        "offers",
        data={**form, "group_times": f"{later:%Y-%m-%d %H:%M}"},
        follow_redirects=False,
    )
    assert allowed.status_code == 303


def test_an_offer_may_use_a_room_of_its_team_or_a_team_above_it(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "palle", staff=True)
    owner = make_team(client, database_url, unique("Team Ägare"))
    below = make_team(client, database_url, unique("Team Under"), owner)
    other = make_team(client, database_url, unique("Team Annat"))
    room = new_id(
        create(
            client,
            "rooms",
            data={"name": unique("Rum Boken"), "usable": "yes", "team_ids": [str(owner)]},
            follow_redirects=False,
        ),
        "rooms",
    )
    stranger = make_caseworker(client, unique("Stina"), other)
    refused = create(client, "offers", data=offer_form(other, [stranger], room_id=str(room)))
    assert refused.status_code == 400
    assert "The chosen team may not use this room" in refused.text
    member = make_caseworker(client, unique("Ulf"), below)
    assert make_offer(client, below, [member], room_id=str(room))
