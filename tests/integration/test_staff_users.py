"""Staff user administration through HTTP: the permission, the organisation's scope, the rules
at the field, changes that wait in "users to sign" until signed, signing exactly what was shown,
and the effects of a signed change on logins and open sessions."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

from httpx2 import Response
from starlette.testclient import TestClient

from portal.demo.caseload import personal_number
from portal.settings import Settings
from tests.conftest import client_of, log_in, portal_today
from tests.integration.test_hours import with_params
from tests.integration.test_meetings import sql

NEXT_YEAR_END = dt.date(portal_today().year + 1, 12, 31)


def user_id(url: str, persona_number: str) -> int:
    return int(
        sql(url, "SELECT id FROM staff_users WHERE personal_number = :n", n=persona_number)[0][0]
    )


def new_number(serial: int) -> str:
    return personal_number("SE", dt.date(1991, 4, 5), serial)


def create_form(number: str, **changes: str) -> dict[str, str]:
    form = {
        "first_name": "Nora",
        "last_name": "Nyström",
        "personal_number": number,
        "email": "nora@jobcentre.example.org",
        "rows": "2",
        "role-0": "service_admin",
        "start-0": portal_today().isoformat(),
        "end-0": NEXT_YEAR_END.isoformat(),
        "form_token": f"token-{number}",
        "action": "save",
    }
    form.update(changes)
    return form


def sign_list(client: TestClient, signer: str = "admin") -> tuple[str, Response]:
    """Start signing the list, then answer at the development IdP as `signer`."""
    started = client.post("/staff/users/sign", follow_redirects=False)
    assert started.status_code in (302, 303)
    location = started.headers["location"]
    assert "/dev-idp/authorize" in location and "prompt=login" in location
    assert "sign_text" in parse_qs(urlsplit(location).query)
    return location, client.get(with_params(location, login_hint=signer))


def waiting(client: TestClient) -> str:
    page = client.get("/staff/users").text
    return page.split('id="to-sign"', 1)[1].split("</section>", 1)[0]


def test_staff_administration_needs_the_permission(client: TestClient) -> None:
    assert client.get("/staff/users", follow_redirects=False).status_code == 303
    log_in(client, "karin", staff=True)
    for path in ("/staff/users", "/staff/users/new", "/staff/users/audit"):
        assert client.get(path).status_code == 404, path
    assert client.post("/staff/users/sign").status_code == 404
    assert "/staff/users" not in client.get("/staff/").text
    log_in(client, "admin", staff=True)
    assert 'href="/staff/users"' in client.get("/staff/").text


def test_the_list_searches_filters_and_pages_the_organisations_users(
    client: TestClient,
) -> None:
    log_in(client, "admin", staff=True)
    first = client.get("/staff/users").text
    match = re.search(r"Showing 1–25 of (\d+)\.", first)
    assert match and int(match.group(1)) >= 30
    assert "Erik" not in first  # the provider's user is another organisation's
    second = client.get("/staff/users", params={"page": "2"}).text
    assert "Showing 26–" in second
    karin = client.get("/staff/users", params={"q": "karin karl"}).text
    assert "Karlsson, Karin" in karin and "Showing 1–1 of 1." in karin
    assert "Karlsson, Karin" in client.get("/staff/users", params={"q": "197803121230"}).text
    ended = client.get("/staff/users", params={"status": "ended"}).text
    assert "Ended" in ended and "Karlsson, Karin" not in ended
    reviewers = client.get("/staff/users", params={"role": "reviewer"}).text
    assert "Vik, Vera" in reviewers and "Karlsson, Karin" not in reviewers
    for bad in ("²", "-1", "9" * 40):
        assert client.get("/staff/users", params={"page": bad, "sort": bad}).status_code == 200


def test_another_organisations_user_answers_404(client: TestClient, settings: Settings) -> None:
    erik = user_id(settings.database_url, "19750520-2346")
    log_in(client, "admin", staff=True)
    assert client.get(f"/staff/users/{erik}").status_code == 404
    assert client.get(f"/staff/users/{erik}/end").status_code == 404
    assert client.post(f"/staff/users/{erik}/end").status_code == 404
    assert client.get(f"/staff/users/{2**63}").status_code == 404
    batch = {"user_ids": [str(erik)], "batch_field": "end", "batch_date": "2027-01-31"}
    assert client.post("/staff/users/batch", data=batch).status_code == 400
    assert not sql(settings.database_url, "SELECT id FROM pending_staff_changes")


def test_the_rules_answer_at_the_field_with_what_was_typed_kept(client: TestClient) -> None:
    log_in(client, "admin", staff=True)
    cases = {
        "personal_number": create_form("19910405-1235"),  # wrong check digit
        "end-0": create_form(new_number(111), **{"role-0": "authorization_admin"}),
    }
    too_late = (NEXT_YEAR_END + dt.timedelta(days=1)).isoformat()
    cases["end-0 "] = create_form(new_number(112), **{"end-0": too_late})
    before = (portal_today() - dt.timedelta(days=1)).isoformat()
    cases["start-0"] = create_form(new_number(113), **{"start-0": before})
    cases["personal_number "] = create_form("19780312-1230")  # karin is a staff user already
    messages = {
        "personal_number": "right check digit",
        "end-0": "administrator&#39;s authorization has no end date",
        "end-0 ": f"No end date after {NEXT_YEAR_END.isoformat()}",
        "start-0": "cannot be in the past",
        "personal_number ": "already has a staff user",
    }
    for key, form in cases.items():
        answer = client.post("/staff/users/new", data=form)
        assert answer.status_code == 400, key
        assert messages[key] in answer.text, key
        assert f'id="{key.strip()}-error"' in answer.text, key
        assert 'value="Nyström"' in answer.text
    assert "No changes wait to be signed." in waiting(client)


def test_a_new_user_waits_unsigned_then_signing_makes_them_and_ends_another(
    settings: Settings,
) -> None:
    url = settings.database_url
    number = new_number(120)
    lars = user_id(url, "19820907-3454")
    with client_of(settings) as admin, client_of(settings) as lars_client:
        log_in(lars_client, "lars", staff=True)
        assert lars_client.get("/staff/").status_code == 200
        log_in(admin, "admin", staff=True)
        made = admin.post("/staff/users/new", data=create_form(number), follow_redirects=False)
        assert made.status_code == 303
        again = admin.post("/staff/users/new", data=create_form(number), follow_redirects=False)
        assert again.status_code == 303  # a second click: one waiting change
        assert admin.get(f"/staff/users/{lars}/end").status_code == 200
        assert admin.post(f"/staff/users/{lars}/end", follow_redirects=False).status_code == 303
        listed = waiting(admin)
        assert (
            "New user Nora Nyström" in listed
            and "Lars Lind: every authorization ends today" in listed
        )
        assert listed.count("Discard change") == 2
        home = admin.get("/staff/").text  # the start page says what waits for the admin
        assert "2 changes to staff users wait for your signature" in home
        # Nothing has taken effect: no new user, and lars still works.
        assert not sql(url, "SELECT id FROM staff_users WHERE personal_number = :n", n=number)
        assert lars_client.get("/staff/").status_code == 200
        with client_of(settings) as nora:
            assert log_in(nora, number, staff=True).status_code == 403

        _location, receipt = sign_list(admin)
        assert receipt.status_code == 200 and "Receipt of signed changes" in receipt.text
        signature = sql(
            url, "SELECT id, document_sha256, staff_user_id FROM signatures ORDER BY id DESC"
        )[0]
        assert signature[1] in receipt.text and signature[2] == user_id(url, "19700101-4328")
        assert "Nora Nyström" in receipt.text and "Lars Lind" in receipt.text
        audit = sql(
            url, "SELECT action FROM staff_audit_entries WHERE signature_id = :s", s=signature[0]
        )
        assert sorted(row[0] for row in audit) == ["create", "end"]
        assert "No changes wait to be signed." in waiting(admin)
        assert "Changes to sign" not in admin.get("/staff/").text

        # The ended caseworker's open session ends at the next request; a new login is refused.
        assert lars_client.get("/staff/", follow_redirects=False).status_code == 303
        assert log_in(lars_client, "lars", staff=True).status_code == 403
        # The new caseworker logs in and sees the caseworker's pages.
        with client_of(settings) as nora:
            start = log_in(nora, number, staff=True)
            assert start.status_code == 200 and "Hello, Nora" in start.text
        history = admin.get("/staff/users/audit", params={"q": "Lars"}).text
        assert "Lars Lind" in history and "Signed by Alva Åberg" in history


def test_a_list_changed_after_it_was_shown_is_not_signed(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    log_in(client, "admin", staff=True)
    first, second = new_number(130), new_number(131)
    client.post("/staff/users/new", data=create_form(first))
    started = client.post("/staff/users/sign", follow_redirects=False).headers["location"]
    client.post("/staff/users/new", data=create_form(second))
    answer = client.get(with_params(started, login_hint="admin"))
    assert answer.status_code == 409 and "changed after it was shown" in answer.text
    for number in (first, second):
        assert not sql(url, "SELECT id FROM staff_users WHERE personal_number = :n", n=number)
    # Signed by someone else: refused too.
    _location, refused = sign_list(client, signer="karin")
    assert refused.status_code == 400 and "Nothing was signed" in refused.text
    # Discarding leaves the rest, which can then be signed.
    change_ids = re.findall(r"/staff/users/to-sign/(\d+)/discard", waiting(client))
    client.post(f"/staff/users/to-sign/{change_ids[-1]}/discard")
    _location, receipt = sign_list(client)
    assert receipt.status_code == 200
    assert sql(url, "SELECT id FROM staff_users WHERE personal_number = :n", n=first)
    assert not sql(url, "SELECT id FROM staff_users WHERE personal_number = :n", n=second)


def test_an_administrator_keeps_their_own_and_the_organisations_last_administrator(
    client: TestClient, settings: Settings
) -> None:
    admin = user_id(settings.database_url, "19700101-4328")
    log_in(client, "admin", staff=True)
    refused = client.post(f"/staff/users/{admin}/end")
    assert refused.status_code == 400
    assert "cannot remove your own last authorization as administrator" in refused.text
    authorization = sql(
        settings.database_url,
        "SELECT id FROM staff_authorizations WHERE staff_user_id = :u",
        u=admin,
    )[0][0]
    change = client.post(
        f"/staff/users/{admin}",
        data={
            "email": "alva@jobcentre.example.org",
            f"end_now-a{authorization}": "yes",
            "rows": "1",
        },
    )
    assert change.status_code == 400 and "own last authorization" in change.text
    assert 'id="current-roles-error"' in change.text and 'href="#current-roles"' in change.text


def test_a_batch_sets_a_new_end_date_for_the_chosen_users_once_signed(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    karin, palle = user_id(url, "19780312-1230"), user_id(url, "19911123-8763")
    admin = user_id(url, "19700101-4328")
    log_in(client, "admin", staff=True)
    new_end = (portal_today() + dt.timedelta(days=90)).isoformat()
    with_admin = {"user_ids": [str(karin), str(admin)], "batch_field": "end", "batch_date": new_end}
    refused = client.post("/staff/users/batch", data=with_admin)
    assert refused.status_code == 400 and "Alva Åberg" in refused.text
    assert 'value="' + new_end + '"' in refused.text
    chosen = {"user_ids": [str(karin), str(palle)], "batch_field": "end", "batch_date": new_end}
    assert client.post("/staff/users/batch", data=chosen, follow_redirects=False).status_code == 303
    assert f"New end date {new_end} for: Karin Karlsson, Palle Persson." in waiting(client)
    query = "SELECT end_date FROM staff_authorizations WHERE staff_user_id = :u"
    assert str(sql(url, query, u=karin)[0][0]) != new_end
    sign_list(client)
    assert [str(row[0]) for row in sql(url, query, u=karin)] == [new_end]
    assert [str(row[0]) for row in sql(url, query, u=palle)] == [new_end]


def test_the_organisation_details_are_kept_by_the_administrator(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    page = client.get("/staff/organisation").text
    assert "Storgatan 12" in page and 'action="/staff/organisation"' not in page
    log_in(client, "admin", staff=True)
    form = {"name": "", "email": "not-an-address", "contact-0-phone": "+46 8 1"}
    bad = client.post("/staff/organisation", data=form)
    assert bad.status_code == 400 and 'id="name-error"' in bad.text
    assert 'id="email-error"' in bad.text and 'id="contact-0-name-error"' in bad.text
    good = {
        "name": "Arbetsförmedlingen Demo",
        "street_address": "Nygatan 1",
        "contact-0-name": "Alva",
    }
    assert "Saved: the organisation details." in client.post("/staff/organisation", data=good).text
    assert "Nygatan 1" in client.get("/staff/organisation").text


def test_the_audit_keeps_what_a_user_was_before_a_signed_change(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    vera = user_id(url, "19880214-5675")
    log_in(client, "admin", staff=True)
    form = {"email": "vera.vik@jobcentre.example.org", "rows": "1", "action": "save"}
    for authorization_id, start, end in sql(
        url,
        "SELECT id, start_date, end_date FROM staff_authorizations WHERE staff_user_id = :u",
        u=vera,
    ):
        form[f"start-a{authorization_id}"] = str(start)
        form[f"end-a{authorization_id}"] = str(end or "")
    saved = client.post(f"/staff/users/{vera}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    sign_list(client)
    (before, after) = sql(
        url,
        "SELECT before, after FROM staff_audit_entries WHERE staff_user_id = :u "
        "ORDER BY id DESC LIMIT 1",
        u=vera,
    )[0]
    assert "vera@jobcentre.example.org" in str(before)
    assert "vera.vik@jobcentre.example.org" in str(after)
