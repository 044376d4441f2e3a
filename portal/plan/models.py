"""My Plan's tables. Every change is a new row in a *_versions table; nothing is overwritten.

An item (goal, initiative) is a stable identity; its versions carry the content. Versions and
status entries are append-only: code never updates or deletes them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow


class Authorship:
    """Who made a change: a staff user or a case-management system (API client)."""

    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_name: Mapped[str] = mapped_column(String(201))
    changed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    changed_by_client: Mapped[str | None] = mapped_column(String(100))
    # The plan's revision this change made (see PlanRevision): what "seen" and "changed"
    # compare, since a clock stamped before commit does not order concurrent writers.
    revision: Mapped[int] = mapped_column()


class PlanRevision(Base):
    """A participant's plan revision: one more in every change, counted in the transaction
    that writes it, so that revisions follow the order in which changes commit."""

    __tablename__ = "plan_revisions"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    revision: Mapped[int] = mapped_column()
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Goal(Base):
    __tablename__ = "plan_goals"
    __table_args__ = (
        CheckConstraint("kind IN ('job', 'progression')", name="kind"),
        UniqueConstraint("participant_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[GoalVersion]] = relationship(
        order_by="GoalVersion.version", lazy="selectin"
    )


class GoalVersion(Authorship, Base):
    __tablename__ = "plan_goal_versions"
    __table_args__ = (
        UniqueConstraint("goal_id", "version"),
        # The latest change of a plan is read on every page: from the index alone.
        Index("ix_plan_goal_versions_goal_id_changed_at", "goal_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goals.id"))
    version: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(String(200))
    occupation_uri: Mapped[str | None] = mapped_column(String(200))
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class AgreementVersion(Authorship, Base):
    """The latest agreement of a participant is the highest version."""

    __tablename__ = "plan_agreement_versions"
    __table_args__ = (
        UniqueConstraint("participant_id", "version"),
        Index(
            "ix_plan_agreement_versions_participant_id_changed_at", "participant_id", "changed_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    version: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    agreed_by: Mapped[str] = mapped_column(String(200))


class Initiative(Base):
    __tablename__ = "plan_initiatives"
    __table_args__ = (UniqueConstraint("participant_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[InitiativeVersion]] = relationship(
        order_by="InitiativeVersion.version", lazy="selectin"
    )
    status_entries: Mapped[list[StatusEntry]] = relationship(
        order_by="StatusEntry.id", lazy="selectin"
    )


class InitiativeVersion(Authorship, Base):
    __tablename__ = "plan_initiative_versions"
    __table_args__ = (
        UniqueConstraint("initiative_id", "version"),
        Index(
            "ix_plan_initiative_versions_initiative_id_changed_at", "initiative_id", "changed_at"
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 40)",
            name="hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("plan_initiatives.id"))
    version: Mapped[int] = mapped_column()
    type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    agreed_by: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    purpose: Mapped[str] = mapped_column(Text)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    final_status: Mapped[str | None] = mapped_column(Text)


class StatusEntry(Base):
    """One dated line of an initiative's latest-status log."""

    __tablename__ = "plan_status_entries"
    __table_args__ = (
        Index("ix_plan_status_entries_initiative_id_created_at", "initiative_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("plan_initiatives.id"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(201))
    created_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_by_client: Mapped[str | None] = mapped_column(String(100))
    revision: Mapped[int] = mapped_column()


class PlanView(Base):
    """The participant opened My Plan at `seen_at` and so saw every change up to `revision`."""

    __tablename__ = "plan_views"
    __table_args__ = (
        Index("ix_plan_views_participant_id_seen_at", "participant_id", "seen_at"),
        Index("ix_plan_views_participant_id_revision", "participant_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column()
