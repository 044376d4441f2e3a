"""My Plan in a real browser: a caseworker changes an initiative, the participant sees it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import portal_today
from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def test_caseworker_changes_an_initiative_and_the_participant_sees_it_in_danish(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    # Anna has looked at her plan, so later changes are marked.
    anna = browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK")
    anna_page = anna.new_page()
    log_in(anna_page, live_server, "anna")
    anna_page.goto(live_server.url + "/plan")

    log_in(page, live_server, "karin", staff=True)
    page.get_by_role("link", name="Anna Andersson", exact=True).click()
    page.goto(page.url + "/edit-plan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit My Plan of Anna Andersson")
    assert_accessible(page)
    page.get_by_role("link", name="Change Jobbsökarträffar").click()
    assert_accessible(page)
    later = (portal_today() + dt.timedelta(days=70)).isoformat()
    page.get_by_label("End date").fill(later)
    page.get_by_label("Hours per week").fill("45")
    page.get_by_role("button", name="Save the initiative").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Give a number from 0 to 40.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("End date")).to_have_value(later)
    assert_accessible(page)
    page.get_by_label("Hours per week").fill("4")
    page.get_by_role("button", name="Save the initiative").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_text("has not seen the latest version")).to_be_visible()
    # Removing a goal asks first, on a page of its own; "No, keep it" leaves the plan as it is.
    page.get_by_role("link", name=re.compile(r"^Remove ")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove the goal")
    assert_accessible(page)
    page.get_by_role("link", name="No, keep it").last.click()
    expect(page.get_by_text("has not seen the latest version")).to_be_visible()

    anna_page.goto(live_server.url + "/")
    expect(anna_page.locator("html")).to_have_attribute("lang", "da")
    expect(anna_page.get_by_role("heading", name="Din plan er ændret")).to_be_visible()
    assert_accessible(anna_page)
    anna_page.get_by_role("link", name="Se, hvad der er ændret").click()
    item = anna_page.get_by_role("article", name="Jobbsökarträffar")
    expect(item.get_by_text("Ændret", exact=True)).to_be_visible()
    expect(item).to_contain_text("Ændret: Timer om ugen, Hvornår")
    expect(item).to_contain_text("Perioden er rykket")
    assert_accessible(anna_page)
    item.get_by_role("link", name="Historik for “Jobbsökarträffar”").click()
    expect(anna_page.get_by_role("heading", level=1)).to_have_text(
        "Historik for “Jobbsökarträffar”"
    )
    expect(anna_page.get_by_text("Version 2", exact=False)).to_be_visible()
    assert_accessible(anna_page)
    anna_page.get_by_role("link", name="Tilbage til Min Plan").click()
    with anna_page.expect_response(lambda r: r.url.endswith("/plan.pdf")) as pdf:
        anna_page.goto(live_server.url + "/plan.pdf")
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"

    page.reload()
    expect(page.get_by_text("saw the latest version")).to_be_visible()
    anna.close()
