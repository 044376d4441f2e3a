"""Hour histories through HTTP: the provider's grid, signing, consent, expiry, export, scope.

The tests share the demo database: Anna starts with last month waiting for her approval and
the month before approved (without consent); Erik (provider) registered both; Bo's reports
come from another provider.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from portal.auth import signing
from portal.hours import service
from portal.hours.service import Month
from portal.settings import Settings
from tests.conftest import log_in, portal_today
from tests.integration.test_plan_api import new_token

TODAY = portal_today()
THIS_MONTH = Month.of(TODAY)


def report_links(client: TestClient) -> list[str]:
    return re.findall(r'href="(/hours/\d+)"', client.get("/hours").text)


def waiting_report(client: TestClient) -> str:
    """The first of Anna's reports that waits for her answer."""
    for link in report_links(client):
        page = client.get(link).text
        if 'action="' + link + '/approve"' in page:
            return link
    raise AssertionError("no report waits for approval")


def version_of(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)


def start_approval(client: TestClient, link: str, consent: bool = True) -> str:
    """Post the approval; returns the development IdP address the portal sends us to."""
    data = {"version": version_of(client.get(link).text)}
    if consent:
        data["consent"] = "yes"
    response = client.post(link + "/approve", data=data, follow_redirects=False)
    assert response.status_code in (302, 303)
    location = response.headers["location"]
    assert "/dev-idp/authorize" in location and "prompt=login" in location
    return location


def with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def participant_id(client: TestClient, name: str) -> int:
    listed = client.get("/staff/", params={"q": name}).text
    match = re.search(rf'href="/staff/participants/(\d+)">{name}<', listed)
    assert match
    return int(match.group(1))


# ---------------------------------------------------------------- signing refusals


def test_the_dev_idp_shows_the_text_to_sign_and_a_sign_button(client: TestClient) -> None:
    log_in(client, "anna")
    page = client.get(start_approval(client, waiting_report(client)))
    assert page.status_code == 200
    assert "I approve my hour history for" in page.text
    assert 'value="anna"' in page.text and "Sign as Anna Andersson" in page.text


def test_a_signature_by_another_person_is_refused_and_nothing_is_approved(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    answer = client.get(with_params(start_approval(client, link), login_hint="bo"))
    assert answer.status_code == 400
    assert "signed by someone other than you" in answer.text
    assert waiting_report(client) == link


def test_a_signature_with_another_nonce_is_refused(client: TestClient) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    answer = client.get(with_params(start_approval(client, link), login_hint="anna", nonce="x"))
    assert answer.status_code == 400 and "Nothing was signed" in answer.text
    assert waiting_report(client) == link


def test_a_signature_older_than_five_minutes_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)
    monkeypatch.setattr(signing, "utcnow", lambda: later)
    answer = client.get(with_params(start_approval(client, link), login_hint="anna"))
    assert answer.status_code == 400 and "not made just now" in answer.text
    assert waiting_report(client) == link


def test_a_cancelled_signing_signs_nothing(client: TestClient) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    answer = client.get(with_params(start_approval(client, link), cancel="1"))
    assert answer.status_code == 400 and "cancelled" in answer.text
    assert waiting_report(client) == link


def test_a_callback_without_a_signing_of_this_session_is_refused(client: TestClient) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    start_approval(client, link)
    answer = client.get("/auth/sign/callback?state=not-ours&code=x")
    assert answer.status_code == 400 and "no signing in progress" in answer.text
    assert waiting_report(client) == link


# ---------------------------------------------------------------- approval and consent


def test_not_agreed_needs_a_comment_and_keeps_what_was_typed(client: TestClient) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    answer = client.post(link + "/not-agreed", data={"comment": "x" * 1001})
    assert answer.status_code == 400
    assert "At most 1000 characters; this has 1001." in answer.text
    assert "x" * 1001 in answer.text
    assert client.post(link + "/not-agreed", data={"comment": "  "}).status_code == 400


def test_the_participant_approves_with_consent_and_gets_a_receipt(client: TestClient) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    page = client.get(link).text
    assert (
        'name="consent" value="yes"' in page
        and "checked" not in page.split('name="consent"')[1][:40]
    )
    receipt = client.get(with_params(start_approval(client, link), login_hint="anna"))
    assert receipt.status_code == 200 and receipt.url.path == link + "/receipt"
    assert re.search(r"<code class=\"fingerprint\">[0-9a-f]{64}</code>", receipt.text)
    assert "I consent to data from my hour histories being passed on" in receipt.text
    # The same receipt as a PDF to keep: the signed text and its fingerprint.
    assert f'href="{link}/receipt.pdf"' in receipt.text
    pdf = client.get(link + "/receipt.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    fingerprint = re.search(r"<code class=\"fingerprint\">([0-9a-f]{64})</code>", receipt.text)
    assert fingerprint and fingerprint.group(1)[:20] in text.replace("\n", "")
    assert "Anna Andersson" in text and "Receipt: hour history" in text
    log_in(client, "bo")
    assert client.get(link + "/receipt.pdf").status_code == 404
    log_in(client, "anna")
    consent = client.get("/hours/consent").text
    assert "Consent given" in consent and "Withdraw consent" in consent
    # Answered: no second approval, and the report says so.
    assert 'action="' + link + '/approve"' not in client.get(link).text


