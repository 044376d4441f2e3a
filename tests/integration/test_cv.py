"""'I am looking for a job as' through HTTP: search with and without htmx, details, the
at-least-one rule, scope, the caseworker's read-only view and the job-goal hint."""

from __future__ import annotations

import re
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import unquote

from starlette.testclient import TestClient

from portal.settings import Settings
from tests.conftest import at_once, log_in
from tests.integration.test_notifications import Inbox, deliver, smtp, sql

__all__ = ["smtp"]  # the fixture, used by name

DETAILS = {
    "trained": "no",
    "experienced": "yes",
    "hours_per_week": "20",
    "start": "now",
    "employment_form": "temporary",
    "conditions": "ordinary",
}
MISMATCH = "does not match any occupation you look for a job as"


def first_hit(page: str) -> str:
    match = re.search(r'href="/cv/jobs/new\?uri=([^"]+)"', page)  # a link or an option
    assert match, page
    return unquote(match.group(1))


def item_ids(client: TestClient) -> dict[str, int]:
    page = client.get("/cv/jobs").text
    return {
        name.strip(): int(number)
        for number, name in re.findall(
            r'href="/cv/jobs/(\d+)">Change<span class="ds-sr-only"> ([^<]+)<', page
        )
    }


def test_the_search_page_works_without_javascript_and_as_htmx_suggestions(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    page = client.get("/cv/jobs/new", params={"q": "warehouse w"})
    assert page.status_code == 200 and "Warehouse worker" in page.text
    assert 'hx-get="/cv/occupations/suggest"' in page.text
    fragment = client.get(
        "/cv/occupations/suggest", params={"q": "WAREHOUSE W"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'role="listbox"' in fragment.text and 'role="option"' in fragment.text
    assert first_hit(fragment.text) == first_hit(page.text)
    many = client.get("/cv/jobs/new", params={"q": "manager"})
    assert "The 10 best matches; type more to narrow them down." in many.text
    nothing = client.get("/cv/occupations/suggest", params={"q": "qqqq"})
    assert "No occupation matches" in nothing.text


def test_an_occupation_is_added_with_its_details_and_bad_input_is_kept(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    uri = first_hit(client.get("/cv/jobs/new", params={"q": "shop assistant"}).text)
    form = client.get("/cv/jobs/new", params={"uri": uri})
    assert form.status_code == 200 and "a job as shop assistant" in form.text
    bad = client.post("/cv/jobs/new", data={**DETAILS, "uri": uri, "hours_per_week": "80"})
    assert bad.status_code == 400
    assert "Give a number from 0 to 60." in bad.text and 'value="80"' in bad.text
    added = client.post("/cv/jobs/new", data={**DETAILS, "uri": uri})
    assert added.status_code == 200 and "The occupation is added." in added.text
    assert "20 hours a week (part time)" in added.text
    again = client.post("/cv/jobs/new", data={**DETAILS, "uri": uri})
    assert again.status_code == 409 and "You already look for a job as" in again.text
    assert client.get("/cv/jobs/new", params={"uri": "urn:nothing"}).status_code == 404


def test_the_last_occupation_cannot_be_removed_and_the_plan_hint_follows_the_goals(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    # "Bagare / konditor" names the baker by its Swedish name
    assert MISMATCH not in client.get("/plan").text
    ids = item_ids(client)
    baker = next(number for name, number in ids.items() if name.startswith("Baker"))
    others = [number for name, number in ids.items() if not name.startswith("Baker")]
    for number in others:
        assert client.post(f"/cv/jobs/{number}/remove").status_code == 200
    refused = client.post(f"/cv/jobs/{baker}/remove")
    assert refused.status_code == 409 and "at least one occupation" in refused.text
    uri = first_hit(client.get("/cv/jobs/new", params={"q": "warehouse manager"}).text)
    client.post("/cv/jobs/new", data={**DETAILS, "uri": uri})
    assert client.post(f"/cv/jobs/{baker}/remove").status_code == 200
    assert MISMATCH in client.get("/plan").text
    log_in(client, "karin", staff=True)
    anna = re.search(
        r'href="/staff/participants/(\d+)">Anna', client.get("/staff/?q=Anna+Andersson").text
    )
    assert anna
    editor = client.get(f"/staff/participants/{anna.group(1)}/edit-plan").text
    assert "No job goal matches an occupation Anna looks for a job as" in editor
    log_in(client, "anna")
    baker_uri = first_hit(client.get("/cv/jobs/new", params={"q": "baker"}).text)
    client.post("/cv/jobs/new", data={**DETAILS, "uri": baker_uri})
    assert MISMATCH not in client.get("/plan").text


def test_changing_an_occupation_keeps_what_was_typed_on_error(client: TestClient) -> None:
    log_in(client, "anna")
    number = next(iter(item_ids(client).values()))
    bad = client.post(
        f"/cv/jobs/{number}", data={**DETAILS, "start": "date", "earliest_start": "2020-01-01"}
    )
    assert bad.status_code == 400 and "Give a date from today on." in bad.text
    assert 'value="2020-01-01"' in bad.text
    ok = client.post(f"/cv/jobs/{number}", data={**DETAILS, "hours_per_week": "40"})
    assert "Saved." in ok.text and "40 hours a week (full time)" in ok.text


def test_another_participants_occupations_answer_404(client: TestClient) -> None:
    log_in(client, "bo")
    bo_items = list(item_ids(client).values())
    assert bo_items
    log_in(client, "anna")
    for number in bo_items:
        assert client.get(f"/cv/jobs/{number}").status_code == 404
        assert client.post(f"/cv/jobs/{number}", data=DETAILS).status_code == 404
        assert client.post(f"/cv/jobs/{number}/remove").status_code == 404


def test_the_caseworker_reads_the_occupations_and_it_is_logged(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    anna = re.search(
        r'href="/staff/participants/(\d+)">Anna', client.get("/staff/?q=Anna+Andersson").text
    )
    assert anna
    page = client.get(f"/staff/participants/{anna.group(1)}/cv/jobs")
    assert page.status_code == 200 and "Read-only view" in page.text
    assert "/remove" not in page.text and "Add an occupation" not in page.text
    log_in(client, "anna")
    assert "Karin Karlsson" in client.get("/access-log").text
    assert client.get("/cv/occupations/suggest", params={"q": "x"}).status_code == 200
    client.post("/auth/logout")
    assert client.get("/cv/occupations/suggest", params={"q": "x"}).url.path == "/login"


def test_the_about_page_carries_the_esco_attribution(client: TestClient) -> None:
    page = client.get("/about")
    assert page.status_code == 200
    assert "This service uses the ESCO classification of the European Commission." in page.text


# ---------------------------------------------------------------- My CV

JOB = {
    "title": "Bakery assistant",
    "organisation": "Bageriet Solsidan",
    "start_month": "2023-02",
    "end_month": "2024-06",
    "description": "Baking bread, serving customers.",
}


def entry_ids(client: TestClient, kind: str) -> list[int]:
    page = client.get("/cv").text
    section = page.split(f'id="{kind}"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'href="/cv/entries/(\d+)"', section)]


def test_my_cv_says_what_is_missing_until_work_and_education_are_there(
    client: TestClient,
) -> None:
    log_in(client, "anna")  # the demo gives her a job and no education yet
    page = client.get("/cv").text
    assert "Your CV is not complete" in page
    assert "Add at least one entry under “Education, courses and certifications”." in page
    assert "Add at least one entry under “Work experience”." not in page
    added = client.post("/cv/entries/new?kind=work", data=JOB)
    assert added.status_code == 200 and "Bakery assistant" in added.text
    education = {
        "title": "Forklift licence A+B",
        "organisation": "Lagerskolan",
        "level": "certification",
        "start_month": "2025-01",
        "end_month": "2025-01",
    }
    assert client.post("/cv/entries/new?kind=education", data=education).status_code == 200
    assert "Your CV is not complete" not in client.get("/cv").text


def test_entries_are_checked_at_the_fields_with_what_was_typed_kept(client: TestClient) -> None:
    log_in(client, "bo")
    bad = client.post(
        "/cv/entries/new?kind=work",
        data={**JOB, "start_month": "2024-07", "end_month": "2024-13", "title": ""},
    )
    assert bad.status_code == 400
    assert "Give a month, like 2024-03." in bad.text and "Fill this in." in bad.text
    assert 'value="2024-13"' in bad.text and "Bageriet Solsidan" in bad.text
    order = client.post("/cv/entries/new?kind=work", data={**JOB, "start_month": "2024-07"})
    assert "The end must be the same month as the start or later." in order.text
    future = client.post(
        "/cv/entries/new?kind=work", data={**JOB, "start_month": "2099-01", "ongoing": "yes"}
    )
    assert "Give this month or an earlier one." in future.text
    long = client.post("/cv/entries/new?kind=work", data={**JOB, "description": "x" * 2001})
    assert "At most 2000 characters; this has 2001." in long.text
    assert client.get("/cv/entries/new?kind=hobby").status_code == 404


def test_entries_are_reordered_changed_and_removed(client: TestClient) -> None:
    log_in(client, "bo")
    client.post("/cv/entries/new?kind=work", data={**JOB, "title": "Second job"})
    first, second = entry_ids(client, "work")[:2]
    client.post(f"/cv/entries/{second}/move", data={"to": "up"})
    assert entry_ids(client, "work")[:2] == [second, first]
    changed = client.post(
        f"/cv/entries/{second}", data={**JOB, "title": "Second job", "ongoing": "yes"}
    )
    assert changed.status_code == 200 and "now" in changed.text
    client.post(f"/cv/entries/{second}/remove")
    assert second not in entry_ids(client, "work")


def test_profile_skills_licences_and_the_searchable_switch(client: TestClient) -> None:
    log_in(client, "bo")
    bad = client.post("/cv/profile", data={"profile": "p" * 1001, "driving_licences": ["B", "Z"]})
    assert bad.status_code == 400 and "Choose among the licences listed." in bad.text
    saved = client.post(
        "/cv/profile",
        data={"profile": "Calm and tidy.", "driving_licences": ["C", "B"], "searchable": "yes"},
    )
    assert saved.status_code == 200
    assert "Calm and tidy." in saved.text and "B, C" in saved.text


def test_another_participants_cv_entries_answer_404(client: TestClient) -> None:
    log_in(client, "bo")
    bo_entries = entry_ids(client, "work")
    assert bo_entries
    log_in(client, "anna")
    assert not set(bo_entries) & set(entry_ids(client, "work"))
    for number in bo_entries:
        assert client.get(f"/cv/entries/{number}").status_code == 404
        assert client.post(f"/cv/entries/{number}", data=JOB).status_code == 404
        assert client.post(f"/cv/entries/{number}/remove").status_code == 404


# ---------------------------------------------------------------- presentation CV and sharing


def make_link(client: TestClient, **data: str) -> str:
    page = client.get("/cv/presentation").text
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    made = client.post("/cv/presentation/shares", data={"form_token": token.group(1), **data})
    assert made.status_code == 200, made.text
    link = re.search(r'<code class="fingerprint" id="new-link">([^<]+)</code>', made.text)
    assert link
    return link.group(1).replace("http://testserver", "")


def revoke_links(client: TestClient) -> list[str]:
    """The ids of the participant's links that can still be revoked."""
    return re.findall(
        r'href="/cv/presentation/shares/(\d+)/revoke"', client.get("/cv/presentation").text
    )


def test_the_presentation_cv_is_written_and_checked(client: TestClient) -> None:
    log_in(client, "anna")
    long = client.post("/cv/presentation/texts", data={"about_me": "a" * 2001})
    assert long.status_code == 400 and "At most 2000 characters; this has 2001." in long.text
    saved = client.post(
        "/cv/presentation/texts",
        data={"about_me": "I like early mornings.", "job_functions": "Baking bread."},
    )
    assert "I like early mornings." in saved.text
    missing = client.post("/cv/presentation/experiences/new", data={"place": "Café"})
    assert missing.status_code == 400 and 'value="Café"' in missing.text
    added = client.post(
        "/cv/presentation/experiences/new",
        data={"kind": "internship", "place": "Bageriet", "tasks": "Dough.", "verdict": "good"},
    )
    assert "Internship: Bageriet" in added.text and "A good experience" in added.text


def test_a_shared_link_shows_only_the_presentation_cv_and_logs_each_view(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    texts = {"about_me": "I like early mornings.", "job_functions": "Baking bread."}
    written = client.post("/cv/presentation/texts", data=texts)  # as above, when run alone
    assert written.status_code == 200
    link = make_link(client, employer_name="Bageriet Solsidan", days="30")
    client.post("/auth/logout")
    shared = client.get(link)
    assert shared.status_code == 200
    assert "I like early mornings." in shared.text and "Anna Andersson" in shared.text
    assert "19900101" not in shared.text and "Samarbets" not in shared.text
    assert "My Plan" not in shared.text and "Bagare / konditor" not in shared.text
    pdf = client.get(link + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    log_in(client, "anna")
    page = client.get("/cv/presentation").text
    assert "Bageriet Solsidan" in page and "Opened 2 times:" in page
    assert link.rsplit("/", 1)[1] not in page  # the token is shown only once
    client.post("/auth/logout")
    for _ in range(10):
        assert client.get(link).status_code == 200
    log_in(client, "anna")
    page = client.get("/cv/presentation").text
    opened = re.search(r"Opened 12 times: ([^<]*)</p>", page)
    assert opened, "every opening counted"
    assert opened.group(1).count(",") == 9 and "(PDF)" not in opened.group(1), "the newest ten"


def test_a_revoked_or_expired_link_answers_410(client: TestClient) -> None:
    log_in(client, "anna")
    bad = client.post("/cv/presentation/shares", data={"form_token": "x", "days": "91"})
    assert bad.status_code == 400 and "from 1 to 90" in bad.text
    link = make_link(client, employer_name="Revoked Ltd")
    share = revoke_links(client)
    client.post(f"/cv/presentation/shares/{share[0]}/revoke")
    assert client.get(link).status_code == 410
    assert client.get(link + ".pdf").status_code == 410
    assert client.get("/shared/cv/not-a-token").status_code == 404


def test_the_caseworker_downloads_the_presentation_pdf_and_bo_cannot_revoke_annas_links(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    if not revoke_links(client):  # run alone: a link of her own first
        make_link(client, employer_name="Bageriet Solsidan")
    shares = revoke_links(client)
    asked = client.get(f"/cv/presentation/shares/{shares[0]}/revoke")
    assert asked.status_code == 200 and "Revoke the link for" in asked.text
    log_in(client, "bo")
    for share in shares:
        assert client.get(f"/cv/presentation/shares/{share}/revoke").status_code == 404
        assert client.post(f"/cv/presentation/shares/{share}/revoke").status_code == 404
    log_in(client, "karin", staff=True)
    anna = re.search(
        r'href="/staff/participants/(\d+)">Anna', client.get("/staff/?q=Anna+Andersson").text
    )
    assert anna
    pdf = client.get(f"/staff/participants/{anna.group(1)}/cv/presentation.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = client.get(f"/staff/participants/{anna.group(1)}/cv/presentation").text
    assert "Make a link" not in page


def test_all_cv_data_downloads_as_json_resume_and_pdf(client: TestClient) -> None:
    log_in(client, "bo")
    data = client.get("/cv/export.json").json()
    assert data["basics"]["name"] == "Bo Berg"
    assert any(job["position"] == "Lagerarbetare" for job in data["work"])
    assert data["education"][0]["institution"] == "Nacka gymnasium"
    assert data["x-portal"]["lookingForJobAs"][0]["occupationUri"].startswith("http")
    pdf = client.get("/cv/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_job_may_name_an_occupation_from_the_list_found_without_javascript(
    client: TestClient,
) -> None:
    log_in(client, "bo")
    base = {**JOB, "title": "", "occupation_q": "forklift", "action": "find"}
    found = client.post("/cv/entries/new?kind=work", data=base)
    assert found.status_code == 200 and 'name="occupation_uri"' in found.text
    assert "Bageriet Solsidan" in found.text  # what was typed is kept
    uri = re.search(r'name="occupation_uri" value="([^"]+)"', found.text)
    assert uri
    saved = client.post(
        "/cv/entries/new?kind=work",
        data={**JOB, "title": "", "occupation_uri": uri.group(1), "action": "save"},
    )
    assert saved.status_code == 200 and "Occupation: forklift operator" in saved.text
    bad = client.post(
        "/cv/entries/new?kind=work", data={**JOB, "occupation_uri": "urn:none", "action": "save"}
    )
    assert bad.status_code == 400 and "Choose an occupation from the list." in bad.text
    enter = client.post("/cv/entries/new?kind=work", data={**JOB, "action": "find"})
    assert enter.status_code == 200 and "Saved." in enter.text  # Enter with nothing to find


def form_token_of(client: TestClient, path: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form token on {path}"
    return found[1]


def test_a_double_clicked_entry_or_experience_is_added_once(client: TestClient) -> None:
    log_in(client, "anna")
    job = {
        **JOB,
        "title": "Pastry cook",
        "form_token": form_token_of(client, "/cv/entries/new?kind=work"),
    }
    before = client.get("/cv").text.count("Pastry cook")
    first = client.post("/cv/entries/new?kind=work", data=job)
    once = client.get("/cv").text.count("Pastry cook")
    again = client.post("/cv/entries/new?kind=work", data=job)
    assert first.status_code == again.status_code == 200
    assert once > before and client.get("/cv").text.count("Pastry cook") == once
    experience = {
        "kind": "internship",
        "place": "Konditoriet",
        "tasks": "Cakes.",
        "verdict": "good",
        "form_token": form_token_of(client, "/cv/presentation/experiences/new"),
    }
    for _ in range(2):
        answer = client.post("/cv/presentation/experiences/new", data=experience)
        assert answer.status_code == 200
    assert client.get("/cv/presentation").text.count("Internship: Konditoriet") == 1


def test_removing_asks_first_and_then_says_what_was_removed(client: TestClient) -> None:
    log_in(client, "anna")
    job = {
        **JOB,
        "title": "Sugar baker",
        "form_token": form_token_of(client, "/cv/entries/new?kind=work"),
    }
    client.post("/cv/entries/new?kind=work", data=job)
    page = client.get("/cv").text
    found = re.search(
        r'href="(/cv/entries/\d+/remove)">Remove<span class="ds-sr-only"> Sugar baker<', page
    )
    assert found
    asked = client.get(found.group(1))
    assert asked.status_code == 200
    assert "Remove “Sugar baker” from your CV?" in asked.text and "No, keep it" in asked.text
    assert f'action="{found.group(1)}"' in asked.text
    assert "Sugar baker" in client.get("/cv").text  # asking removes nothing
    removed = client.post(found.group(1))
    assert "Removed: “Sugar baker”." in removed.text
    assert "Removed: " not in client.get("/cv").text  # said once
    assert client.get(found.group(1)).status_code == 404
    link = make_link(client, employer_name="Asked Ltd")
    share = re.findall(
        r'href="(/cv/presentation/shares/\d+/revoke)"', client.get("/cv/presentation").text
    )[0]
    assert "Revoke the link for Asked Ltd?" in client.get(share).text
    assert client.get(link).status_code == 200  # still open while asking
    revoked = client.post(share)
    assert "The link is revoked" in revoked.text and client.get(link).status_code == 410
    assert re.search(r"made [^,<]+, revoked \d", client.get("/cv/presentation").text)
    log_in(client, "bo")
    assert client.get(found.group(1)).status_code == 404


def test_a_link_given_an_address_is_e_mailed_once_with_the_message_and_not_kept(
    client: TestClient, settings: Settings, smtp: tuple[str, Inbox], tmp_path: Path
) -> None:
    url, inbox = smtp
    worker = replace(settings, smtp_url=url, var_dir=str(tmp_path))
    deliver(worker)  # whatever earlier tests left
    inbox.messages.clear()
    log_in(client, "anna")
    refused = client.post(
        "/cv/presentation/shares",
        data={"form_token": form_token_of(client, "/cv/presentation"), "message": "Hej!"},
    )
    assert refused.status_code == 400 and 'href="#employer_email"' in refused.text
    assert ">Hej!</textarea>" in refused.text  # what was typed is kept
    form = {
        "form_token": form_token_of(client, "/cv/presentation"),
        "days": "10",
        "employer_name": "Mail AB",
        "employer_email": "hr@mail.example",
        "message": "Hej! Här är mitt CV.",
    }
    first, second = at_once(
        client,
        ("POST", "/cv/presentation/shares", {"data": form}),
        ("POST", "/cv/presentation/shares", {"data": form}),
    )
    assert "on its way by e-mail to hr@mail.example" in first.text + second.text
    found = re.search(r"http://testserver/shared/cv/[A-Za-z0-9_-]+", first.text)
    assert found
    assert deliver(worker) == (1, 0)  # a double click sends one e-mail
    (mail,) = [m for m in inbox.messages if m.rcpt_tos == ["hr@mail.example"]]
    text = message_from_bytes(mail.content, policy=policy.default).get_content()
    assert found.group(0) in text and "Hej! Här är mitt CV." in text
    bodies = sql(
        settings,
        "SELECT body, sent_at FROM outbox WHERE recipient = 'hr@mail.example'",
    )
    assert [(body, sent is not None) for body, sent in bodies] == [("", True)]  # not kept
