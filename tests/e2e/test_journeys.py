"""User journeys of the foundation in a real browser at 360 × 800, each page checked by axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, assert_accessible, header_button, log_in, nav_link

pytestmark = pytest.mark.e2e


def test_participant_logs_in_through_the_persona_picker_visits_every_page_and_logs_out(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to your pages")
    assert_accessible(page)
    page.get_by_role("link", name="Log in with BankID").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Development login")
    assert_accessible(page)
    page.get_by_role("button", name="Anna Andersson – Participant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Anna")
    assert_accessible(page)
    for name, heading in [
        ("My Plan", "My Plan"),
        ("Hour histories", "Hour histories"),
        ("Meetings", "Meetings"),
        ("CV", "My CV"),
        ("Who has looked", "Who has looked at my data"),
        ("Settings", "Settings"),
    ]:
        nav_link(page, name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The pages button names the page you are on; behind it, that page's link is marked.
        expect(page.locator("summary.participant-nav__button")).to_contain_text(name)
        expect(nav_link(page, name)).to_have_attribute("aria-current", "page")
        assert_accessible(page)
    header_button(page, "Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    assert_accessible(page)
    page.goto(live_server.url + "/plan")
    expect(page).to_have_url(live_server.url + "/login?next=%2Fplan")


def test_the_start_page_works_by_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server, "bo")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From main, the next Tab stop is the button of the participant's pages (on a phone),
    # which opens with Enter; then its links, in order.
    page.keyboard.press("Tab")
    pages_button = page.locator("summary.participant-nav__button")
    expect(pages_button).to_be_focused()
    expect(pages_button).to_have_accessible_name(re.compile(r"^Your pages:\s*Start$"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Start", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My Plan")


def test_language_switch_translates_the_page_in_swedish_and_danish(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, live_server, "bo")
    header_button(page, "Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Bo")
    expect(nav_link(page, "Min plan")).to_be_visible()
    assert_accessible(page)
    header_button(page, "Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=2, name="Beskeder")).to_be_visible()
    assert_accessible(page)
    header_button(page, "English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_caseworker_opens_the_read_only_view_and_the_participant_sees_it_in_the_log(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    log_in(page, live_server, "karin", staff=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Karin")
    assert_accessible(page)
    # A caseworker finds the participant by searching the case overview, by keyboard.
    page.get_by_label("Name or personal number").fill("Anna Andersson")
    page.get_by_label("Name or personal number").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 of 1")
    assert_accessible(page)
    page.get_by_role("link", name="Anna Andersson", exact=True).click()
    expect(
        page.get_by_role("heading", level=2, name="Read-only view of Anna Andersson's pages")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Anna")
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page)
    nav_link(page, "My Plan").click()
    expect(
        page.get_by_role("heading", level=2, name="Read-only view of Anna Andersson's pages")
    ).to_be_visible()
    assert_accessible(page)

    anna = browser.new_context(viewport={"width": 360, "height": 800})
    anna_page = anna.new_page()
    log_in(anna_page, live_server, "anna")
    anna_page.goto(live_server.url + "/access-log")
    first_row = anna_page.locator("tbody tr").first
    expect(first_row).to_contain_text("Karin Karlsson")
    expect(first_row).to_contain_text("My Plan")
    assert_accessible(anna_page)
    anna.close()


def test_a_participant_outside_the_caseworkers_scope_is_not_found(
    page: Page, live_server: LiveServer
) -> None:
    [(bo_id,)] = live_server.query("SELECT id FROM participants WHERE first_name = 'Bo'")
    log_in(page, live_server, "karin", staff=True)
    response = page.goto(f"{live_server.url}/staff/participants/{bo_id}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Bo Berg")).to_have_count(0)
    assert_accessible(page)


def test_an_idle_participant_is_logged_out_and_told_why(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, live_server, "anna")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Anna")
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)).isoformat(" ")
    [(participant_id,)] = live_server.query("SELECT id FROM participants WHERE first_name='Anna'")
    live_server.query(
        "UPDATE web_sessions SET last_seen_at = ? WHERE user_kind = 'participant' AND user_id = ?",
        long_ago,
        participant_id,
    )
    page.goto(live_server.url + "/plan")
    expect(page).to_have_url(live_server.url + "/login?next=%2Fplan&ended=idle")
    expect(page.get_by_role("status")).to_contain_text("nothing happened for a while")
    assert_accessible(page)


def test_a_cross_site_post_is_refused(page: Page, live_server: LiveServer) -> None:
    page.set_content(
        f'<main><form method="post" action="{live_server.url}/lang">'
        '<input type="hidden" name="language" value="sv"><button>Send</button></form></main>'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access")
    assert_accessible(page)


def test_an_idle_warning_appears_before_the_timeout_and_keeps_the_session(
    page: Page, live_server: LiveServer
) -> None:
    page.clock.install()
    log_in(page, live_server, "bo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bo")
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("28:01")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay logged in").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bo")


def test_login_language_switch_and_logout_work_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Log in with BankID").click()
    page.get_by_role("button", name="Bo Berg – Participant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bo")
    header_button(page, "Dansk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Bo")
    header_button(page, "English").click()
    header_button(page, "Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    context.close()


def test_the_footer_leads_to_contact_privacy_and_accessibility_in_danish(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/login")
    header_button(page, "Dansk").click()
    for link, heading in (
        ("Om portalen", "Om portalen"),
        ("Kontakt", "Kontakt"),
        ("Personoplysninger", "Sådan behandler vi dine personoplysninger"),
        ("Tilgængelighedserklæring", "Tilgængelighedserklæring"),
    ):
        page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
