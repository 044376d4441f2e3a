"""No page reads a large table whole: every statement the participant's and the staff's pages
run, over generated participants with years of history, is explained by SQLite's planner, and
none scans a table that grows with the country (participants, their plans, hours, meetings,
access log) except where a LIMIT stops the scan early."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from portal.demo.scale import add_scaled_data
from tests.conftest import client_of, log_in, make_settings, migrate_with_demo_data

# Tables whose rows grow with the number of participants.
LARGE = {
    "participants",
    "participant_search_terms",
    "participant_assignments",
    "participant_latest_events",
    "participant_markings",
    "participant_teams",
    "access_log",
    "plan_goals",
    "plan_goal_versions",
    "plan_agreement_versions",
    "plan_initiatives",
    "plan_initiative_versions",
    "plan_status_entries",
    "plan_revisions",
    "plan_views",
    "hour_reports",
    "hour_report_versions",
    "hour_entries",
    "hour_responses",
    "signatures",
    "bookings",
    "booking_events",
}
SIZE = 400
SCAN = re.compile(r"\bSCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?")


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("scaled")
    settings = make_settings(f"sqlite:///{folder / 'scaled.db'}", folder)
    migrate_with_demo_data(settings)
    add_scaled_data(settings, SIZE, seed=3)
    return settings


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the app's SQLite connections run from now on, with its values."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **options: Any) -> sqlite3.Connection:
        connection = connect(*args, **options)
        connection.set_trace_callback(seen.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", traced)
    return seen


def participant_of(settings: Any) -> tuple[str, int]:
    """The first generated participant (assigned to karin and to erik's provider)."""
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        number, id = connection.execute(
            "SELECT personal_number, id FROM participants WHERE id = "
            "(SELECT MAX(id) FROM participants) - ? + 1",
            (SIZE,),
        ).fetchone()
    return number, id


def scans(settings: Any, sql: str) -> list[str]:
    """The full scans of large tables in the statement's plan. A LIMIT lets the statement
    itself read a table (or a sorted index) only as far as it needs; a scan inside a
    correlated subquery, run once per row of the statement, never passes."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return []
    limited = " LIMIT " in sql.upper()
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        plan = {row[0]: (row[1], row[3]) for row in connection.execute("EXPLAIN QUERY PLAN " + sql)}

    def correlated(node: int) -> bool:
        while node in plan:
            node, detail = plan[node]
            if detail.startswith("CORRELATED"):
                return True
        return False

    return [
        detail
        for id, (parent, detail) in plan.items()
        if (found := SCAN.search(detail))
        and found.group(1) in LARGE
        and (not limited or correlated(parent) or detail.startswith("CORRELATED"))
    ]


def test_no_page_reads_a_large_table_whole(scaled: Any, statements: list[str]) -> None:
    number, id = participant_of(scaled)
    them = f"/staff/participants/{id}"
    visits: dict[tuple[str, bool], list[str]] = {
        (number, False): ["/", "/plan", "/hours", "/meetings", "/cv", "/access-log", "/settings"],
        ("karin", True): [
            "/staff/",
            "/staff/?new=1",
            "/staff/?scope=mine",
            "/staff/?q=anna",
            "/staff/?sort=name&page=3",
            "/staff/?marking=youth",
            f"{them}",
            f"{them}/plan",
            f"{them}/hours",
            f"{them}/meetings",
            f"{them}/access-log",
            f"/staff/participants/by-number/{number}",
        ],
        ("erik", True): ["/staff/", f"{them}/hour-reports"],
        ("vera", True): ["/staff/", "/staff/reports/board", "/staff/reports/queue"],
        ("palle", True): ["/staff/", "/staff/booking/"],
    }
    with client_of(scaled) as client:
        log_in(client, number)
        history = re.findall(r'href="(/hours/\d+)"', client.get("/hours").text)
        booking = re.findall(r'href="(/meetings/bookings/\d+)"', client.get("/meetings").text)
        visits[(number, False)] += history[:1] + booking[:1]
    for (persona, staff), paths in visits.items():
        with client_of(scaled) as client:
            log_in(client, persona, staff=staff)
            for path in paths:
                assert client.get(path).status_code == 200, path
    assert len(set(statements)) > 50, "the pages' statements were traced"
    found = {sql: lines for sql in set(statements) if (lines := scans(scaled, sql))}
    assert not found, "\n\n".join(f"{sql}\n  -> {lines}" for sql, lines in found.items())
