"""The staff's case overview: search, filters, sorting and paging in the database, each
participant's latest event, and the deep link by personal number."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import psycopg
import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from portal.db import Database
from portal.participants.models import Participant
from portal.participants.service import record_event
from portal.settings import Settings
from portal.staff import overview
from tests.conftest import log_in, run_in_own_thread
from tests.integration.test_login import sync_engine
from tests.integration.test_query_plans import postgres_plan

ROW = re.compile(
    r'<h3 class="ds-heading" data-size="xs">'
    r'<a class="ds-link" href="/staff/participants/(\d+)">([^<]+)</a>'
)


LATEST = "SELECT kind FROM participant_latest_events WHERE participant_id = :p"


def rows(page: str) -> list[tuple[int, str]]:
    return [(int(i), name) for i, name in ROW.findall(page)]


def shown(page: str) -> tuple[int, int, int]:
    match = re.search(r"Showing (\d+)–(\d+) of (\d+)\.", page)
    assert match, page
    first, last, total = (int(n) for n in match.groups())
    return first, last, total


def test_the_overview_pages_fifty_at_a_time_and_clamps_a_page_beyond_the_last(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    first = client.get("/staff/").text
    assert len(rows(first)) == 50
    _start, end, total = shown(first)
    assert end == 50 and total > 250  # anna and the demo caseload of the job centre
    second = client.get("/staff/", params={"page": "2"}).text
    assert shown(second)[0] == 51 and not set(rows(first)) & set(rows(second))
    assert 'rel="next"' in first and 'rel="prev"' in second
    beyond = client.get("/staff/", params={"page": "9999"}).text
    assert shown(beyond)[1] == total and 'rel="next"' not in beyond
    for bad in ("²", "-1", "x", "9" * 50):
        assert client.get("/staff/", params={"page": bad}).status_code == 200


def test_a_search_by_name_or_personal_number_finds_the_participant(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    by_name = rows(client.get("/staff/", params={"q": "anna andersson"}).text)
    assert [name for _id, name in by_name] == ["Anna Andersson"]
    for number in ("19900101-1239", "199001011239", "900101"):
        found = rows(client.get("/staff/", params={"q": number}).text)
        assert by_name[0] in found, number
    none = client.get("/staff/", params={"q": "Nobody Atall"}).text
    assert rows(none) == [] and "No participants match" in none
    assert 'value="Nobody Atall"' in none  # what was typed is kept


def test_assigned_to_me_and_a_marking_narrow_the_list(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    everyone = shown(client.get("/staff/").text)[2]
    mine = client.get("/staff/", params={"scope": "mine"}).text
    assert 0 < shown(mine)[2] < everyone
    assert "Anna Andersson" in [name for _id, name in rows(mine)]
    marked = client.get("/staff/", params={"marking": "youth"}).text
    assert 0 < shown(marked)[2] < everyone
    assert "Anna Andersson" not in marked


def test_sorting_by_name_orders_by_last_name_and_events_show_their_kind(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    names = [name for _id, name in rows(client.get("/staff/", params={"sort": "name"}).text)]
    last_names = [name.split(" ", 1)[1] for name in names]
    # Sorted (in whatever collation the database uses): each last name's rows stand together.
    runs = [
        name for index, name in enumerate(last_names) if index == 0 or name != last_names[index - 1]
    ]
    assert len(runs) == len(set(runs)) > 1
    latest = client.get("/staff/", params={"q": "Anna Andersson"}).text
    card = latest.split("Anna Andersson", 1)[1].split("</li>", 1)[0]
    assert "My Plan changed" in card or "Meeting booked or changed" in card


def test_a_role_without_participant_access_sees_no_list(client: TestClient) -> None:
    log_in(client, "palle", staff=True)
    page = client.get("/staff/").text
    assert rows(page) == [] and "does not include looking at participants" in page


def test_the_deep_link_by_personal_number_opens_the_view_in_scope_only(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    (anna, _name), *_ = rows(client.get("/staff/", params={"q": "Anna Andersson"}).text)
    for number in ("19900101-1239", "199001011239"):
        response = client.get(f"/staff/participants/by-number/{number}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/staff/participants/{anna}"
    assert client.get("/staff/participants/by-number/19850615-4569").status_code == 404  # bo
    assert client.get("/staff/participants/by-number/19900101-1238").status_code == 404  # check
    assert client.get("/staff/participants/by-number/nonsense").status_code == 404
    client.cookies.clear()
    log_in(client, "palle", staff=True)
    assert client.get("/staff/participants/by-number/19900101-1239").status_code == 404
    client.cookies.clear()
    answer = client.get("/staff/participants/by-number/19900101-1239", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login")


def test_the_latest_event_is_kept_by_the_services_that_make_events(
    client: TestClient, database_url: str
) -> None:
    from tests.integration.test_meetings import participant_id, sql
    from tests.integration.test_notifications import add_goal_for_bo

    bo = participant_id(database_url, "Bo")
    add_goal_for_bo(client)  # lars writes Bo's plan
    assert sql(database_url, LATEST, p=bo) == [("plan_changed",)]
    log_in(client, "lars", staff=True)
    card = client.get("/staff/", params={"q": "Bo Berg"}).text.split("Bo Berg", 1)[1]
    assert "My Plan changed" in card.split("</li>", 1)[0]

    async def note(kind: str, moment: dt.datetime) -> None:
        database = Database(database_url)
        try:
            async with database.transaction() as db:
                await record_event(db, bo, kind, moment)
        finally:
            await database.dispose()

    run_in_own_thread(note("meeting", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))  # older: no change
    assert sql(database_url, LATEST, p=bo) == [("plan_changed",)]
    run_in_own_thread(note("meeting", dt.datetime.now(dt.UTC)))
    assert sql(database_url, LATEST, p=bo) == [("meeting",)]


def test_a_renamed_participant_is_found_by_the_new_name_only(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "karin", staff=True)
    (anna,) = rows(client.get("/staff/", params={"q": "anna andersson"}).text)

    async def rename(last_name: str) -> None:
        database = Database(database_url)
        try:
            async with database.transaction() as db:
                participant = await db.get(Participant, anna[0])
                assert participant is not None
                participant.last_name = last_name
        finally:
            await database.dispose()

    run_in_own_thread(rename("Andersdotter"))
    try:
        assert rows(client.get("/staff/", params={"q": "anna andersd"}).text) == [
            (anna[0], "Anna Andersdotter")
        ]
        assert not rows(client.get("/staff/", params={"q": "anna anderss"}).text)
    finally:
        run_in_own_thread(rename("Andersson"))


def test_beyond_the_counted_bound_the_overview_says_more_than_and_keeps_paging(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "MAX_COUNTED", 100)
    overview.shape.cache_clear()
    try:
        log_in(client, "karin", staff=True)
        first = client.get("/staff/").text
        assert "Showing 1–50 of more than 100." in first
        last = client.get("/staff/", params={"page": "9"}).text
        assert "Showing 51–100 of more than 100." in last and 'rel="next"' not in last
        assert not set(rows(first)) & set(rows(last))
        # A filter with few matches is counted exactly, however the rest is read.
        marked = client.get("/staff/", params={"marking": "youth"}).text
        assert "more than" not in marked and len(rows(marked)) > 0
        by_name = client.get("/staff/", params={"sort": "name", "page": "2"}).text
        assert len(rows(by_name)) == 50
    finally:
        overview.shape.cache_clear()


def test_a_small_part_of_everyone_beyond_the_counted_bound_is_listed_whole(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erik's provider sees a dozen of the three hundred participants: counted beyond a bound
    of five, its pages still list all of them (a scope read whole is read only within the
    bound)."""
    log_in(client, "erik", staff=True)
    everyone = rows(client.get("/staff/", params={"sort": "name"}).text)
    assert 5 < len(everyone) < overview.PAGE_SIZE
    monkeypatch.setattr(overview, "MAX_COUNTED", 5)
    overview.shape.cache_clear()
    try:
        for sort in overview.SORTS:
            page = client.get("/staff/", params={"sort": sort}).text
            assert "more than 5" in page
            assert sorted(rows(page)) == sorted(everyone), sort
    finally:
        overview.shape.cache_clear()


