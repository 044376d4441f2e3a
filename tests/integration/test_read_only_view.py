"""The caseworker's read-only view of a participant's pages, its scope and its access log."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from portal.auth.sessions import participant_with_session
from portal.participants.routes import PAGES
from portal.staff.service import visible_participant_query
from tests.conftest import log_in, recorded_reads


def participant_id(client: TestClient, name: str) -> int:
    page = client.get("/staff/", params={"q": name}).text
    match = re.search(rf'href="/staff/participants/(\d+)">{name}<', page)
    assert match, f"{name} is not listed"
    return int(match.group(1))


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("suffix", [suffix for suffix, _page, _what in PAGES])
def test_read_only_view_renders_every_participant_page_without_forms(
    client: TestClient, suffix: str
) -> None:
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    response = client.get(f"/staff/participants/{anna}{suffix}")
    assert response.status_code == 200
    assert "Read-only view of Anna Andersson" in response.text
    assert "<form" not in main_of(response.text)
    # Links inside the view stay inside the view.
    assert 'href="/plan"' not in main_of(response.text)
    assert f'href="/staff/participants/{anna}/plan"' in main_of(response.text)


def test_read_only_view_shows_what_the_participant_sees(client: TestClient) -> None:
    log_in(client, "anna")
    own = main_of(client.get("/").text)
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    viewed = main_of(client.get(f"/staff/participants/{anna}").text)
    assert (
        own.replace('href="/', f'href="/staff/participants/{anna}/').replace(
            f'/staff/participants/{anna}/"', f'/staff/participants/{anna}"'
        )
        == viewed
    )


def test_opening_the_view_is_written_to_the_participants_access_log(client: TestClient) -> None:
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    client.get(f"/staff/participants/{anna}/hours")
    client.cookies.clear()
    log_in(client, "anna")
    log = client.get("/access-log").text
    first_row = log.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "Karin Karlsson" in first_row
    assert "Arbetsförmedlingen Nacka" in first_row
    assert "Hour histories" in first_row


def latest_access_row(client: TestClient) -> str:
    client.cookies.clear()
    log_in(client, "anna")
    log = client.get("/access-log").text
    return log.split("<tbody>", 1)[1].split("</tr>", 1)[0]


def test_opening_the_plan_editor_and_the_hour_registration_is_in_the_access_log(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    assert client.get(f"/staff/participants/{anna}/edit-plan").status_code == 200
    row = latest_access_row(client)
    assert "Karin Karlsson" in row and "in the caseworker" in row
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    assert client.get(f"/staff/participants/{anna}/meeting-markings").status_code == 200
    row = latest_access_row(client)
    assert "Karin Karlsson" in row and "Meetings" in row
    client.cookies.clear()
    log_in(client, "erik", staff=True)
    assert client.get(f"/staff/participants/{anna}/hour-reports").status_code == 200
    row = latest_access_row(client)
    assert "Erik" in row and "where the provider registers them" in row


def test_the_read_only_view_offers_the_tools_the_viewer_may_use_outside_the_frame(
    client: TestClient,
) -> None:
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    page = client.get(f"/staff/participants/{anna}/plan").text
    banner = page.split('class="read-only-banner"', 1)[1].split("</section>", 1)[0]
    assert f'href="/staff/participants/{anna}/edit-plan">Edit My Plan<' in banner
    assert "<form" not in main_of(page)
    start = client.get("/staff/").text
    assert f'href="/staff/participants/{anna}/edit-plan">Edit My Plan<' in start
    client.cookies.clear()
    log_in(client, "vera", staff=True)  # a reviewer reads, and writes no plan
    page = client.get(f"/staff/participants/{anna}/plan").text
    assert "Read-only view of Anna Andersson" in page and "/edit-plan" not in page


def test_a_participant_outside_the_caseworkers_scope_answers_404(client: TestClient) -> None:
    log_in(client, "lars", staff=True)
    bo = participant_id(client, "Bo Berg")
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    response = client.get(f"/staff/participants/{bo}")
    assert response.status_code == 404
    assert "Bo Berg" not in response.text
    assert client.get(f"/staff/participants/{bo}/plan").status_code == 404
    assert client.get("/staff/participants/999999").status_code == 404


def test_provider_staff_see_the_participants_of_their_organisation(client: TestClient) -> None:
    response = log_in(client, "erik", staff=True)
    assert "Anna Andersson" in response.text
    assert "Bo Berg" not in response.text


def test_a_role_without_participant_access_sees_no_participants(client: TestClient) -> None:
    response = log_in(client, "palle", staff=True)
    assert "does not include looking at participants" in response.text
    assert "/staff/participants/" not in response.text


def test_a_participant_cannot_open_the_staff_view(client: TestClient) -> None:
    log_in(client, "anna")
    response = client.get("/staff/participants/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")


def test_the_permission_matrix_is_shown_to_staff(client: TestClient) -> None:
    log_in(client, "admin", staff=True)
    page = client.get("/staff/permissions").text
    assert "Authorization administrator" in page
    assert "Export consented data (ESF and statistics)" in page
    assert page.count("●") >= 12


def test_a_staff_page_about_a_participant_reads_them_with_the_session(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the staff user may see the participant of the path is read in the session's
    own read (one round trip), with the same answer: the page, or 404 for one out of scope."""
    log_in(client, "lars", staff=True)
    bo = participant_id(client, "Bo Berg")
    client.cookies.clear()
    log_in(client, "karin", staff=True)
    anna = participant_id(client, "Anna Andersson")
    reads = recorded_reads(monkeypatch)
    for path in (f"/staff/participants/{anna}", f"/staff/participants/{anna}/plan"):
        reads.clear()
        assert client.get(path).status_code == 200
        assert participant_with_session() in reads
        assert visible_participant_query() not in reads
    reads.clear()
    assert client.get(f"/staff/participants/{bo}/plan").status_code == 404
    assert participant_with_session() in reads
    assert visible_participant_query() not in reads
