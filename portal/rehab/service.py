"""The rules of the preparatory part: what each section holds and who may write which field,
saving as versions without overwriting anybody, progress, and the lock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import utcnow
from portal.rehab.models import RehabLock, RehabVersion
from portal.rehab.questions import OPTIONS, QUESTIONS
from portal.web.forms import Errors, Fields, portal_date
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

SECTIONS: dict[str, LazyProxy] = {
    "case": _("My case"),
    "cv": _("My CV"),
    "situation": _("My situation"),
    "remarks": _("Remarks"),
}
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "case": ("basic_info", "history", "other_departments"),
    "cv": ("leisure", "everyday_life", "education", "abilities"),
    "remarks": ("missing", "summary"),
}
STAFF_ONLY = {("case", name) for name in TEXT_FIELDS["case"]} | {
    ("case", "documents"),
    ("remarks", "summary"),
}
TEXT_LIMIT = 4000
FOLLOW_UP_LIMIT = 2000
DOCUMENT_ROWS = 8
FOLLOW_UPS = ("good", "partly", "hard")


def may_write(section: str, name: str, staff: bool) -> bool:
    """The caseworker writes everything; the participant all but "My case" and the
    caseworker's summary."""
    return staff or (section, name) not in STAFF_ONLY


def parse_section(
    section: str, form: Mapping[str, Any], staff: bool, current: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Errors]:
    """The section's new content from the form: what this writer may not change is kept as
    it was. Errors by field, in the form's words."""
    fields = Fields(form)
    data = dict(current)
    if section == "situation":
        for question in QUESTIONS:
            option = str(form.get(f"option_{question.id}", ""))
            if option and option not in OPTIONS:
                fields.errors[f"option_{question.id}"] = gettext("Choose one of the options.")
            texts = {
                kind: fields.text(f"follow_{question.id}_{kind}", FOLLOW_UP_LIMIT, required=False)
                for kind in FOLLOW_UPS
            }
            # A follow-up text is kept under its question, whatever option is chosen now.
            data[question.id] = {"option": option, "texts": texts}
    else:
        for name in TEXT_FIELDS[section]:
            if may_write(section, name, staff):
                data[name] = fields.text(name, TEXT_LIMIT, required=False)
        if section == "case" and staff:
            data["documents"] = _documents(form, fields)
    if fields.errors:
        return None, fields.errors
    return data, {}


def _documents(form: Mapping[str, Any], fields: Fields) -> list[dict[str, str]]:
    rows = []
    for index in range(DOCUMENT_ROWS):
        title = fields.text(f"doc_title_{index}", 200, required=False)
        made_by = fields.text(f"doc_by_{index}", 200, required=False)
        date_text = str(form.get(f"doc_date_{index}", "")).strip()
        if not (title or made_by or date_text):
            continue
        if not title:
            fields.errors[f"doc_title_{index}"] = gettext("Give the document's title.")
        made = portal_date(date_text) if date_text else None
        if date_text and made is None:
            fields.errors[f"doc_date_{index}"] = gettext("Give a real date, like 2026-03-31.")
        rows.append({"title": title, "date": made.isoformat() if made else "", "by": made_by})
    return rows


class Conflict(Exception):
    """Somebody saved the section after the version this save was based on."""


class Locked(Exception):
    """The document is locked: nothing can be changed."""


@dataclass
class Document:
    """The preparatory part as it is now: each section's latest version and its history."""

    latest: dict[str, RehabVersion | None]
    history: dict[str, list[RehabVersion]] = field(default_factory=dict)
    lock: RehabLock | None = None

    def data(self, section: str) -> dict[str, Any]:
        version = self.latest.get(section)
        return dict(version.data) if version is not None else {}

    def number(self, section: str) -> int:
        version = self.latest.get(section)
        return version.number if version is not None else 0

    def progress(self, section: str) -> tuple[int, int]:
        """How many of the section's parts are filled in, of how many."""
        data = self.data(section)
        if section == "situation":
            answered = sum(1 for q in QUESTIONS if (data.get(q.id) or {}).get("option"))
            return answered, len(QUESTIONS)
        names = TEXT_FIELDS[section] + (("documents",) if section == "case" else ())
        return sum(1 for name in names if data.get(name)), len(names)


async def document_of(db: AsyncSession, participant_id: int) -> Document:
    versions = (
        await db.scalars(
            select(RehabVersion)
            .where(RehabVersion.participant_id == participant_id)
            .order_by(RehabVersion.section, RehabVersion.number.desc())
        )
    ).all()
    history: dict[str, list[RehabVersion]] = {section: [] for section in SECTIONS}
    for version in versions:
        history[version.section].append(version)
    latest = {section: (found[0] if found else None) for section, found in history.items()}
    lock = await db.get(RehabLock, participant_id)
    return Document(latest, history, lock)


async def save(
    db: AsyncSession,
    participant_id: int,
    section: str,
    based_on: int,
    data: dict[str, Any],
    who: tuple[str, str],
) -> RehabVersion:
    """A new version of the section, if nobody saved it since `based_on` (else Conflict)
    and the document is not locked (else Locked). `who`: ("participant" or "staff", name)."""
    if await db.get(RehabLock, participant_id) is not None:
        raise Locked
    latest = await db.scalar(
        select(func.max(RehabVersion.number)).where(
            RehabVersion.participant_id == participant_id, RehabVersion.section == section
        )
    )
    if (latest or 0) != based_on:
        raise Conflict
    version = RehabVersion(
        participant_id=participant_id,
        section=section,
        number=based_on + 1,
        data=data,
        saved_by=who[0],
        saved_by_name=who[1],
        saved_at=utcnow(),
    )
    db.add(version)
    try:
        await db.flush()
    except IntegrityError as raced:  # the same number saved at the same moment
        raise Conflict from raced
    return version


async def lock(
    db: AsyncSession, participant_id: int, staff_user_id: int, staff_name: str
) -> RehabLock:
    found = await db.get(RehabLock, participant_id)
    if found is not None:
        return found
    locked = RehabLock(
        participant_id=participant_id,
        staff_user_id=staff_user_id,
        staff_name=staff_name,
        locked_at=utcnow(),
    )
    db.add(locked)
    await db.flush()
    return locked
