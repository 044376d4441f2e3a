"""Provider reports through HTTP: the provider writes and submits, the reviewer returns or
approves, the board shows it; scope (404) and permissions (403).

The demo database: erik's provider runs interventions for anna and eleven more participants,
reviewed by vera's job centre; anna's monthly report for last month waits for review.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import and_, bindparam, literal, select
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from portal.db import Database, utcnow
from portal.hours.service import Month
from portal.reports import board, rules, service, summary
from portal.reports.absence import Week
from portal.reports.models import Intervention
from portal.reports.reminders import send_daily_digests
from portal.reports.service import ReportsError
from portal.settings import Settings
from portal.staff.models import StaffUser
from tests.conftest import ZONE, client_of, log_in, portal_today, run_in_own_thread
from tests.integration.test_hours import with_params
from tests.integration.test_login import sync_engine
from tests.integration.test_meetings import sql

TODAY = portal_today()
LAST_MONTH = Month.of(TODAY).previous()


def intervention_where(url: str, condition: str) -> tuple[int, int]:
    """(intervention id, participant id) of the newest demo intervention meeting `condition`."""
    # The conditions are this module's constants, never input.
    statement = f"SELECT i.id, i.participant_id FROM interventions i WHERE {condition}"  # noqa: S608
    rows = sql(
        url,
        statement + " ORDER BY i.id DESC",
        today=TODAY,
        last=str(LAST_MONTH),
    )
    assert rows, condition
    return int(rows[0][0]), int(rows[0][1])


PLAN_APPROVED = (
    "EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id AND r.kind = 'plan'"
    " AND r.state = 'approved')"
)
NO_REPORT_LAST_MONTH = (
    "NOT EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id AND r.kind = 'monthly'"
    " AND r.period = :last)"
)
# The demo has one such report in progress (and the test before may leave another).
DRAFT_LAST_MONTH = (
    "EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id AND r.kind = 'monthly'"
    " AND r.period = :last AND r.state = 'draft')"
)
NO_PLAN = "NOT EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id)"


def kept_in_summary(url: str, intervention: int) -> None:
    """After reports written here in SQL, as the service keeps them."""
    engine = sync_engine(url)
    with engine.begin() as connection:
        connection.execute(summary.refresh_statement(), {"intervention": intervention})
    engine.dispose()


def anna(url: str) -> tuple[int, int]:
    return intervention_where(
        url, "i.participant_id = (SELECT id FROM participants WHERE first_name = 'Anna')"
    )


def activity_keys(page: str) -> list[str]:
    return re.findall(r'name="comment-(a\d+)"', page)


def complete_report(page: str, **changes: str) -> dict[str, Any]:
    form: dict[str, Any] = {
        "action": "submit",
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),  # type: ignore[union-attr]
        "summary": "Came to every meeting.",
        "focus": "Applications.",
        "goals": "Met.",
        "dialogue": "yes",
        "consent": "yes",
    }
    for key in activity_keys(page):
        form[f"status-{key}"] = "on_track"
        form[f"comment-{key}"] = "As planned."
    form.update(changes)
    return form


def test_reports_need_the_permission_and_a_participant_of_ones_own(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, participant = anna(url)
    bo = int(sql(url, "SELECT id FROM participants WHERE first_name = 'Bo'")[0][0])
    log_in(client, "karin", staff=True)  # a caseworker: no report permission
    assert client.get(f"/staff/participants/{participant}/provider-reports").status_code == 403
    assert client.get("/staff/reports/board").status_code == 403
    assert client.get("/staff/reports/queue").status_code == 403
    with client_of(settings) as erik:
        log_in(erik, "erik", staff=True)
        assert erik.get(f"/staff/participants/{participant}/provider-reports").status_code == 200
        assert erik.get(f"/staff/participants/{bo}/provider-reports").status_code == 404
        assert erik.get("/staff/reports/queue").status_code == 403
        other = f"/staff/participants/{participant}/provider-reports/{intervention + 1000}/plan"
        assert erik.get(other).status_code == 404
    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        assert vera.get("/staff/reports/999999").status_code == 404
        # A report of an intervention another organisation reviews answers 404 too.
        sql(
            url,
            "INSERT INTO organisations (name, kind) VALUES ('Other municipality', 'job_centre')",
        )
        other_org = sql(url, "SELECT id FROM organisations WHERE name = 'Other municipality'")[0][0]
        # Bo's own provider (not anna's, so that anna's provider may still be given Bo later).
        provider = sql(
            url,
            "SELECT id FROM organisations WHERE kind = 'provider' AND id <>"
            " (SELECT provider_id FROM interventions WHERE id = :i)",
            i=intervention,
        )
        sql(
            url,
            "INSERT INTO interventions (participant_id, provider_id, reviewer_organisation_id,"
            " start_date, end_date, created_at) VALUES (:p, :prov, :o, :s, :e, :now)",
            p=bo,
            prov=provider[0][0],
            o=other_org,
            s=TODAY,
            e=TODAY,
            now=f"{TODAY} 00:00:00+00:00",
        )
        foreign = sql(
            url, "SELECT id FROM interventions WHERE reviewer_organisation_id = :o", o=other_org
        )
        sql(
            url,
            "INSERT INTO reports (intervention_id, kind, period, state, state_at, created_at,"
            " submitted_at) VALUES (:i, 'plan', '', 'submitted', :now, :now, :now)",
            i=foreign[0][0],
            now=f"{TODAY} 00:00:00+00:00",
        )
        kept_in_summary(url, foreign[0][0])
        report = sql(url, "SELECT id FROM reports WHERE intervention_id = :i", i=foreign[0][0])
        assert vera.get(f"/staff/reports/{report[0][0]}").status_code == 404
        assert (
            vera.post(
                f"/staff/reports/{report[0][0]}/decision",
                data={"outcome": "approved", "version": "1"},
            ).status_code
            == 404
        )


def test_a_month_not_yet_ended_is_refused_at_the_month_field(
    client: TestClient, settings: Settings
) -> None:
    intervention, participant = anna(settings.database_url)
    log_in(client, "erik", staff=True)
    base = f"/staff/participants/{participant}/provider-reports/{intervention}"
    response = client.post(base + "/monthly", data={"month": str(Month.of(TODAY))})
    assert response.status_code == 400
    assert "once it has ended" in response.text
    page = client.get(f"{base}/monthly/{Month.of(TODAY)}")
    assert "once it has ended" in page.text and 'name="summary"' not in page.text
    assert client.get(f"{base}/monthly/2026-13").status_code == 404


def test_a_monthly_report_names_what_is_missing_and_keeps_what_was_typed(
    client: TestClient, settings: Settings
) -> None:
    intervention, participant = intervention_where(
        settings.database_url,
        f"{PLAN_APPROVED} AND {NO_REPORT_LAST_MONTH} AND i.end_date >= :today",
    )
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/monthly/{LAST_MONTH}"
    page = client.get(path).text
    keys = activity_keys(page)
    assert len(keys) == 4
    form = complete_report(page, **{f"comment-{keys[1]}": "", "summary": "Typed by erik"})
    response = client.post(path, data=form)
    assert response.status_code == 400
    assert "Truck" in response.text or "Truckkort" in response.text  # the sub-activity named
    assert "write a comment" in response.text
    assert "Typed by erik" in response.text
    # What was typed is kept as the draft.
    assert "Typed by erik" in client.get(path).text


def test_submit_return_correct_resubmit_approve_and_the_board_turns_green(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, participant = intervention_where(
        url,
        f"{PLAN_APPROVED} AND {DRAFT_LAST_MONTH}",
    )
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/monthly/{LAST_MONTH}"
    form = complete_report(client.get(path).text)
    response = client.post(path, data=form, follow_redirects=False)
    assert response.status_code == 303 and "saved=submitted" in response.headers["location"]
    # A double click sends the same form again: still one submitted version.
    repeat = client.post(path, data=form, follow_redirects=False)
    assert repeat.status_code == 303
    report_id = int(
        sql(
            url,
            "SELECT id FROM reports WHERE intervention_id = :i AND period = :p",
            i=intervention,
            p=str(LAST_MONTH),
        )[0][0]
    )
    assert (
        sql(url, "SELECT count(*) FROM report_versions WHERE report_id = :r", r=report_id)[0][0]
        == 1
    )

    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        assert f'href="/staff/reports/{report_id}"' in vera.get("/staff/reports/queue").text
        refused = vera.post(
            f"/staff/reports/{report_id}/decision", data={"outcome": "returned", "version": "1"}
        )
        assert refused.status_code == 400 and "what the provider should correct" in refused.text
        returned = vera.post(
            f"/staff/reports/{report_id}/decision",
            data={"outcome": "returned", "version": "1", "comment": "Describe the practice."},
            follow_redirects=False,
        )
        assert returned.status_code == 303
        again = vera.post(
            f"/staff/reports/{report_id}/decision", data={"outcome": "approved", "version": "1"}
        )
        assert again.status_code == 409 and "already" in again.text

    page = client.get(path).text
    assert "Describe the practice." in page and "Returned for revision" in page
    corrected = client.post(path, data={"action": "correct"}, follow_redirects=False)
    assert corrected.status_code == 303
    page = client.get(path).text
    assert 'name="version" value="2"' in page
    assert "Describe the practice." in page  # the comment stays in sight while correcting
    response = client.post(
        path, data=complete_report(page, summary="Corrected."), follow_redirects=False
    )
    assert response.status_code == 303

    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        review = vera.get(f"/staff/reports/{report_id}").text
        assert "Corrected." in review
        approved = vera.post(
            f"/staff/reports/{report_id}/decision",
            data={"outcome": "approved", "version": "2"},
            follow_redirects=False,
        )
        assert approved.status_code == 303
    states = sql(url, "SELECT state FROM reports WHERE id = :r", r=report_id)
    assert states[0][0] == "approved"
    board = client.get("/staff/reports/board", params={"status": "approved", "kind": "monthly"})
    assert f"/provider-reports/{intervention}/monthly/{LAST_MONTH}" in board.text


def test_a_plan_starts_from_the_track_and_is_checked_when_submitted(
    client: TestClient, settings: Settings
) -> None:
    intervention, participant = intervention_where(settings.database_url, NO_PLAN)
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/plan"
    page = client.get(path).text
    names = re.findall(r'name="activity-\d+-name"[^>]*value="([^"]*)"', page) or re.findall(
        r'id="activity-\d+-name" name="activity-\d+-name" type="text" value="([^"]*)"', page
    )
    assert len(names) == 4 and all(names)
    form = {
        key: value
        for key, value in re.findall(r'name="(activity-\d+-[a-z]+)"[^>]*value="([^"]*)"', page)
    }
    form.update(
        {
            key: text
            for key, text in re.findall(
                r'name="(activity-\d+-description)"[^>]*>([^<]*)</textarea>', page
            )
        }
    )
    added = client.post(path, data={**form, "action": "add"})
    assert added.status_code == 200 and 'name="activity-4-name"' in added.text
    broken = {**form, "activity-0-end": "1999-01-01", "action": "submit", "version": "0"}
    response = client.post(path, data=broken)
    assert response.status_code == 400 and 'id="activity-0-end-error"' in response.text
    response = client.post(
        path, data={**form, "action": "submit", "version": "0"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "waiting for the reviewer" in client.get(path).text


def test_the_board_filters_searches_and_sorts_in_the_database(client: TestClient) -> None:
    log_in(client, "vera", staff=True)
    board = client.get("/staff/reports/board").text
    assert "of 12." in board and "Anna Andersson" in board
    returned = client.get("/staff/reports/board", params={"status": "returned", "kind": "monthly"})
    assert "Showing 1–1 of 1." in returned.text
    searched = client.get("/staff/reports/board", params={"q": "anna"}).text
    assert "Anna Andersson" in searched and "Showing 1–1 of 1." in searched
    by_monthly = client.get("/staff/reports/board", params={"sort": "monthly"}).text
    first_cell = re.search(
        r'data-label="Monthly report">.*?data-status="([a-z_]+)"', by_monthly, re.S
    )
    assert first_cell and first_cell.group(1) == "missing"
    past_the_end = client.get("/staff/reports/board", params={"page": "40"})
    assert past_the_end.status_code == 200 and "Showing 1–12 of 12." in past_the_end.text
    filtered_past_the_end = client.get(
        "/staff/reports/board", params={"status": "returned", "kind": "monthly", "page": "3"}
    )
    assert "Showing 1–1 of 1." in filtered_past_the_end.text
    assert (
        client.get(
            "/staff/reports/board", params={"status": "x", "sort": "y", "provider": "z"}
        ).status_code
        == 200
    )


def test_opening_a_report_is_written_to_the_participants_access_log(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    _intervention, participant = anna(url)
    report_id = sql(
        url,
        "SELECT r.id FROM reports r JOIN interventions i ON i.id = r.intervention_id"
        " WHERE i.participant_id = :p AND r.kind = 'plan'",
        p=participant,
    )[0][0]
    before = sql(
        url,
        "SELECT count(*) FROM access_log WHERE participant_id = :p AND what = 'reports'",
        p=participant,
    )[0][0]
    log_in(client, "vera", staff=True)
    assert client.get(f"/staff/reports/{report_id}").status_code == 200
    after = sql(
        url,
        "SELECT count(*) FROM access_log WHERE participant_id = :p AND what = 'reports'",
        p=participant,
    )[0][0]
    assert after == before + 1


def test_the_provider_start_page_lists_returned_and_missing_reports(client: TestClient) -> None:
    log_in(client, "erik", staff=True)
    page = client.get("/staff/").text
    assert "Reports to do" in page
    assert "Kommentaren om praktiken" in page  # the reviewer's comment of the demo's return
    assert "participants have a report to send" in page
    assert 'href="/staff/reports/board"' in page
    assert page.index("Reports to do") < page.index('<ul class="actions">')


def test_the_reviewer_start_page_counts_the_work_queue(client: TestClient) -> None:
    log_in(client, "vera", staff=True)
    page = client.get("/staff/").text
    assert "wait for your review" in page and 'href="/staff/reports/queue"' in page
    assert "Reports to do" not in page  # no reminders without the register permission
    # The work comes first, before the links to the staff pages.
    assert page.index("wait for your review") < page.index('<ul class="actions">')


def test_the_daily_email_goes_once_a_day_to_those_who_subscribed(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    log_in(client, "erik", staff=True)
    response = client.post("/staff/reports/reminders", data={"daily": "yes"})
    assert response.status_code == 200 and "every morning when there is" in response.text
    assert "Stop the daily e-mail" in response.text

    async def send(moment: dt.datetime) -> int:
        database = Database(settings.database_url)
        try:
            return await send_daily_digests(database, settings, moment)
        finally:
            await database.dispose()

    morning = dt.datetime.combine(TODAY, dt.time(7), tzinfo=ZONE)
    night = dt.datetime.combine(TODAY, dt.time(5), tzinfo=ZONE)
    assert run_in_own_thread(send(night)) == 0  # not before six
    assert run_in_own_thread(send(morning)) == 1
    assert run_in_own_thread(send(morning + dt.timedelta(hours=3))) == 0  # once a day
    messages = sql(url, "SELECT recipient, body FROM outbox WHERE kind = 'report_reminders'")
    assert len(messages) == 1 and messages[0][0] == "erik@provider.example.org"
    assert "/staff/" in messages[0][1] and "Anna" not in messages[0][1]  # no names by e-mail
    client.post("/staff/reports/reminders", data={"daily": "no"})
    assert sql(url, "SELECT count(*) FROM report_reminder_subscriptions")[0][0] == 0


def test_absence_is_marked_by_the_week_with_a_reason_and_copied_to_other_days(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, participant = anna(url)
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/absence"
    week = Week.of(LAST_MONTH.first + dt.timedelta(days=7))
    page = client.get(path, params={"week": str(week)})
    assert page.status_code == 200
    offered = re.findall(r'name="reason-(\d{4}-\d\d-\d\d)"', page.text)
    assert offered
    first, *others = offered
    refused = client.post(
        path, data={"week": str(week), f"reason-{first}": "other", f"note-{first}": ""}
    )
    assert refused.status_code == 400 and "Say what the other reason is." in refused.text
    assert 'value="other" selected' in refused.text  # what was chosen is kept
    saved = client.post(
        path,
        data={
            "week": str(week),
            f"reason-{first}": "other",
            f"note-{first}": "Court hearing",
            "copy_from": first,
            "copy_to": others[:2],
            "action": "copy",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rows = sql(
        url,
        "SELECT day, reason FROM absence_days WHERE intervention_id = :i"
        " AND note = 'Court hearing'",
        i=intervention,
    )
    assert len(rows) == 1 + len(others[:2])
    # Removing the reason of a day removes its absence.
    client.post(
        path, data={"week": str(week), f"reason-{first}": "other", f"note-{first}": "Court hearing"}
    )
    rows = sql(
        url,
        "SELECT count(*) FROM absence_days WHERE intervention_id = :i AND note = 'Court hearing'",
        i=intervention,
    )
    assert rows[0][0] == 1
    future = client.get(path, params={"week": str(Week.of(TODAY).next())})
    assert 'name="reason-' not in future.text


def test_absence_is_only_for_the_provider_of_the_participant(
    client: TestClient, settings: Settings
) -> None:
    intervention, participant = anna(settings.database_url)
    log_in(client, "karin", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/absence"
    assert client.get(path).status_code == 403
    with client_of(settings) as erik:
        log_in(erik, "erik", staff=True)
        bo = sql(settings.database_url, "SELECT id FROM participants WHERE first_name = 'Bo'")[0][0]
        assert (
            erik.get(
                f"/staff/participants/{bo}/provider-reports/{intervention}/absence"
            ).status_code
            == 404
        )


def test_a_report_prints_as_a_pdf_and_a_draft_stays_the_providers(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, participant = anna(url)
    log_in(client, "erik", staff=True)
    pdf = client.get(f"/staff/participants/{participant}/provider-reports/{intervention}/plan/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    draft = sql(url, "SELECT r.id FROM reports r WHERE r.state = 'draft'")[0][0]
    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        assert vera.get(f"/staff/reports/{draft}/pdf").status_code == 404


def asked_to_confirm(url: str) -> tuple[str, int]:
    """(personal number, report id) of the demo participant asked to confirm a final report."""
    rows = sql(
        url,
        "SELECT p.personal_number, r.id FROM reports r"
        " JOIN interventions i ON i.id = r.intervention_id"
        " JOIN participants p ON p.id = i.participant_id"
        " WHERE r.kind = 'final' AND r.state = 'submitted'",
    )
    return str(rows[0][0]), int(rows[0][1])


def test_the_participant_reads_the_approved_plan_in_their_language(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "anna")
    page = client.get("/reports", headers={"Accept-Language": "da"})
    assert page.status_code == 200
    assert "Din plan" in page.text and "Framsteg Coaching AB" in page.text
    assert "Kartläggning och mål" in page.text  # the approved plan's first sub-activity
    assert "Månadsrapport" not in page.text  # monthly reports are the provider's and reviewer's


def test_a_final_report_is_confirmed_with_eid_and_the_reviewer_sees_it(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    number, report_id = asked_to_confirm(url)
    log_in(client, f"pnr:{number}")
    to_do = client.get("/").text.split('id="to-do-title"', 1)[1].split("</section>", 1)[0]
    assert "Confirm the final report from" in to_do and 'href="/reports"' in to_do
    page = client.get("/reports").text
    assert "asks you to confirm the report" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    started = client.post(
        f"/reports/{report_id}/confirm", data={"version": version}, follow_redirects=False
    )
    assert started.status_code in (302, 303)
    location = started.headers["location"]
    assert "/dev-idp/authorize" in location and "prompt=login" in location
    done = client.get(with_params(location, login_hint=f"pnr:{number}"))
    assert done.status_code == 200 and "You have confirmed the final report" in done.text
    assert "Confirmed by you" in done.text
    assert "Confirm the final report from" not in client.get("/").text
    confirmations = sql(
        url,
        "SELECT count(*) FROM final_report_confirmations WHERE participant_id ="
        " (SELECT id FROM participants WHERE personal_number = :n)",
        n=number,
    )
    assert confirmations[0][0] == 1
    # A second confirmation of the same version is not started.
    again = client.post(
        f"/reports/{report_id}/confirm", data={"version": version}, follow_redirects=False
    )
    assert again.headers["location"] == "/reports"
    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        assert (
            "The participant confirmed it with eID" in vera.get(f"/staff/reports/{report_id}").text
        )


def test_another_participants_report_cannot_be_confirmed(
    client: TestClient, settings: Settings
) -> None:
    _number, report_id = asked_to_confirm(settings.database_url)
    log_in(client, "anna")
    response = client.post(f"/reports/{report_id}/confirm", data={"version": "1"})
    assert response.status_code == 404


def test_the_caseworkers_read_only_view_shows_the_reports_and_the_board_row(
    client: TestClient, settings: Settings
) -> None:
    _intervention, participant = anna(settings.database_url)
    log_in(client, "karin", staff=True)
    page = client.get(f"/staff/participants/{participant}/reports")
    assert page.status_code == 200
    assert "Kartläggning och mål" in page.text
    assert 'data-status="submitted"' in page.text  # last month's report, waiting for review
    assert "Confirm with" not in page.text
    log_entries = sql(
        settings.database_url,
        "SELECT count(*) FROM access_log WHERE participant_id = :p AND what = 'reports'",
        p=participant,
    )
    assert log_entries[0][0] >= 1


def test_the_reviewing_organisation_registers_an_intervention_for_a_provider(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    bo_number, bo = sql(
        url, "SELECT personal_number, id FROM participants WHERE first_name = 'Bo'"
    )[0]
    provider, track = sql(url, "SELECT organisation_id, id FROM report_tracks")[0]
    other_provider = sql(
        url, "SELECT id FROM organisations WHERE kind = 'provider' AND id <> :p", p=provider
    )[0][0]
    with client_of(settings) as erik:
        log_in(erik, "erik", staff=True)
        assert erik.get("/staff/reports/interventions/new").status_code == 403
        assert erik.get(f"/staff/participants/{bo}/provider-reports").status_code == 404
    log_in(client, "vera", staff=True)
    assert client.get("/staff/reports/interventions/new").status_code == 200
    form = {
        "personal_number": bo_number,
        "provider": str(provider),
        "track": str(track),
        "start": TODAY.isoformat(),
        "end": (TODAY + dt.timedelta(days=180)).isoformat(),
    }
    wrong = client.post(
        "/staff/reports/interventions/new",
        data={**form, "personal_number": "19900101-1230", "track": "", "end": "2000-01-01"},
    )
    assert wrong.status_code == 400
    assert "not a valid personal number" in wrong.text and "The end comes before" in wrong.text
    assert 'value="2000-01-01"' in wrong.text  # what was typed is kept
    foreign_track = client.post(
        "/staff/reports/interventions/new", data={**form, "provider": str(other_provider)}
    )
    assert foreign_track.status_code == 400 and "track of the chosen provider" in foreign_track.text
    created = client.post("/staff/reports/interventions/new", data=form, follow_redirects=False)
    assert created.status_code == 303
    board = client.get(created.headers["location"]).text
    assert "The intervention is registered" in board and "Bo " in board
    again = client.post("/staff/reports/interventions/new", data=form)
    assert again.status_code == 400 and "already has an intervention" in again.text
    later = {
        **form,
        "start": (TODAY + dt.timedelta(days=200)).isoformat(),
        "end": (TODAY + dt.timedelta(days=300)).isoformat(),
    }
    following = client.post("/staff/reports/interventions/new", data=later, follow_redirects=False)
    assert following.status_code == 303  # the provider sees Bo already: assigned once
    assigned = (
        "SELECT count(*) FROM participant_assignments"
        " WHERE participant_id = :b AND organisation_id = :p"
    )
    assert sql(url, assigned, b=bo, p=provider) == [(1,)]
    with client_of(settings) as erik:
        log_in(erik, "erik", staff=True)
        page = erik.get(f"/staff/participants/{bo}/provider-reports")
        assert page.status_code == 200 and "Track:" in page.text


def test_only_ones_own_participants_get_an_intervention(
    client: TestClient, settings: Settings
) -> None:
    provider = sql(settings.database_url, "SELECT organisation_id FROM report_tracks")[0][0]
    log_in(client, "vera", staff=True)
    stranger = client.post(
        "/staff/reports/interventions/new",
        data={
            "personal_number": "19121212-1212",
            "provider": str(provider),
            "start": TODAY.isoformat(),
            "end": TODAY.isoformat(),
        },
    )
    assert stranger.status_code == 400 and "None of your participants" in stranger.text


PETRA = "pnr:19790402-1230"  # the demo provider's administrator


def test_the_providers_administrator_keeps_the_tracks_and_registrars_read_them(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    track = sql(url, "SELECT id FROM report_tracks")[0][0]
    log_in(client, PETRA, staff=True)
    assert "Tracks" in client.get("/staff/").text
    form = {
        "name": "Jobbspår vård",
        "row-0-name": "Introduktion",
        "row-0-description": "",
        "row-0-start_day": "0",
        "row-0-end_day": "13",
        "row-1-name": "Praktik",
        "row-1-start_day": "30",
        "row-1-end_day": "10",
    }
    refused = client.post("/staff/reports/tracks/new", data=form)
    assert refused.status_code == 400 and 'id="row-1-end_day-error"' in refused.text
    assert 'value="Jobbspår vård"' in refused.text
    added = client.post("/staff/reports/tracks/new", data={**form, "action": "add"})
    assert 'name="row-2-name"' in added.text
    saved = client.post(
        "/staff/reports/tracks/new", data={**form, "row-1-end_day": "60"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert "Jobbspår vård" in client.get("/staff/reports/tracks").text
    twice = client.post("/staff/reports/tracks/new", data={**form, "row-1-end_day": "60"})
    assert twice.status_code == 400 and "a track of that name already" in twice.text
    with client_of(settings) as erik:
        log_in(erik, "erik", staff=True)
        page = erik.get(f"/staff/reports/tracks/{track}")
        assert page.status_code == 200 and 'name="row-0-name"' not in page.text
        assert erik.post(f"/staff/reports/tracks/{track}", data=form).status_code == 403
    with client_of(settings) as admin:
        log_in(admin, "admin", staff=True)  # the job centre's: no track of theirs
        assert admin.get(f"/staff/reports/tracks/{track}").status_code == 404
    with client_of(settings) as karin:
        log_in(karin, "karin", staff=True)
        assert karin.get("/staff/reports/tracks").status_code == 403


def test_absence_of_the_providers_participants_is_marked_a_week_at_a_time(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, _participant = anna(url)
    week = Week.of(LAST_MONTH.first + dt.timedelta(days=14))
    log_in(client, "erik", staff=True)
    page = client.get("/staff/reports/absence", params={"week": str(week)})
    assert page.status_code == 200 and "Anna Andersson" in page.text
    fields = re.findall(rf'name="i{intervention}-reason-(\d{{4}}-\d\d-\d\d)"', page.text)
    assert fields
    other = [i for i in re.findall(r'name="i(\d+)-reason-', page.text) if int(i) != intervention]
    form = {
        "week": str(week),
        f"i{intervention}-reason-{fields[-1]}": "child_care",
        f"i{other[0]}-reason-{fields[-1]}": "other",
    }
    refused = client.post("/staff/reports/absence", data=form)
    assert refused.status_code == 400 and "Say what the other reason is." in refused.text
    assert 'value="child_care" selected' in refused.text
    form[f"i{other[0]}-note-{fields[-1]}"] = "Job interview"
    saved = client.post("/staff/reports/absence", data=form, follow_redirects=False)
    assert saved.status_code == 303
    rows = sql(
        url,
        "SELECT intervention_id, reason FROM absence_days WHERE day = :d ORDER BY intervention_id",
        d=fields[-1],
    )
    assert (intervention, "child_care") in [tuple(r) for r in rows]
    assert (int(other[0]), "other") in [tuple(r) for r in rows]
    with client_of(settings) as karin:
        log_in(karin, "karin", staff=True)
        assert karin.get("/staff/reports/absence").status_code == 403


def test_the_work_queue_is_filtered_by_provider_type_and_participant(client: TestClient) -> None:
    log_in(client, "vera", staff=True)
    everything = client.get("/staff/reports/queue").text
    assert "Anna Andersson" in everything
    assert "Anna Andersson" in client.get("/staff/reports/queue", params={"q": "anna and"}).text
    others = client.get("/staff/reports/queue", params={"q": "19900101"}).text
    assert "Anna Andersson" in others
    nobody = client.get("/staff/reports/queue", params={"q": "zzz"}).text
    assert "No waiting report matches" in nobody
    plans = client.get("/staff/reports/queue", params={"kind": "plan"}).text
    assert "Monthly report" not in plans.split("<tbody>")[-1]

    def providers_of_rows(page: str) -> list[str]:
        return re.findall(r'<td data-label="Provider">([^<]*)</td>', page.split("<tbody>")[-1])

    menu = everything.split('name="provider"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', menu)
    assert options, "vera reviews some provider's reports"
    counted = 0
    for provider_id, name in options:
        shown = providers_of_rows(
            client.get("/staff/reports/queue", params={"provider": provider_id}).text
        )
        assert set(shown) <= {name.strip()}
        counted += len(shown)
    assert counted == len(providers_of_rows(everything)) > 0
    unknown = client.get("/staff/reports/queue", params={"provider": "999999"}).text
    assert providers_of_rows(unknown) == providers_of_rows(everything)


def test_two_reviewers_deciding_at_the_same_moment_get_one_decision(settings: Settings) -> None:
    url = settings.database_url
    report_id, organisation = sql(
        url,
        "SELECT r.id, i.reviewer_organisation_id FROM reports r"
        " JOIN interventions i ON i.id = r.intervention_id"
        " WHERE r.state = 'submitted' AND r.kind = 'plan' ORDER BY r.id",
    )[0]
    reviewers = [row[0] for row in sql(url, "SELECT id FROM staff_users ORDER BY id LIMIT 2")]

    async def decide_both() -> tuple[object, ...]:
        database = Database(url)
        barrier = asyncio.Barrier(2)

        async def one(reviewer_id: int, outcome: str) -> object:
            async with database.transaction() as db:
                report = await service.report_for_reviewer(db, organisation, report_id)
                reviewer = await db.get(StaffUser, reviewer_id)
                assert report is not None and reviewer is not None
                await barrier.wait()  # both have read the undecided version
                return await service.decide(db, report, 1, outcome, "x", reviewer, utcnow())

        try:
            return await asyncio.gather(
                one(reviewers[0], "approved"), one(reviewers[1], "returned"), return_exceptions=True
            )
        finally:
            await database.dispose()

    outcomes = run_in_own_thread(decide_both())
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ReportsError | IntegrityError), refused
    decisions = sql(
        url,
        "SELECT count(*) FROM report_decisions d JOIN report_versions v ON v.id = d.version_id"
        " WHERE v.report_id = :r",
        r=report_id,
    )
    assert decisions[0][0] == 1


def test_a_change_to_an_approved_plan_shows_the_reviewer_what_changed(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    intervention, participant = anna(url)
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/plan"
    assert client.post(path, data={"action": "correct"}, follow_redirects=False).status_code == 303
    page = client.get(path).text
    form = dict(re.findall(r'name="(activity-\d+-[a-z]+)"[^>]*value="([^"]*)"', page))
    form.update(re.findall(r'name="(activity-\d+-description)"[^>]*>([^<]*)</textarea>', page))
    form["activity-1-description"] = "Two licences, A and B, in four weeks."
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    sent = client.post(path, data={**form, "action": "submit", "version": version})
    assert sent.status_code == 200 and "submitted and locked" in sent.text
    report_id = sql(
        url,
        "SELECT id FROM reports WHERE intervention_id = :i AND kind = 'plan'",
        i=intervention,
    )[0][0]
    with client_of(settings) as vera:
        log_in(vera, "vera", staff=True)
        review = vera.get(f"/staff/reports/{report_id}").text
        assert "Previously approved" in review
        assert "1 part changed since the approved version" in review
        assert review.count(">Changed<") == 1


def test_a_submit_that_races_its_own_autosave_is_still_answered(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser autosaves a changed field as the button is pressed: both requests may try
    to make the report's first draft; the submit that loses tries again and answers as usual."""
    intervention, participant = anna(settings.database_url)
    log_in(client, "erik", staff=True)
    path = f"/staff/participants/{participant}/provider-reports/{intervention}/final"
    client.post(path + "/autosave", data={"summary": "Typed first"})  # the autosave won
    real = service.find_report
    calls = []

    async def not_seen_yet(db: Any, intervention_id: int, kind: str, period: str = "") -> Any:
        if kind == "final":
            calls.append(1)
            # The submit's first attempt looked before the autosave's draft was committed.
            if len(calls) == 2:
                return None
        return await real(db, intervention_id, kind, period)

    monkeypatch.setattr(service, "find_report", not_seen_yet)
    response = client.post(path, data={"action": "submit", "version": "1", "summary": "Typed"})
    assert response.status_code == 400 and "Check the report" in response.text
    assert len(calls) >= 3  # looked again after the conflict


