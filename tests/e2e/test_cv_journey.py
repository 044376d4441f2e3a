"""'I am looking for a job as' in a real browser, in Danish on a phone-sized screen: two
occupations found by type-ahead (htmx suggestions) and added by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_anna_adds_two_occupations_with_type_ahead_in_danish(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    page = context.new_page()
    log_in(page, live_server, "anna")
    page.goto(live_server.url + "/cv")
    assert_accessible(page)
    page.get_by_role("link", name="Jeg søger job som").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeg søger job som")
    assert_accessible(page)

    for typed, occupation in (("butiksass", "Butiksassistent"), ("LAGERARB", "Lagerarbejder")):
        page.get_by_role("link", name="Tilføj en stilling").click()
        search = page.get_by_role("combobox", name="Stilling")  # made so by portal.js
        search.focus()
        page.keyboard.type(typed, delay=20)
        listbox = page.get_by_role("listbox", name="Stilling")
        expect(listbox).to_be_visible()  # arrived through htmx while typing
        # The field has gone up the window (it starts some 300 px down): the matches show
        # above the on-screen keyboard.
        assert search.evaluate("e => e.getBoundingClientRect().top") < 800 / 4
        expect(search).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#result-count")).to_contain_text(re.compile("fundet|bedste"))
        assert_accessible(page)
        texts = listbox.get_by_role("option").all_inner_texts()
        position = next(i for i, text in enumerate(texts) if text.startswith(occupation + " "))
        for _ in range(position + 1):
            page.keyboard.press("ArrowDown")
        expect(listbox.get_by_role("option", selected=True)).to_contain_text(occupation)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Jeg søger job som")
        page.get_by_label("Ja").first.check()
        page.get_by_label("Nej").nth(1).check()
        page.get_by_label("Timer om ugen, du vil arbejde").fill("70")
        page.get_by_role("button", name="Gem").click()
        expect(page.get_by_role("alert")).to_contain_text("Angiv et tal fra 0 til 60.")
        assert_accessible(page)
        page.get_by_label("Timer om ugen, du vil arbejde").fill("30")
        page.get_by_role("button", name="Gem").click()
        expect(page.get_by_role("status")).to_contain_text("Stillingen er tilføjet.")

    cards = page.locator(".sought-list > li")
    expect(cards).to_have_count(3)
    expect(page.get_by_text("30 timer om ugen (deltid)").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tilbage til CV").click()
    expect(page.get_by_role("heading", name="Dit CV er ikke færdigt")).to_be_visible()
    page.get_by_role("link", name="Tilføj en uddannelse, et kursus eller en certificering").click()
    assert_accessible(page)
    page.get_by_label("Navn på uddannelsen, kurset eller certificeringen").fill("Hygiejnebevis")
    page.get_by_label("Skole eller udbyder").fill("AMU")
    page.get_by_label("Niveau").select_option("course")
    page.get_by_label("Fra (måned)").fill("2025-13")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("alert")).to_contain_text("Angiv en måned, for eksempel 2024-03.")
    page.get_by_label("Fra (måned)").fill("2025-03")
    page.get_by_label("Til (måned)").fill("2025-04")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_contain_text("Gemt.")
    expect(page.get_by_role("heading", name="Dit CV er ikke færdigt")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Tilføj et job").click()
    page.get_by_label("Søg en stilling").fill("bager")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("group", name="Vælg stillingen")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/cv")
    page.get_by_role("link", name="Om portalen").click()
    expect(page.get_by_text("This service uses the ESCO classification")).to_be_visible()
    assert_accessible(page)
    context.close()


def test_anna_shares_her_presentation_cv_and_revokes_the_link_in_swedish(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    log_in(page, live_server, "anna")
    page.goto(live_server.url + "/cv")
    page.get_by_role("link", name="Presentations-CV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Presentations-CV")
    assert_accessible(page)
    page.get_by_label("Arbetsgivare (frivilligt)").fill("Bageriet Solsidan")
    page.get_by_label("Dagar som länken fungerar").fill("91")
    page.get_by_role("button", name="Skapa en länk").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange ett antal dagar från 1 till 90.")
    page.get_by_label("Dagar som länken fungerar").fill("14")
    page.get_by_role("button", name="Skapa en länk").click()
    link = page.locator("#new-link").inner_text()
    assert link.startswith(live_server.url + "/shared/cv/")
    page.get_by_role("button", name="Kopiera länken").click()
    expect(page.locator("#copy-status")).to_have_text(
        "Länken är kopierad. Klistra in den i ditt meddelande till arbetsgivaren."
    )
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page)

    employer = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    reader = employer.new_page()
    reader.goto(link)
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Presentations-CV för Anna Andersson"
    )
    expect(reader.get_by_text("Bageriet Solsidan").first).to_be_visible()
    expect(reader.get_by_role("link", name="Min plan")).to_have_count(0)
    assert_accessible(reader)
    pdf = employer.request.get(link + ".pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    page.goto(live_server.url + "/cv/presentation")
    expect(page.get_by_text("Öppnad 2 gånger:")).to_be_visible()  # the page and its PDF
    page.get_by_role("link", name="Dra tillbaka länken till Bageriet Solsidan").click()
    # Asked first, on a page of its own.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dra tillbaka länken till Bageriet Solsidan?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Ja, dra tillbaka länken").click()
    expect(page.get_by_role("status")).to_contain_text("Länken är tillbakadragen.")
    assert_accessible(page)

    gone = reader.goto(link)
    assert gone is not None and gone.status == 410
    expect(reader.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte längre")
    assert_accessible(reader)
    employer.close()
    context.close()
