"""Form helpers: reading fields with one message per field, and one-time submit tokens."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import Request

from portal.db import Database
from portal.web.i18n import gettext
from portal.web.models import FormSubmission

# Not a space, and not U+FFFD: what bytes that are not UTF-8 become when a form is decoded.
EMAIL = re.compile(r"^[^@\s\ufffd]+@[^@\s\ufffd]+\.[^@\s\ufffd]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")

Errors = dict[str, str]
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


# The largest id a database integer holds; a number of more digits is never an id.
MAX_ID = 2**63 - 1
_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")


def whole_number(raw: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number written in ASCII digits within the bounds, else None: never an
    exception ("²" passes `str.isdigit` and then fails `int`; 5 000 digits fail `int`)."""
    if not isinstance(raw, str) or not _ASCII_NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def portal_date(raw: object) -> dt.date | None:
    """An ISO date within the years the portal keeps (EARLIEST_DATE to LATEST_DATE), else
    None: a date from a link or a hidden field, where "9999-W52" or "0001-01-01" would
    otherwise reach date arithmetic that overflows."""
    if not isinstance(raw, str):
        return None
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None


def portal_moment(raw: object) -> dt.datetime | None:
    """An ISO moment with its UTC offset, within the same years, else None."""
    if not isinstance(raw, str):
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.tzinfo is None or not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        return None
    return value


# Control characters but tab and newline (a carriage return is dropped: \r\n becomes \n).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Text as the portal keeps it: NFC (an "å" typed two ways is one "å"), and no control
    characters (a NUL or an escape is never stored, shown, or sent on in a PDF or e-mail)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value))


class Fields:
    """Reads text fields from a form or a JSON object, collecting one message per field."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        self.source = source
        self.errors: Errors = {}

    def text(self, name: str, limit: int, required: bool = True) -> str:
        raw = self.source.get(name)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.errors[name] = gettext("Must be text.")
            return ""
        value = clean_text(raw).strip()
        if required and not value:
            self.errors[name] = gettext("Fill this in.")
        elif len(value) > limit:
            self.errors[name] = gettext(
                "At most %(limit)s characters; this has %(count)s.", limit=limit, count=len(value)
            )
        return value

    def date(self, name: str, required: bool = True) -> dt.date | None:
        raw = self.source.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.errors[name] = gettext("Give a date.")
            return None
        try:
            value = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            self.errors[name] = gettext("Give a real date, like 2026-03-31.")
            return None
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            # No date the portal keeps lies outside these (birth dates, agreements, meetings):
            # a typing slip like 0202 or 9999 is answered here, before any rule loops over it.
            self.errors[name] = gettext(
                "Give a date from %(first)s to %(last)s.", first=EARLIEST_DATE, last=LATEST_DATE
            )
            return None
        return value

    def time(self, name: str, required: bool = True) -> dt.time | None:
        """A time of day, like 08:30 (a dot or no separator is fine too: 8.30, 0830)."""
        raw = str(self.source.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = gettext("Give a time, like 08:30.")
            return None
        match = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", raw)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            self.errors[name] = gettext("Give a time, like 08:30.")
            return None
        return dt.time(int(match[1]), int(match[2]))

    def integer(self, name: str, minimum: int, maximum: int, required: bool = True) -> int | None:
        raw = str(self.source.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = gettext("Give a number.")
            return None
        value = whole_number(raw, minimum, maximum)
        if value is None:
            self.errors[name] = gettext(
                "Give a whole number from %(minimum)s to %(maximum)s.",
                minimum=minimum,
                maximum=maximum,
            )
        return value

    def flag(self, name: str) -> bool:
        """A checkbox: ticked or not."""
        return self.source.get(name) in ("on", "yes", "1", "true", True)

    def one_of(self, name: str, known: Mapping[int, Any], required: bool = True) -> int | None:
        """The id of one of `known` (a select of teams, rooms ...); empty is None."""
        raw = str(self.source.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = gettext("Choose one of the options.")
            return None
        value = whole_number(raw)
        if value is None or value not in known:
            self.errors[name] = gettext("Choose one of the options.")
            return None
        return value

    def choice(self, name: str, choices: Mapping[str, Any]) -> str:
        raw = self.source.get(name)
        if not isinstance(raw, str) or raw not in choices:
            self.errors[name] = gettext("Choose one of the options.")
            return ""
        return str(raw)

    def decimal(self, name: str, maximum: Decimal) -> Decimal | None:
        """A number from 0 to `maximum` with at most two decimals; a decimal comma is fine."""
        raw = self.source.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            self.errors[name] = gettext("Give a number, like 7.5.")
            return None
        try:
            value = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            self.errors[name] = gettext("Give a number, like 7.5.")
            return None
        if not value.is_finite() or value < 0 or value > maximum:
            self.errors[name] = gettext(
                "Give a number from 0 to %(maximum)s.", maximum=f"{maximum:f}"
            )
            return None
        if value != value.quantize(Decimal("0.01")):
            self.errors[name] = gettext("Use at most two decimals.")
            return None
        return value.quantize(Decimal("0.01"))

    def email(self, name: str, limit: int = 254) -> str:
        value = self.text(name, limit, required=False)
        if value and name not in self.errors and not EMAIL.match(value):
            self.errors[name] = gettext("Give an e-mail address, like name@example.org.")
        return value

    def phone(self, name: str, limit: int = 30) -> str:
        value = self.text(name, limit, required=False)
        if value and name not in self.errors and not PHONE.match(value):
            self.errors[name] = gettext("Give a phone number of digits, like +46 8 123 456 78.")
        return value


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


async def form_token_claimed(db: AsyncSession, token: str) -> bool:
    """Whether a submit with this token was saved (by this request or a racing one)."""
    found = await db.scalar(select(FormSubmission.token).where(FormSubmission.token == token))
    return bool(token) and found is not None


async def claim_form_token(db: AsyncSession, token: str) -> bool:
    """True for the first submit with this token; False for a repeat (or no token).

    Call inside the transaction that writes the record: the token's primary key makes a racing
    second submit fail at commit, so exactly one of them writes.
    """
    if not token or len(token) > 64:
        return False
    if await db.scalar(select(FormSubmission.token).where(FormSubmission.token == token)):
        return False
    db.add(FormSubmission(token=token))
    await db.flush()
    return True


class Refused(Exception):
    """Raised by a write given to `once_per_token` that the rules refuse: the transaction is
    rolled back, so the form's token stays unused for the corrected form."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors)
        self.errors = errors


