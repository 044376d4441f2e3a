"""Employers in a real browser: Nora searches in Danish at desktop width, finds a baker by
type-ahead and postcode, and asks to get in touch; Anna accepts on her phone in Swedish and
shares her e-mail address; Nora then sees who she is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_an_employer_finds_anna_asks_to_get_in_touch_and_anna_accepts(
    live_server: LiveServer, browser: Browser
) -> None:
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    nora = desk.new_page()
    nora.goto(live_server.url + "/login")
    nora.get_by_role("link", name="Find jobsøgende").click()
    expect(nora.get_by_role("heading", level=1)).to_have_text("Find jobsøgende")
    assert_accessible(nora)
    nora.get_by_role("link", name=re.compile("Log ind med virksomhedens digitale id")).click()
    nora.get_by_role("button", name=re.compile("Nora Nyberg")).click()  # the dev IdP's picker
    expect(nora.get_by_text("Norrbageriet AB (556123-4567)")).to_be_visible()
    assert_accessible(nora)

    search = nora.get_by_role("combobox", name="Stilling")
    search.focus()
    nora.keyboard.type("bagare", delay=20)  # Swedish, in a Danish session: found all the same
    listbox = nora.get_by_role("listbox", name="Stilling")
    expect(listbox).to_be_visible()
    assert_accessible(nora)
    texts = listbox.get_by_role("option").all_inner_texts()
    position = next(i for i, text in enumerate(texts) if text.startswith("Bager "))
    for _ in range(position + 1):
        nora.keyboard.press("ArrowDown")
    nora.keyboard.press("Enter")
    expect(nora.get_by_text("Stilling: Bager")).to_be_visible()

    nora.get_by_label("I nærheden af et postnummer eller en by").fill("Atlantis")
    nora.get_by_role("button", name="Søg", exact=True).click()
    expect(nora.get_by_role("alert")).to_contain_text("Postnummeret eller byen “Atlantis”")
    assert_accessible(nora)
    nora.get_by_label("I nærheden af et postnummer eller en by").fill("111 22")
    nora.get_by_label("Inden for").select_option("10")
    nora.get_by_label("Timer om ugen").fill("30")
    nora.get_by_role("button", name="Søg", exact=True).click()
    expect(nora.get_by_role("heading", name=re.compile("jobsøgende fundet"))).to_be_visible()
    expect(nora.get_by_text("Anna")).to_have_count(0)
    assert_accessible(nora)

    nora.get_by_role("link", name=re.compile(r"^Jobsøgende [A-Z2-7]{5}-")).first.click()
    expect(nora.get_by_role("heading", name="Søger job som")).to_be_visible()
    expect(nora.get_by_text("Andersson")).to_have_count(0)
    assert_accessible(nora)
    nora.get_by_label("Jobbet").fill("Bager, 30 timer om ugen")
    nora.get_by_role("button", name="Send henvendelsen").click()
    expect(nora.get_by_role("alert")).to_contain_text("Jeres besked")
    expect(nora.get_by_label("Jobbet")).to_have_value("Bager, 30 timer om ugen")
    assert_accessible(nora)
    nora.get_by_label("Jeres besked").fill("Vi mangler en bager til morgenholdet.")
    nora.get_by_role("button", name="Send henvendelsen").click()
    expect(nora.get_by_role("status")).to_contain_text("Henvendelsen er sendt.")
    expect(nora.get_by_text("Afventer svar")).to_be_visible()
    assert_accessible(nora)

    phone = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    anna = phone.new_page()
    log_in(anna, live_server, "anna")
    expect(
        anna.get_by_role("heading", name="En arbetsgivare vill komma i kontakt med dig")
    ).to_be_visible()
    anna.get_by_role("link", name="Läs och svara").click()
    expect(anna.get_by_text("Vi mangler en bager til morgenholdet.")).to_be_visible()
    assert_accessible(anna)
    expect(anna.get_by_label(re.compile("Din e-postadress"))).to_be_checked()
    anna.get_by_role("button", name="Tacka ja till förfrågan från Norrbageriet AB").click()
    expect(anna.get_by_role("status")).to_contain_text("Du tackade ja.")
    expect(anna.get_by_text("Norrbageriet AB").first).to_be_visible()
    assert_accessible(anna)
    anna.get_by_role("link", name="Tillbaka till Mitt CV").click()
    expect(anna.get_by_text("Öppnade ditt CV").first).to_be_visible()
    phone.close()

    nora.reload()
    expect(nora.get_by_role("heading", level=1)).to_have_text("Anna Andersson")
    expect(nora.get_by_role("link", name="anna@example.org")).to_be_visible()
    assert_accessible(nora)
    nora.get_by_role("link", name="Henvendelser").click()
    expect(nora.get_by_role("link", name="Anna Andersson")).to_be_visible()
    assert_accessible(nora)
    desk.close()
