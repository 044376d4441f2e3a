"""Tables of the cross-cutting web layer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class FormSubmission(Base):
    """A form's one-time token, claimed by the first submit; a repeat finds it taken."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RateLimit(Base):
    """How often something was done in the current window, by kind and (hashed) subject."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)
