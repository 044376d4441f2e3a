"""Languages: catalogs from locales/, the request's locale, gettext and Babel formatting."""

from __future__ import annotations

import datetime as dt
import io
from contextvars import ContextVar
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations
from markupsafe import escape
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from portal.settings import PROJECT_ROOT
from portal.web.requests import cookies_of

LANGUAGES: dict[str, str] = {"sv": "Svenska", "da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = PROJECT_ROOT / "locales"
LANGUAGE_COOKIE = "lang"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def national_language(country: str) -> str:
    """The deployment's own language (SE: Swedish, DK: Danish): what it files documents in and
    writes to someone whose language is not known."""
    return "sv" if country == "SE" else "da"


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of a language: the compiled .mo when current, else compiled from the .po."""
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain="messages")
    if not po.exists():
        return NullTranslations()
    return Translations(_compile(po), domain="messages")


def _compile(po: Path) -> io.BytesIO:
    with po.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return buffer


# English as read in Europe: "2 December 2026, 17:30", not the United States' "December 2,
# 2026, 5:30 PM" of Babel's plain "en".
FORMAT_LOCALES = {"en": "en_GB"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(language, language))


def gettext(message: str, **variables: Any) -> str:
    text = translations(current_language.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(current_language.get()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


class LazyText(LazyProxy):
    """A message translated each time it is used, into the language of the request, as
    babel's LazyProxy (whose every other use it keeps); shown in a page as its text, escaped.
    Written out, babel's proxy made the text twice and raised an AttributeError looking for
    `__html__` on it (some 3 µs a label)."""

    __slots__ = ()

    def __str__(self) -> str:
        return str(translations(current_language.get()).ugettext(self._args[0]))

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(message: str) -> LazyProxy:
    """A message translated when it is used, for module-level labels."""
    return LazyText(gettext, message, enable_cache=False)


def choose_language(connection: HTTPConnection) -> str:
    """The cookie's language when set, else the best match for Accept-Language."""
    chosen = cookies_of(connection.scope).get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return best_language(connection.headers.get("accept-language", ""))


@lru_cache(maxsize=256)
def best_language(header: str) -> str:
    """Our language that best matches an Accept-Language header (browsers send a few)."""
    preferred = []
    for part in header.split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            preferred.append(tag)
    # Norwegian readers understand Danish and Swedish best of the three.
    best = negotiate_locale(preferred, ["sv", "da", "en", "nb", "no", "nn"], sep="_")
    if best in ("nb", "no", "nn"):
        return "da"
    return best or DEFAULT_LANGUAGE


class LocaleMiddleware:
    """Sets the request's language for templates, gettext and Babel."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            language = choose_language(HTTPConnection(scope))
            scope["portal.language"] = language
            current_language.set(language)
        await self.app(scope, receive, send)


class Formatter:
    """Dates, times and numbers in the user's language and the deployment's time zone."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    @property
    def locale(self) -> Locale:
        return _locale(current_language.get())

    def date(self, value: dt.date | dt.datetime, format: str = "long") -> str:
        if isinstance(value, dt.datetime):
            value = value.astimezone(self.zone).date()
        return _date_text(value, format, current_language.get())

    def datetime(self, value: dt.datetime) -> str:
        """Day and time: "2 december 2026 10:15" (a page shows the same moments again and
        again, so each is formatted once)."""
        return _datetime_text(value, self.zone, current_language.get())

    def time(self, value: dt.datetime) -> str:
        return _time_text(value, self.zone, current_language.get())

    def date_of(self, value: dt.datetime) -> dt.date:
        """The local calendar day of a moment."""
        return value.astimezone(self.zone).date()

    def day(self, value: dt.date) -> str:
        """Weekday, day and month as each language writes them: "måndag 30 november",
        "mandag den 30. november", "Monday 30 November"."""
        language = current_language.get()
        return _date_text(value, DAY_PATTERNS.get(language, "EEEE d MMMM"), language)

    def iso_date(self, text: str, format: str = "long") -> str:
        """A date kept as text ("2026-11-30", as typed into a form) in words; the text itself
        when it is not such a date."""
        try:
            return _date_text(dt.date.fromisoformat(text), format, current_language.get())
        except (TypeError, ValueError):
            return str(text)

    def month(self, period: str) -> str:
        """A month kept as "2026-11" as words: "november 2026" (the text itself when it is
        not such a month)."""
        try:
            first = dt.date.fromisoformat(f"{period}-01")
        except ValueError:
            return period
        return _date_text(first, "LLLL yyyy", current_language.get())

    def decimal(self, value: float | Decimal, format: str | None = None) -> str:
        return _decimal_text(type(value).__name__, value, format, current_language.get())

    def today(self) -> dt.date:
        return dt.datetime.now(self.zone).date()


DAY_PATTERNS = {"sv": "EEEE d MMMM", "da": "EEEE 'den' d. MMMM", "en": "EEEE d MMMM"}


@lru_cache(maxsize=4096)
def _decimal_text(_type: type, value: float | Decimal, format: str | None, language: str) -> str:
    """A number in the language (the type is part of the key: 1 and 1.0 are equal keys)."""
    return numbers.format_decimal(value, format=format, locale=_locale(language))


@lru_cache(maxsize=4096)
def _date_text(value: dt.date, format: str, language: str) -> str:
    return dates.format_date(value, format=format, locale=_locale(language))


@lru_cache(maxsize=4096)
def _time_text(value: dt.datetime, zone: ZoneInfo, language: str) -> str:
    local = value.astimezone(zone).time()
    return dates.format_time(local, format="short", locale=_locale(language))


@lru_cache(maxsize=4096)
def _datetime_text(value: dt.datetime, zone: ZoneInfo, language: str) -> str:
    local = value.astimezone(zone)
    return f"{_date_text(local.date(), 'long', language)} {_time_text(value, zone, language)}"


def upper_first(text: object) -> str:
    """The text with its first letter in upper case (month and day names in sv and da are
    written in lower case, but start a heading); unlike `capitalize`, the rest is kept."""
    value = str(text)
    return value[:1].upper() + value[1:]
