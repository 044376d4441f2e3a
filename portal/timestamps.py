"""Moments in time as the portal keeps them: always in UTC, timezone-aware when read back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment in time, stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else as_utc(value)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A moment read back from the database, in UTC (a naive one was stored as UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_from_sqlite(value: str | None) -> dt.datetime | None:
    """A UTCDateTime as SQLite keeps it ("2026-12-02 09:30:00.000000", UTC) read back: what
    SQLAlchemy's two processors (text to datetime, then UTC) give, in one step. Parsing it
    with "+00:00" appended is ten times quicker than setting the zone afterwards."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value + "+00:00")
    except ValueError:  # written with an offset of its own
        return as_utc(dt.datetime.fromisoformat(value))
