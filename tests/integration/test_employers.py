"""Employers through HTTP: the organisation eID login, the search of searchable CVs, the
pseudonymous CV (page and PDF) without contact details, contact requests and their answers,
and the participant's log of what employers saw. The module's tests build on each other's
data in order (one database per module)."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from portal.areas import places
from portal.cv.bank import Wish, wishes_query
from portal.db import Database
from portal.employers.ranking import Criteria, parameters, rank, ranked_page
from portal.settings import Settings
from tests.conftest import client_of, log_in, run_in_own_thread
from tests.integration.test_notifications import sql

ANNA_NUMBER = "19900101-1239"
BO_NUMBER = "19850615-4569"
ANNA_SECRETS = ("Andersson", ANNA_NUMBER, "199001011239", "anna@example.org")


def employer(client: TestClient, persona: str = "nora") -> None:
    page = client.get(f"/employer/login?login_hint={persona}")
    assert page.status_code == 200 and page.url.path == "/employer/search"


def anna_id(settings: Settings) -> int:
    query = "SELECT id FROM participants WHERE personal_number = :n"
    return int(sql(settings, query, n=ANNA_NUMBER)[0][0])


def occupation_of(settings: Settings, participant_id: int) -> str:
    rows = sql(
        settings,
        "SELECT occupation_uri FROM cv_sought_occupations WHERE participant_id = :p",
        p=participant_id,
    )
    return str(rows[0][0])


def search(client: TestClient, uri: str, **criteria: str) -> str:
    query = "&".join(f"{k}={quote(v)}" for k, v in {"area": "", **criteria}.items())
    page = client.get(f"/employer/search?uri={quote(uri)}&{query}")
    assert page.status_code == 200, page.text
    return page.text


def pseudonyms(page: str) -> list[str]:
    return re.findall(r'href="/employer/candidates/([A-Z2-7]{10})"', page)


@pytest.fixture
def nora(settings: Settings) -> Iterator[TestClient]:
    with client_of(settings) as client:
        employer(client, "nora")
        yield client


def test_employers_log_in_with_their_organisation_and_land_on_the_search(
    client: TestClient,
) -> None:
    landing = client.get("/employer/")
    assert landing.status_code == 200 and "/employer/login" in landing.text
    assert client.get("/employer/search").url.path == "/employer/"  # not logged in
    employer(client, "nora")
    page = client.get("/employer/search")
    assert "Norrbageriet AB" in page.text and "556123-4567" in page.text
    # A participant's pages are not an employer's, and the other way round.
    assert client.get("/cv").url.path == "/login"
    log_in(client, "anna")
    assert client.get("/employer/search").url.path == "/employer/"


def test_the_dev_idp_logs_in_employers_only_through_the_employer_client(
    client: TestClient,
) -> None:
    picker = client.get("/auth/login?login_hint=nora")
    assert "Development login" in picker.text and "Nora" not in picker.text
    picker = client.get("/employer/login?login_hint=anna")
    assert "Nora Nyberg" in picker.text and "Anna Andersson" not in picker.text
    assert "personal number" not in picker.text


def test_occupations_are_found_by_any_languages_label(nora: TestClient) -> None:
    page = nora.get("/employer/search?q=bager")  # Danish, in an English session
    assert page.status_code == 200 and "/employer/search?uri=" in page.text
    listbox = nora.get("/employer/occupations/suggest?q=bagare", headers={"HX-Request": "true"})
    assert 'role="listbox"' in listbox.text and "/employer/search?uri=" in listbox.text


def test_a_search_finds_searchable_cvs_without_name_or_contact_details(
    nora: TestClient, settings: Settings
) -> None:
    uri = occupation_of(settings, anna_id(settings))
    page = search(nora, uri)
    found = pseudonyms(page)
    assert len(found) == 1 and "1 job seeker found" in page
    for secret in (*ANNA_SECRETS, "Anna"):
        assert secret not in page
    cv = nora.get(f"/employer/candidates/{found[0]}")
    assert cv.status_code == 200 and "Looks for a job as" in cv.text
    for secret in ANNA_SECRETS:
        assert secret not in cv.text
    pdf = nora.get(f"/employer/candidates/{found[0]}/cv.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Looks for a job as" in text
    for secret in ANNA_SECRETS:
        assert secret not in text
    # The same person has the same id in the organisation's next search.
    assert pseudonyms(search(nora, uri)) == found


def test_a_search_by_area_hours_and_start_is_checked_and_ranked(
    nora: TestClient, settings: Settings
) -> None:
    uri = occupation_of(settings, anna_id(settings))
    near = search(nora, uri, area="111 22", km="10", hours="30")  # Stockholm; Anna: 113 51
    assert len(pseudonyms(near)) == 1 and "About 0 km" in near
    far = search(nora, uri, area="Umeå", km="100")
    assert pseudonyms(far) == [] and "Try a larger distance" in far
    bad = nora.get(f"/employer/search?uri={quote(uri)}&area=Atlantis&hours=x&start=2001-01-01")
    assert bad.status_code == 400 and 'class="ds-error-summary"' in bad.text
    assert "No postcode or town “Atlantis” is known" in bad.text
    assert 'value="Atlantis"' in bad.text and 'value="x"' in bad.text  # what was typed is kept
    assert nora.get("/employer/search?uri=unknown-occupation").status_code == 404


def test_switching_searchable_off_removes_the_cv_from_results_at_once(
    nora: TestClient, settings: Settings
) -> None:
    uri = occupation_of(settings, anna_id(settings))
    found = pseudonyms(search(nora, uri))
    with client_of(settings) as anna:
        log_in(anna, "anna")
        off = anna.post("/cv/profile", data={"profile": "Careful.", "work_postcode": "113 51"})
        assert off.status_code == 200
        assert pseudonyms(search(nora, uri)) == []
        assert nora.get(f"/employer/candidates/{found[0]}").status_code == 404
        bad = anna.post("/cv/profile", data={"work_postcode": "999 99", "searchable": "yes"})
        assert bad.status_code == 400 and "Write a postcode of Sweden" in bad.text
        assert 'value="999 99"' in bad.text
        on = anna.post(
            "/cv/profile",
            data={"profile": "Careful.", "work_postcode": "11351", "searchable": "yes"},
        )
        assert "113 51 Stockholm" in on.text
    assert pseudonyms(search(nora, uri)) == found


def test_another_organisation_cannot_open_a_pseudonym_it_was_not_shown(
    nora: TestClient, settings: Settings
) -> None:
    found = pseudonyms(search(nora, occupation_of(settings, anna_id(settings))))
    with client_of(settings) as emil:
        employer(emil, "emil")
        assert emil.get(f"/employer/candidates/{found[0]}").status_code == 404
        assert emil.get(f"/employer/candidates/{found[0]}/cv.pdf").status_code == 404
        assert emil.get("/employer/candidates/AAAAAAAAAA").status_code == 404


def test_a_contact_request_is_answered_by_the_participant_who_chooses_what_to_share(
    nora: TestClient, settings: Settings
) -> None:
    found = pseudonyms(search(nora, occupation_of(settings, anna_id(settings))))[0]
    with client_of(settings) as anna:
        log_in(anna, "anna")
        subscribed = anna.post(
            "/settings/notifications",
            data={"notify_by_email": "on", "notify_email": "anna.mail@example.org"},
        )
        assert subscribed.status_code == 200
    empty = nora.post(f"/employer/candidates/{found}", data={"job_title": "Baker", "message": ""})
    assert empty.status_code == 400 and 'value="Baker"' in empty.text
    assert 'class="ds-error-summary"' in empty.text and 'href="#message"' in empty.text
    sent = nora.post(
        f"/employer/candidates/{found}",
        data={"job_title": "Baker, 30 hours", "message": "We need a baker in Stockholm."},
    )
    assert sent.status_code == 200 and "Your request is sent." in sent.text
    again = nora.post(
        f"/employer/candidates/{found}", data={"job_title": "Baker", "message": "Again?"}
    )
    assert again.status_code == 409
    assert "already asked this job seeker" in again.text
    told = sql(
        settings,
        "SELECT recipient, body FROM outbox WHERE kind = 'contact_request' AND participant_id = :p",
        p=anna_id(settings),
    )
    assert [row[0] for row in told] == ["anna.mail@example.org"]
    assert "Norrbageriet" not in told[0][1]  # no details in the mail: she reads them logged in
    requests = nora.get("/employer/requests")
    assert "Baker, 30 hours" in requests.text and "Waiting for an answer" in requests.text
    assert "Anna" not in requests.text

    with client_of(settings) as anna:
        log_in(anna, "anna")
        start = anna.get("/").text  # a task, before the notices
        assert start.index(">To do<") < start.index("An employer would like to get in touch")
        assert start.index("An employer would like to get in touch") < start.index(">Notices<")
        page = anna.get("/cv/employers")
        assert "Norrbageriet AB: Baker, 30 hours" in page.text
        assert "We need a baker in Stockholm." in page.text
        request_id = re.findall(r'action="/cv/employers/requests/(\d+)"', page.text)[0]
        with client_of(settings) as bo:
            log_in(bo, "bo")
            assert (
                bo.post(
                    f"/cv/employers/requests/{request_id}", data={"decision": "accept"}
                ).status_code
                == 404
            )
        accepted = anna.post(
            f"/cv/employers/requests/{request_id}",
            data={"decision": "accept", "share": ["email"]},
        )
        assert "You accepted." in accepted.text and "Accepted" in accepted.text
        twice = anna.post(f"/cv/employers/requests/{request_id}", data={"decision": "decline"})
        assert "You have already answered this request." in twice.text

    cv = nora.get(f"/employer/candidates/{found}")
    assert "Anna Andersson" in cv.text and "anna.mail@example.org" in cv.text
    assert ANNA_NUMBER not in cv.text
    assert "Anna Andersson" in nora.get("/employer/requests").text
    pdf = nora.get(f"/employer/candidates/{found}/cv.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Anna Andersson" in text and "anna.mail@example.org" in text


def test_the_participant_sees_every_search_and_opening_on_the_cv_and_the_access_log(
    settings: Settings,
) -> None:
    with client_of(settings) as anna:
        log_in(anna, "anna")
        for path in ("/cv", "/cv/employers", "/access-log"):
            page = anna.get(path)
            assert "Norrbageriet AB" in page.text, path
            assert "Found your CV searching for" in page.text, path
            assert "Opened your CV" in page.text, path
        anna.get("/settings")
        swedish = anna.post("/lang", data={"language": "sv", "next": "/cv/employers"})
        assert "Hittade ditt CV vid sökning efter bagare" in swedish.text
    with client_of(settings) as karin:
        log_in(karin, "karin", staff=True)
        view = karin.get(f"/staff/participants/{anna_id(settings)}/cv/employers")
        assert view.status_code == 200 and "Norrbageriet AB" in view.text
        assert 'action="/cv/employers/requests/' not in view.text  # read-only


def test_an_expired_request_can_no_longer_be_answered(settings: Settings) -> None:
    with client_of(settings) as emil:
        employer(emil, "emil")
        found = pseudonyms(search(emil, occupation_of(settings, anna_id(settings))))[0]
        data = {"job_title": "Carpenter's mate", "message": "Come and build."}
        assert emil.post(f"/employer/candidates/{found}", data=data).status_code == 200
    (request_id,) = sql(
        settings,
        "SELECT id FROM employer_contact_requests WHERE job_title = :t",
        t="Carpenter's mate",
    )[0]
    sql(
        settings,
        "UPDATE employer_contact_requests SET expires_at = created_at WHERE id = :id",
        id=request_id,
    )
    with client_of(settings) as anna:
        log_in(anna, "anna")
        page = anna.get("/cv/employers")
        assert "Gick ut utan svar" in page.text  # she chose Swedish above
        assert f'action="/cv/employers/requests/{request_id}"' not in page.text
        late = anna.post(f"/cv/employers/requests/{request_id}", data={"decision": "accept"})
        assert "Förfrågan har gått ut" in late.text
    status = sql(
        settings, "SELECT status FROM employer_contact_requests WHERE id = :id", id=request_id
    )
    assert status[0][0] == "pending"  # shown as expired; nothing was shared


def test_an_organisation_sends_at_most_the_daily_number_of_requests(
    settings: Settings,
) -> None:
    with client_of(settings) as bo:
        log_in(bo, "bo")
        bo.post("/cv/profile", data={"searchable": "yes", "work_postcode": "41103"})
    limited = replace(settings, employer_requests_per_day=2)  # emil sent one above
    with client_of(limited) as emil:
        employer(emil, "emil")
        first = pseudonyms(search(emil, occupation_of(settings, anna_id(settings))))[0]
        bo_id = int(
            sql(settings, "SELECT id FROM participants WHERE personal_number = :n", n=BO_NUMBER)[0][
                0
            ]
        )
        second = pseudonyms(search(emil, occupation_of(settings, bo_id)))[0]
        data = {"job_title": "Builder", "message": "Join us."}
        assert emil.post(f"/employer/candidates/{first}", data=data).status_code == 200
        refused = emil.post(f"/employer/candidates/{second}", data=data)
        assert refused.status_code == 409 and "as many as it may" in refused.text


def add_wishes(settings: Settings, uri: str, count: int) -> None:
    """`count` participants who look for `uri`, a tenth of them not searchable, with wishes
    and places spread out (whole hours and days, so that equal scores are equal and the
    order is decided)."""
    chance = random.Random(7)  # noqa: S311 (test data)
    towns = list(places("SE").by_postcode.values())[::400]
    first = int(sql(settings, "SELECT COALESCE(MAX(id), 0) FROM participants")[0][0]) + 1
    now = dt.datetime.now(dt.UTC)
    people, profiles, wishes = [], [], []
    for n in range(count):
        pid, town = first + n, chance.choice(towns)
        people.append({"id": pid, "pnr": f"R{n:012d}", "now": now})
        profiles.append(
            {
                "id": pid,
                "searchable": n % 10 != 0,
                "postcode": town.postcode,
                "lat": town.latitude,
                "lon": town.longitude,
                "now": now,
            }
        )
        start = dt.date(2027, 1, 1) + dt.timedelta(days=chance.randint(0, 150))
        wishes.append(
            {
                "id": pid,
                "uri": uri,
                "trained": chance.random() < 0.5,
                "experienced": chance.random() < 0.5,
                "hours": chance.choice((10, 20, 25, 30, 37, 40)),
                "start": None if chance.random() < 0.3 else start,
                "form": chance.choice(("permanent", "temporary", "seasonal")),
                "now": now,
                **{k: profiles[-1][k] for k in ("searchable", "lat", "lon")},
            }
        )
    url = settings.database_url
    if url.startswith("postgresql"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO participants (id, personal_number, first_name, last_name, "
                "created_at, notify_by_email, notify_by_sms) "
                "VALUES (:id, :pnr, 'R', 'R', :now, false, false)"
            ),
            people,
        )
        connection.execute(
            text(
                "INSERT INTO cv_profiles (participant_id, profile, driving_licences, it_skills, "
                "other_competences, searchable, work_postcode, latitude, longitude, updated_at) "
                "VALUES (:id, '', '', '', '', :searchable, :postcode, :lat, :lon, :now)"
            ),
            profiles,
        )
        connection.execute(
            text(
                "INSERT INTO cv_sought_occupations (participant_id, occupation_uri, label, "
                "trained, experienced, hours_per_week, earliest_start, employment_form, "
                "conditions, searchable, latitude, longitude, created_at, updated_at) VALUES "
                "(:id, :uri, '', :trained, :experienced, :hours, :start, :form, 'ordinary', "
                ":searchable, :lat, :lon, :now, :now)"
            ),
            wishes,
        )
    engine.dispose()


def test_the_database_ranks_exactly_as_the_rule_does(settings: Settings) -> None:
    uri = "test:ranking"
    add_wishes(settings, uri, 150)
    stockholm = places("SE").find("111 22")
    start = dt.date(2027, 2, 1)
    searches = [
        Criteria(uri),
        Criteria(uri, hours=Decimal(30)),
        Criteria(uri, start=start, employment_form="temporary"),
        Criteria(uri, place=stockholm, km=200, hours=Decimal(20), start=start),
        Criteria(uri, place=stockholm, km=5),
    ]

    async def compare() -> list[tuple[list[int], list[int], int]]:
        database = Database(settings.database_url)
        try:
            found = []
            for criteria in searches:
                hits, total, _page = await ranked_page(database, criteria, 500, 1)
                (rows,) = await database.read_all(
                    (wishes_query(criteria.place is not None), parameters(criteria))
                )
                expected = rank([Wish(*row) for row in rows], criteria)
                assert [round(h.score, 9) for h in hits] == [round(h.score, 9) for h in expected]
                found.append(
                    (
                        [h.wish.participant_id for h in hits],
                        [h.wish.participant_id for h in expected],
                        total,
                    )
                )
            return found
        finally:
            await database.dispose()

    results = run_in_own_thread(compare())
    for (database_order, rule_order, total), criteria in zip(results, searches, strict=True):
        assert database_order == rule_order, criteria
        assert total == len(rule_order)
    assert len(results[0][0]) == 135  # the searchable ones
    assert 0 < len(results[3][0]) < 135 and results[4][2] < results[3][2]