def test_each_participant_is_counted_once_however_they_are_assigned(
    client: TestClient, database_url: str
) -> None:
    """Karin's participants are assigned to her, to her organisation, or both: the overview
    counts each once, as does the start page's "something new"."""
    log_in(client, "karin", staff=True)
    in_scope = (
        "SELECT DISTINCT a.participant_id AS id FROM participant_assignments a"
        " JOIN staff_users u ON u.first_name = 'Karin'"
        " WHERE a.staff_user_id = u.id OR a.organisation_id = u.organisation_id"
    )
    with_news = (
        "SELECT count(*) FROM participant_latest_events e WHERE e.participant_id IN ("
        "SELECT a.participant_id FROM participant_assignments a"
        " JOIN staff_users u ON u.first_name = 'Karin'"
        " WHERE a.staff_user_id = u.id OR a.organisation_id = u.organisation_id)"
        " AND NOT EXISTS (SELECT 1 FROM access_log l JOIN staff_users u ON u.id = l.staff_user_id"
        " WHERE u.first_name = 'Karin' AND l.participant_id = e.participant_id AND l.at >= e.at)"
    )
    engine = sync_engine(database_url)
    with engine.connect() as connection:
        assigned = len(connection.execute(text(in_scope)).all())
        news = connection.execute(text(with_news)).scalar()
    engine.dispose()
    assert 0 < news < assigned
    assert shown(client.get("/staff/").text)[2] == assigned
    assert shown(client.get("/staff/", params={"new": "1"}).text)[2] == news
    assert f"{news} of your participants have something new" in client.get("/staff/").text


