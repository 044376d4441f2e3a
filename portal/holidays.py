"""National holidays and working days of the deployment's country (SE, DK).

Sweden: the public holidays of the law on general holidays, plus the days the labour market
treats as holidays (Midsummer Eve, Christmas Eve, New Year's Eve). Denmark: the public holidays,
Constitution Day (5 June) and Christmas Eve; Great Prayer Day only up to 2023, when it was
abolished. Sundays are never working days anyway, so Sunday holidays are listed for calendars.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

DAY = dt.timedelta(days=1)


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def _weekday_on_or_after(first: dt.date, weekday: int) -> dt.date:
    return first + (weekday - first.weekday()) % 7 * DAY


def _swedish(year: int) -> dict[dt.date, str]:
    easter = easter_sunday(year)
    midsummer_eve = _weekday_on_or_after(dt.date(year, 6, 19), 4)  # Friday 19-25 June
    all_saints = _weekday_on_or_after(dt.date(year, 10, 31), 5)  # Saturday 31 Oct-6 Nov
    return {
        dt.date(year, 1, 1): "Nyårsdagen",
        dt.date(year, 1, 6): "Trettondedag jul",
        easter - 2 * DAY: "Långfredagen",
        easter - DAY: "Påskafton",
        easter: "Påskdagen",
        easter + DAY: "Annandag påsk",
        dt.date(year, 5, 1): "Första maj",
        easter + 39 * DAY: "Kristi himmelsfärdsdag",
        easter + 49 * DAY: "Pingstdagen",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "Midsommarafton",
        midsummer_eve + DAY: "Midsommardagen",
        all_saints: "Alla helgons dag",
        dt.date(year, 12, 24): "Julafton",
        dt.date(year, 12, 25): "Juldagen",
        dt.date(year, 12, 26): "Annandag jul",
        dt.date(year, 12, 31): "Nyårsafton",
    }


def _danish(year: int) -> dict[dt.date, str]:
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): "Nytårsdag",
        easter - 3 * DAY: "Skærtorsdag",
        easter - 2 * DAY: "Langfredag",
        easter: "Påskedag",
        easter + DAY: "2. påskedag",
        easter + 39 * DAY: "Kristi himmelfartsdag",
        easter + 49 * DAY: "Pinsedag",
        easter + 50 * DAY: "2. pinsedag",
        dt.date(year, 6, 5): "Grundlovsdag",
        dt.date(year, 12, 24): "Juleaftensdag",
        dt.date(year, 12, 25): "Juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    if year <= 2023:
        days[easter + 26 * DAY] = "Store bededag"
    return days


@lru_cache(maxsize=64)
def national_holidays(country: str, year: int) -> dict[dt.date, str]:
    """The country's holidays of a year: date -> name in the country's language."""
    if country == "SE":
        return _swedish(year)
    if country == "DK":
        return _danish(year)
    raise ValueError(f"unknown country {country!r}")


def holiday_name(country: str, date: dt.date) -> str | None:
    return national_holidays(country, date.year).get(date)


def is_working_day(country: str, date: dt.date) -> bool:
    """Monday to Friday, and not a national holiday of the country."""
    return date.weekday() < 5 and date not in national_holidays(country, date.year)


def month_days(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    days = []
    day = first
    while day.month == month:
        days.append(day)
        day += DAY
    return days


def working_days(country: str, year: int, month: int) -> list[dt.date]:
    return [day for day in month_days(year, month) if is_working_day(country, day)]
