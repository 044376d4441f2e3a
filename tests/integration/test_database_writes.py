"""Single-statement writes (`Database.write`): the lines pages append on every opening, run on
each database's fast path, committed at once, and never lost when the fast path cannot run."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from portal.audit.models import AccessLogEntry
from portal.audit.service import _access_insert, _access_values, log_access
from portal.db import Database, sqlite_file, utcnow
from portal.fast_rows import result_columns
from portal.participants.models import Participant
from portal.staff.models import StaffUser
from portal.web.ratelimit import _count_statement, window_of
from tests.integration.test_database_reads import anna, on_database


async def access_lines(database: Database, participant_id: int) -> list[Any]:
    async with database.engine.connect() as connection:
        found = await connection.execute(
            select(AccessLogEntry.staff_name, AccessLogEntry.what).where(
                AccessLogEntry.participant_id == participant_id
            )
        )
        return list(found)


async def someone_looked_at_by_staff(database: Database) -> tuple[Participant, StaffUser]:
    participant = await database.get(Participant, await anna(database))
    async with database.engine.connect() as connection:
        staff_id = (await connection.execute(text("SELECT min(id) FROM staff_users"))).scalar()
    staff = await database.get(StaffUser, staff_id)
    assert participant is not None and staff is not None
    return participant, staff


def fast_path_of(database: Database, statement: Any) -> Any:
    if database.fast_reads is not None:
        return database.fast_reads.statement(statement)
    assert database.postgres_reads is not None
    return database.postgres_reads.statement(statement)


def test_an_appended_line_runs_on_the_fast_path_and_is_committed_at_once(
    database_url: str,
) -> None:
    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        before = await access_lines(database, participant.id)
        await log_access(database, participant, staff, "cv")
        after = await access_lines(database, participant.id)
        assert len(after) == len(before) + 1
        assert (staff.full_name, "cv") in [tuple(row) for row in after]
        assert fast_path_of(database, _access_insert()) is not None
        with pytest.raises(ValueError, match="unknown access-log subject"):
            await log_access(database, participant, staff, "somewhere else")

    on_database(database_url, check)


def test_a_count_is_given_back_by_the_upsert_and_starts_again_in_a_new_window(
    database_url: str,
) -> None:
    async def check(database: Database) -> None:
        statement = _count_statement(database.engine.dialect.name)
        now = utcnow()
        window = window_of(now, 60)
        key = f"test:{now.timestamp()}"
        counts = [
            (await database.write(statement, {"key": key, "window_start": window}))[0][0]
            for _ in range(3)
        ]
        assert counts == [1, 2, 3]
        later = window_of(now, 60).replace(year=now.year + 1)
        assert (await database.write(statement, {"key": key, "window_start": later}))[0][0] == 1
        assert fast_path_of(database, statement) is not None

    on_database(database_url, check)


def test_while_another_process_writes_the_line_waits_in_a_unit_of_work_and_is_kept(
    database_url: str,
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")

    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        assert database.fast_writes is not None
        path = sqlite_file(database_url)
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            # The fast path does not wait for the lock (it would hold up the event loop).
            values = _access_values(participant, staff, "plan")
            assert database.fast_writes.run(_access_insert(), values) is None
            other.execute("COMMIT")
        finally:
            other.close()
        before = len(await access_lines(database, participant.id))
        await database.write(_access_insert(), values)
        assert len(await access_lines(database, participant.id)) == before + 1

    on_database(database_url, check)


def test_a_write_whose_default_is_made_in_python_is_not_compiled_once() -> None:
    table = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=lambda: 7),
    )
    statement = insert(table).values(id=bindparam("id"))
    with pytest.raises(ValueError, match="made in Python"):
        result_columns(statement, statement.compile(dialect=sqlite.dialect()))
    given = insert(table).values(id=bindparam("id"), n=bindparam("n"))
    assert result_columns(given, given.compile(dialect=sqlite.dialect())) == []
    returning = insert(table).values(id=bindparam("id"), n=bindparam("n")).returning(table.c.n)
    compiled = returning.compile(dialect=sqlite.dialect())
    assert [key for key, _ in result_columns(returning, compiled)] == ["n"]


def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock and write turn")


class Groups:
    """How many writes each group committed together held."""

    def __init__(self, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        original = database.writes_together.together

        async def spied(group: Any) -> Any:
            self.sizes.append(len(group))
            return await original(group)

        monkeypatch.setattr(database.writes_together, "together", spied)


def test_lines_appended_together_are_committed_together_each_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        groups = Groups(database, monkeypatch)
        before = len(await access_lines(database, participant.id))
        subjects = ["plan", "cv", "hours", "plan", "meetings"]
        await asyncio.gather(*(log_access(database, participant, staff, s) for s in subjects))
        after = await access_lines(database, participant.id)
        assert len(after) == before + len(subjects)
        assert groups.sizes == [len(subjects)]
        # One at a time, each is a group of its own.
        await log_access(database, participant, staff, "cv")
        assert groups.sizes == [len(subjects), 1]

    on_database(database_url, check)


def test_each_write_of_a_group_gets_its_own_returned_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(database: Database) -> None:
        statement = _count_statement(database.engine.dialect.name)
        now = utcnow()
        values = {"key": f"group:{now.timestamp()}", "window_start": window_of(now, 60)}
        answers = await asyncio.gather(*(database.write(statement, values) for _ in range(4)))
        assert sorted(rows[0][0] for rows in answers) == [1, 2, 3, 4]

    on_database(database_url, check)


def test_a_failing_write_fails_alone_and_the_rest_of_its_group_is_kept(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        groups = Groups(database, monkeypatch)
        before = await access_lines(database, participant.id)
        good = _access_values(participant, staff, "plan")
        bad = {**_access_values(participant, staff, "cv"), "staff_name": None}  # NOT NULL
        answers = await asyncio.gather(
            database.write(_access_insert(), good),
            database.write(_access_insert(), bad),
            database.write(_access_insert(), {**good, "what": "hours"}),
            return_exceptions=True,
        )
        assert groups.sizes == [3]
        assert isinstance(answers[0], list) and isinstance(answers[2], list)
        assert isinstance(answers[1], sqlite3.IntegrityError | IntegrityError)
        added = (await access_lines(database, participant.id))[len(before) :]
        assert sorted(what for _, what in added) == ["hours", "plan"]

    on_database(database_url, check)


def test_while_another_process_writes_a_group_waits_in_units_of_work_and_is_kept(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_only(database_url)

    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        assert database.fast_writes is not None
        path = sqlite_file(database_url)
        assert path is not None
        before = len(await access_lines(database, participant.id))
        other = sqlite3.connect(path, isolation_level=None)
        tried = asyncio.Event()
        original = database.fast_writes.run_together

        def locked_out(group: Any) -> Any:
            found = original(group)
            assert found is None  # the other process holds the lock: nothing written
            tried.set()
            return found

        monkeypatch.setattr(database.fast_writes, "run_together", locked_out)
        try:
            other.execute("BEGIN IMMEDIATE")
            writes = asyncio.gather(
                log_access(database, participant, staff, "plan"),
                log_access(database, participant, staff, "cv"),
            )
            await tried.wait()
            other.execute("COMMIT")
            await writes
        finally:
            other.close()
        assert len(await access_lines(database, participant.id)) == before + 2

    on_database(database_url, check)


def test_a_writer_that_stops_waiting_leaves_its_group_to_be_committed(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        groups = Groups(database, monkeypatch)
        before = len(await access_lines(database, participant.id))
        writers = [
            asyncio.create_task(log_access(database, participant, staff, what))
            for what in ("plan", "cv", "hours")
        ]
        await asyncio.sleep(0)  # each has queued its line
        writers[1].cancel()
        answers = await asyncio.gather(*writers, return_exceptions=True)
        assert answers[0] is None and answers[2] is None
        assert isinstance(answers[1], asyncio.CancelledError)
        assert groups.sizes == [3]
        assert len(await access_lines(database, participant.id)) == before + 3

    on_database(database_url, check)


def test_a_write_inside_a_unit_of_work_is_not_left_waiting_for_the_group(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_only(database_url)

    async def check(database: Database) -> None:
        participant, staff = await someone_looked_at_by_staff(database)
        groups = Groups(database, monkeypatch)
        before = len(await access_lines(database, participant.id))
        async with database.transaction():
            # The unit of work holds the write turn the group would wait for.
            await log_access(database, participant, staff, "plan")
        assert groups.sizes == []
        assert len(await access_lines(database, participant.id)) == before + 1

    on_database(database_url, check)
