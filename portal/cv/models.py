"""The occupations a participant is looking for a job as ("Jag söker jobb som")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class SoughtOccupation(Base):
    __tablename__ = "cv_sought_occupations"
    __table_args__ = (
        UniqueConstraint("participant_id", "occupation_uri"),
        CheckConstraint("hours_per_week > 0 AND hours_per_week <= 60", name="hours"),
        CheckConstraint(
            "employment_form IN ('permanent', 'temporary', 'seasonal', 'self_employed', 'other')",
            name="employment_form",
        ),
        CheckConstraint(
            "conditions IN ('ordinary', 'flex_job', 'wage_subsidy', 'other')", name="conditions"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    occupation_uri: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(300))  # as chosen; shown if the list drops it
    trained: Mapped[bool] = mapped_column(Boolean)
    experienced: Mapped[bool] = mapped_column(Boolean)
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    earliest_start: Mapped[dt.date | None] = mapped_column(Date)  # none: immediately
    employment_form: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
