"""Dates and times in the reader's language and the deployment's time zone (formatted once each)."""

from __future__ import annotations

import datetime as dt

from portal.web.i18n import Formatter, current_language

MOMENT = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # 2 December 00:30 in Stockholm


def in_language(language: str, formatter: Formatter) -> tuple[str, str]:
    token = current_language.set(language)
    try:
        return formatter.datetime(MOMENT), formatter.date(MOMENT)
    finally:
        current_language.reset(token)


def test_the_same_moment_reads_in_each_language_and_in_the_local_day() -> None:
    stockholm = Formatter("Europe/Stockholm")
    assert in_language("sv", stockholm) == ("2 december 2026 00:30", "2 december 2026")
    assert in_language("da", stockholm) == ("2. december 2026 00.30", "2. december 2026")
    assert in_language("en", stockholm) == ("2 December 2026 00:30", "2 December 2026")
    # Asked again (now from the cache), each language still gets its own text.
    assert in_language("sv", stockholm)[0] == "2 december 2026 00:30"


def test_the_deployment_time_zone_decides_the_day() -> None:
    assert in_language("sv", Formatter("UTC")) == ("1 december 2026 23:30", "1 december 2026")
    assert in_language("sv", Formatter("Europe/Stockholm"))[1] == "2 december 2026"


def test_a_day_is_written_as_each_language_writes_it() -> None:
    formatter = Formatter("Europe/Stockholm")
    wednesday = dt.date(2026, 12, 9)
    written = {}
    for language in ("sv", "da", "en"):
        token = current_language.set(language)
        try:
            written[language] = formatter.day(wednesday)
        finally:
            current_language.reset(token)
    assert written == {
        "sv": "onsdag 9 december",
        "da": "onsdag den 9. december",
        "en": "Wednesday 9 December",
    }
