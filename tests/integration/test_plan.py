"""My Plan through HTTP: the participant's page, the caseworker's editor, scope, history, PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from tests.conftest import log_in, portal_today


def anna_id(client: TestClient) -> int:
    page = client.get("/staff/", params={"q": "Anna Andersson"}).text
    match = re.search(r'href="/staff/participants/(\d+)">Anna Andersson<', page)
    assert match
    return int(match.group(1))


def initiative_form(title: str, **changes: str) -> dict[str, str]:
    today = portal_today()
    return {
        "type": "company_internship",
        "title": title,
        "content": "Packing and stocktaking.",
        "hours_per_week": "15",
        "agreed_by": "Karin Karlsson",
        "start_date": (today - dt.timedelta(days=3)).isoformat(),
        "end_date": (today + dt.timedelta(days=30)).isoformat(),
        "address": "Lagergatan 2",
        "contact_name": "Sam Lager",
        "contact_phone": "08-123 45",
        "contact_email": "sam@lager.example",
        "purpose": "To try warehouse work.",
        **changes,
    }


def create_initiative(client: TestClient, participant: int, title: str) -> int:
    base = f"/staff/participants/{participant}/edit-plan"
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get(base + "/initiatives/new").text
    )
    assert token
    response = client.post(
        base + "/initiatives/new", data={**initiative_form(title), "form_token": token.group(1)}
    )
    assert response.status_code == 200 and "Saved." in response.text
    match = re.search(
        rf'href="{base}/initiatives/(\d+)">Change<span class="ds-sr-only"> {title}<', response.text
    )
    assert match, response.text
    return int(match.group(1))


def test_the_participant_sees_goals_agreement_and_a_timeline_in_state_order(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    page = client.get("/plan").text
    assert "Bagare / konditor" in page
    assert "Anna fortsätter praktiken" in page
    states = re.findall(r'data-state="(\w+)"', page)
    order = {"ongoing": 0, "planned": 1, "ended": 2, "cancelled": 3}
    assert states == sorted(states, key=order.__getitem__)
    assert {"ongoing", "planned", "ended", "cancelled"} <= set(states)
    assert "The period has been moved" in page
    assert 'href="tel:+468555' in page and 'href="mailto:lena@bageriet-solsidan.example"' in page


def test_a_change_is_marked_and_noticed_until_the_participant_has_seen_it(
    client: TestClient,
) -> None:
    log_in(client, "anna")
    client.get("/plan")  # everything so far is seen
    assert "Your plan has changed" not in client.get("/").text
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    title = f"Warehouse trial {uuid.uuid4().hex[:6]}"
    initiative = create_initiative(client, participant, title)
    base = f"/staff/participants/{participant}/edit-plan"
    assert "has not seen the latest version" in client.get(base).text
    later = (portal_today() + dt.timedelta(days=60)).isoformat()
    client.post(f"{base}/initiatives/{initiative}", data=initiative_form(title, end_date=later))
    client.cookies.clear()

    log_in(client, "anna")
    assert "Your plan has changed" in client.get("/").text
    page = client.get("/plan").text
    item = page.split(title, 1)[1].split("</article>", 1)[0]
    assert ">New<" in item  # created after the last look: new, not changed
    second = client.get("/plan").text
    assert ">New<" not in second.split(title, 1)[1].split("</article>", 1)[0]
    assert "Your plan has changed" not in client.get("/").text

    client.cookies.clear()
    log_in(client, "karin", staff=True)
    assert "saw the latest version" in client.get(base).text
    status = re.search(
        r'name="form_token" value="([^"]+)"',
        client.get(f"{base}/initiatives/{initiative}/status").text,
    )
    assert status
    client.post(
        f"{base}/initiatives/{initiative}/status",
        data={
            "text": "Good first week.",
            "entry_date": portal_today().isoformat(),
            "form_token": status.group(1),
        },
    )
    client.cookies.clear()
    log_in(client, "anna")
    item = client.get("/plan").text.split(title, 1)[1].split("</article>", 1)[0]
    assert ">Changed<" in item and "Changed: Latest status" in item
    assert "Good first week." in item


def test_moving_the_period_says_what_changed(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    title = f"Moved course {uuid.uuid4().hex[:6]}"
    initiative = create_initiative(client, participant, title)
    client.cookies.clear()
    log_in(client, "anna")
    client.get("/plan")
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    later = (portal_today() + dt.timedelta(days=90)).isoformat()
    base = f"/staff/participants/{participant}/edit-plan"
    client.post(f"{base}/initiatives/{initiative}", data=initiative_form(title, end_date=later))
    client.cookies.clear()
    log_in(client, "anna")
    item = client.get("/plan").text.split(title, 1)[1].split("</article>", 1)[0]
    assert "Changed: When" in item
    assert "The period has been moved" in item


def test_bad_input_comes_back_with_messages_and_everything_typed(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    base = f"/staff/participants/{anna_id(client)}/edit-plan"
    form = initiative_form(
        "Typed title kept", hours_per_week="45", end_date="2020-01-01", contact_email="nope"
    )
    response = client.post(
        base + "/initiatives/new", data={**form, "form_token": "t-" + uuid.uuid4().hex}
    )
    assert response.status_code == 400
    assert 'class="ds-error-summary"' in response.text
    assert 'href="#hours_per_week"' in response.text and 'href="#end_date"' in response.text
    assert 'href="#contact_email"' in response.text
    assert 'value="Typed title kept"' in response.text and 'value="45"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_double_submitted_new_initiative_is_created_once(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    base = f"/staff/participants/{participant}/edit-plan"
    title = f"Double click {uuid.uuid4().hex[:6]}"
    form = {**initiative_form(title), "form_token": "dbl-" + uuid.uuid4().hex}
    client.post(base + "/initiatives/new", data=form)
    client.post(base + "/initiatives/new", data=form)
    assert client.get(base).text.count(f'<h3 class="ds-heading" data-size="xs">{title}</h3>') == 1


def test_an_ended_initiative_is_locked(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    base = f"/staff/participants/{participant}/edit-plan"
    title = f"To be ended {uuid.uuid4().hex[:6]}"
    initiative = create_initiative(client, participant, title)
    assert (
        client.post(f"{base}/initiatives/{initiative}/end", data={"final_status": ""}).status_code
        == 400
    )
    ended = client.post(
        f"{base}/initiatives/{initiative}/end", data={"final_status": "It went well."}
    )
    assert "Saved." in ended.text
    assert client.get(f"{base}/initiatives/{initiative}").status_code == 409
    assert (
        client.post(f"{base}/initiatives/{initiative}", data=initiative_form(title)).status_code
        == 409
    )
    assert client.post(f"{base}/initiatives/{initiative}/cancel").status_code == 409
    assert client.get(f"{base}/initiatives/{initiative}/status").status_code == 409
    history = client.get(
        f"/staff/participants/{participant}/plan/initiatives/{initiative}/history"
    ).text
    assert "Version 2" in history and "It went well." in history


def test_only_caseworkers_of_the_participant_may_edit(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    client.cookies.clear()
    log_in(client, "lars", staff=True)  # Bo's caseworker
    assert client.get(f"/staff/participants/{participant}/edit-plan").status_code == 404
    response = client.post(
        f"/staff/participants/{participant}/edit-plan/goals/new?kind=job",
        data={"text": "Hacker", "form_token": "x" * 20},
    )
    assert response.status_code == 404
    client.cookies.clear()
    log_in(client, "erik", staff=True)  # provider: may read, not write
    assert client.get(f"/staff/participants/{participant}/plan").status_code == 200
    assert client.get(f"/staff/participants/{participant}/edit-plan").status_code == 404


def test_another_participants_initiative_history_is_not_found(client: TestClient) -> None:
    log_in(client, "anna")
    page = client.get("/plan").text
    initiative = re.search(r'href="/plan/initiatives/(\d+)/history"', page)
    assert initiative
    client.cookies.clear()
    log_in(client, "bo")
    assert client.get(f"/plan/initiatives/{initiative.group(1)}/history").status_code == 404


def test_goals_and_agreement_are_versioned(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    base = f"/staff/participants/{anna_id(client)}/edit-plan"
    goal_text = f"Shop assistant {uuid.uuid4().hex[:6]}"
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get(base + "/goals/new?kind=job").text
    )
    assert token
    client.post(
        base + "/goals/new?kind=job", data={"text": goal_text, "form_token": token.group(1)}
    )
    goal = re.search(
        rf'href="{base}/goals/(\d+)">Change<span class="ds-sr-only"> {goal_text}<',
        client.get(base).text,
    )
    assert goal
    client.post(f"{base}/goals/{goal.group(1)}/remove")
    agreement = f"We agree on step {uuid.uuid4().hex[:6]}."
    too_late = (portal_today() + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        base + "/agreement", data={"text": agreement, "agreed_on": too_late, "agreed_by": "Karin"}
    )
    assert refused.status_code == 400 and agreement in refused.text
    client.post(
        base + "/agreement",
        data={"text": agreement, "agreed_on": portal_today().isoformat(), "agreed_by": "Karin"},
    )
    client.cookies.clear()
    log_in(client, "anna")
    assert agreement in client.get("/plan").text
    assert goal_text not in client.get("/plan").text
    history = client.get("/plan/goals/history").text
    assert goal_text in history and "Removed" in history and agreement in history


def test_the_plan_pdf_is_a_tagged_pdf_for_participant_and_caseworker(client: TestClient) -> None:
    log_in(client, "anna")
    pdf = client.get("/plan.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    document = PdfReader(io.BytesIO(pdf.content))
    catalog: Any = document.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] in ("en", "sv", "da")
    assert "Bagare / konditor" in "".join(page.extract_text() for page in document.pages)
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    staff_pdf = client.get(f"/staff/participants/{participant}/plan.pdf")
    assert staff_pdf.status_code == 200 and staff_pdf.content.startswith(b"%PDF")


def test_the_read_only_plan_view_does_not_count_as_the_participant_seeing_it(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    create_initiative(client, participant, f"Unseen {uuid.uuid4().hex[:6]}")
    client.get(f"/staff/participants/{participant}/plan")
    assert (
        "has not seen the latest version"
        in client.get(f"/staff/participants/{participant}/edit-plan").text
    )


def test_a_change_whose_clock_reads_earlier_than_the_last_look_is_still_new(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers read the clock before they commit; the one that commits last may carry the
    older moment. What is seen and cached follows the plan's revisions, not those moments."""
    log_in(client, "karin", staff=True)
    anna = anna_id(client)
    client.cookies.clear()
    log_in(client, "anna")
    client.get("/plan")  # anna has seen everything
    assert "Your plan has changed" not in client.get("/").text
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    monkeypatch.setattr("portal.plan.service.utcnow", lambda: an_hour_ago)
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    title = f"Late clock {uuid.uuid4().hex[:6]}"
    create_initiative(client, anna, title)
    monkeypatch.undo()
    client.cookies.clear()
    log_in(client, "anna")
    assert "Your plan has changed" in client.get("/").text
    plan = client.get("/plan").text
    item = plan.split(title, 1)[1].split("</article>", 1)[0] if title in plan else ""
    assert title in plan and "New" in item
    assert "Your plan has changed" not in client.get("/").text


