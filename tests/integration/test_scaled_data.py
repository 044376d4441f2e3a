"""`portal demo-data --scale N`: generated participants with the history of some years, on
either database, the same from the same seed, each able to log in and read their pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from portal.demo.scale import add_scaled_data
from portal.settings import Settings
from portal.timestamps import as_utc, utc_from_sqlite
from portal.web.hyphens import SOFT_HYPHEN
from tests.conftest import client_of, log_in, make_settings, migrate_with_demo_data, psycopg_url

SIZE = 120


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    url = settings.database_url
    engine = create_engine(psycopg_url(url) if url.startswith("postgresql") else url)
    with engine.connect() as connection:
        found = [tuple(row) for row in connection.execute(text(sql), {"size": SIZE})]
    engine.dispose()
    return found


GENERATED = (
    "SELECT personal_number, first_name, last_name FROM participants "
    "WHERE id > (SELECT MAX(id) FROM participants) - :size"
)
HOURS = (
    "SELECT r.year, r.month, SUM(e.hours) FROM hour_entries e "
    "JOIN hour_report_versions v ON v.id = e.version_id JOIN hour_reports r ON r.id = v.report_id "
    "WHERE r.participant_id > (SELECT MAX(id) FROM participants) - :size "
    "GROUP BY r.year, r.month ORDER BY r.year, r.month"
)


def test_generated_participants_have_a_plan_history_hours_meetings_and_an_access_log(
    settings: Settings,
) -> None:
    counts = add_scaled_data(settings, SIZE, seed=7)
    assert counts is not None
    assert counts["participants"] == SIZE
    plan_versions = sum(
        counts[table]
        for table in ("plan_goal_versions", "plan_agreement_versions", "plan_initiative_versions")
    )
    # The proportions the issue names for 100 000: 1 M plan versions, 5 M hour entries,
    # 500 000 bookings, 2 M access-log entries.
    assert 8 * SIZE <= plan_versions <= 11 * SIZE
    assert 40 * SIZE <= counts["hour_entries"] <= 60 * SIZE
    assert counts["bookings"] == 5 * SIZE
    assert counts["access_log"] == 20 * SIZE
    assert add_scaled_data(settings, SIZE, seed=7) is None, "a second run adds nothing"
    # Their history lies in the past: no plan change, meeting booked or opening after now.
    latest = rows(
        settings,
        "SELECT MAX(changed_at) FROM plan_initiative_versions UNION ALL "
        "SELECT MAX(changed_at) FROM plan_goal_versions UNION ALL "
        "SELECT MAX(changed_at) FROM plan_agreement_versions UNION ALL "
        "SELECT MAX(created_at) FROM bookings UNION ALL SELECT MAX(at) FROM access_log",
    )
    now = dt.datetime.now(dt.UTC)
    moments = [m if isinstance(m, dt.datetime) else utc_from_sqlite(m) for (m,) in latest]
    assert all(moment is not None and as_utc(moment) <= now for moment in moments), latest
    assert len({row[0] for row in rows(settings, GENERATED)}) == SIZE

    # Every generated personal number is valid: the person logs in with it and reads pages.
    number, first_name, _ = rows(settings, GENERATED + " ORDER BY id LIMIT 1")[0]
    with client_of(settings) as client:
        start = log_in(client, str(number))
        assert f"Hello, {first_name}" in start.text
        history = re.findall(r'href="(/hours/\d+)"', client.get("/hours").text)
        assert len(history) == 3, "the last three months from the provider"
        meetings = client.get("/meetings").text.replace(SOFT_HYPHEN, "")
        assert meetings.count("Uppföljningssamtal") >= 5, "their meetings, and offers to book"
        pages = ["/plan", history[0], "/access-log", "/cv", "/settings"]
        assert [client.get(page).status_code for page in pages] == [200] * len(pages)
        assert client.get("/access-log").text.count("Karin Karlsson") >= 1

    # Their caseworker finds them by name among the job centre's participants.
    with client_of(settings) as client:
        log_in(client, "karin", staff=True)
        found = client.get("/staff/", params={"q": str(number)}).text
        assert first_name in found
        # The start page counts those with something new only so far.
        assert "More than 100 of your participants have something new" in client.get("/staff/").text


def test_the_same_seed_gives_the_same_people_and_hours(settings: Settings, tmp_path: Path) -> None:
    add_scaled_data(settings, SIZE, seed=7)  # (nothing when the first test made them)
    other = make_settings(f"sqlite:///{tmp_path / 'again.db'}", tmp_path)
    migrate_with_demo_data(other)
    add_scaled_data(other, SIZE, seed=7)
    assert rows(other, GENERATED + " ORDER BY id") == rows(settings, GENERATED + " ORDER BY id")
    assert [tuple(map(float, row)) for row in rows(other, HOURS)] == [
        tuple(map(float, row)) for row in rows(settings, HOURS)
    ]
