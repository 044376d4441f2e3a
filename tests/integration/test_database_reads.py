"""What pages read on every request: the same rows whichever way the database answers them.

Database.read_one/read_all run their statements on the driver itself (SQLite's, or psycopg's
prepared statements on PostgreSQL); these tests hold them to what SQLAlchemy's own execution
returns, on the demo data.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import (
    Float,
    Integer,
    bindparam,
    column,
    delete,
    event,
    func,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm.exc import DetachedInstanceError

from portal.auth.models import WebSession
from portal.auth.sessions import session_and_participant, session_query
from portal.booking.models import BookingEvent
from portal.db import Database, attach, utcnow
from portal.hours.models import HourReport, HourReportVersion, HourResponse
from portal.hours.page_reads import report_list_queries
from portal.jobgoal.service import goal_mismatch_query, other_names_query
from portal.participants.models import Participant
from portal.participants.routes import start_page_query
from portal.plan.reading import unseen_changes_query
from portal.postgres_reads import PostgresReads
from tests.conftest import client_of, log_in, run_in_own_thread


def on_database(url: str, check: Callable[[Database], Awaitable[None]]) -> None:
    """Run `check` against a Database of its own on `url`, disposed of afterwards."""

    async def run() -> None:
        database = Database(url)
        try:
            await check(database)
        finally:
            await database.dispose()

    run_in_own_thread(run())


async def anna(database: Database) -> int:
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT id FROM participants WHERE personal_number = '19900101-1239'")
            )
        ).one()
    return int(row[0])


def page_queries(participant_id: int) -> list[tuple[Any, dict[str, Any]]]:
    who = {"participant_id": participant_id}
    return [
        (unseen_changes_query(), who),
        (start_page_query(), {**who, "now": utcnow() - dt.timedelta(days=400)}),
        (goal_mismatch_query(), who),
        (other_names_query(), who),
    ]


def test_page_reads_return_what_sqlalchemy_returns(database_url: str) -> None:
    async def check(database: Database) -> None:
        queries = page_queries(await anna(database))
        fast = await database.read_all(*queries)
        async with database.engine.connect() as connection:
            slow = [[tuple(r) for r in await connection.execute(q, p)] for q, p in queries]
        assert [[tuple(r) for r in rows] for rows in fast] == slow
        revision, changed_at, _seen_revision, _seen_at = fast[0][0]
        assert revision and changed_at.tzinfo is not None, "anna's plan has changes"
        assert fast[1][0][-1] is not None, "anna has a meeting ahead in the demo data"

    on_database(database_url, check)


def test_rows_are_read_by_name_and_objects_by_primary_key(database_url: str) -> None:
    async def check(database: Database) -> None:
        participant_id = await anna(database)
        participant = await database.get_row(Participant, participant_id)
        assert participant is not None and participant.personal_number == "19900101-1239"
        assert participant.created_at.tzinfo is not None
        assert await database.get_row(Participant, -1) is None
        assert await database.get_row(WebSession, "no such session") is None
        row = await database.read_one(
            select(Participant.id, Participant.first_name).where(Participant.id == bindparam("id")),
            {"id": participant_id},
        )
        assert row.id == participant_id and row._mapping["first_name"] == "Anna"

    on_database(database_url, check)


def test_an_object_graph_read_without_a_session_is_what_the_orm_loads_and_refuses_the_rest(
    database_url: str,
) -> None:
    """`Database.read_objects` + `attach`: the same objects and relationships as the ORM's
    loaders give; a relationship not read with them raises instead of reading as empty."""

    async def check(database: Database) -> None:
        participant_id = await anna(database)
        reports_query, versions_query, responses_query, _totals = report_list_queries()
        given = {"participant": participant_id}
        reports, versions, responses = await database.read_objects(
            (HourReport, reports_query, given),
            (HourReportVersion, versions_query, given),
            (HourResponse, responses_query, given),
        )
        with pytest.raises(DetachedInstanceError):
            _ = reports[0].versions
        attach(versions, "response", responses, "version_id", one=True)
        attach(reports, "versions", versions, "report_id")
        async with database.sessions() as session:
            loaded = (
                await session.scalars(
                    select(HourReport)
                    .where(HourReport.participant_id == participant_id)
                    .order_by(HourReport.year.desc(), HourReport.month.desc(), HourReport.id.desc())
                )
            ).all()

            def shape(found: Any) -> list[Any]:
                return [
                    (
                        report.id,
                        report.created_at,
                        [
                            (v.id, v.state, v.submitted_at, v.response and v.response.kind)
                            for v in report.versions
                        ],
                    )
                    for report in found
                ]

            assert shape(reports) == shape(loaded) and len(reports) > 1
        assert any(v.response is not None for v in versions), "anna has answered a month"

    on_database(database_url, check)


def test_an_in_whose_values_come_with_the_call_is_read_too(database_url: str) -> None:
    query = select(BookingEvent.id).where(
        BookingEvent.event.in_(bindparam("events", expanding=True))
    )

    async def check(database: Database) -> None:
        rows = await database.read_all((query, {"events": ["booked", "seen"]}))
        async with database.engine.connect() as connection:
            expected = list(await connection.execute(query, {"events": ["booked", "seen"]}))
        assert sorted(tuple(r) for r in rows[0]) == sorted(tuple(r) for r in expected)

    on_database(database_url, check)


def test_a_write_is_seen_by_the_next_read_and_the_reader_cannot_write(database_url: str) -> None:
    async def check(database: Database) -> None:
        participant_id = await anna(database)
        before = await database.get_row(Participant, participant_id)
        assert before is not None
        async with database.transaction() as db:
            stored = await db.get(Participant, participant_id)
            assert stored is not None
            stored.language, previous = "da", stored.language
        after = await database.get_row(Participant, participant_id)
        assert after is not None and after.language == "da"
        [[(language,)], _] = await database.read_all(
            (
                select(Participant.language).where(Participant.id == bindparam("id")),
                {"id": participant_id},
            ),
            (select(Participant.id), {}),
        )
        assert language == "da"
        if database.fast_reads is not None:
            assert not database.fast_reads.connection().in_transaction, (
                "read_all left its snapshot open"
            )
        async with database.transaction() as db:
            stored = await db.get(Participant, participant_id)
            assert stored is not None
            stored.language = previous
        if database.fast_reads is not None:
            with pytest.raises(sqlite3.OperationalError):
                database.fast_reads.connection().execute("DELETE FROM participants")

    on_database(database_url, check)


def test_a_session_is_read_with_its_participant_and_only_a_participant_session(
    database_url: str,
) -> None:
    async def check(database: Database) -> None:
        participant_id = await anna(database)
        now = utcnow()
        async with database.transaction() as db:
            for key, kind in (("p-session", "participant"), ("s-session", "staff")):
                db.add(
                    WebSession(
                        id=key,
                        data={"a": 1},
                        user_kind=kind,
                        user_id=participant_id,
                        created_at=now,
                        authenticated_at=now,
                        last_seen_at=now,
                    )
                )
        try:
            row = await database.read_one(session_query(), {"key": "p-session"})
            record, participant = session_and_participant(row)
            assert record.id == "p-session" and record.data == {"a": 1}
            assert record.last_seen_at.tzinfo is not None
            assert participant is not None and participant.id == participant_id
            assert participant.personal_number == "19900101-1239"
            row = await database.read_one(session_query(), {"key": "s-session"})
            record, participant = session_and_participant(row)
            assert record.user_kind == "staff" and participant is None
            assert await database.read_one(session_query(), {"key": "no such"}) is None
        finally:
            async with database.transaction() as db:
                await db.execute(
                    delete(WebSession).where(WebSession.id.in_(["p-session", "s-session"]))
                )

    on_database(database_url, check)


@pytest.mark.parametrize(
    "stored", ["2026-12-02 01:37:46.153365", "2026-12-02 01:37:46", "2026-03-29 02:30:00.000001"]
)
def test_moments_are_read_back_as_sqlalchemy_reads_them(stored: str) -> None:
    from sqlalchemy.dialects import sqlite

    from portal.timestamps import UTCDateTime, utc_from_sqlite

    dialect = sqlite.dialect()
    sqlalchemy_reads = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert sqlalchemy_reads is not None
    assert utc_from_sqlite(stored) == sqlalchemy_reads(stored)
    assert utc_from_sqlite(stored).tzinfo is dt.UTC  # type: ignore[union-attr]
    assert utc_from_sqlite(None) is None


def test_a_moment_written_with_an_offset_is_read_back_in_utc() -> None:
    from portal.timestamps import utc_from_sqlite

    assert utc_from_sqlite("2026-12-02 10:37:46+01:00") == dt.datetime(
        2026, 12, 2, 9, 37, 46, tzinfo=dt.UTC
    )


def test_a_read_of_many_rows_on_sqlite_runs_off_the_event_loop(database_url: str) -> None:
    """A long read (a large plan, the occupation index) must not hold up other requests."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads through the async driver anyway")

    async def check(database: Database) -> None:
        loop_thread = threading.get_ident()
        count, reader = await database.read(
            lambda session: (
                session.scalar(select(func.count()).select_from(Participant)),
                threading.get_ident(),
            )
        )
        assert count and reader != loop_thread

    on_database(database_url, check)