def consent_in_force(client: TestClient) -> None:
    """Anna's consent given, as the approval above gives it (for a test run on its own)."""
    log_in(client, "anna")
    if "Withdraw consent" not in client.get("/hours/consent").text:
        link = waiting_report(client)
        client.get(with_params(start_approval(client, link), login_hint="anna"))
    assert "Withdraw consent" in client.get("/hours/consent").text


def month_total(page: str) -> Decimal:
    """The total of the version a page shows (English)."""
    shown = re.search(r"([\d.,]+) hours in \w+ \d{4}", page)
    assert shown
    return Decimal(shown.group(1).replace(",", ""))


def table_total(page: str) -> Decimal:
    """The month's total in the day-by-day table of a page (English)."""
    shown = re.search(r'<td data-label="Month">([\d.,]+)</td>', page)
    assert shown
    return Decimal(shown.group(1).replace(",", ""))


def test_a_provider_correction_is_approved_again_without_asking_consent_twice(
    client: TestClient,
) -> None:
    english = {"Accept-Language": "en"}
    consent_in_force(client)
    # Every version's page as it was (their chart and day table are rendered once, and kept).
    before = {
        link: month_total(client.get(link, headers=english).text) for link in report_links(client)
    }
    log_in(client, "erik", staff=True)
    anna = participant_id(client, "Anna Andersson")
    month = THIS_MONTH.previous().previous()
    base = f"/staff/participants/{anna}/hour-reports/{month}"
    assert client.post(base, data={"action": "correct"}).status_code == 200
    grid = client.get(base).text
    assert "Version 2" in grid
    values = dict(re.findall(r'name="(h_[^"]+)" value="([^"]*)"', grid))
    first = sorted(k for k, v in values.items() if v)[0]
    was = Decimal(values[first].replace(",", "."))
    values[first] = "3" if was != 3 else "2"
    submitted = client.post(base, data={**values, "action": "submit"})
    assert submitted.status_code == 200 and "Submitted." in submitted.text
    # The provider's month shows each sent version's own table (kept once rendered).
    totals = [
        table_total(client.get(base + shown, headers=english).text)
        for _ in range(2)
        for shown in ("", "?version=1")
    ]
    assert totals[:2] == totals[2:] and totals[0] == totals[1] - was + Decimal(values[first])
    log_in(client, "anna")
    link = waiting_report(client)
    page = client.get(link, headers=english).text
    assert "Version 2" in page and 'name="consent"' not in page  # consent is in force
    assert "Version 1, sent" in page  # the earlier version stays readable
    assert month_total(page) == before[link] - was + Decimal(values[first]), "the new hours"
    earlier = client.get(link + "?version=1", headers=english).text
    assert "This is an earlier version" in earlier and month_total(earlier) == before[link]
    receipt = client.get(
        with_params(start_approval(client, link, consent=False), login_hint="anna")
    )
    assert receipt.url.path == link + "/receipt"


def test_an_export_holds_consented_approved_reports_once_and_downloads_as_csv_and_json(
    client: TestClient,
) -> None:
    consent_in_force(client)
    log_in(client, "karin", staff=True)
    assert client.get("/staff/exports").status_code == 200
    bad = client.post("/staff/exports", data={"from": "2026-13", "to": "x"})
    assert bad.status_code == 400 and 'value="2026-13"' in bad.text
    period = {"from": "2000-01", "to": str(THIS_MONTH)}
    first = client.post("/staff/exports", data=period)
    assert first.status_code == 200
    export_path = first.url.path
    rows = list(csv.DictReader(io.StringIO(client.get(export_path + ".csv").text)))
    assert rows and {r["personal_number"] for r in rows} == {"19900101-1239"}
    assert all(float(r["hours"]) > 0 for r in rows)
    document = json.loads(client.get(export_path + ".json").text)
    assert len(document["rows"]) == len(rows)
    second = client.post("/staff/exports", data=period)
    assert "Nothing was new to export" in second.text
    assert client.get(export_path + ".xml").status_code == 404


