"""Every save of a section of the preparatory part is a version; a lock ends the editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class RehabVersion(Base):
    """One save of one section: its whole content, who saved it and when. Two saves based on
    the same version meet the unique number: the second is told, never silently lost."""

    __tablename__ = "rehab_versions"
    __table_args__ = (
        UniqueConstraint("participant_id", "section", "number"),
        CheckConstraint("section IN ('case', 'cv', 'situation', 'remarks')", name="section"),
        CheckConstraint("saved_by IN ('participant', 'staff')", name="saved_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[str] = mapped_column(String(11))
    saved_by_name: Mapped[str] = mapped_column(String(201))
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RehabLock(Base):
    """The caseworker locked the document: nothing can be changed after this."""

    __tablename__ = "rehab_locks"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    locked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    staff_name: Mapped[str] = mapped_column(String(201))
