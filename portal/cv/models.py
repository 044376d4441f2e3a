"""The occupations a participant is looking for a job as ("Jag söker jobb som")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class SoughtOccupation(Base):
    __tablename__ = "cv_sought_occupations"
    __table_args__ = (
        UniqueConstraint("participant_id", "occupation_uri"),
        # Employers search by occupation.
        Index("ix_cv_sought_occupations_occupation", "occupation_uri", "participant_id"),
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
    # Copies of the profile's switch and place (kept with it by the services that write
    # either), so that an employer's search reads this table alone.
    searchable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CvProfile(Base):
    """My CV's single fields: the short profile, driving licences, IT skills, other
    competences, and whether employers may find the CV in a search."""

    __tablename__ = "cv_profiles"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    profile: Mapped[str] = mapped_column(Text, default="")
    driving_licences: Mapped[str] = mapped_column(String(60), default="")  # "B,C1"
    it_skills: Mapped[str] = mapped_column(Text, default="")
    other_competences: Mapped[str] = mapped_column(Text, default="")
    searchable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the participant looks for work (a postcode), and its place, for employers' searches.
    work_postcode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CvEntry(Base):
    """One entry of My CV: a job (work), an education, course or certification (education),
    or a language. Months are stored as the first day of the month."""

    __tablename__ = "cv_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('work', 'education', 'language')", name="kind"),
        CheckConstraint("end_month IS NULL OR end_month >= start_month", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    organisation: Mapped[str] = mapped_column(String(200), default="")  # employer, school
    title: Mapped[str] = mapped_column(String(200), default="")  # job title, education, language
    occupation_uri: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(30), default="")
    start_month: Mapped[dt.date | None] = mapped_column(Date)
    end_month: Mapped[dt.date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")  # tasks
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PresentationCv(Base):
    """The presentation CV's free texts. Never searchable; shared only by link."""

    __tablename__ = "cv_presentations"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    about_me: Mapped[str] = mapped_column(Text, default="")
    job_functions: Mapped[str] = mapped_column(Text, default="")
    competences: Mapped[str] = mapped_column(Text, default="")  # informal, and resources
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PresentationExperience(Base):
    """A job, internship or voluntary work: the tasks, and whether it was a good experience."""

    __tablename__ = "cv_presentation_experiences"
    __table_args__ = (
        CheckConstraint("kind IN ('job', 'internship', 'voluntary')", name="kind"),
        CheckConstraint("verdict IN ('good', 'bad', 'mixed')", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    place: Mapped[str] = mapped_column(String(200))
    tasks: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(6))
    why: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CvShare(Base):
    """A link to the presentation CV for an employer; only the token's hash is stored."""

    __tablename__ = "cv_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    employer_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CvShareView(Base):
    """One opening of a shared link (the page or its PDF)."""

    __tablename__ = "cv_share_views"
    __table_args__ = (
        # A link's latest openings, read newest first, and its count, from the index alone.
        Index("ix_cv_share_views_share_at", "share_id", "viewed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("cv_shares.id"))
    viewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(10))
