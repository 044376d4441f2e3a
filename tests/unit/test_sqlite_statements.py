"""How a read is written for SQLite's driver: values fixed in the query become literals."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select
from sqlalchemy.dialects import sqlite

from portal.sqlite_reads import SQLiteStatement

PEOPLE = Table(
    "people",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("status", String),
)


def people() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, status TEXT)")
    connection.execute(
        "CREATE INDEX live_people ON people (name) WHERE status = 'live'"  # a partial index
    )
    connection.executemany(
        "INSERT INTO people VALUES (?, ?, ?)",
        [(1, "O'Brien", "live"), (2, "O'Brien", "gone"), (3, "Anna", "live")],
    )
    return connection


def test_a_fixed_value_is_written_into_the_sql_and_a_given_one_stays_a_parameter() -> None:
    query = select(PEOPLE.c.id).where(
        PEOPLE.c.status == "live", PEOPLE.c.name == bindparam("name"), PEOPLE.c.id > 0
    )
    statement = SQLiteStatement(query, sqlite.dialect())
    assert "'live'" in statement.sql and " > 0" in statement.sql
    assert statement.sql.count("?") == 1
    assert statement.run(people(), {"name": "O'Brien"}) == [(1,)]
    assert statement.run(people(), {"name": "Anna"}) == [(3,)]


def test_a_fixed_text_with_a_quote_reads_the_same_rows_as_a_parameter() -> None:
    query = select(PEOPLE.c.id).where(PEOPLE.c.name == "O'Brien").order_by(PEOPLE.c.id)
    statement = SQLiteStatement(query, sqlite.dialect())
    assert "'O''Brien'" in statement.sql
    assert statement.run(people(), None) == [(1,), (2,)]


def test_a_fixed_limit_and_offset_are_written_in_too() -> None:
    query = select(PEOPLE.c.id).order_by(PEOPLE.c.id).limit(1).offset(1)
    statement = SQLiteStatement(query, sqlite.dialect())
    assert "?" not in statement.sql
    assert statement.run(people(), None) == [(2,)]


def test_a_typed_row_reads_by_name_and_refuses_other_columns() -> None:
    from typing import NamedTuple

    from portal.fast_rows import typed_row

    class Pair(NamedTuple):
        first: int
        second: str

    class Row(NamedTuple):  # a row as a query returns it
        first: int
        second: str

    class Swapped(NamedTuple):
        second: str
        first: int

    assert typed_row(Pair, Row(1, "two")).second == "two"
    other = Swapped("two", 1)
    with pytest.raises(TypeError, match="are not Pair"):
        typed_row(Pair, other)


def test_rows_are_made_with_each_column_through_its_own_processor() -> None:
    from portal.fast_rows import row_class, rows_maker

    row = row_class(("id", "name", "seen"))
    make = rows_maker(row, [None, str.upper, lambda value: value and value * 2])
    made = make([(1, "anna", 3), (2, "bo", None)])
    assert made == [(1, "ANNA", 6), (2, "BO", None)]
    assert [type(one) for one in made] == [row, row]
    assert made[1].name == "BO" and made[1]._mapping == {"id": 2, "name": "BO", "seen": None}
    only = rows_maker(row_class(("id",)), [str])
    assert only([(1,), (2,)]) == [("1",), ("2",)]  # one column: still unpacked from its row
    plain = rows_maker(row, [None, None, None])
    assert plain([(1, "anna", 3)])[0].seen == 3 and plain([]) == []
