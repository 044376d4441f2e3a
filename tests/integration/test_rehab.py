"""The rehabilitation plan's preparatory part through HTTP: the participant and the caseworker
write it together, a text is never lost, two saves at once never overwrite each other, the
lock ends all writing, and every route answers only whom it should."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from starlette.testclient import TestClient

from portal.settings import Settings
from tests.conftest import client_of, log_in
from tests.integration.test_employers import anna_id
from tests.integration.test_notifications import sql


def based_on(page: str) -> str:
    found = re.search(r'name="based_on" value="(\d+)"', page)
    assert found is not None, "no form on the page"
    return found.group(1)


def test_the_overview_shows_four_sections_with_their_progress(client: TestClient) -> None:
    log_in(client, "anna")
    page = client.get("/rehab")
    assert page.status_code == 200
    for section in ("1. My case", "2. My CV", "3. My situation", "4. Remarks"):
        assert section in page.text
    assert "0 of 6 parts" in page.text
    assert 'href="/rehab"' in client.get("/plan").text  # found from My Plan
    assert client.get("/rehab/unknown").status_code == 404


def test_a_follow_up_text_comes_back_with_its_option(client: TestClient) -> None:
    log_in(client, "anna")
    page = client.get("/rehab/situation").text
    # Every follow-up is in the form; only the chosen option's is shown.
    assert page.count('class="follow-up"') == 18 and page.count(" hidden>") == 18
    saved = client.post(
        "/rehab/situation",
        data={
            "based_on": based_on(page),
            "option_everyday": "partly",
            "follow_everyday_partly": "Mornings are hard.",
        },
    )
    assert saved.status_code == 200 and "Saved: My situation." in saved.text
    assert "1 of 6 parts" in saved.text
    page = client.get("/rehab/situation").text
    assert re.search(r'data-kind="partly">\s*<div class="ds-field">', page)  # shown now
    changed = client.post(
        "/rehab/situation",
        data={
            "based_on": based_on(page),
            "option_everyday": "fully",
            "follow_everyday_partly": "Mornings are hard.",  # hidden, but still in the form
            "follow_everyday_good": "",
        },
    )
    assert changed.status_code == 200
    page = client.get("/rehab/situation").text
    assert re.search(r'data-kind="partly" hidden>', page)
    back = client.post(
        "/rehab/situation",
        data={
            "based_on": based_on(page),
            "option_everyday": "partly",
            "follow_everyday_partly": "Mornings are hard.",
        },
    )
    assert back.status_code == 200
    assert "Mornings are hard." in client.get("/rehab/situation").text
    bad = client.post(
        "/rehab/situation", data={"based_on": based_on(page), "option_everyday": "maybe"}
    )
    assert bad.status_code == 400 and 'class="ds-error-summary"' in bad.text


def test_two_saves_of_the_same_version_never_overwrite_each_other(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "anna")
    page = client.get("/rehab/cv").text
    version = based_on(page)
    first = client.post("/rehab/cv", data={"based_on": version, "leisure": "Football."})
    assert first.status_code == 200
    with client_of(settings) as karin:
        log_in(karin, "karin", staff=True)
        second = karin.post(
            f"/staff/participants/{anna_id(settings)}/rehab-editor/cv",
            data={"based_on": version, "leisure": "Reads a lot."},
        )
    assert second.status_code == 409
    assert "saved this part while you were writing" in second.text
    assert "Reads a lot." in second.text and "Football." in second.text  # both texts
    assert based_on(second.text) != version  # saving again keeps hers knowingly
    rows = sql(
        settings,
        "SELECT number, saved_by FROM rehab_versions WHERE participant_id = :p AND section = 'cv'",
        p=anna_id(settings),
    )
    assert sorted(rows) == [(int(version) + 1, "participant")]


def test_the_participant_cannot_write_the_caseworkers_parts(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "anna")
    case = client.get("/rehab/case").text
    assert "Your caseworker fills in this part." in case and 'name="based_on"' not in case
    remarks = client.get("/rehab/remarks").text
    assert 'name="missing"' in remarks and 'name="summary"' not in remarks
    client.post(
        "/rehab/remarks",
        data={"based_on": based_on(remarks), "missing": "My dog.", "summary": "Forged."},
    )
    assert (
        client.post("/rehab/case", data={"based_on": "0", "basic_info": "Forged."}).status_code
        == 403
    )
    texts = " ".join(
        str(row[0])
        for row in sql(
            settings,
            "SELECT data FROM rehab_versions WHERE participant_id = :p",
            p=anna_id(settings),
        )
    )
    assert "My dog." in texts and "Forged." not in texts


def situation_written(client: TestClient) -> None:
    """Anna's situation as the test above leaves it (for a test run on its own)."""
    log_in(client, "anna")
    page = client.get("/rehab/situation").text
    if "Mornings are hard." not in page:
        data = {"option_everyday": "partly", "follow_everyday_partly": "Mornings are hard."}
        saved = client.post("/rehab/situation", data={"based_on": based_on(page), **data})
        assert saved.status_code == 200


