"""Provider reports in a real browser: erik writes and submits last month's monthly report in
Swedish on a phone, vera returns it in Danish at desktop width, erik sees the reminder,
corrects and resubmits, vera approves, and the status board turns green."""

from __future__ import annotations

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, Page, expect

from portal.hours.service import Month
from tests.conftest import portal_today
from tests.e2e.conftest import LiveServer, assert_accessible, log_in

pytestmark = pytest.mark.e2e

# The demo's participant whose monthly report for last month is missing (plan approved).
MISSING_LAST_MONTH = """
SELECT p.first_name || ' ' || p.last_name FROM interventions i
JOIN participants p ON p.id = i.participant_id
WHERE i.end_date >= ?
  AND EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id AND r.kind = 'plan'
              AND r.state = 'approved')
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.intervention_id = i.id
                  AND r.kind = 'monthly' AND r.period = ?)
ORDER BY i.id LIMIT 1
"""
ACTIVITIES = ("Kartläggning och mål", "Truckkort A och B", "Praktik på lager", "Jobbsökande")
ON_TRACK = "Enligt plan: delmålet kommer att uppnås enligt plan"


def page_of(browser: Browser, locale: str, width: int) -> Page:
    return browser.new_context(viewport={"width": width, "height": 900}, locale=locale).new_page()


def test_a_monthly_report_is_returned_corrected_and_approved(
    live_server: LiveServer, browser: Browser
) -> None:
    today = portal_today()
    last_month = Month.of(today).previous()
    (name,) = live_server.query(MISSING_LAST_MONTH, today.isoformat(), str(last_month))[0]

    erik = page_of(browser, "sv-SE", 360)
    log_in(erik, live_server, "erik", staff=True)
    reminders = erik.locator(".report-reminders")
    expect(reminders).to_contain_text("Rapporter att göra")
    assert_accessible(erik)
    reminders.get_by_role("link", name=name).click()
    expect(erik.get_by_role("heading", level=1)).to_have_text(f"Rapporter om {name}")
    assert_accessible(erik)
    erik.get_by_role("button", name="Skriv månadsrapporten").click()
    expect(erik.get_by_role("heading", level=1)).to_contain_text("Månadsrapport")
    assert_accessible(erik)

    # Submitted half-filled: every missing part is named, the sub-activity included.
    erik.get_by_label("Sammanfattning av månaden").fill("Deltagaren har varit på alla träffar.")
    erik.get_by_role("button", name="Skicka in för granskning").click()
    summary = erik.get_by_role("alert")
    expect(summary).to_contain_text("Kartläggning och mål: skriv en kommentar.")
    expect(erik.get_by_label("Sammanfattning av månaden")).to_have_value(
        "Deltagaren har varit på alla träffar."
    )
    assert_accessible(erik)
    erik.get_by_label("Fokus kommande månad").fill("Ansökningar.")
    erik.get_by_label("Måluppfyllelse").fill("Delmålen är nådda.")
    erik.get_by_role("group", name="Dialog med deltagaren har skett").get_by_label("Ja").check()
    erik.get_by_role("group", name="Deltagaren har gett sitt samtycke").get_by_label("Ja").check()
    for activity in ACTIVITIES:
        group = erik.get_by_role("group", name=activity, exact=True)
        group.get_by_label(ON_TRACK).check()
        group.get_by_label("Kommentar").fill("Går enligt plan.")
    erik.get_by_role("button", name="Skicka in för granskning").click()
    expect(erik.get_by_role("status").first).to_contain_text("inskickad och låst")
    assert_accessible(erik)

    vera = page_of(browser, "da-DK", 1280)
    log_in(vera, live_server, "vera", staff=True)
    vera.get_by_role("link", name="Åbn arbejdskøen").click()
    expect(vera.get_by_role("heading", level=1)).to_have_text("Rapporter, der skal godkendes")
    assert_accessible(vera)
    vera.get_by_role("row", name=name).get_by_role("link").click()
    expect(vera.get_by_role("heading", level=1)).to_contain_text("Månedsrapport")
    assert_accessible(vera)
    vera.get_by_label("Send retur").check()
    vera.get_by_role("button", name="Gem afgørelsen").click()
    expect(vera.get_by_role("alert")).to_contain_text("hvad leverandøren skal rette")
    vera.get_by_label("Send retur").check()
    vera.get_by_label("Kommentar til leverandøren").fill("Beskriv praktikken nærmere.")
    vera.get_by_role("button", name="Gem afgørelsen").click()
    expect(vera.get_by_role("status").first).to_contain_text("sendt retur")
    assert_accessible(vera)

    erik.goto(f"{live_server.url}/staff/")
    returned = erik.locator(".report-reminders")
    expect(returned).to_contain_text("Beskriv praktikken nærmere.")
    returned.get_by_role("link", name=f"Månadsrapport {erik_month(last_month)}, {name}").click()
    erik.get_by_role("button", name="Rätta rapporten").click()
    expect(erik.get_by_role("status").first).to_contain_text("ny version")
    expect(erik.locator(".ds-alert").nth(1)).to_contain_text("Beskriv praktikken nærmere.")
    erik.get_by_label("Sammanfattning av månaden").fill("Praktiken började den 3:e.")
    erik.get_by_role("button", name="Skicka in för granskning").click()
    expect(erik.get_by_role("status").first).to_contain_text("inskickad och låst")

    vera.goto(f"{live_server.url}/staff/reports/queue")
    vera.get_by_role("row", name=name).get_by_role("link").click()
    expect(vera.locator("#previous-title")).to_have_count(0)  # nothing approved before
    expect(vera.locator(".report-content")).to_contain_text("Praktiken började den 3:e.")
    vera.get_by_label("Godkend").check()
    vera.get_by_role("button", name="Gem afgørelsen").click()
    expect(vera.get_by_role("status").first).to_contain_text("godkendt")

    vera.goto(f"{live_server.url}/staff/reports/board")
    vera.get_by_text("Søg, filtrér og sortér").click()
    vera.get_by_label("Søg på navn eller CPR-nummer").fill(name)
    vera.get_by_role("button", name="Vis").click()
    row = vera.get_by_role("row", name=name)
    expect(row.locator("td[data-label='Månedsrapport']")).to_contain_text("Godkendt")
    assert_accessible(vera)


