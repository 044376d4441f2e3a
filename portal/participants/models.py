"""The participant record, linked to an eID login by personal number."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(13), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The reminder service: where to tell the participant that something changed.
    notify_email: Mapped[str | None] = mapped_column(String(254))
    notify_phone: Mapped[str | None] = mapped_column(String(30))
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notify_by_sms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LatestEvent(Base):
    """A participant's latest event that staff follow (My Plan changed, hours sent, a meeting
    booked or changed), kept by the services that make those events: the case overview sorts
    and shows it without working it out from every domain for every participant."""

    __tablename__ = "participant_latest_events"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
