"""Employer organisations and their people, the pseudonyms that hide participants from them,
what they saw, and their contact requests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class EmployerOrganisation(Base):
    """A company by its number (CVR in Denmark, organisationsnummer in Sweden, digits only)."""

    __tablename__ = "employer_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmployerUser(Base):
    """A person who logs in for an organisation; known by the IdP's subject."""

    __tablename__ = "employer_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("employer_organisations.id"))
    subject: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(201))
    email: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class EmployerPseudonym(Base):
    """How one organisation knows one participant: the same id in every search, a different
    one for every organisation, so that organisations cannot compare notes."""

    __tablename__ = "employer_pseudonyms"
    __table_args__ = (UniqueConstraint("organisation_id", "pseudonym"),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("employer_organisations.id"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    pseudonym: Mapped[str] = mapped_column(String(16))


class CvSighting(Base):
    """An employer search that showed a participant's CV, or an opening of it; shown to the
    participant. The organisation's name as it was: the log does not change afterwards."""

    __tablename__ = "cv_sightings"
    __table_args__ = (
        CheckConstraint("kind IN ('search', 'open')", name="kind"),
        Index("ix_cv_sightings_participant", "participant_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("employer_organisations.id"))
    organisation_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(6))
    # The occupation searched for (shown in the participant's language), and its label as the
    # employer saw it, in case the occupation list drops it.
    occupation_uri: Mapped[str] = mapped_column(String(200), default="")
    occupation_label: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactRequest(Base):
    """An employer's wish to get in touch about a job. Pending until the participant answers
    or it expires; on accept, the contact details the participant chose are copied here."""

    __tablename__ = "employer_contact_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status"),
        Index("ix_employer_contact_requests_organisation", "organisation_id", "created_at"),
        Index("ix_employer_contact_requests_participant", "participant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("employer_organisations.id"))
    employer_user_id: Mapped[int] = mapped_column(ForeignKey("employer_users.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    occupation_label: Mapped[str] = mapped_column(String(300), default="")
    job_title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # What the participant chose to share on accept (empty: not shared).
    shared_name: Mapped[str] = mapped_column(String(201), default="")
    shared_email: Mapped[str] = mapped_column(String(254), default="")
    shared_phone: Mapped[str] = mapped_column(String(30), default="")
