"""The participant record, linked to an eID login by personal number."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class Participant(Base):
    __tablename__ = "participants"
    # The case overview pages through participants by name in this order.
    __table_args__ = (Index("ix_participants_name", "last_name", "first_name", "id"),)

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
    # The overview's "latest first" in the index's own order, ties (events written in one
    # moment, as a case system's batch does) included, so a page stops after its 50 rows.
    __table_args__ = (Index("ix_participant_latest_events_order", "at", "participant_id"),)

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# Compared by byte on PostgreSQL too, so that a prefix is a range of the index (see search.py).
TERM = String(100).with_variant(String(100, collation="C"), "postgresql")


class SearchTerm(Base):
    """A word a participant is found by (a name word, casefolded; the personal number's digits,
    with and without the century): staff search by the start of each word through this index
    instead of reading every participant's name."""

    __tablename__ = "participant_search_terms"
    # "Has participant P a term beginning with W?" in one step of this index.
    __table_args__ = (Index("ix_participant_search_terms_participant", "participant_id", "term"),)

    term: Mapped[str] = mapped_column(TERM, primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
