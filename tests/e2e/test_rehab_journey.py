"""The rehabilitation plan's preparatory part in a Danish deployment: Anna answers "Min
situation" on her phone in Danish, changes an answer and back and finds her text again; Karin
adds her summary and locks the document; Anna then downloads it as PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e

FIRST_QUESTION = "1. Klarer du din hverdag, som du gerne vil?"


def test_anna_answers_her_situation_and_karin_locks_the_document(
    live_server_dk: LiveServer, browser: Browser
) -> None:
    server = live_server_dk
    phone = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    anna = phone.new_page()
    log_in(anna, server, "anna")
    anna.goto(server.url + "/plan")
    anna.get_by_role("link", name="Rehabiliteringsplanens forberedende del").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(
        "Rehabiliteringsplanens forberedende del"
    )
    assert_accessible(anna)
    anna.get_by_role("link", name="3. Min situation").click()
    assert_accessible(anna)

    question = anna.get_by_role("group", name=FIRST_QUESTION)
    question.get_by_label("Delvist").check()
    hard_parts = anna.get_by_label("Hvilke dele af hverdagen er svære, og hvilke går godt?")
    expect(hard_parts).to_be_visible()  # at once, before saving
    hard_parts.fill("Morgenerne er svære.")
    question.get_by_label("Ja, helt").check()
    expect(hard_parts).to_be_hidden()
    expect(anna.get_by_label("Hvad hjælper dig med at klare hverdagen?")).to_be_visible()
    question.get_by_label("Delvist").check()
    expect(hard_parts).to_have_value("Morgenerne er svære.")  # never lost
    anna.get_by_role("button", name="Gem").click()
    expect(anna.get_by_role("status")).to_contain_text("Gemt: Min situation.")
    expect(anna.get_by_text("1 af 6 dele")).to_be_visible()
    assert_accessible(anna)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    karin = desk.new_page()
    log_in(karin, server, "karin", staff=True)
    anna_id = server.query("SELECT id FROM participants WHERE first_name = 'Anna'")[0][0]
    karin.goto(f"{server.url}/staff/participants/{anna_id}/rehab-editor")
    expect(karin.get_by_role("heading", level=1)).to_contain_text("Anna Andersson")
    assert_accessible(karin)
    karin.get_by_role("link", name="4. Bemærkninger").click()
    karin.get_by_label("Sagsbehandlerens opsamling af situationen").fill(
        "Anna vil gerne prøve 10 timer om ugen i et bageri."
    )
    karin.get_by_role("button", name="Gem").click()
    expect(karin.get_by_role("status")).to_contain_text("Gemt: Bemærkninger.")
    karin.get_by_role("link", name="Lås dokumentet").click()
    expect(karin.get_by_role("heading", level=1)).to_contain_text("Låse den forberedende del")
    assert_accessible(karin)
    karin.get_by_role("button", name="Ja, lås det").click()
    expect(karin.get_by_role("status")).to_contain_text("Dokumentet er låst.")
    assert_accessible(karin)
    desk.close()

    anna.goto(server.url + "/rehab")
    expect(anna.get_by_role("heading", name="Dokumentet er låst")).to_be_visible()
    assert_accessible(anna)
    pdf = anna.request.get(server.url + "/rehab/document.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    anna.get_by_role("link", name="3. Min situation").click()
    expect(anna.get_by_text("Morgenerne er svære.")).to_be_visible()
    expect(anna.get_by_role("button", name="Gem")).to_have_count(0)
    phone.close()
