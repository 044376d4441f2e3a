"""Provider reports: interventions, their implementation plans, monthly and final reports,
and the reviewers' decisions.

An intervention is one participant's assignment with one provider, for a period, reviewed by
one organisation (the job centre that bought it). A report is one kind of report of one
intervention (monthly reports: one per month); its content lives in versions. Only the newest
version may be a draft; a submitted version is never changed again, and a decision about it
is written once (a unique version id), so two reviewers cannot both decide it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class Track(Base):
    """A track (jobbspår) of a provider: the implementation plan every participant on it
    starts from, as sub-activities placed by days after the intervention's start."""

    __tablename__ = "report_tracks"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # [{"name", "description", "start_day", "end_day"}], days counted from the start (0 = first)
    template: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Intervention(Base):
    __tablename__ = "interventions"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period"),
        Index("ix_interventions_provider", "provider_id", "participant_id"),
        Index("ix_interventions_reviewer", "reviewer_organisation_id", "participant_id"),
        Index("ix_interventions_track", "track_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reviewer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("report_tracks.id"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its reports in brief, for the status board (kept by `reports.summary`).
    plan_state: Mapped[str | None] = mapped_column(String(10))
    plan_approved: Mapped[bool] = mapped_column(default=False, server_default=false())
    final_state: Mapped[str | None] = mapped_column(String(10))
    monthly_period: Mapped[str | None] = mapped_column(String(7))
    monthly_state: Mapped[str | None] = mapped_column(String(10))

    track: Mapped[Track | None] = relationship(lazy="selectin")


class Report(Base):
    """One report of an intervention. `state` and `state_at` follow its versions and decisions
    (kept by the service in the same transaction), so that the status board reads one row per
    cell instead of every version: draft (never submitted), submitted, approved, returned."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("intervention_id", "kind", "period"),
        CheckConstraint("kind IN ('plan', 'monthly', 'final')", name="kind"),
        CheckConstraint("state IN ('draft', 'submitted', 'approved', 'returned')", name="state"),
        Index("ix_reports_queue", "state", "submitted_at"),
        # The status board's filter by a sent report's status.
        Index("ix_reports_state", "state", "kind", "period", "intervention_id"),
        # The status board reads each cell from this index alone.
        Index(
            "ix_reports_board",
            "intervention_id",
            "kind",
            "period",
            "state",
            "approved_version",
            "state_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"))
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(7), default="")  # "2026-11" for a monthly report
    state: Mapped[str] = mapped_column(String(10), default="draft")
    state_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The newest approved version: a plan stays approved while a change of it is reviewed.
    approved_version: Mapped[int | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    intervention: Mapped[Intervention] = relationship(lazy="joined")
    versions: Mapped[list[ReportVersion]] = relationship(
        order_by="ReportVersion.version", lazy="selectin"
    )


class ReportVersion(Base):
    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version"),
        CheckConstraint("state IN ('draft', 'submitted')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    version: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default="draft")
    # A draft: the fields as typed; a submitted version: the same, checked.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_name: Mapped[str] = mapped_column(String(201))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    submitted_by_name: Mapped[str | None] = mapped_column(String(201))

    decision: Mapped[ReportDecision | None] = relationship(lazy="selectin")
    confirmation: Mapped[FinalConfirmation | None] = relationship(lazy="selectin")


class ReportDecision(Base):
    """A reviewer's approval or return of one submitted version. Append-only; one per version."""

    __tablename__ = "report_decisions"
    __table_args__ = (CheckConstraint("outcome IN ('approved', 'returned')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    reviewer_name: Mapped[str] = mapped_column(String(201))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSubscription(Base):
    """A provider user's wish for the daily e-mail of their report reminders."""

    __tablename__ = "report_reminder_subscriptions"

    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_on: Mapped[dt.date | None] = mapped_column(Date)


class AbsenceDay(Base):
    """A day a participant was absent from their intervention, with the reason (days are
    counted, not hours). The provider corrects a day by changing or removing it."""

    __tablename__ = "absence_days"
    __table_args__ = (
        UniqueConstraint("intervention_id", "day"),
        CheckConstraint("reason IN ('illness', 'child_care', 'other')", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_name: Mapped[str] = mapped_column(String(201))
    recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FinalConfirmation(Base):
    """The participant's eID-signed confirmation that they have read a final report version
    (the old system's paper signature page). Append-only; one per version."""

    __tablename__ = "final_report_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"))
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