def test_the_caseworker_writes_my_case_and_a_summary_then_locks_it(
    client: TestClient, settings: Settings
) -> None:
    anna = anna_id(settings)
    situation_written(client)
    log_in(client, "karin", staff=True)
    editor = client.get(f"/staff/participants/{anna}/rehab-editor")
    assert editor.status_code == 200 and "Lock the document" in editor.text
    case = client.get(f"/staff/participants/{anna}/rehab-editor/case").text
    bad = client.post(
        f"/staff/participants/{anna}/rehab-editor/case",
        data={"based_on": based_on(case), "basic_info": "Anna, 36.", "doc_date_0": "2026-13-01"},
    )
    assert bad.status_code == 400 and "Give the document&#39;s title." in bad.text
    assert "Anna, 36." in bad.text  # what was typed is kept
    saved = client.post(
        f"/staff/participants/{anna}/rehab-editor/case",
        data={
            "based_on": based_on(case),
            "basic_info": "Anna, 36.",
            "doc_title_0": "Medical statement",
            "doc_date_0": "2026-10-01",
            "doc_by_0": "Her doctor",
        },
    )
    assert saved.status_code == 200 and "Saved: My case." in saved.text
    remarks = client.get(f"/staff/participants/{anna}/rehab-editor/remarks").text
    client.post(
        f"/staff/participants/{anna}/rehab-editor/remarks",
        data={"based_on": based_on(remarks), "missing": "My dog.", "summary": "Ready to try."},
    )
    ask = client.get(f"/staff/participants/{anna}/rehab-editor/lock")
    assert "Yes, lock it" in ask.text and "No, keep it open" in ask.text
    locked = client.post(f"/staff/participants/{anna}/rehab-editor/lock")
    assert "The document is locked." in locked.text

    with client_of(settings) as participant:
        log_in(participant, "anna")
        situation = participant.get("/rehab/situation").text
        assert 'name="based_on"' not in situation and "The document is locked" in situation
        refused = participant.post("/rehab/remarks", data={"based_on": "2", "missing": "More."})
        assert refused.status_code == 409
        pdf = participant.get("/rehab/document.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        pages = PdfReader(io.BytesIO(pdf.content)).pages
        text = " ".join(" ".join(p.extract_text() for p in pages).split())
        assert "Medical statement" in text and "Ready to try." in text
        assert "Mornings are hard." in text
        assert "Karin Karlsson locked it" in text
    # The caseworker's read-only view shows it as Anna sees it, and is logged.
    view = client.get(f"/staff/participants/{anna}/rehab/situation")
    assert view.status_code == 200 and "Mornings are hard." in view.text
    log = sql(
        settings,
        "SELECT count(*) FROM access_log WHERE participant_id = :p AND what = 'rehab'",
        p=anna,
    )
    assert log[0][0] >= 2


def test_staff_without_the_permission_or_the_participant_get_nothing(
    client: TestClient, settings: Settings
) -> None:
    anna = anna_id(settings)
    log_in(client, "vera", staff=True)  # a reviewer: may look, not write
    assert client.get(f"/staff/participants/{anna}/rehab-editor").status_code == 404
    log_in(client, "lars", staff=True)  # Bo's caseworker: Anna is not his
    assert client.get(f"/staff/participants/{anna}/rehab-editor/case").status_code == 404
    assert client.get(f"/staff/participants/{anna}/rehab").status_code == 404
