"""Append-only access log entries (never updated or deleted in code)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class AccessLogEntry(Base):
    __tablename__ = "access_log"
    __table_args__ = (
        # "When did this staff user last open this participant?" (the case overview's news).
        Index("ix_access_log_participant_staff", "participant_id", "staff_user_id", "at"),
        # The participant's log, newest first (the access-log page's 200 lines).
        Index("ix_access_log_participant_at", "participant_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    # Name and organisation as they were at the time: the log must not change when staff do.
    staff_name: Mapped[str] = mapped_column(String(201))
    organisation_name: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
