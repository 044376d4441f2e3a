"""A double click on a form that creates something makes it once, and both answers are the
page of success (the browser shows the second): a reviewer's new intervention, a provider's
new track. My Plan's, the CV's and the booking forms have theirs beside their other tests."""

from __future__ import annotations

import datetime as dt
import re

from starlette.testclient import TestClient

from portal.settings import Settings
from tests.conftest import at_once, log_in, portal_today
from tests.integration.test_meetings import sql
from tests.integration.test_reports import PETRA


def token_of(client: TestClient, path: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def test_a_double_clicked_intervention_is_registered_once(
    client: TestClient, settings: Settings
) -> None:
    url = settings.database_url
    number, participant = sql(
        url, "SELECT personal_number, id FROM participants WHERE first_name = 'Bo'"
    )[0]
    provider = sql(url, "SELECT organisation_id FROM report_tracks")[0][0]
    before = sql(url, "SELECT count(*) FROM interventions WHERE participant_id = :p", p=participant)
    log_in(client, "vera", staff=True)
    path = "/staff/reports/interventions/new"
    today = portal_today()
    form = {
        "personal_number": number,
        "provider": str(provider),
        "start": today.isoformat(),
        "end": (today + dt.timedelta(days=90)).isoformat(),
        "form_token": token_of(client, path),
    }
    first, second = at_once(client, ("POST", path, {"data": form}), ("POST", path, {"data": form}))
    for answer in (first, second):
        assert answer.status_code == 200 and "The intervention is registered" in answer.text
    after = sql(url, "SELECT count(*) FROM interventions WHERE participant_id = :p", p=participant)
    assert after[0][0] == before[0][0] + 1
    # A refused form leaves its token unused: corrected, it is saved.
    refused_form = {**form, "form_token": token_of(client, path), "end": "2000-01-01"}
    assert client.post(path, data=refused_form).status_code == 400


def test_a_double_clicked_new_track_is_made_once_and_a_corrected_one_is_saved(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, PETRA, staff=True)
    path = "/staff/reports/tracks/new"
    form = {
        "name": "Jobbspår lager",
        "row-0-name": "Introduktion",
        "row-0-start_day": "0",
        "row-0-end_day": "40",
        "form_token": token_of(client, path),
    }
    wrong = client.post(path, data={**form, "row-0-start_day": "30", "row-0-end_day": "10"})
    assert wrong.status_code == 400
    first, second = at_once(client, ("POST", path, {"data": form}), ("POST", path, {"data": form}))
    assert first.status_code == second.status_code == 200
    assert "Jobbspår lager" in first.text and "Jobbspår lager" in second.text
    made = sql(
        settings.database_url, "SELECT count(*) FROM report_tracks WHERE name = :n", n=form["name"]
    )
    assert made[0][0] == 1
