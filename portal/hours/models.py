"""Hour histories, consent events and exports.

A report is one participant's month with one provider organisation; its content lives in
versions. Only the newest version may be a draft (its typed input kept as it was typed);
a submitted version and its entries are never changed again. Responses, signatures, consent
events and export items are append-only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import Signature
from portal.db import Base, UTCDateTime, utcnow


class HourReport(Base):
    __tablename__ = "hour_reports"
    __table_args__ = (
        UniqueConstraint("participant_id", "organisation_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column()
    month: Mapped[int] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[HourReportVersion]] = relationship(
        order_by="HourReportVersion.version", lazy="selectin"
    )


class HourReportVersion(Base):
    __tablename__ = "hour_report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        CheckConstraint("state IN ('draft', 'submitted')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("hour_reports.id"), index=True)
    version: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default="draft")
    draft_data: Mapped[str] = mapped_column(Text, default="{}")  # JSON: field -> as typed
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_name: Mapped[str] = mapped_column(String(201))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    entries: Mapped[list[HourEntry]] = relationship(
        order_by=lambda: (HourEntry.day, HourEntry.activity), lazy="selectin"
    )
    response: Mapped[HourResponse | None] = relationship(lazy="selectin")

    @property
    def total_hours(self) -> Decimal:
        """The version's hours in all (0 for a draft, whose input is not yet entries)."""
        return sum((entry.hours for entry in self.entries), Decimal(0))


class HourEntry(Base):
    """Hours of one activity on one day; `activity` is "own_work" or "initiative:<id>"."""

    __tablename__ = "hour_entries"
    __table_args__ = (
        UniqueConstraint("version_id", "day", "activity"),
        CheckConstraint("hours > 0 AND hours <= 8", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("hour_report_versions.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(40))
    activity_label: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 2))


class HourResponse(Base):
    """The participant's answer to a version: approved (signed) or not agreed (comment)."""

    __tablename__ = "hour_responses"
    __table_args__ = (CheckConstraint("kind IN ('approved', 'not_agreed')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("hour_report_versions.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signatures.id"))

    signature: Mapped[Signature | None] = relationship(lazy="selectin")


class ConsentEvent(Base):
    __tablename__ = "consent_events"
    __table_args__ = (CheckConstraint("kind IN ('given', 'withdrawn')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    notice_version: Mapped[str] = mapped_column(String(20))
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"))

    signature: Mapped[Signature] = relationship(lazy="selectin")


class HourExport(Base):
    __tablename__ = "hour_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(201))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_by_client: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


class HourExportItem(Base):
    """One report version in an export, and the consent event it relied on. A version is in
    at most one export: the unique constraint makes a second export of it impossible."""

    __tablename__ = "hour_export_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("hour_exports.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("hour_report_versions.id"), unique=True)
    consent_event_id: Mapped[int] = mapped_column(ForeignKey("consent_events.id"))
