"""Booking administration in a real browser, in Swedish on a phone-sized screen: palle sets up
a team, a caseworker with working hours, a room and a meeting offer; anna finds the offer,
books a time by keyboard and cancels it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def saved(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)
    assert_accessible(page)


def test_palle_sets_up_an_offer_that_anna_books_at_360_px(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server, "palle", staff=True)
    page.get_by_role("link", name="Möten och bokning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Möten och bokning")
    assert_accessible(page)

    # A team under the job centre; a taken name is refused and what was typed is kept.
    page.get_by_role("link", name="Skapa ett team").click()
    page.get_by_label("Teamets namn").fill("Team Vuxna")
    page.get_by_role("button", name="Spara teamet").click()
    expect(page.get_by_role("alert")).to_contain_text("Ett annat team har redan det namnet.")
    expect(page.get_by_label("Teamets namn")).to_have_value("Team Vuxna")
    assert_accessible(page)
    page.get_by_label("Teamets namn").fill("Team Söder")
    page.get_by_label("Placerat under").select_option(label="Arbetsförmedlingen Nacka")
    page.get_by_role("button", name="Spara teamet").click()
    saved(page, "Teamet är sparat.")
    page.screenshot(path=str(live_server.database.parent / "admin-team-360.png"), full_page=True)

    # A caseworker in the team: Monday's hours copied to the week, then saved.
    page.get_by_role("link", name="Tillbaka till möten och bokning").click()
    page.get_by_role("link", name="Lägg till en handläggare").click()
    page.get_by_label("Namn", exact=True).fill("Sofia Söder")
    page.get_by_label("Team Söder").check()
    monday = page.get_by_role("group", name="Måndag")
    monday.get_by_label("Arbetar från").fill("09:00")
    monday.get_by_label("Arbetar till").fill("15:00")
    monday.get_by_label("Paus från", exact=True).fill("12:00")
    monday.get_by_label("Paus till", exact=True).fill("12:30")
    page.get_by_role("button", name="Kopiera måndag till tisdag–fredag").click()
    expect(page.get_by_role("status")).to_contain_text("Inget sparas förrän du sparar.")
    expect(page.get_by_role("group", name="Torsdag").get_by_label("Arbetar från")).to_have_value(
        "09:00"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Spara handläggaren").click()
    saved(page, "Sparat.")
    page.screenshot(
        path=str(live_server.database.parent / "admin-caseworker-360.png"), full_page=True
    )

    # A room the team may use.
    page.get_by_role("link", name="Tillbaka till möten och bokning").click()
    page.get_by_role("link", name="Lägg till ett mötesrum").click()
    page.get_by_label("Rummets namn").fill("Rum Björken")
    page.get_by_label("Kapacitet (platser)").fill("4")
    page.get_by_label("Adress").fill("Järnvägsgatan 1, plan 3, 131 54 Nacka")
    page.get_by_role("group", name="Team som får använda rummet").get_by_label("Team Söder").check()
    page.get_by_role("button", name="Spara rummet").click()
    saved(page, "Rummet är sparat.")

    # The offer: first without a caseworker (refused, said at the field), then complete.
    page.get_by_role("link", name="Tillbaka till möten och bokning").click()
    page.get_by_role("link", name="Skapa en mötestid att boka").click()
    assert_accessible(page)
    page.get_by_label("Rubrik").fill("Samtal om praktik")
    page.get_by_label("Mötestyp").select_option(label="Uppföljningssamtal")
    page.get_by_label("Team", exact=True).select_option(label="— Team Söder")
    page.get_by_label("Mötesrum").select_option(label="Rum Björken")
    page.get_by_role("button", name="Spara erbjudandet").click()
    expect(page.get_by_role("alert")).to_contain_text("Välj minst en handläggare.")
    expect(page.get_by_label("Rubrik")).to_have_value("Samtal om praktik")
    assert_accessible(page)
    page.get_by_label("Sofia Söder").check()
    page.get_by_role("button", name="Spara erbjudandet").click()
    saved(page, "Erbjudandet är sparat.")
    page.screenshot(path=str(live_server.database.parent / "admin-offer-360.png"), full_page=True)
    context.close()

    # anna sees the offer, books its first free time by keyboard, and cancels it.
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server, "anna")
    page.goto(live_server.url + "/meetings")
    link = page.get_by_role("link", name="Välj tid: Samtal om praktik")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samtal om praktik")
    expect(page.get_by_role("radio").first).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Fortsätt").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta ditt möte")
    page.get_by_role("button", name="Boka mötet").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Ditt möte är bokat")
    expect(page.locator(".meeting-details")).to_contain_text("Järnvägsgatan 1, plan 3")
    expect(page.locator(".meeting-details")).to_contain_text("Sofia Söder")
    assert_accessible(page)

    # palle finds it in Sofia's calendar and moves it; anna is told, then cancels it.
    staff = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    desk = staff.new_page()
    log_in(desk, live_server, "palle", staff=True)
    desk.goto(live_server.url + "/staff/booking/")
    desk.get_by_role("link", name="Kalender for Sofia Söder").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Kalender for Sofia Söder")
    # The week of anna's meeting (the first free time may fall in next week).
    ((starts_at,),) = live_server.query(
        "SELECT starts_at FROM bookings WHERE status = 'booked' ORDER BY id DESC LIMIT 1"
    )
    desk.goto(desk.url.split("?")[0] + "?week=" + str(starts_at)[:10])
    assert_accessible(desk)
    desk.screenshot(path=str(live_server.database.parent / "admin-calendar-da-360.png"))
    # On a desk's screen the week is seven columns, each day's text inside its own.
    for width in (1024, 1280):
        desk.set_viewport_size({"width": width, "height": 800})
        assert_accessible(desk)
    desk.set_viewport_size({"width": 360, "height": 800})
    desk.get_by_role("link", name="Samtal om praktik").first.click()
    # palle has no access to participants: the meeting, not whose it is
    expect(desk.locator(".receipt")).to_contain_text(
        "Vises ikke: du har ikke adgang til denne borger."
    )
    expect(desk.locator(".receipt")).not_to_contain_text("Anna")
    assert_accessible(desk)
    desk.get_by_role("link", name="Flyt mødet til et andet tidspunkt").click()
    assert_accessible(desk)
    desk.get_by_label("Nyt tidspunkt").select_option(index=3)
    desk.get_by_role("button", name="Flyt mødet til et andet tidspunkt").click()
    saved(desk, "Mødet er flyttet.")
    desk.goto(live_server.url + "/staff/booking/audit?event=moved_by_job_centre")
    expect(desk.get_by_role("table")).to_contain_text("Flyttet af jobcentret")
    assert_accessible(desk)
    staff.close()

    page.goto(live_server.url + "/")
    expect(page.get_by_text("Arbetsförmedlingen har ställt in eller flyttat")).to_be_visible()
    page.goto(live_server.url + "/meetings")
    expect(page.get_by_text("Flyttad av arbetsförmedlingen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Samtal om praktik").first.click()
    page.get_by_role("link", name="Avboka mötet").click()
    page.get_by_role("button", name="Ja, avboka mötet").click()
    expect(page.get_by_role("status")).to_contain_text("Ditt möte är avbokat.")
    context.close()


def test_the_other_administration_pages_pass_axe_in_danish(
    live_server: LiveServer, browser: Browser
) -> None:
    # Danish from the browser's language (no choice is stored on the users, which other
    # tests log in as too).
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    page = context.new_page()
    log_in(page, live_server, "palle", staff=True)
    page.goto(live_server.url + "/staff/booking/")

    page.get_by_role("link", name="Opret en variant").click()
    page.get_by_role("button", name="Gem varianten").click()
    expect(page.get_by_role("alert")).to_contain_text("Vælg mindst én samtaletype.")
    assert_accessible(page)

    # A caseworker with a booked meeting: taking her out of the team asks what to do with it,
    # and deleting her is refused with the reason and the meeting.
    page.goto(live_server.url + "/staff/booking/")
    page.get_by_role("link", name="Karin Karlsson", exact=True).click()
    page.get_by_role("link", name="Tag ud af teamet").first.click()
    expect(page.get_by_role("group", name="Hvad skal der ske med møderne?")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Slet Karin Karlsson").click()
    expect(page.get_by_role("alert")).to_contain_text("har kommende møder og kan ikke slettes")
    assert_accessible(page)

    # A team's closing days, own and inherited.
    page.goto(live_server.url + "/staff/booking/")
    page.get_by_role("link", name="Team Vuxna", exact=True).click()
    expect(page.get_by_role("heading", name="Arvet fra de overliggende teams")).to_be_visible()
    assert_accessible(page)
    context.close()

    # karin sets anna's markings for meeting offers.
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    page = context.new_page()
    log_in(page, live_server, "karin", staff=True)
    page.goto(live_server.url + "/staff/")
    page.get_by_role("link", name="Markeringer til mødetilbud").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Andersson")
    assert_accessible(page)
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_contain_text("Gemt.")
    context.close()