def test_the_export_api_needs_a_token_checks_the_period_and_never_exports_twice(
    client: TestClient, settings: Settings
) -> None:
    assert client.post("/api/v1/exports", json={}).status_code == 401
    headers = {"Authorization": f"Bearer {new_token(settings)}"}
    bad = client.post("/api/v1/exports", json={"period_start": "2026-13"}, headers=headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"period_start", "period_end"}
    period = {"period_start": "2000-01", "period_end": str(THIS_MONTH)}
    created = client.post("/api/v1/exports", json=period, headers=headers)
    assert created.status_code == 201
    # The staff export before took every consented report: nothing is exported twice.
    assert created.json()["report_count"] == 0
    rows = client.get(created.json()["json"], headers=headers)
    assert rows.status_code == 200 and rows.json()["rows"] == []
    other = {"Authorization": f"Bearer {new_token(settings)}"}
    assert client.get(created.json()["csv"], headers=other).status_code == 404
    assert "/exports" in client.get("/api/v1/openapi.json").json()["paths"]


def test_a_withdrawal_is_signed_and_shown_in_the_history(client: TestClient) -> None:
    consent_in_force(client)
    response = client.post("/hours/consent/withdraw", follow_redirects=False)
    location = response.headers["location"]
    assert "/dev-idp/authorize" in location
    page = client.get(with_params(location, login_hint="anna"))
    assert page.url.path == "/hours/consent"
    assert "Your consent is withdrawn" in page.text and "Consent withdrawn" in page.text
    # Nothing left to withdraw.
    assert client.post("/hours/consent/withdraw").url.path == "/hours/consent"


def test_another_participants_report_answers_404(client: TestClient) -> None:
    log_in(client, "bo")
    bo_links = report_links(client)
    assert bo_links
    log_in(client, "anna")
    for link in bo_links:
        assert client.get(link).status_code == 404
        assert client.post(link + "/not-agreed", data={"comment": "no"}).status_code == 404


def test_a_report_not_approved_within_three_months_disappears(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(client, "bo")
    links = report_links(client)
    assert links
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=190)
    monkeypatch.setattr(service, "utc_now", lambda: later)
    assert report_links(client) == []
    assert client.get(links[0]).status_code == 404


# ---------------------------------------------------------------- provider


def test_the_provider_grid_refuses_more_than_8_hours_and_keeps_the_input(
    client: TestClient,
) -> None:
    log_in(client, "erik", staff=True)
    anna = participant_id(client, "Anna Andersson")
    month = THIS_MONTH.previous().previous().previous()
    base = f"/staff/participants/{anna}/hour-reports/{month}"
    grid = client.get(base).text
    names = re.findall(r'name="(h_[^"]+)"', grid)
    day = names[0].split("_")[1]
    own = f"h_{day}_own_work"
    other = next(n for n in names if n.startswith(f"h_{day}_") and n != own)
    answer = client.post(base, data={own: "6", other: "2,5", "action": "submit"})
    assert answer.status_code == 400
    assert "8.5 hours, at most 8." in answer.text
    assert 'value="2,5"' in answer.text
    # The summary names the day in words, never a field's name.
    weekday = dt.date.fromisoformat(day).strftime("%A")
    summary = answer.text.split('class="ds-error-summary"', 1)[1].split("</div>", 1)[0]
    assert f"{weekday} " in summary and '">h_' not in summary
    bad = client.post(base, data={own: "1.3", "action": "submit"})
    assert bad.status_code == 400 and "Use quarter hours" in bad.text
    summary = bad.text.split('class="ds-error-summary"', 1)[1].split("</div>", 1)[0]
    assert f"{weekday} " in summary and ", Own work" in summary and '">h_' not in summary
    # The draft kept what was typed last.
    assert 'value="1.3"' in client.get(base).text


