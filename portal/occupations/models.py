"""The occupation list in the database: occupations, their labels per language, and imports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class Occupation(Base):
    __tablename__ = "occupations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str] = mapped_column(String(200), unique=True)
    group_code: Mapped[str] = mapped_column(String(10))


class OccupationLabel(Base):
    """A label of an occupation in a language: preferred (shown), alternative, hidden, or the
    label of its group (found by search, never shown as the occupation's name)."""

    __tablename__ = "occupation_labels"
    __table_args__ = (
        CheckConstraint("kind IN ('preferred', 'alternative', 'hidden', 'group')", name="kind"),
        Index("ix_occupation_labels_language_occupation", "language", "occupation_id"),
        # An occupation's own labels (the job-goal check reads them on every plan page).
        Index("ix_occupation_labels_occupation_kind", "occupation_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupations.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))


class OccupationImport(Base):
    """One load of the list; the newest one's id tells processes their index is stale."""

    __tablename__ = "occupation_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(300))
    occupation_count: Mapped[int] = mapped_column()