def test_the_start_page_and_the_reports_page_agree_on_a_final_report_to_confirm(
    client: TestClient, settings: Settings
) -> None:
    """The start page asks in one statement (`to_confirm_query`) what the reports page works
    out from the report (`asks_confirmation`): both ask, and once the reviewer returns the
    report, neither does."""
    url = settings.database_url
    number, report_id = asked_to_confirm(url)
    (version_id,) = sql(
        url,
        "SELECT MAX(id) FROM report_versions WHERE report_id = :r AND state = 'submitted'",
        r=report_id,
    )[0]
    sql(url, "DELETE FROM final_report_confirmations WHERE version_id = :v", v=version_id)
    log_in(client, f"pnr:{number}")

    def asked() -> tuple[bool, bool]:
        start = "Confirm the final report from" in client.get("/").text
        return start, "asks you to confirm the report" in client.get("/reports").text

    assert asked() == (True, True)
    (vera,) = sql(url, "SELECT id FROM staff_users WHERE first_name = 'Vera'")[0]
    sql(
        url,
        "INSERT INTO report_decisions (version_id, outcome, comment, reviewer_staff_id, "
        "reviewer_name, decided_at) VALUES (:v, 'returned', 'Fel period', :s, 'Vera', :at)",
        v=version_id,
        s=vera,
        at=utcnow(),
    )
    assert asked() == (False, False)