async def once_per_token(
    database: Database, token: str, write: Callable[[AsyncSession], Awaitable[object]]
) -> bool:
    """Run `write` in one transaction, once per form token. True when it ran; False when the
    same form was already saved, by an earlier submit or one racing this one (a double click:
    answer as that one did). A form without a token is written each time it is sent. Any other
    conflict (another writer, a constraint) is raised, never taken for a double click."""
    token = token if 0 < len(token) <= 64 else ""
    try:
        async with database.transaction() as db:
            if token and not await claim_form_token(db, token):
                return False
            await write(db)
            return True
    except IntegrityError:
        if token:
            async with database.sessions() as db:
                if await form_token_claimed(db, token):
                    return False
        raise


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# Far more than the largest form (a plan of fifty sub-activities is about 100 kB).
MAX_FORM_BYTES = 1024 * 1024


async def read_form(request: Request, *lists: str) -> dict[str, Any]:
    """The posted form as text; the fields named in `lists` (checkboxes) as lists of it. A body
    of another kind (JSON, plain text, or none at all: a browser always says what it sends) is
    refused with 415: read as a form it would be empty, and an empty form can mean "untick
    everything". A body over MAX_FORM_BYTES is refused with 413 before it is read."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind not in FORM_TYPES:
        raise HTTPException(415, "not_a_form")
    size = whole_number(request.headers.get("content-length", "0"))
    if size is None or size > MAX_FORM_BYTES:
        raise HTTPException(413, "too_large")
    async with request.form() as raw:
        form: dict[str, Any] = {key: clean_text(str(value)) for key, value in raw.items()}
        for name in lists:
            form[name] = [clean_text(str(value)) for value in raw.getlist(name)]
    return form
