"""Meetings in a real browser, in Swedish on a phone-sized screen, by keyboard alone: anna
moves her meeting to another day, books a seat at a group meeting and cancels it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def press(page: Page, target: Locator) -> None:
    """Reach the control with the keyboard's focus and press Enter, as a keyboard user does."""
    target.focus()
    page.keyboard.press("Enter")


def test_anna_rebooks_books_and_cancels_by_keyboard_at_360_px(
    live_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server, "anna")
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Ditt nästa möte")).to_be_visible()
    page.goto(live_server.url + "/meetings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Möten")
    assert_accessible(page)

    # Move the individual meeting to a time on another day.
    press(page, page.get_by_role("link", name="Se eller omboka din tid"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljningssamtal")
    assert_accessible(page)
    press(page, page.get_by_role("link", name="Omboka till en annan tid"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Omboka: Uppföljningssamtal")
    assert_accessible(page)
    days = page.locator("a.day-choice")
    expect(days.first).to_have_attribute("aria-current", "date")
    if days.count() < 2:  # late in the week: the only day left is the one chosen
        press(page, page.get_by_role("link", name="Nästa vecka"))
        expect(days.first).to_have_attribute("aria-current", "date")
    second_day = days.nth(1)
    chosen = second_day.locator(".day-name").inner_text()
    press(page, second_day)
    expect(page.locator("a.day-choice[aria-current]")).to_contain_text(chosen)
    first_time = page.get_by_role("radio").first
    first_time.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio").nth(1)).to_be_checked()
    press(page, page.get_by_role("button", name="Fortsätt"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta ditt möte")
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Omboka mötet"))
    expect(page.get_by_role("status")).to_contain_text("Ditt möte är bokat")
    expect(page.locator(".meeting-details")).to_contain_text(chosen)
    assert_accessible(page)

    # Book a seat at the group meeting, then cancel it.
    page.goto(live_server.url + "/meetings")
    press(page, page.get_by_role("link", name="Välj tid: Informationsmöte om jobbsökning"))
    expect(page.get_by_text("platser kvar").first).to_be_visible()
    press(page, page.get_by_role("button", name="Fortsätt"))
    press(page, page.get_by_role("button", name="Boka mötet"))
    expect(page.get_by_role("status")).to_contain_text("Ditt möte är bokat")
    expect(page.get_by_role("link", name="Lägg till i kalendern (.ics)")).to_be_visible()
    press(page, page.get_by_role("link", name="Avboka mötet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Avboka mötet?")
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Ja, avboka mötet"))
    expect(page.get_by_role("status")).to_contain_text("Ditt möte är avbokat.")
    expect(page.get_by_role("heading", name="Tidigare och avbokade möten")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(live_server.database.parent / "meetings-360.png"), full_page=True)
    context.close()