def test_the_boards_kept_summary_agrees_with_the_reports_on_any_day(settings: Settings) -> None:
    """The board filters and sorts by each intervention's summary of its reports
    (`reports.summary`) and shows cells worked out from the reports: after this module's
    submissions, returns, approvals and drafts, both give every intervention the same cells,
    today, at the next month, after every intervention's end and in an earlier month."""
    kept = summary.cells()
    exact, joined = board.cells()
    periods = {"plan": literal(""), "monthly": bindparam("month"), "final": literal("")}
    statement = select(
        Intervention.id, *(kept[k] for k in board.COLUMNS), *(exact[k] for k in board.COLUMNS)
    ).select_from(Intervention)
    for kind, report in joined.items():
        statement = statement.outerjoin(
            report,
            and_(
                report.intervention_id == Intervention.id,
                report.kind == kind,
                report.period == periods[kind],
            ),
        )
    days = [TODAY, Month.of(TODAY).next().first, dt.date(2099, 1, 1), LAST_MONTH.first]
    engine = sync_engine(settings.database_url)
    seen = set()
    with engine.connect() as connection:
        for today in days:
            month = rules.report_month(today)
            values = {
                "today": today,
                "month": str(month),
                "month_first": month.first,
                "month_last": month.last,
            }
            for intervention, *cells in connection.execute(statement, values):
                assert cells[:3] == cells[3:], (today, intervention)
                seen.update(cells)
    engine.dispose()
    assert seen == set(rules.CELL_STATUSES), seen