def test_no_fragment_marker_survives_in_a_page(client: TestClient) -> None:
    """The cached plan is spliced into the encoded page at a marker; none may be left."""
    log_in(client, "anna")
    for path in ("/", "/plan", "/plan", "/meetings", "/cv"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<!--fragment-" not in page.text


def test_cancelling_an_initiative_asks_why_and_tells_the_participant(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    base = f"/staff/participants/{participant}/edit-plan"
    title = f"To be cancelled {uuid.uuid4().hex[:6]}"
    initiative = create_initiative(client, participant, title)
    assert f'href="{base}/initiatives/{initiative}/cancel"' in client.get(base).text
    asked = client.get(f"{base}/initiatives/{initiative}/cancel")
    assert asked.status_code == 200
    assert f"Cancel “{title}”?" in asked.text and "Why is it cancelled?" in asked.text
    assert "Anna gets a notice about the change" in asked.text
    token = re.search(r'name="form_token" value="([^"]+)"', asked.text)
    version = re.search(r'name="version" value="(\d+)"', asked.text)
    assert token and version
    form = {"form_token": token.group(1), "version": version.group(1)}
    empty = client.post(f"{base}/initiatives/{initiative}/cancel", data={**form, "reason": " "})
    assert empty.status_code == 400 and 'class="ds-error-summary"' in empty.text
    assert 'href="#reason"' in empty.text
    done = client.post(
        f"{base}/initiatives/{initiative}/cancel",
        data={**form, "reason": "The company closed the placement."},
    )
    assert done.status_code == 200
    assert f"Cancelled: “{title}”. Anna gets a notice about the change." in done.text
    assert "Cancelled: " not in client.get(base).text  # said once
    history = client.get(
        f"/staff/participants/{participant}/plan/initiatives/{initiative}/history"
    ).text
    assert "The company closed the placement." in history and "Cancelled" in history


def test_removing_a_goal_asks_first(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    participant = anna_id(client)
    base = f"/staff/participants/{participant}/edit-plan"
    text = f"Goal to remove {uuid.uuid4().hex[:6]}"
    page = client.get(base + "/goals/new?kind=progression").text
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    added = client.post(
        base + "/goals/new?kind=progression", data={"text": text, "form_token": token.group(1)}
    ).text
    goal = re.search(
        rf'href="{base}/goals/(\d+)/remove">Remove<span class="ds-sr-only"> {text}<', added
    )
    assert goal
    asked = client.get(f"{base}/goals/{goal.group(1)}/remove")
    assert f"Remove the goal “{text}”?" in asked.text and "No, keep it" in asked.text
    assert text in client.get(base).text  # nothing removed by asking
    form = {
        name: re.search(rf'name="{name}" value="([^"]+)"', asked.text).group(1)  # type: ignore[union-attr]
        for name in ("form_token", "version")
    }
    removed = client.post(f"{base}/goals/{goal.group(1)}/remove", data=form)
    assert f"Removed: “{text}”." in removed.text
    assert client.get(f"{base}/goals/{goal.group(1)}/remove").status_code == 404
