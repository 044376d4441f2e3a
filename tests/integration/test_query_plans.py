"""No page reads a large table whole: every statement the participant's and the staff's pages
run, over generated participants with years of history, is explained by the database's
planner, and none scans a table that grows with the country (participants, their plans,
hours, meetings, access log) except where a LIMIT stops the scan early. On PostgreSQL the
plans are asked for with sequential scans discouraged: the tables here are small, and a
sequential scan that remains is one no index can replace."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from portal.audit.service import access_log_query
from portal.cv.page_reads import link_openings
from portal.demo.scale import add_scaled_data, first_generated
from portal.participants.routes import LOG_SHOWN
from portal.postgres_reads import PostgresReads
from portal.settings import Settings
from portal.staff import overview
from tests.conftest import client_of, log_in, make_settings
from tests.integration.test_login import sync_engine

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
def scaled(database_url: str, var_dir: Path) -> Settings:
    settings = make_settings(database_url, var_dir)
    add_scaled_data(settings, SIZE, seed=3)
    return settings


@pytest.fixture
def statements(scaled: Settings, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every statement the app runs from now on, with its values."""
    seen: list[tuple[str, Any]] = []
    if scaled.database_url.startswith("sqlite"):
        connect = sqlite3.connect

        def traced(*args: Any, **options: Any) -> sqlite3.Connection:
            connection = connect(*args, **options)
            connection.set_trace_callback(lambda sql: seen.append((sql, None)))
            return connection

        monkeypatch.setattr(sqlite3, "connect", traced)
        return seen
    execute = psycopg.AsyncCursor.execute

    async def recorded(cursor: Any, query: Any, params: Any = None, **options: Any) -> Any:
        seen.append((str(query), params))
        return await execute(cursor, query, params, **options)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recorded)
    run = PostgresReads._run

    async def recorded_run(reader: PostgresReads, connection: Any, runs: Any) -> Any:
        for statement, values in runs:
            named = {
                name: value for (name, *_), value in zip(statement.ordered, values, strict=True)
            }
            seen.append((statement.sql, named))
        return await run(reader, connection, runs)

    monkeypatch.setattr(PostgresReads, "_run", recorded_run)
    return seen


def sqlite_plan(settings: Settings, sql: str) -> list[tuple[str, bool]]:
    """Each step of SQLite's plan: its text, and whether it runs per row of a correlated
    subquery."""
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        plan = {row[0]: (row[1], row[3]) for row in connection.execute("EXPLAIN QUERY PLAN " + sql)}

    def correlated(node: int) -> bool:
        while node in plan:
            node, detail = plan[node]
            if detail.startswith("CORRELATED"):
                return True
        return False

    steps = []
    for parent, detail in plan.values():
        found = SCAN.search(detail)
        table = found.group(1) if found else ""
        steps.append((table, correlated(parent) or detail.startswith("CORRELATED")))
    return steps


def postgres_plan(connection: Any, sql: str, params: Any) -> list[tuple[str, bool]]:
    """Each full scan in PostgreSQL's plan (a sequential scan, or an index read whole: without
    a condition on it): its table, and whether it is in a subplan."""
    (plan,) = connection.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
    steps = []

    def walk(node: dict[str, Any], in_subplan: bool) -> None:
        kind = node.get("Node Type")
        whole_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        if kind == "Seq Scan" or whole_index:
            steps.append((node.get("Relation Name", ""), in_subplan))
        for child in node.get("Plans", []):
            walk(child, in_subplan or child.get("Parent Relationship") == "SubPlan")

    walk(plan[0]["Plan"], False)
    return steps


def scans(steps: list[tuple[str, bool]], sql: str) -> list[str]:
    """The full scans of large tables: none passes in a statement without a LIMIT (which
    reads a table, or a sorted index, only as far as it needs), nor inside a subquery run
    once per row of the statement."""
    limited = " LIMIT " in sql.upper()
    return [table for table, per_row in steps if table in LARGE and (per_row or not limited)]


