"""Rate limits held in the database: login attempts per address, signing starts per user,
openings of a shared CV link, API requests per client. Over the limit: 429 with Retry-After
and a translated page (a problem document on the API); two processes share one count."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text

from portal.db import Database
from portal.settings import Settings, _rate_limits
from tests.conftest import client_of, log_in, psycopg_url, run_in_own_thread
from tests.integration.test_hours import start_approval, version_of, waiting_report
from tests.integration.test_plan_api import ANNA, new_token


def limited(settings: Settings, rule: str) -> Settings:
    return replace(settings, rate_limits=_rate_limits("PORTAL_RATE_LIMITS", rule))


def assert_refused(response: object, language_text: str, window: int = 600) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    wait = int(response.headers["retry-after"])  # type: ignore[attr-defined]
    assert 1 <= wait <= window
    assert language_text in response.text  # type: ignore[attr-defined]
    assert "Content-Security-Policy" in response.headers  # type: ignore[attr-defined]


def test_logins_from_one_address_are_limited_across_processes(settings: Settings) -> None:
    tight = limited(settings, "login=3/600")
    with client_of(tight) as one, client_of(tight) as other:  # two processes, one database
        assert log_in(one, "anna").status_code == 200
        assert log_in(other, "bo").status_code == 200
        assert log_in(one, "karin", staff=True).status_code == 200
        refused = other.get("/auth/login", headers={"Accept-Language": "sv"})
        assert_refused(refused, "För många försök på kort tid")
        # Somebody already logged in is not affected.
        assert one.get("/").status_code == 200


def test_signing_starts_are_limited_per_user(settings: Settings) -> None:
    with client_of(limited(settings, "signing=2/600")) as client:
        log_in(client, "anna")
        link = waiting_report(client)
        start_approval(client, link)
        start_approval(client, link)
        data = {"version": version_of(client.get(link).text), "consent": "yes"}
        refused = client.post(
            link + "/approve", data=data, headers={"Accept-Language": "da"}, follow_redirects=False
        )
        assert_refused(refused, "For mange forsøg på kort tid")
    with client_of(limited(settings, "signing=2/600")) as client:
        log_in(client, "bo")  # another person's signing counts on its own
        start_approval(client, waiting_report(client))


def test_a_shared_cv_link_is_opened_a_limited_number_of_times(settings: Settings) -> None:
    with client_of(limited(settings, "share=2/3600")) as client:
        log_in(client, "anna")
        page = client.get("/cv/presentation").text
        token = re.search(r'name="form_token" value="([^"]+)"', page)
        assert token
        made = client.post(
            "/cv/presentation/shares", data={"form_token": token.group(1), "days": "7"}
        )
        link = re.search(r"http://testserver(/shared/cv/[A-Za-z0-9_-]+)", made.text)
        assert link
        anonymous = client_of(limited(settings, "share=2/3600"))
        with anonymous as visitor:
            assert visitor.get(link.group(1)).status_code == 200
            assert visitor.get(link.group(1)).status_code == 200
            assert_refused(visitor.get(link.group(1)), "Too many tries in a short time", 3600)


def test_api_requests_are_limited_per_client_with_a_problem_document(settings: Settings) -> None:
    token = new_token(settings)
    other = new_token(settings)
    with client_of(limited(settings, "api=2/60")) as client:
        path = f"/api/v1/participants/{ANNA}/plan/agreement"
        body = {"text": "We agree.", "agreed_on": "2026-01-05", "agreed_by": "Karin Karlsson"}
        for _ in range(2):
            answer = client.put(path, json=body, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
        refused = client.put(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        ok = client.put(path, json=body, headers={"Authorization": f"Bearer {other}"})
        assert ok.status_code == 200  # each client has its own count


def test_a_new_window_starts_a_new_count_and_old_windows_are_purged(settings: Settings) -> None:
    from portal.web.ratelimit import count_one, purge_rate_limits

    tight = limited(settings, "signing=1/60")
    start = dt.datetime(2026, 12, 4, 10, 0, 5, tzinfo=dt.UTC)

    async def run() -> list[int | None]:
        database = Database(settings.database_url)
        try:
            waits = [
                await count_one(database, tight, "signing", "window-test", start),
                await count_one(database, tight, "signing", "window-test", start),
                await count_one(database, tight, "signing", "window-test", start.replace(minute=1)),
            ]
            purged = await purge_rate_limits(database, start + dt.timedelta(days=2))
            return [*waits, purged]
        finally:
            await database.dispose()

    first, second, next_window, purged = run_in_own_thread(run())
    assert first is None and second == 55 and next_window is None
    assert purged is not None and purged >= 1
    url = settings.database_url
    engine = create_engine(psycopg_url(url) if url.startswith("postgresql") else url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key FROM rate_limits")).scalars().all()
    engine.dispose()
    assert all("window-test" not in key for key in rows)  # only hashes are kept


@pytest.mark.parametrize("rule", ["login", "login=0/60", "login=5/0", "nope=1/60", "api=²/60"])
def test_a_wrong_rate_limit_setting_is_refused_at_start(rule: str) -> None:
    from portal.settings import SettingsError

    with pytest.raises(SettingsError):
        _rate_limits("PORTAL_RATE_LIMITS", rule)
