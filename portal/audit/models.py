"""Append-only access log entries (never updated or deleted in code)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    # "When did this staff user last open this participant?" (the case overview's news).
    __table_args__ = (
        Index("ix_access_log_participant_staff", "participant_id", "staff_user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    # Name and organisation as they were at the time: the log must not change when staff do.
    staff_name: Mapped[str] = mapped_column(String(201))
    organisation_name: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