def test_no_page_reads_a_large_table_whole(
    scaled: Settings, statements: list[tuple[str, Any]]
) -> None:
    number, id = first_generated(scaled.database_url, SIZE)
    them = f"/staff/participants/{id}"
    visits: dict[tuple[str, bool], list[str]] = {
        (number, False): [
            "/",
            "/plan",
            "/hours",
            "/meetings",
            "/cv",
            "/cv/presentation",
            "/access-log",
            "/settings",
        ],
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
    with client_of(scaled) as client:
        log_in(client, "palle", staff=True)
        planning = client.get("/staff/booking/").text
        calendars = re.findall(r'href="(/staff/booking/caseworkers/\d+/calendar)"', planning)
        rooms = re.findall(r'href="(/staff/booking/rooms/\d+/calendar)"', planning)
        assert calendars and rooms, "palle plans caseworkers' and rooms' calendars"
        visits[("palle", True)] += calendars[:1] + rooms[:1]
    for (persona, staff), paths in visits.items():
        with client_of(scaled) as client:
            log_in(client, persona, staff=staff)
            for path in paths:
                assert client.get(path).status_code == 200, path
    reads = {
        (sql, repr(params)): params
        for sql, params in statements
        if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    }
    assert len(reads) > 50, "the pages' statements were traced"
    found: dict[str, list[str]] = {}
    if scaled.database_url.startswith("sqlite"):
        for sql, _ in reads:
            if lines := scans(sqlite_plan(scaled, sql), sql):
                found[sql] = lines
    else:
        with psycopg.connect(scaled.database_url) as connection:
            connection.execute("SET enable_seqscan = off")
            for (sql, _), params in reads.items():
                if lines := scans(postgres_plan(connection, sql, params), sql):
                    found[sql] = lines
    assert not found, "\n\n".join(f"{sql}\n  -> {lines}" for sql, lines in found.items())


def read_in_an_indexs_order(url: str, statement: Any, values: dict[str, Any]) -> None:
    """The statement's rows come in an index's order: no sort of every row it matches."""
    engine = sync_engine(url)
    sql = str(statement.params(**values).compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        if url.startswith("sqlite"):
            plan = [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]
            assert not [step for step in plan if "B-TREE" in step], plan
        else:
            # As the planner would at scale: a table still small here is not scanned whole.
            connection.execute(text("SET enable_seqscan = off"))
            plan = [row[0] for row in connection.execute(text("EXPLAIN " + sql))]
            assert not [step for step in plan if "Sort" in step], plan
    engine.dispose()


def test_the_overviews_latest_first_page_is_read_in_the_indexs_order(scaled: Settings) -> None:
    """Latest event first, then by participant: the index holds that whole order, so a page
    stops after its rows also when many events share a moment (no sort of every event)."""
    statement = overview.shape(False, False, 0, False, "latest", narrow=False).page
    values = {"user": 1, "organisation": 1, "marking": "", "limit": 50, "offset": 0}
    read_in_an_indexs_order(scaled.database_url, statement, values)


def test_a_participants_access_log_is_read_newest_first_from_its_index(scaled: Settings) -> None:
    """The page shows the newest 200 lines: read from an index in that order, not by sorting
    every line of a participant whose pages are opened daily."""
    statement = access_log_query(LOG_SHOWN)
    read_in_an_indexs_order(scaled.database_url, statement, {"participant_id": 1})


def test_a_shared_links_newest_openings_are_read_from_its_index(scaled: Settings) -> None:
    """The presentation CV shows each link's ten newest openings (and how many): read from an
    index in that order, not by sorting every opening of a link an employer opens daily."""
    read_in_an_indexs_order(scaled.database_url, link_openings(), {"share": 1})


def test_a_staff_users_scope_is_counted_from_the_assignments_not_from_everyone(
    scaled: Settings,
) -> None:
    """The overview's "N participants" and the start page's "N have something new" go through
    the user's and their organisation's assignments from their indexes: a small provider in a
    country's database counts its own, not every participant up to its bound."""
    no_whole_scan(
        scaled,
        overview.shape(False, False, 0, False, "latest", narrow=True).count,
        overview.shape(True, False, 0, False, "latest", narrow=True).count,
        overview.news_statement(),
    )


def test_a_small_scopes_pages_are_read_from_the_assignments_not_by_walking_everyone(
    scaled: Settings,
) -> None:
    """A provider with a handful of participants in a country's database: its overview's
    pages, in every order, read its scope and sort it, instead of walking an index over
    everyone (and checking each) until a page is full."""
    engine = sync_engine(scaled.database_url)
    with engine.begin() as connection:
        small = connection.execute(
            text(
                "INSERT INTO organisations (name, kind, organisation_number)"
                " VALUES ('Liten Coaching AB', 'provider', '5569999999') RETURNING id"
            )
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO participant_assignments (participant_id, organisation_id)"
                " SELECT id, :small FROM participants ORDER BY id LIMIT 3"
            ),
            {"small": small},
        )
    engine.dispose()
    for sort in overview.SORTS:
        for news in (False, True):
            shape = overview.shape(False, False, 0, news, sort, True, sparse=True)
            no_whole_scan(scaled, shape.page, shape.without_event, shape.events, organisation=small)


def no_whole_scan(scaled: Settings, *statements: Any, organisation: int = 1) -> None:
    """None of the statements scans a large table whole, LIMIT or not."""
    engine = sync_engine(scaled.database_url)
    values = {"user": 0, "organisation": organisation, "marking": "", "limit": 50, "offset": 0}
    for statement in statements:
        compiled = statement.params(**values).compile(
            engine, compile_kwargs={"literal_binds": True}
        )
        sql = str(compiled)
        if scaled.database_url.startswith("sqlite"):
            steps = sqlite_plan(scaled, sql)
        else:
            with psycopg.connect(scaled.database_url) as connection:
                connection.execute("SET enable_seqscan = off")
                steps = postgres_plan(connection, sql, None)
        assert not [table for table, _ in steps if table in LARGE], (sql, steps)
    engine.dispose()