def erik_month(month: Month) -> str:
    """The month as erik's Swedish pages write it: "november 2026"."""
    return format_date(month.first, "LLLL yyyy", locale="sv")


ANNA = """
SELECT i.participant_id, i.id FROM interventions i
JOIN participants p ON p.id = i.participant_id WHERE p.first_name = 'Anna'
"""
A_REPORT_TO_REVIEW = "SELECT id FROM reports WHERE state = 'submitted' ORDER BY id LIMIT 1"


@pytest.mark.parametrize(("locale", "width"), [("da-DK", 360), ("sv-SE", 1280)])
def test_every_reports_page_is_accessible_and_reflows(
    live_server: LiveServer, browser: Browser, locale: str, width: int
) -> None:
    participant, intervention = live_server.query(ANNA)[0]
    (report,) = live_server.query(A_REPORT_TO_REVIEW)[0]
    (track,) = live_server.query("SELECT id FROM report_tracks")[0]
    last_month = Month.of(portal_today()).previous()
    base = f"/staff/participants/{participant}/provider-reports/{intervention}"
    erik = page_of(browser, locale, width)
    log_in(erik, live_server, "erik", staff=True)
    for path in (
        f"/staff/participants/{participant}/provider-reports",
        f"{base}/plan",
        f"{base}/monthly/{last_month}",
        f"{base}/monthly/{last_month.previous()}",
        f"{base}/final",
        f"{base}/absence",
        "/staff/reports/absence",
        "/staff/reports/board",
    ):
        erik.goto(live_server.url + path)
        assert_accessible(erik)
    vera = page_of(browser, locale, width)
    log_in(vera, live_server, "vera", staff=True)
    for path in (
        "/staff/reports/queue",
        f"/staff/reports/{report}",
        "/staff/reports/board",
        "/staff/reports/interventions/new",
    ):
        vera.goto(live_server.url + path)
        assert_accessible(vera)
    petra = page_of(browser, locale, width)
    log_in(petra, live_server, "pnr:19790402-1230", staff=True)  # the provider's administrator
    for path in ("/staff/reports/tracks", f"/staff/reports/tracks/{track}"):
        petra.goto(live_server.url + path)
        assert_accessible(petra)
    anna = page_of(browser, locale, width)
    log_in(anna, live_server, "anna")
    anna.goto(live_server.url + "/reports")
    expect(anna.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(anna)
