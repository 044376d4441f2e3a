"""Organisations, staff users, their authorizations (role + period) and who serves whom."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('job_centre', 'provider')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The organisation's own details, kept by its authorization administrators.
    organisation_number: Mapped[str | None] = mapped_column(String(20))
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    contact_persons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(13), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    authorizations: Mapped[list[StaffAuthorization]] = relationship(
        lazy="selectin", order_by="StaffAuthorization.start_date"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffAuthorization(Base):
    """A role held from start_date to end_date (inclusive; no end date = open-ended)."""

    __tablename__ = "staff_authorizations"
    __table_args__ = (CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class ParticipantAssignment(Base):
    """Who may see a participant: one caseworker, or a whole (provider) organisation."""

    __tablename__ = "participant_assignments"
    __table_args__ = (
        CheckConstraint(
            "(staff_user_id IS NULL) <> (organisation_id IS NULL)", name="one_assignee"
        ),
        UniqueConstraint("participant_id", "staff_user_id", "organisation_id"),
        # A participant is assigned to a user, or to an organisation, once (the constraint
        # above cannot say it: NULLs are never equal); a user's or an organisation's
        # participants are read from these indexes alone (`scope_members`).
        Index(
            "ix_participant_assignments_user_participant",
            "staff_user_id",
            "participant_id",
            unique=True,
        ),
        Index(
            "ix_participant_assignments_organisation_participant",
            "organisation_id",
            "participant_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE")
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )


class PendingStaffChange(Base):
    """A change to staff users that waits in an administrator's "users to sign" list: nothing
    of it takes effect until the administrator signs the whole list."""

    __tablename__ = "pending_staff_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # create, change, end, batch
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffAuditEntry(Base):
    """One signed change to one staff user: before and after, who signed and when. Append-only."""

    __tablename__ = "staff_audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"), index=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # kinds of change, joined by "+"
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
