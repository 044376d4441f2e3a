"""Two writers to My Plan never lose a write silently, and a double click writes once: the
editor's forms carry the version they were read at and a one-time token, the API may name the
version its change is based on (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.testclient import TestClient

from portal.settings import Settings
from tests.conftest import at_once, log_in, portal_today
from tests.integration.test_meetings import sql
from tests.integration.test_plan import anna_id, create_initiative, initiative_form
from tests.integration.test_plan_api import ANNA, initiative, new_token, put

SAVED = "Saved. Anna gets a notice about the change."


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the form"
    return found.group(1)


def form_of(client: TestClient, path: str, **changes: str) -> dict[str, str]:
    """What the form at `path` would send as shown, with `changes` typed into it."""
    page = client.get(path).text
    values = {name: hidden(page, name) for name in ("form_token", "version") if name in page}
    return {**values, **changes}


VERSIONS = {
    "plan_initiative_versions": "SELECT version, title FROM plan_initiative_versions "
    "WHERE initiative_id = :key ORDER BY version",
    "plan_goal_versions": "SELECT version, text FROM plan_goal_versions "
    "WHERE goal_id = :key ORDER BY version",
}


def goal_id(page: str, base: str, text: str) -> str:
    found = re.search(rf'href="{base}/goals/(\d+)">Change<span class="ds-sr-only"> {text}<', page)
    assert found, f"no goal {text}"
    return found.group(1)


def versions(settings: Settings, table: str, key: int) -> list[Any]:
    """(version, title or text) of each version of an initiative or goal, oldest first."""
    return sql(settings.database_url, VERSIONS[table], key=key)


def api_initiative(client: TestClient, token: str, **changes: Any) -> tuple[str, int]:
    external = f"ext-{uuid.uuid4().hex[:8]}"
    path = f"/api/v1/participants/{ANNA}/plan/initiatives/{external}"
    created = put(client, path, token, initiative(**changes))
    assert created.status_code == 201
    return path, int(created.json()["id"])


def test_a_save_based_on_an_older_version_comes_back_with_both_texts(
    client: TestClient, settings: Settings
) -> None:
    token = new_token(settings)
    path, initiative_id = api_initiative(client, token, title="Warehouse at first")
    log_in(client, "karin", staff=True)
    editor = f"/staff/participants/{anna_id(client)}/edit-plan/initiatives/{initiative_id}"
    form = form_of(client, editor)
    assert form["version"] == "1"
    # The case system changes the initiative while the caseworker writes.
    assert (
        put(client, path, token, initiative(title="Warehouse, by the case system")).json()[
            "version"
        ]
        == 2
    )
    mine = {**initiative_form("Warehouse, by the caseworker"), **form}
    conflict = client.post(editor, data=mine)
    assert conflict.status_code == 409
    page = conflict.text
    assert "Someone else saved a change while you were writing" in page
    assert "Warehouse, by the case system" in page  # theirs, shown
    assert 'value="Warehouse, by the caseworker"' in page  # mine, kept in the form
    assert hidden(page, "version") == "2"
    stored = versions(settings, "plan_initiative_versions", initiative_id)
    assert [row[1] for row in stored] == ["Warehouse at first", "Warehouse, by the case system"]
    # Saving again, now knowingly, replaces theirs; both stay in the history.
    again = {**mine, "version": "2", "form_token": hidden(page, "form_token")}
    assert SAVED in client.post(editor, data=again).text
    stored = versions(settings, "plan_initiative_versions", initiative_id)
    assert [row[1] for row in stored][-2:] == [
        "Warehouse, by the case system",
        "Warehouse, by the caseworker",
    ]


def test_the_api_gets_409_with_the_current_version_when_based_on_an_older_one(
    client: TestClient, settings: Settings
) -> None:
    token = new_token(settings)
    path, _ = api_initiative(client, token)
    assert (
        put(client, path, token, initiative(hours_per_week=20, based_on_version=1)).json()[
            "version"
        ]
        == 2
    )
    stale = put(client, path, token, initiative(hours_per_week=10, based_on_version=1))
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["current_version"] == 2
    # A repeat of the change already saved is no conflict: it changes nothing.
    repeat = put(client, path, token, initiative(hours_per_week=20, based_on_version=1))
    assert repeat.status_code == 200 and repeat.json()["changed"] is False
    wrong = put(client, path, token, initiative(based_on_version="1"))
    assert wrong.status_code == 422
    agreement = f"/api/v1/participants/{ANNA}/plan/agreement"
    body = {"text": "We agree.", "agreed_on": "2026-01-05", "agreed_by": "Karin Karlsson"}
    current = put(client, agreement, token, {**body, "text": f"Now {uuid.uuid4().hex}"})
    latest = current.json()["version"]
    old = put(client, agreement, token, {**body, "based_on_version": latest - 1})
    assert old.status_code == 409 and old.json()["current_version"] == latest


def test_the_agreement_and_a_goal_saved_in_between_are_shown_not_replaced(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "karin", staff=True)
    base = f"/staff/participants/{anna_id(client)}/edit-plan"
    mine = form_of(client, base + "/agreement", text="Mine", agreed_on="2026-01-05")
    mine["agreed_by"] = "Karin Karlsson"
    theirs = form_of(client, base + "/agreement", text="Theirs", agreed_on="2026-01-05")
    theirs["agreed_by"] = "Karin Karlsson"
    assert SAVED in client.post(base + "/agreement", data=theirs).text
    conflict = client.post(base + "/agreement", data=mine)
    assert conflict.status_code == 409
    assert '<dd class="preserve-lines">Theirs</dd>' in conflict.text
    assert ">Mine</textarea>" in conflict.text

    added = client.post(
        base + "/goals/new?kind=job", data=form_of(client, base + "/goals/new?kind=job", text="G")
    )
    goal = goal_id(added.text, base, "G")
    mine = form_of(client, f"{base}/goals/{goal}", text="Bus driver")
    assert (
        SAVED
        in client.post(
            f"{base}/goals/{goal}", data=form_of(client, f"{base}/goals/{goal}", text="Chef")
        ).text
    )
    conflict = client.post(f"{base}/goals/{goal}", data=mine)
    assert conflict.status_code == 409 and "Chef" in conflict.text
    # Removing a goal changed after the plan was opened asks to look again.
    stale_remove = {"form_token": uuid.uuid4().hex, "version": mine["version"]}
    refused = client.post(f"{base}/goals/{goal}/remove", data=stale_remove)
    assert refused.status_code == 409 and "changed by someone else" in refused.text
    texts = [row[1] for row in versions(settings, "plan_goal_versions", int(goal))]
    assert texts == ["G", "Chef"]


def test_a_double_click_on_any_plan_form_writes_once_and_both_answers_say_saved(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "karin", staff=True)
    base = f"/staff/participants/{anna_id(client)}/edit-plan"
    title = f"Twice {uuid.uuid4().hex[:6]}"
    initiative_id = create_initiative(client, anna_id(client), title)
    item = f"{base}/initiatives/{initiative_id}"
    today = portal_today().isoformat()
    forms: list[tuple[str, dict[str, str]]] = [
        (base + "/goals/new?kind=progression", {"text": "Drive a forklift"}),
        (
            base + "/agreement",
            {"text": "Twice agreed", "agreed_on": today, "agreed_by": "Karin Karlsson"},
        ),
        (item + "/status", {"text": "Going well", "entry_date": today}),
        (item, {**initiative_form(title), "hours_per_week": "20"}),
        (item + "/end", {"final_status": "Done well"}),
    ]
    for path, typed in forms:
        form = form_of(client, path, **typed)  # opened after the one before was saved
        first, second = at_once(
            client, ("POST", path, {"data": form}), ("POST", path, {"data": form})
        )
        assert first.status_code == second.status_code == 200, (path, first.text[:300])
        assert SAVED in first.text and SAVED in second.text, path
    stored = versions(settings, "plan_initiative_versions", initiative_id)
    assert [row[0] for row in stored] == [1, 2, 3]  # made, changed once, ended once
    statuses = sql(
        settings.database_url,
        "SELECT count(*) FROM plan_status_entries WHERE initiative_id = :i AND text = :t",
        i=initiative_id,
        t="Going well",
    )
    assert statuses[0][0] == 1
    agreements = sql(
        settings.database_url,
        "SELECT count(*) FROM plan_agreement_versions WHERE text = 'Twice agreed'",
    )
    assert agreements[0][0] == 1
    goals = sql(
        settings.database_url,
        "SELECT count(*) FROM plan_goal_versions WHERE text = 'Drive a forklift'",
    )
    assert goals[0][0] == 1
    # Removing a goal, asked first and then clicked twice: once, and both say removed.
    goal = goal_id(client.get(base).text, base, "Drive a forklift")
    path = f"{base}/goals/{goal}/remove"
    asked = client.get(path)
    assert asked.status_code == 200 and "Remove the goal “Drive a forklift”?" in asked.text
    form = {
        "form_token": hidden(asked.text, "form_token"),
        "version": hidden(asked.text, "version"),
    }
    first, second = at_once(client, ("POST", path, {"data": form}), ("POST", path, {"data": form}))
    assert first.status_code == second.status_code == 200
    assert "Removed: “Drive a forklift”" in first.text + second.text
    removed = versions(settings, "plan_goal_versions", int(goal))
    assert len(removed) == int(form["version"]) + 1
    again = client.post(path, data=form)  # the same form once more, later
    assert again.status_code == 200 and "Removed: “Drive a forklift”" in again.text


def test_an_editor_and_the_api_writing_at_once_never_lose_a_write_silently(
    client: TestClient, settings: Settings
) -> None:
    token = new_token(settings)
    path, initiative_id = api_initiative(client, token)
    log_in(client, "karin", staff=True)
    editor = f"/staff/participants/{anna_id(client)}/edit-plan/initiatives/{initiative_id}"
    for trial in range(6):
        form = form_of(client, editor, **initiative_form(f"Editor {trial}"))
        api_body = initiative(title=f"Case system {trial}")
        headers = {"Authorization": f"Bearer {token}"}
        mine, theirs = at_once(
            client,
            ("POST", editor, {"data": form}),
            ("PUT", path, {"json": api_body, "headers": headers}),
        )
        assert theirs.status_code == 200, theirs.text
        assert mine.status_code in (200, 409), mine.text[:300]
        titles = [row[1] for row in versions(settings, "plan_initiative_versions", initiative_id)]
        assert f"Case system {trial}" in titles  # the API was told saved: it is
        if mine.status_code == 200:
            assert SAVED in mine.text and f"Editor {trial}" in titles
        else:
            assert f"Editor {trial}" not in titles and f"Case system {trial}" in mine.text


def test_a_double_clicked_share_link_is_made_once_and_shown_on_both_answers(
    client: TestClient, settings: Settings
) -> None:
    log_in(client, "anna")
    page = client.get("/cv/presentation").text
    form = {"form_token": hidden(page, "form_token"), "days": "14", "employer_name": "Twice AB"}
    first, second = at_once(
        client,
        ("POST", "/cv/presentation/shares", {"data": form}),
        ("POST", "/cv/presentation/shares", {"data": form}),
    )
    links = [
        re.search(r"http://testserver/shared/cv/[A-Za-z0-9_-]+", r.text) for r in (first, second)
    ]
    assert links[0] and links[1] and links[0].group(0) == links[1].group(0)
    made = sql(
        settings.database_url, "SELECT count(*) FROM cv_shares WHERE employer_name = 'Twice AB'"
    )
    assert made[0][0] == 1
    assert client.get(links[0].group(0).removeprefix("http://testserver")).status_code == 200