def test_something_new_lists_those_with_an_event_since_the_user_last_looked(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "karin", staff=True)
    (anna,) = rows(client.get("/staff/", params={"q": "anna andersson"}).text)
    news = {"new": "1", "q": "anna andersson"}
    # A fresh event: anna has something new for karin, until karin opens her pages.
    run_in_own_thread(event_now(database_url, anna[0]))
    assert rows(client.get("/staff/", params=news).text) == [anna]
    start = client.get("/staff/").text  # the start page says what waits, and links to it
    waiting = start.split("Waiting for you", 1)[1].split("</div>", 1)[0]
    assert "something new since you last looked" in waiting and 'href="/staff/?new=1"' in waiting
    assert client.get(f"/staff/participants/{anna[0]}").status_code == 200
    assert rows(client.get("/staff/", params=news).text) == []
    assert "No participants match" in client.get("/staff/", params=news).text
    # An event after that opening is news again; the box stays ticked on the result page.
    run_in_own_thread(event_now(database_url, anna[0]))
    again = client.get("/staff/", params=news).text
    assert rows(again) == [anna] and 'name="new" value="1" checked' in again


def test_opening_one_participant_leaves_what_is_new_about_the_others(
    client: TestClient, database_url: str
) -> None:
    log_in(client, "karin", staff=True)
    (anna,) = rows(client.get("/staff/", params={"q": "anna andersson"}).text)
    other = next(row for row in rows(client.get("/staff/").text) if row != anna)
    for participant in (other, anna):
        run_in_own_thread(event_now(database_url, participant[0]))
    assert client.get(f"/staff/participants/{anna[0]}").status_code == 200
    assert rows(client.get("/staff/", params={"new": "1", "q": "anna andersson"}).text) == []
    assert other in rows(client.get("/staff/", params={"new": "1", "q": other[1]}).text)
    start = client.get("/staff/").text.split("Waiting for you", 1)[1].split("</div>", 1)[0]
    assert "something new since you last looked" in start


async def event_now(database_url: str, participant_id: int) -> None:
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            await record_event(db, participant_id, "meeting", dt.datetime.now(dt.UTC))
    finally:
        await database.dispose()


def test_a_scope_read_whole_and_sorted_lists_what_walking_everyone_lists(
    client: TestClient, database_url: str
) -> None:
    """A small scope in a large database is read from the assignments and sorted instead of
    found by walking an index over everyone: the same rows, in the same order, for every
    sort, either scope, with and without "something new", on each page."""
    log_in(client, "erik", staff=True)  # erik's openings make "something new" differ
    engine = sync_engine(database_url)
    with engine.connect() as connection:
        people = connection.execute(
            text(
                "SELECT id, organisation_id FROM staff_users WHERE first_name IN ('Karin', 'Erik')"
            )
        ).all()
    engine.dispose()
    database = Database(database_url)

    async def compare() -> int:
        compared = 0
        for user, organisation in people:
            for mine, news, sort, offset in itertools.product(
                (False, True), (False, True), overview.SORTS, (0, 50)
            ):
                values = {
                    "user": user,
                    "organisation": organisation,
                    "marking": "",
                    "limit": overview.PAGE_SIZE,
                    "offset": offset,
                }
                lists = []
                for sparse in (False, True):
                    statements = overview.shape(mine, False, 0, news, sort, True, sparse=sparse)
                    lists.append(
                        await database.read_all(
                            (statements.page, values),
                            (statements.without_event, values),
                            (statements.events, values),
                        )
                    )
                assert lists[0] == lists[1], (user, mine, news, sort, offset)
                compared += len(lists[0][0])
        return compared

    try:
        assert run_in_own_thread(compare()) > 100
    finally:
        run_in_own_thread(database.dispose())


def test_the_news_count_reads_no_table_whole_for_each_participant_once_analysed(
    settings: Settings,
) -> None:
    """With statistics, PostgreSQL reads a table of a few pages whole rather than look one
    row up in its index; in a subquery run for each participant of the scope, that is the
    whole table once per participant (a deployment's first hundreds of participants)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's planner")
    values = {"user": 1, "organisation": 1, "marking": ""}
    engine = sync_engine(settings.database_url)
    statement = overview.news_statement().params(**values)
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    engine.dispose()
    with psycopg.connect(settings.database_url, autocommit=True) as connection:
        connection.execute("ANALYZE")
        steps = postgres_plan(connection, sql, None)
    assert not [table for table, per_row in steps if per_row], steps