def only_postgresql(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's own read path")


def on_postgresql(
    database_url: str, check: Callable[[Database, PostgresReads], Awaitable[None]]
) -> None:
    """`check` with the database's own PostgreSQL reader (skipped on SQLite)."""
    only_postgresql(database_url)

    async def run(database: Database) -> None:
        assert database.postgres_reads is not None
        await check(database, database.postgres_reads)

    on_database(database_url, run)


def test_postgresql_reads_are_prepared_once_and_a_page_s_reads_go_out_together(
    database_url: str,
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        queries = page_queries(await anna(database))
        for _ in range(3):
            await database.read_all(*queries)
        compiled = reader.statements.statements
        assert all(compiled.get(query) is not None for query, _ in queries), "compiled once"
        assert len(reader.idle) == 1, "one page's reads take one connection"
        cursor = await reader.idle[0].execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql"
        )
        (prepared,) = await cursor.fetchone() or (0,)
        assert prepared >= len(queries), "each statement is prepared on the connection"

    on_postgresql(database_url, check)


def test_a_postgresql_statement_that_fails_among_a_page_s_reads_raises_and_the_next_reads_run(
    database_url: str,
) -> None:
    missing = table("no_such_table", column("id"))

    async def check(database: Database, reader: PostgresReads) -> None:
        queries = page_queries(await anna(database))
        divided = select(literal(1, Integer) / bindparam("zero", type_=Integer))
        with pytest.raises(DataError, match="division by zero"):
            await database.read_all(queries[0], (divided, {"zero": 0}), *queries[1:])
        # The statement that cannot be prepared at all, first among others not yet prepared.
        unprepared = select(Participant.id).where(Participant.id == bindparam("id"))
        with pytest.raises(ProgrammingError, match="no_such_table"):
            await database.read_all((select(missing.c.id), {}), (unprepared, {"id": 1}), *queries)
        assert len(reader.mine) == 1, "an error in a statement keeps the connection"
        expected = await database.read_all(*queries)
        async with database.engine.connect() as connection:
            slow = [[tuple(r) for r in await connection.execute(q, p)] for q, p in queries]
        assert [[tuple(r) for r in rows] for rows in expected] == slow
        ((half,),) = (await database.read_all((divided, {"zero": 2})))[0]
        assert float(half) == 0.5
        participant_id = await anna(database)
        # A larger number is a parameter of another type (psycopg picks the smallest):
        # prepared once more.
        for given, found in ((participant_id, [(participant_id,)]), (100_000, []), (None, [])):
            assert [
                tuple(r) for r in (await database.read_all((unprepared, {"id": given})))[0]
            ] == found

    on_postgresql(database_url, check)


def test_a_postgresql_read_cancelled_while_it_waits_for_the_server_closes_its_connection(
    database_url: str,
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        slow = select(func.pg_sleep(bindparam("seconds", type_=Float)))
        reading = asyncio.create_task(database.read_all((slow, {"seconds": 5})))
        sleeping = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'"
        )
        deadline = time.monotonic() + 10
        async with database.engine.connect() as admin:
            # Until sent and running; each look in a transaction of its own (PostgreSQL shows
            # a transaction the same pg_stat_activity throughout: a first look before the read
            # began would have been repeated forever).
            while not (await admin.execute(sleeping)).scalar():
                await admin.rollback()
                assert time.monotonic() < deadline, "the read never began"
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert not reader.mine and not reader.idle, "half-read: closed, not given to another"
        participant_id = await anna(database)
        rows = await database.read_all(
            (
                select(Participant.id).where(Participant.id == bindparam("id")),
                {"id": participant_id},
            )
        )
        assert [tuple(r) for r in rows[0]] == [(participant_id,)]

    on_postgresql(database_url, check)


def plain(found: Any) -> list[list[tuple[Any, ...]]]:
    """`read_all`'s answer as plain tuples, to compare."""
    return [[tuple(row) for row in rows] for rows in found]


def by_id() -> Any:
    return select(Participant.id).where(Participant.id == bindparam("id"))


class RoundTrips:
    """How many statements each round trip of the PostgreSQL reader held."""

    def __init__(self, reader: PostgresReads, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        original = reader.rows_of_all

        async def spied(queries: Any) -> Any:
            self.sizes.append(len(queries))
            return await original(queries)

        monkeypatch.setattr(reader, "rows_of_all", spied)


def test_postgresql_reads_of_one_turn_share_a_round_trip_each_with_its_own_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        anna_id = await anna(database)
        trips = RoundTrips(reader, monkeypatch)
        answers = await asyncio.gather(
            database.read_all((by_id(), {"id": anna_id})),
            database.read_one(by_id(), {"id": -1}),
            database.read_all((by_id(), {"id": anna_id}), (by_id(), {"id": -2})),
        )
        assert trips.sizes == [4]
        assert plain(answers[0]) == [[(anna_id,)]]
        assert answers[1] is None
        assert plain(answers[2]) == [[(anna_id,)], []]
        # One at a time, each goes out alone.
        await database.read_all((by_id(), {"id": anna_id}))
        assert trips.sizes == [4, 1]

    on_postgresql(database_url, check)


def test_a_failing_postgresql_read_fails_alone_and_the_others_get_their_rows(
    database_url: str,
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        anna_id = await anna(database)
        divided = select(literal(1) / bindparam("zero", type_=Integer))
        answers = await asyncio.gather(
            database.read_all((by_id(), {"id": anna_id})),
            database.read_all((divided, {"zero": 0})),
            database.read_one(by_id(), {"id": anna_id}),
            return_exceptions=True,
        )
        assert plain(answers[0]) == [[(anna_id,)]]
        assert isinstance(answers[1], DBAPIError)
        assert tuple(answers[2]) == (anna_id,)

    on_postgresql(database_url, check)


def test_a_postgresql_reader_that_stops_waiting_leaves_the_others_their_rows(
    database_url: str,
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        anna_id = await anna(database)
        readers = [
            asyncio.create_task(database.read_all((by_id(), {"id": anna_id}))) for _ in range(3)
        ]
        await asyncio.sleep(0)  # each has asked
        readers[1].cancel()
        answers = await asyncio.gather(*readers, return_exceptions=True)
        assert isinstance(answers[1], asyncio.CancelledError)
        for found in (answers[0], answers[2]):
            assert isinstance(found, list)
            assert plain(found) == [[(anna_id,)]]
        assert reader.idle, "the connection went back to the pool, whole"

    on_postgresql(database_url, check)


def test_postgresql_readers_get_a_connection_first_come_first_served(database_url: str) -> None:
    only_postgresql(database_url)

    async def check(database: Database) -> None:
        reader = PostgresReads(database.url, database.engine.dialect, size=1)
        try:
            first = await reader._take()
            served: list[int] = []

            async def wait(number: int) -> None:
                connection = await reader._take()
                served.append(number)
                await reader._give_back(connection, broken=False)

            waiting = [asyncio.create_task(wait(n)) for n in range(3)]
            await asyncio.sleep(0)
            assert len(reader.waiting) == 3 and not served
            await reader._give_back(first, broken=False)
            await asyncio.gather(*waiting)
            assert served == [0, 1, 2]
            assert len(reader.mine) == 1, "never more connections than its size"
        finally:
            reader.close()

    on_database(database_url, check)


def test_a_postgresql_connection_the_server_closed_is_replaced_without_failing_the_read(
    database_url: str,
) -> None:
    async def check(database: Database, reader: PostgresReads) -> None:
        query = select(Participant.id).where(Participant.id == bindparam("id"))
        participant_id = await anna(database)
        await database.read_one(query, {"id": participant_id})
        (connection,) = reader.idle
        async with database.engine.connect() as admin:
            pid = connection.info.backend_pid
            await admin.execute(text(f"SELECT pg_terminate_backend({pid})"))
        row = await database.read_one(query, {"id": participant_id})
        assert row.id == participant_id, "read again on a new connection"
        assert connection.closed and connection not in reader.idle and len(reader.mine) == 1

    on_postgresql(database_url, check)


def test_a_postgresql_server_that_is_away_is_an_operational_error(database_url: str) -> None:
    only_postgresql(database_url)

    async def check(database: Database) -> None:
        away = Database("postgresql://postgres@127.0.0.1:1/portal")
        try:
            with pytest.raises(OperationalError):
                await away.read_one(select(Participant.id).limit(1))
            assert away.postgres_reads is not None and not away.postgres_reads.mine
        finally:
            await away.dispose()

    on_database(database_url, check)


def test_a_postgresql_url_s_connection_options_reach_the_portal_s_own_reads(
    database_url: str,
) -> None:
    """Values with spaces in the URL's query (libpq's `options`, an application name) are
    given to the fast path's connections as SQLAlchemy's engine gets them."""
    only_postgresql(database_url)
    url = make_url(database_url).update_query_dict(
        {"application_name": "portal reads", "options": "-c work_mem=7MB"}
    )
    database = Database(url.render_as_string(hide_password=False))
    query = select(func.current_setting("application_name"), func.current_setting("work_mem"))
    try:
        assert tuple(run_in_own_thread(database.read_one(query))) == ("portal reads", "7MB")
        assert database.postgres_reads is not None and database.postgres_reads.served
    finally:
        run_in_own_thread(database.dispose())


def test_a_postgresql_reader_follows_the_event_loop_it_is_used_on(database_url: str) -> None:
    only_postgresql(database_url)
    database = Database(database_url)
    query = select(func.count()).select_from(Participant)
    try:
        counts = [run_in_own_thread(database.read_one(query))[0] for _ in range(2)]
        assert counts[0] == counts[1] > 0
    finally:
        run_in_own_thread(database.dispose())


def test_sqlite_read_sessions_run_on_the_event_loop_and_cannot_write(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedded database's own read sessions")

    async def check(database: Database) -> None:
        loop_thread = threading.get_ident()
        ran_on: list[int] = []

        def where(connection: Any, *_: Any) -> None:
            ran_on.append(threading.get_ident())

        def trace(adapted: Any, _record: Any) -> None:
            adapted.driver_connection._conn.set_trace_callback(where)

        event.listen(database.read_engine.sync_engine, "connect", trace)
        async with database.sessions() as db:
            participant = await db.get(Participant, await anna(database))
            assert participant is not None and participant.first_name == "Anna"
        assert ran_on and set(ran_on) == {loop_thread}, "read on the event loop's thread"
        async with database.sessions() as db:
            with pytest.raises(OperationalError, match="readonly"):
                await db.execute(delete(Participant))

    on_database(database_url, check)


def test_many_requests_reading_at_once_on_sqlite_share_one_connection(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the embedded database's own read sessions")

    async def check(database: Database) -> None:
        opened: list[object] = []
        event.listen(database.read_engine.sync_engine, "connect", lambda *_: opened.append(1))
        participant_id = await anna(database)

        async def one() -> None:
            async with database.sessions() as db:
                assert await db.get(Participant, participant_id) is not None

        await asyncio.gather(*(one() for _ in range(40)))
        assert len(opened) == 1, "a read session gives its connection back before it yields"

    on_database(database_url, check)


def test_pages_build_their_fast_path_statements_once(settings: Any) -> None:
    """A second round of the same pages compiles nothing: each page's fast-path statements
    are built once."""
    pages = {
        ("anna", False): [
            "/",
            "/plan",
            "/settings",
            "/hours",
            "/meetings",
            "/cv",
            "/cv/presentation",
            "/cv/jobs",
            "/access-log",
        ],
        ("karin", True): [
            "/staff/",
            "/staff/?scope=mine",
            "/staff/?new=1",
            "/staff/?q=anna",
            "/staff/?sort=name",
            "/staff/?marking=youth",
        ],
        # The provider's start page built its returned reports' statements with the
        # provider's id in them: compiled anew on every request.
        ("erik", True): ["/staff/"],
        ("vera", True): ["/staff/", "/staff/reports/board", "/staff/reports/queue"],
        ("palle", True): ["/staff/", "/staff/booking/"],
    }

    def count_compiling(client: Any) -> list[object]:
        """From now on, each statement the fast path compiles (its cache holds the statement
        objects weakly: one built per request is compiled again and again)."""
        database: Database = client.app.state.database
        reader = database.postgres_reads or database.fast_reads
        assert reader is not None
        compiling, compile_statement = [], reader.statements.compile_statement

        def counted(query: Any) -> Any:
            compiling.append(query)
            return compile_statement(query)

        reader.statements.compile_statement = counted
        return compiling

    for (persona, staff), paths in pages.items():
        with client_of(settings) as client:
            log_in(client, persona, staff=staff)
            for path in paths:
                assert client.get(path).status_code == 200
            compiling = count_compiling(client)
            for path in paths:
                client.get(path)
            assert not compiling, f"{persona}'s pages compile statements anew: {compiling}"
