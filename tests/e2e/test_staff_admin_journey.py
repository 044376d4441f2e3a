"""Staff administration in a real browser, in Danish on a phone-sized screen: the administrator
adds a caseworker and ends a colleague's authorization, signs the list with eID, and then the
new caseworker can log in while the ended one is logged out and cannot log in again."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.demo.caseload import personal_number
from tests.conftest import portal_today
from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e

# A caseworker of the demo's generated staff, active today (not a persona other journeys use).
ACTIVE_CASEWORKER = """
SELECT u.personal_number, u.first_name || ' ' || u.last_name FROM staff_users u
JOIN staff_authorizations a ON a.staff_user_id = u.id
WHERE a.role = 'service_admin' AND u.email LIKE '%@jobcentre.example.org'
  AND u.email NOT LIKE 'karin@%' AND u.email NOT LIKE 'lars@%'
  AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)
ORDER BY u.id LIMIT 1
"""


def danish_phone(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 360, "height": 800}, locale="da-DK").new_page()


def test_the_administrator_adds_and_ends_caseworkers_and_signs_in_danish(
    live_server: LiveServer, browser: Browser
) -> None:
    today = portal_today().isoformat()
    ended_number, ended_name = live_server.query(ACTIVE_CASEWORKER, today, today)[0]
    new_number = personal_number("SE", dt.date(1993, 8, 14), 517)
    colleague = danish_phone(browser)
    log_in(colleague, live_server, ended_number, staff=True)
    expect(colleague.get_by_role("heading", level=1)).to_contain_text("Hej")

    page = danish_phone(browser)
    log_in(page, live_server, "admin", staff=True)
    page.get_by_role("link", name="Brugere", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brugere")
    assert_accessible(page)

    # A new caseworker: a wrong check digit is refused at the field, with what was typed kept.
    page.get_by_role("link", name="Opret bruger").click()
    page.get_by_label("Fornavn").fill("Nanna")
    page.get_by_label("Efternavn").fill("Nørgaard")
    page.get_by_label("CPR-nummer").fill(new_number[:-1] + str((int(new_number[-1]) + 1) % 10))
    page.get_by_label("E-mail").fill("nanna@jobcentre.example.org")
    role = page.get_by_role("group", name="Rolle 1")
    role.get_by_label("Rolle", exact=True).select_option(
        label="Serviceadministrator (sagsbehandler)"
    )
    role.get_by_label("Startdato").fill(today)
    page.get_by_role("button", name="Gem på listen til underskrift").click()
    expect(page.get_by_role("alert")).to_contain_text("kontrolciffer")
    expect(page.get_by_label("Efternavn")).to_have_value("Nørgaard")
    assert_accessible(page)
    page.get_by_label("CPR-nummer").fill(new_number)
    page.get_by_role("button", name="Gem på listen til underskrift").click()
    expect(page.locator(".ds-alert[role=status]")).to_contain_text("venter på din liste")
    expect(page.locator("#to-sign")).to_contain_text("Ny bruger Nanna Nørgaard")

    # The colleague's authorization ends: found by personal number, asked first.
    page.get_by_label("Navn eller CPR-nummer").fill(ended_number)
    page.get_by_role("button", name="Vis").click()
    last, first = ended_name.split(" ", 1)[1], ended_name.split(" ", 1)[0]
    page.get_by_role("link", name=f"{last}, {first}").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Afslut alle rettigheder for {ended_name} nu").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sæt afslutningen på listen til underskrift").click()
    expect(page.locator("#to-sign")).to_contain_text(
        f"{ended_name}: alle rettigheder ophører i dag"
    )
    page.screenshot(
        path=str(live_server.database.parent / "staff-users-360-da.png"), full_page=True
    )

    # Nothing has happened yet: the colleague still works.
    colleague.reload()
    expect(colleague.get_by_role("heading", level=1)).to_contain_text("Hej")

    # Signing at the development IdP shows the text of every change.
    page.get_by_role("button", name="Underskriv listen med MitID").click()
    expect(page.locator(".sign-text")).to_contain_text("Ny bruger Nanna Nørgaard")
    expect(page.locator(".sign-text")).to_contain_text(ended_name)
    page.get_by_role("button", name="Underskriv som Alva Åberg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kvittering for underskrevne ændringer"
    )
    expect(page.locator(".ds-alert[role=status]")).to_contain_text("ændringerne gælder nu")
    assert_accessible(page)
    page.screenshot(
        path=str(live_server.database.parent / "staff-receipt-360-da.png"), full_page=True
    )

    # The ended colleague is logged out at the next click and cannot log in again.
    colleague.reload()
    expect(colleague.get_by_role("heading", level=1)).not_to_contain_text("Hej")
    refused = colleague.goto(f"{live_server.url}/staff/login?login_hint={ended_number}")
    assert refused is not None and refused.status == 403
    # The new caseworker logs in.
    newcomer = danish_phone(browser)
    log_in(newcomer, live_server, new_number, staff=True)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hej Nanna")
    assert_accessible(newcomer)
