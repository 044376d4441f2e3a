"""Meetings through HTTP: offers by eligibility, the picker, booking (idempotent), the "just
taken" page, rebooking atomically, cancelling, refusals, the calendar file, the start-page
notice, the read-only view and the team's e-mail when an offer is full."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from starlette.testclient import TestClient

from portal.web.hyphens import SOFT_HYPHEN
from tests.conftest import log_in
from tests.integration.test_login import sync_engine


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    engine = sync_engine(url)
    with engine.begin() as connection:
        result = connection.execute(text(statement), params)
        rows = list(result) if result.returns_rows else []
    engine.dispose()
    return rows


def offer_id(url: str, group: bool) -> int:
    query = "SELECT id FROM meeting_offers WHERE is_group = :g ORDER BY id"  # the demo's first
    return int(sql(url, query, g=group)[0][0])


def participant_id(url: str, first_name: str) -> int:
    return int(sql(url, "SELECT id FROM participants WHERE first_name = :n", n=first_name)[0][0])


def starts_on(page: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', page)


def confirm(client: TestClient, path: str, start: str, **extra: str) -> str:
    page = client.get(path, params={"start": start, **extra})
    assert page.status_code == 200, page.text
    match = re.search(r'name="request_key" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def clear_bookings(url: str, participant: int) -> None:
    """Give back what a participant holds (tests share one database per backend)."""
    sql(
        url,
        "UPDATE group_sessions SET booked = booked - 1 WHERE id IN (SELECT group_session_id "
        "FROM bookings WHERE participant_id = :p AND status = 'booked' "
        "AND group_session_id IS NOT NULL)",
        p=participant,
    )
    sql(
        url,
        "UPDATE bookings SET status = 'cancelled' WHERE participant_id = :p AND status = 'booked'",
        p=participant,
    )


def test_participant_sees_the_offers_they_are_eligible_for_and_others_answer_404(
    client: TestClient, database_url: str
) -> None:
    individual, group = offer_id(database_url, False), offer_id(database_url, True)
    log_in(client, "bo")  # bo is in the youth team; the individual offer is for adults
    page = client.get("/meetings")
    assert page.status_code == 200
    assert f"/meetings/offers/{group}" in page.text
    assert f"/meetings/offers/{individual}" not in page.text
    assert client.get(f"/meetings/offers/{individual}").status_code == 404
    assert client.get(f"/meetings/offers/{individual}/confirm").status_code == 404
    refused = client.post(
        f"/meetings/offers/{individual}/book", data={"start": "2030-01-01T09:00:00+01:00"}
    )
    assert refused.status_code == 404


def test_the_picker_preselects_the_first_free_day_and_greys_out_full_days(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "bo")
    page = client.get(f"/meetings/offers/{offer_id(database_url, True)}")
    assert page.status_code == 200
    assert 'aria-current="date"' in page.text
    assert 'aria-disabled="true"' in page.text  # the days without a group meeting
    assert re.search(r"\d+ free times?", page.text)
    assert starts_on(page.text)
    later = client.get(
        f"/meetings/offers/{offer_id(database_url, True)}", params={"week": "2099-01-05"}
    )
    assert later.status_code == 200 and "aria-current" not in later.text
    assert "no free times" in later.text or "There are no free times left" in later.text
    nonsense = client.get(
        f"/meetings/offers/{offer_id(database_url, True)}", params={"day": "31-31-2026"}
    )
    assert nonsense.status_code == 200


def test_a_group_seat_is_booked_once_even_when_confirm_is_clicked_twice(
    client: TestClient, database_url: str
) -> None:
    group = offer_id(database_url, True)
    bo = participant_id(database_url, "Bo")
    clear_bookings(database_url, bo)
    log_in(client, "bo")
    start = starts_on(client.get(f"/meetings/offers/{group}").text)[0]
    key = confirm(client, f"/meetings/offers/{group}/confirm", start)
    seats_before = sql(
        database_url,
        "SELECT booked FROM group_sessions WHERE offer_id = :o ORDER BY starts_at",
        o=group,
    )
    first = client.post(f"/meetings/offers/{group}/book", data={"start": start, "request_key": key})
    again = client.post(f"/meetings/offers/{group}/book", data={"start": start, "request_key": key})
    assert first.status_code == 200 and "Your meeting is booked" in first.text
    assert again.url == first.url
    live = sql(
        database_url,
        "SELECT COUNT(*) FROM bookings WHERE participant_id = :p AND status = 'booked'",
        p=bo,
    )
    assert live[0][0] == 1
    seats_after = sql(
        database_url,
        "SELECT booked FROM group_sessions WHERE offer_id = :o ORDER BY starts_at",
        o=group,
    )
    assert sum(r[0] for r in seats_after) == sum(r[0] for r in seats_before) + 1
    booking = int(re.search(r"/meetings/bookings/(\d+)", str(first.url)).group(1))  # type: ignore[union-attr]
    calendar = client.get(f"/meetings/bookings/{booking}.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text and "STATUS:CONFIRMED" in calendar.text
    assert "LOCATION:" in calendar.text
    events = sql(database_url, "SELECT event FROM booking_events WHERE booking_id = :b", b=booking)
    assert sorted(e[0] for e in events) == ["created", "participant_attached"]
    # A second time in the same offer is refused with a reason.
    other = client.post(
        f"/meetings/offers/{group}/book", data={"start": start, "request_key": "another-key"}
    )
    assert other.status_code == 409 and "already have a time" in other.text
    clear_bookings(database_url, bo)


def test_a_time_that_is_not_free_gets_the_just_taken_page_with_the_picker(
    client: TestClient, database_url: str
) -> None:
    group = offer_id(database_url, True)
    clear_bookings(database_url, participant_id(database_url, "Bo"))
    log_in(client, "bo")
    start = starts_on(client.get(f"/meetings/offers/{group}").text)[0]
    taken_start = start[:11] + "06:07:00+00:00"  # no group meeting at that time
    page = client.post(
        f"/meetings/offers/{group}/book", data={"start": taken_start, "request_key": "k-taken"}
    )
    assert page.status_code == 409
    assert "This time was just taken" in page.text and starts_on(page.text)
    garbage = client.post(f"/meetings/offers/{group}/book", data={"start": "tomorrow"})
    assert garbage.status_code == 400
    missing = client.get(f"/meetings/offers/{group}/confirm", params={"start": taken_start})
    assert missing.status_code == 409 and "This time was just taken" in missing.text


def test_rebooking_holds_the_new_time_before_the_old_one_is_released(
    client: TestClient, database_url: str
) -> None:
    anna = participant_id(database_url, "Anna")
    individual = offer_id(database_url, False)
    old = sql(
        database_url,
        "SELECT id, caseworker_id FROM bookings WHERE participant_id = :p AND offer_id = :o "
        "AND status = 'booked'",
        p=anna,
        o=individual,
    )
    if not old:  # another backend's run of this test moved it already: book one first
        log_in(client, "anna")
        start = starts_on(client.get(f"/meetings/offers/{individual}").text)[0]
        key = confirm(client, f"/meetings/offers/{individual}/confirm", start)
        client.post(
            f"/meetings/offers/{individual}/book", data={"start": start, "request_key": key}
        )
        old = sql(
            database_url,
            "SELECT id, caseworker_id FROM bookings WHERE participant_id = :p AND offer_id = :o "
            "AND status = 'booked'",
            p=anna,
            o=individual,
        )
    old_id = old[0][0]
    log_in(client, "anna")
    meetings = client.get("/meetings")
    assert (
        f"/meetings/bookings/{old_id}" in meetings.text and "See or move your time" in meetings.text
    )
    picker = client.get(f"/meetings/bookings/{old_id}/rebook")
    assert picker.status_code == 200 and "stays booked until" in picker.text
    start = starts_on(picker.text)[-1]
    key = confirm(client, f"/meetings/offers/{individual}/confirm", start, rebook=str(old_id))
    back = client.get(
        f"/meetings/offers/{individual}/confirm", params={"start": start, "rebook": str(old_id)}
    )
    assert f'href="/meetings/bookings/{old_id}/rebook?day=' in back.text  # back to the move
    moved = client.post(
        f"/meetings/offers/{individual}/book",
        data={"start": start, "request_key": key, "rebook": str(old_id)},
    )
    assert moved.status_code == 200 and "Your meeting is booked" in moved.text
    status = sql(
        database_url, "SELECT status, replaced_by_id FROM bookings WHERE id = :b", b=old_id
    )
    assert status[0][0] == "moved" and status[0][1] is not None
    assert sql(
        database_url, "SELECT event FROM booking_events WHERE booking_id = :b", b=status[0][1]
    ) == [("moved_by_participant",)]
    # The old booking's page says where it went; moving it again is refused.
    assert "See the new time" in client.get(f"/meetings/bookings/{old_id}").text
    again = client.get(f"/meetings/bookings/{old_id}/rebook")
    assert again.status_code == 409 and "already cancelled or moved" in again.text


def test_cancelling_releases_the_time_and_refusals_say_why(
    client: TestClient, database_url: str
) -> None:
    bo = participant_id(database_url, "Bo")
    group = offer_id(database_url, True)
    clear_bookings(database_url, bo)
    log_in(client, "bo")
    start = starts_on(client.get(f"/meetings/offers/{group}").text)[0]
    key = confirm(client, f"/meetings/offers/{group}/confirm", start)
    booked = client.post(
        f"/meetings/offers/{group}/book", data={"start": start, "request_key": key}
    )
    booking = int(re.search(r"/meetings/bookings/(\d+)", str(booked.url)).group(1))  # type: ignore[union-attr]
    # Another participant's booking is not there for bo's neighbour.
    log_in(client, "anna")
    assert client.get(f"/meetings/bookings/{booking}").status_code == 404
    assert client.post(f"/meetings/bookings/{booking}/cancel").status_code == 404
    assert client.get(f"/meetings/bookings/{booking}.ics").status_code == 404
    log_in(client, "bo")
    # The offer does not accept cancellation: the page says so and nothing changes.
    sql(
        database_url, "UPDATE meeting_offers SET accept_cancellation = false WHERE id = :o", o=group
    )
    try:
        refused = client.post(f"/meetings/bookings/{booking}/cancel")
        assert refused.status_code == 409 and "cannot be cancelled in the portal" in refused.text
    finally:
        sql(
            database_url,
            "UPDATE meeting_offers SET accept_cancellation = true WHERE id = :o",
            o=group,
        )
    # Too late to rebook: the offer wants more days' notice than are left.
    sql(database_url, "UPDATE meeting_offers SET rebook_days_before = 60 WHERE id = :o", o=group)
    try:
        late = client.get(f"/meetings/bookings/{booking}/rebook")
        assert late.status_code == 409 and "too late to move" in late.text
        # Posting the move anyway is refused by the same rule, and nothing moves.
        forced = client.post(
            f"/meetings/offers/{group}/book",
            data={"start": start, "request_key": "late-move", "rebook": str(booking)},
        )
        assert forced.status_code == 409 and "too late to move" in forced.text
        assert sql(database_url, "SELECT status FROM bookings WHERE id = :b", b=booking) == [
            ("booked",)
        ]
    finally:
        sql(database_url, "UPDATE meeting_offers SET rebook_days_before = 2 WHERE id = :o", o=group)
    seats = sql(database_url, "SELECT SUM(booked) FROM group_sessions WHERE offer_id = :o", o=group)
    assert client.get(f"/meetings/bookings/{booking}/cancel").status_code == 200
    done = client.post(f"/meetings/bookings/{booking}/cancel")
    assert done.status_code == 200 and "Your meeting is cancelled." in done.text
    twice = client.post(f"/meetings/bookings/{booking}/cancel")
    assert twice.status_code == 200
    after = sql(database_url, "SELECT SUM(booked) FROM group_sessions WHERE offer_id = :o", o=group)
    assert after[0][0] == seats[0][0] - 1
    assert sql(database_url, "SELECT status FROM bookings WHERE id = :b", b=booking) == [
        ("cancelled",)
    ]


def test_the_start_page_names_the_next_meeting_and_the_read_only_view_books_nothing(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "anna")
    start = client.get("/")
    assert "Your next meeting" in start.text
    log_in(client, "karin", staff=True)
    anna = participant_id(database_url, "Anna")
    view = client.get(f"/staff/participants/{anna}/meetings")
    assert view.status_code == 200 and "Your coming meetings" in view.text
    assert "Choose a time" not in view.text and "/meetings/bookings/" not in view.text
    assert (
        client.get(f"/staff/participants/{participant_id(database_url, 'Bo')}/meetings").status_code
        == 404
    )


def test_the_team_is_emailed_when_the_last_free_time_of_an_offer_is_taken(
    client: TestClient, database_url: str
) -> None:
    group = offer_id(database_url, True)
    bo = participant_id(database_url, "Bo")
    clear_bookings(database_url, bo)
    saved = sql(database_url, "SELECT id, seats FROM group_sessions WHERE offer_id = :o", o=group)
    sql(database_url, "UPDATE group_sessions SET seats = booked WHERE offer_id = :o", o=group)
    last = saved[0][0]
    sql(database_url, "UPDATE group_sessions SET seats = booked + 1 WHERE id = :s", s=last)
    try:
        log_in(client, "bo")
        page = client.get(f"/meetings/offers/{group}")
        (start,) = starts_on(page.text)
        key = confirm(client, f"/meetings/offers/{group}/confirm", start)
        booked = client.post(
            f"/meetings/offers/{group}/book", data={"start": start, "request_key": key}
        )
        assert booked.status_code == 200
        mails = sql(
            database_url,
            "SELECT recipient, subject FROM outbox WHERE kind = 'offer_full' ORDER BY id DESC",
        )
        assert mails and mails[0][0] == "bokning@jobcentre.example.org"
        full = client.get(f"/meetings/offers/{group}")
        assert "There are no free times left" in full.text or "no free times" in full.text
    finally:
        clear_bookings(database_url, bo)
        for session_id, seats in saved:
            sql(
                database_url,
                "UPDATE group_sessions SET seats = :n WHERE id = :s",
                n=seats,
                s=session_id,
            )


def later_today() -> dt.datetime:
    """A moment later today in the deployment's zone (Stockholm): an hour from now, or
    halfway to midnight when that is less than an hour away."""
    now = dt.datetime.now(dt.UTC)
    zone = ZoneInfo("Europe/Stockholm")
    midnight = dt.datetime.combine(
        now.astimezone(zone).date() + dt.timedelta(days=1), dt.time(), zone
    ).astimezone(dt.UTC)
    return min(now + dt.timedelta(hours=1), now + (midnight - now) / 2)


def test_the_team_is_emailed_when_a_move_by_the_job_centre_takes_the_last_free_time(
    client: TestClient, database_url: str
) -> None:
    group = offer_id(database_url, True)
    bo = participant_id(database_url, "Bo")
    clear_bookings(database_url, bo)
    saved = sql(
        database_url,
        "SELECT id, seats, starts_at FROM group_sessions WHERE offer_id = :o ORDER BY starts_at",
        o=group,
    )
    first, last = saved[0][0], saved[-1][0]
    sql(database_url, "UPDATE group_sessions SET seats = booked WHERE offer_id = :o", o=group)
    sql(database_url, "UPDATE group_sessions SET seats = booked + 1 WHERE id = :s", s=last)
    try:
        log_in(client, "bo")
        (start,) = starts_on(client.get(f"/meetings/offers/{group}").text)
        key = confirm(client, f"/meetings/offers/{group}/confirm", start)
        client.post(f"/meetings/offers/{group}/book", data={"start": start, "request_key": key})
        (booked,) = sql(
            database_url,
            "SELECT id FROM bookings WHERE participant_id = :p AND status = 'booked'",
            p=bo,
        )[0]
        booking = int(booked)
        # Bo's meeting is today now, so its seat is no free time for anyone once he leaves it;
        # the first group time gets the offer's one free seat, which the move takes.
        soon = later_today()
        sql(database_url, "UPDATE group_sessions SET starts_at = :t WHERE id = :s", t=soon, s=last)
        sql(database_url, "UPDATE bookings SET starts_at = :t WHERE id = :b", t=soon, b=booking)
        sql(database_url, "UPDATE group_sessions SET seats = booked + 1 WHERE id = :s", s=first)
        before = len(sql(database_url, "SELECT id FROM outbox WHERE kind = 'offer_full'"))
        log_in(client, "karin", staff=True)
        move = client.get(f"/staff/booking/bookings/{booking}/move")
        assert move.status_code == 200, move.text
        move_key = re.search(r'name="request_key" value="([^"]+)"', move.text)
        target = re.search(r'<option value="([^"]+)"', move.text)
        assert move_key and target
        moved = client.post(
            f"/staff/booking/bookings/{booking}/move",
            data={"slot": target.group(1), "request_key": move_key.group(1)},
            follow_redirects=False,
        )
        assert moved.status_code == 303
        mails = sql(database_url, "SELECT recipient FROM outbox WHERE kind = 'offer_full'")
        assert len(mails) == before + 1
    finally:
        clear_bookings(database_url, bo)
        for session_id, seats, starts_at in saved:
            sql(
                database_url,
                "UPDATE group_sessions SET seats = :n, starts_at = :t WHERE id = :s",
                n=seats,
                t=starts_at,
                s=session_id,
            )


def read(client: TestClient, path: str) -> str:
    """A page's text as read: without the soft hyphens of long words in headings."""
    return client.get(path).text.replace(SOFT_HYPHEN, "")


