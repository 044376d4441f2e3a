"""Hour histories in a real browser: the provider submits a month on a phone-sized screen, the
participant approves it with consent in Swedish through the eID signing step, then withdraws
the consent."""

from __future__ import annotations

import re

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, Page, expect

from portal.hours.service import OWN_WORK, Month
from tests.conftest import portal_today
from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e

OWN_WORK_LABEL = "Own work according to the joint planning with the provider"


def test_provider_submits_a_month_and_the_participant_approves_it_with_consent_in_swedish(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    month = Month.of(portal_today()).previous().previous().previous()
    log_in(page, live_server, "erik", staff=True)
    page.get_by_role("link", name="Register hours for Anna Andersson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hour histories of Anna Andersson")
    assert_accessible(page)
    page.get_by_label("Month to register").select_option(str(month))
    page.get_by_role("button", name="Open the month").click()
    assert_accessible(page)

    first_day = page.locator("fieldset.hours-day").first
    own_work = first_day.get_by_label(OWN_WORK_LABEL)
    other = first_day.get_by_role("textbox").first
    other.focus()
    page.keyboard.type("6")
    own_work.focus()
    page.keyboard.type("2,5")
    # The day's total follows the typing, and says at once that the day has too many hours.
    expect(first_day.locator(".hours-day-total")).to_have_text("Day: 8.5 h")
    expect(first_day.locator(".hours-day-warning")).to_have_text(
        "More than 8 hours on this day: at most 8 hours a day in total."
    )
    page.get_by_role("button", name="Submit the month").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("8.5 hours, at most 8.")
    expect(own_work).to_have_value("2,5")  # what was typed is kept
    assert_accessible(page)
    own_work.fill("2")
    page.get_by_role("button", name="Submit the month").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted.")
    expect(page.get_by_role("button", name="Make a correction")).to_be_visible()
    assert_accessible(page)
    assert (
        live_server.query(
            "SELECT count(*) FROM hour_entries WHERE activity = ? AND hours = 2", OWN_WORK
        )[0][0]
        >= 1
    )

    anna = browser.new_context(viewport={"width": 360, "height": 800}, locale="sv-SE")
    anna_page = anna.new_page()
    log_in(anna_page, live_server, "anna")
    anna_page.goto(live_server.url + "/hours")
    expect(anna_page.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(anna_page)
    name = format_date(month.first, "LLLL yyyy", locale="sv")
    anna_page.get_by_role("link", name=name[:1].upper() + name[1:]).click()
    expect(anna_page.get_by_role("heading", level=1)).to_have_text(f"Samarbetshistorik för {name}")
    expect(anna_page.get_by_role("img", name=re.compile("^Timmar i veckan Vecka"))).to_be_attached()
    assert_accessible(anna_page)
    consent = anna_page.get_by_label(
        "Ja, uppgifter från min samarbetshistorik får lämnas till ESF och SCB"
    )
    expect(consent).not_to_be_checked()
    consent.check()
    anna_page.get_by_role("button", name="Godkänn och signera med BankID").click()

    expect(anna_page.get_by_role("heading", level=1)).to_have_text("Signera med e-legitimation")
    expect(anna_page.locator("blockquote")).to_contain_text("Jag godkänner min samarbetshistorik")
    expect(anna_page.locator("blockquote")).to_contain_text("Jag samtycker till")
    assert_accessible(anna_page)
    anna_page.get_by_role("button", name="Signera som Anna Andersson").click()

    expect(anna_page.get_by_role("heading", level=1)).to_have_text(
        f"Kvitto: samarbetshistorik för {name}"
    )
    expect(anna_page.locator(".fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_accessible(anna_page)

    anna_page.goto(live_server.url + "/hours/consent")
    expect(anna_page.get_by_text("Samtycke givet").first).to_be_visible()
    anna_page.get_by_role("button", name="Återkalla samtycket och signera med BankID").click()
    expect(anna_page.locator("blockquote")).to_contain_text("Jag återkallar mitt samtycke")
    anna_page.get_by_role("button", name="Signera som Anna Andersson").click()
    expect(anna_page.get_by_role("status")).to_contain_text("Ditt samtycke är återkallat")
    expect(anna_page.get_by_text("Samtycke återkallat")).to_be_visible()
    assert_accessible(anna_page)
    anna.close()
