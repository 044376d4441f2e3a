"""Booking administration (teams, caseworkers and their hours, closing days, rooms, offers)
and the bookings themselves with their append-only audit trail.

A slot is never given twice, and the database is what makes it so: a booking transaction
starts by writing the caseworker's row (or the group meeting's seat counter), which takes a
row lock on PostgreSQL and the write lock on SQLite, so the check for a free time and the
insert that follows run one at a time per caseworker. Under that, partial unique indexes
refuse two live bookings of one caseworker at one start time and one participant twice in a
group meeting, and a check constraint keeps a group meeting's seats from going negative or
over the number it has.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow

LIVE = text("status = 'booked'")


class Team(Base):
    """A team of a job centre; the top of the hierarchy (no parent) is the job centre."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))


class Caseworker(Base):
    """A person meetings are booked with (a job-centre caseworker, vejleder/handläggare)."""

    __tablename__ = "caseworkers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), unique=True)
    # Written first by every booking of this caseworker: the lock that serialises them.
    booking_lock: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    caseworker_id: Mapped[int] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # False: kept in the team for their booked meetings, but takes no new bookings.
    takes_bookings: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class WorkingHours(Base):
    """One interval per weekday (0 = Monday); 00:00–00:00 means not working that day."""

    __tablename__ = "caseworker_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("ends >= starts", name="order"),
    )

    caseworker_id: Mapped[int] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(primary_key=True)
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)


class Pause(Base):
    __tablename__ = "caseworker_pauses"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("ends > starts", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caseworker_id: Mapped[int] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column()
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)


class BusyTime(Base):
    """Other busy time of a caseworker (a course, a meeting outside the portal)."""

    __tablename__ = "caseworker_busy"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caseworker_id: Mapped[int] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")


class ClosingDay(Base):
    """A local closing day (or days) of a team, inherited by every team under it."""

    __tablename__ = "closing_days"
    __table_args__ = (CheckConstraint("last_date >= first_date", name="order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        CheckConstraint("overbooking >= 0", name="overbooking"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    capacity: Mapped[int | None] = mapped_column()  # None: unlimited
    overbooking: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    address: Mapped[str] = mapped_column(String(300), default="")
    usable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Written first by every individual booking in this room: it holds one meeting at a time.
    booking_lock: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class RoomTeam(Base):
    __tablename__ = "room_teams"

    room_id: Mapped[int] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class MeetingTypeVariant(Base):
    """A job centre's own variant of meeting types of the central list (samtaletypevariant),
    for some of its teams (none named: all teams)."""

    __tablename__ = "meeting_type_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class VariantType(Base):
    __tablename__ = "variant_types"

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_type_variants.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_type: Mapped[str] = mapped_column(String(40), primary_key=True)


class VariantTeam(Base):
    __tablename__ = "variant_teams"

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_type_variants.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class OfferTemplate(Base):
    """Saved answers of the offer form that prefill a new offer (indkaldelsesskabelon); checked
    again as an offer whenever one is saved from it."""

    __tablename__ = "offer_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    values: Mapped[dict[str, object]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingOffer(Base):
    """An offer of meeting times participants book themselves (in Danish "mødetilbud")."""

    __tablename__ = "meeting_offers"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration"),
        CheckConstraint("admin_minutes BETWEEN 0 AND 240", name="admin"),
        CheckConstraint("fixed_end IS NOT NULL OR rolling_weeks IS NOT NULL", name="has_end"),
        CheckConstraint("rolling_weeks IS NULL OR rolling_weeks BETWEEN 1 AND 52", name="weeks"),
        CheckConstraint("seats IS NULL OR seats > 0", name="seats"),
        CheckConstraint("rebook_days_before >= 0", name="rebook_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    meeting_type: Mapped[str] = mapped_column(String(40))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_type_variants.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_minutes: Mapped[int] = mapped_column()
    admin_minutes: Mapped[int] = mapped_column(default=0)
    accept_cancellation: Mapped[bool] = mapped_column(Boolean, default=True)
    accept_rebooking: Mapped[bool] = mapped_column(Boolean, default=True)
    rebook_days_before: Mapped[int] = mapped_column(default=1)
    choose_caseworker: Mapped[bool] = mapped_column(Boolean, default=False)
    first_date: Mapped[dt.date | None] = mapped_column(Date)
    fixed_end: Mapped[dt.date | None] = mapped_column(Date)
    rolling_weeks: Mapped[int | None] = mapped_column()
    visible_from: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    seats: Mapped[int | None] = mapped_column()  # group meetings: a set number of seats
    # Who sees the offer; every rule that is set must hold, none set means everybody.
    eligible_marking: Mapped[str | None] = mapped_column(String(40))
    eligible_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    eligible_municipality: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfferCaseworker(Base):
    __tablename__ = "offer_caseworkers"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_offers.id", ondelete="CASCADE"), primary_key=True
    )
    caseworker_id: Mapped[int] = mapped_column(
        ForeignKey("caseworkers.id"), primary_key=True, index=True
    )


class GroupSession(Base):
    """One set time of a group meeting, with its seat counter (taken by a conditional UPDATE)."""

    __tablename__ = "group_sessions"
    __table_args__ = (
        UniqueConstraint("offer_id", "starts_at"),
        CheckConstraint("booked >= 0 AND (seats IS NULL OR booked <= seats)", name="seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_offers.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    seats: Mapped[int | None] = mapped_column()  # None: unlimited
    booked: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class ParticipantMarking(Base):
    """A person-group marking a caseworker set on a participant (used by offers' eligibility)."""

    __tablename__ = "participant_markings"
    # Who has a marking, read by marking (the case overview's filter, offers' eligibility).
    __table_args__ = (Index("ix_participant_markings_marking", "marking", "participant_id"),)

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    marking: Mapped[str] = mapped_column(String(40), primary_key=True)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParticipantTeam(Base):
    """The team that serves a participant, and their municipality."""

    __tablename__ = "participant_teams"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    municipality: Mapped[str | None] = mapped_column(String(100))


class Booking(Base):
    """A participant's meeting. Never deleted: cancelled or moved ones keep their row."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'moved')", name="status"),
        CheckConstraint("ends_at > starts_at AND blocked_until >= ends_at", name="times"),
        CheckConstraint(
            "(caseworker_id IS NULL) <> (group_session_id IS NULL)", name="individual_or_group"
        ),
        Index(
            "uq_bookings_caseworker_start",
            "caseworker_id",
            "starts_at",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index(
            "uq_bookings_session_participant",
            "group_session_id",
            "participant_id",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
        Index("ix_bookings_caseworker_time", "caseworker_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("meeting_offers.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("caseworkers.id"))
    group_session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # end + admin time
    status: Mapped[str] = mapped_column(String(10), default="booked")
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))


class BookingEvent(Base):
    """The audit trail of SPEC 4: one row per event, never changed."""

    __tablename__ = "booking_events"
    __table_args__ = (Index("ix_booking_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(40))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_offers.id"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("caseworkers.id"), index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    detail: Mapped[str] = mapped_column(String(500), default="")