def test_an_offer_meant_for_a_marking_is_a_start_page_task_until_a_time_is_booked(
    client: TestClient, database_url: str
) -> None:
    """An offer whose eligibility names a person-group marking is the job centre asking the
    marked participants to book: a task under "To do" until they hold a booking of it; not
    for someone without the marking, nor for someone the offer's other rules leave out."""
    individual = offer_id(database_url, False)  # for the adults' team: anna, not bo
    (title,) = sql(database_url, "SELECT title FROM meeting_offers WHERE id = :o", o=individual)[0]
    anna, bo = participant_id(database_url, "Anna"), participant_id(database_url, "Bo")
    task = f"Book a time: {title}"
    clear_bookings(database_url, anna)
    sql(
        database_url,
        "UPDATE meeting_offers SET eligible_marking = 'youth' WHERE id = :o",
        o=individual,
    )
    try:
        log_in(client, "anna")
        assert task not in read(client, "/")  # anna has no such marking
        for person in (anna, bo):
            sql(
                database_url,
                "INSERT INTO participant_markings (participant_id, marking, set_at)"
                " VALUES (:p, 'youth', :at)",
                p=person,
                at=dt.datetime.now(dt.UTC),
            )
        start = read(client, "/")
        assert task in start and f'href="/meetings/offers/{individual}"' in start
        log_in(client, "karin", staff=True)
        view = read(client, f"/staff/participants/{anna}")
        assert task in view and f'href="/staff/participants/{anna}/meetings"' in view
        log_in(client, "bo")  # marked, but the offer is for another team
        assert task not in read(client, "/")
        log_in(client, "anna")
        (first,) = starts_on(client.get(f"/meetings/offers/{individual}").text)[:1]
        key = confirm(client, f"/meetings/offers/{individual}/confirm", first)
        booked = client.post(
            f"/meetings/offers/{individual}/book", data={"start": first, "request_key": key}
        )
        assert booked.status_code == 200
        assert task not in read(client, "/")
    finally:
        clear_bookings(database_url, anna)
        sql(
            database_url,
            "DELETE FROM participant_markings WHERE marking = 'youth' AND "
            "participant_id IN (:a, :b)",
            a=anna,
            b=bo,
        )
        sql(
            database_url,
            "UPDATE meeting_offers SET eligible_marking = NULL WHERE id = :o",
            o=individual,
        )


def test_a_long_word_in_a_heading_breaks_at_a_syllable_with_a_hyphen(client: TestClient) -> None:
    """An offer's title is a heading: on a phone "Uppföljningssamtal" breaks at a syllable, by
    the Swedish dictionary on the Swedish page and on the English one (the title is Swedish)."""
    log_in(client, "anna")
    for language in ("sv", "en"):
        page = client.get("/meetings", headers={"Accept-Language": language}).text
        assert f'<html lang="{language}"' in page
        split = SOFT_HYPHEN.join(("Upp", "följ", "nings", "sam", "tal"))
        assert re.search(rf"<h3[^>]*>{split}</h3>", page), language
        assert f"<p>{split}" not in page  # only headings