def test_the_provider_copies_a_day_autosaves_and_submits_an_empty_month_too(
    client: TestClient,
) -> None:
    log_in(client, "erik", staff=True)
    anna = participant_id(client, "Anna Andersson")
    month = THIS_MONTH.previous().previous().previous().previous()
    base = f"/staff/participants/{anna}/hour-reports/{month}"
    days = sorted(set(re.findall(r'name="h_(\d{4}-\d\d-\d\d)_own_work"', client.get(base).text)))
    saved = client.post(
        base + "/autosave", data={f"h_{days[0]}_own_work": "2.25"}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200 and "Draft saved" in saved.text and "<html" not in saved.text
    copied = client.post(
        base,
        data={
            f"h_{days[0]}_own_work": "2.25",
            "copy_from": days[0],
            "copy_to": days[1:3],
            "action": "copy",
        },
    )
    assert copied.status_code == 200
    assert copied.text.count('value="2.25"') == 3
    empty = client.post(base, data={"action": "submit"})
    assert "Submitted." in empty.text and "No hours were reported" in empty.text
    # Locked: saving into a submitted month is refused, and says how to change it.
    locked = client.post(base, data={f"h_{days[0]}_own_work": "1", "action": "save"})
    assert locked.status_code == 409 and "Make a correction" in locked.text


def test_weekend_input_is_refused(client: TestClient) -> None:
    log_in(client, "erik", staff=True)
    anna = participant_id(client, "Anna Andersson")
    month = THIS_MONTH.previous().previous().previous().previous().previous()
    saturday = next(d for d in range(1, 8) if dt.date(month.year, month.month, d).weekday() == 5)
    day = dt.date(month.year, month.month, saturday)
    base = f"/staff/participants/{anna}/hour-reports/{month}"
    answer = client.post(base, data={f"h_{day}_own_work": "2", "action": "submit"})
    assert answer.status_code == 400 and "is not a working day" in answer.text


def test_providers_see_only_their_own_participants_and_staff_without_the_right_none(
    client: TestClient,
) -> None:
    log_in(client, "lars", staff=True)
    bo = participant_id(client, "Bo Berg")
    assert client.get(f"/staff/participants/{bo}/hour-reports").status_code == 404  # no right
    log_in(client, "erik", staff=True)
    assert client.get(f"/staff/participants/{bo}/hour-reports").status_code == 404  # not his
    assert client.get(f"/staff/participants/{bo}/hour-reports/{THIS_MONTH}").status_code == 404
    anna = participant_id(client, "Anna Andersson")
    listing = client.get(f"/staff/participants/{anna}/hour-reports")
    assert listing.status_code == 200 and "Registered months" in listing.text
    future = THIS_MONTH.next()
    assert client.get(f"/staff/participants/{anna}/hour-reports/{future}").status_code == 404
    assert client.get(f"/staff/participants/{anna}/hour-reports/2026-1").status_code == 404


def test_the_caseworker_sees_the_hours_read_only_and_it_is_logged(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    page = client.get(f"/staff/participants/{anna}/hours")
    assert page.status_code == 200 and "Read-only view" in page.text
    links = re.findall(rf'href="(/staff/participants/{anna}/hours/\d+)"', page.text)
    report = client.get(links[0]).text
    assert "/approve" not in report and "Hours per week" in report


# ---------------------------------------------------------------- export


def test_exports_are_only_for_staff_with_the_right(client: TestClient) -> None:
    log_in(client, "erik", staff=True)
    assert client.get("/staff/exports").status_code == 404
    log_in(client, "vera", staff=True)
    assert (
        client.post("/staff/exports", data={"from": "2026-01", "to": "2026-02"}).status_code == 404
    )


def test_the_start_page_asks_for_the_hours_that_wait_until_they_are_answered(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    link = waiting_report(client)
    start = client.get("/").text
    to_do = start.split('id="to-do-title"', 1)[1].split("</section>", 1)[0]
    assert "Approve your hours for" in to_do and f'href="{link}"' in to_do
    assert "after that it disappears" in to_do
    assert start.index("to-do-title") < start.index("notices-title")  # what to do comes first
    answered = client.post(link + "/not-agreed", data={"comment": "The 3rd is wrong."})
    assert answered.status_code in (200, 303)
    assert f'href="{link}"' not in client.get("/").text.split("notices-title", 1)[0]


def test_a_submit_that_races_its_own_autosave_for_the_month_is_still_saved(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid autosaves a changed cell as the button is pressed: both requests may try to
    make the month's report; the submit that loses tries again instead of dropping the work."""
    log_in(client, "erik", staff=True)
    anna = participant_id(client, "Anna Andersson")
    month = THIS_MONTH.previous().previous().previous().previous().previous().previous()
    base = f"/staff/participants/{anna}/hour-reports/{month}"
    client.post(base + "/autosave", data={}, headers={"HX-Request": "true"})  # the autosave won
    real = service.find_report
    calls = []

    async def not_seen_yet(*arguments: object) -> object:
        calls.append(1)
        if len(calls) == 1:  # the submit's first look, before the autosave's commit
            return None
        return await real(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "find_report", not_seen_yet)
    submitted = client.post(base, data={"action": "submit"})
    assert submitted.status_code == 200 and "Submitted." in submitted.text
    assert len(calls) >= 3  # looked again after the conflict


def test_each_month_in_the_list_shows_the_hours_of_the_version_on_its_page(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    listing = client.get("/hours", headers={"Accept-Language": "en"}).text
    totals = re.findall(r"([\d.,]+) hours in total", listing)
    links = report_links(client)
    assert links and len(totals) == len(links)
    for link, total in zip(links, totals, strict=True):
        page = client.get(link, headers={"Accept-Language": "en"}).text
        shown = re.search(r"([\d.,]+) hours in \w+ \d{4}", page)
        assert shown and shown.group(1) == total, link
    assert any(total != "0" for total in totals), "the demo's months have hours"
