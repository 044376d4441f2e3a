"""The slot engine at size. Prints one JSON line.

An individual-meeting offer over 8 weeks with 20 caseworkers (working hours, a lunch pause, a
few caseworkers part time), national and local closing days and 2 000 existing bookings with
admin time: the time of one full slot search (every free time of every day), p50 and p95 over
200 searches. The baseline, in the same run, is a minute-by-minute scan of the same calendars,
the approach the engine avoids (timed over 5 searches). Target: p95 < 10 ms.
The last-seat race on a real server comes with the booking pages.
Run: .venv/bin/python -m bench.slots
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from zoneinfo import ZoneInfo

from portal.booking.slot_engine import (
    Caseworker,
    Offer,
    WeekSchedule,
    bookable_days,
    closing_days,
    individual_slots,
)

ZONE = "Europe/Stockholm"
TODAY = dt.date(2026, 3, 1)
CASEWORKERS = 20
BOOKINGS = 2000


def setup() -> tuple[Offer, list[Caseworker], set[dt.date]]:
    random.seed(3)
    tz = ZoneInfo(ZONE)
    offer = Offer(
        duration=dt.timedelta(minutes=30),
        admin_time=dt.timedelta(minutes=15),
        rolling_weeks=8,
        fixed_end=TODAY + dt.timedelta(weeks=10),
    )
    days = bookable_days(offer, TODAY)
    closed = closing_days(
        "SE",
        3,
        {1: None, 2: 1, 3: 2},
        {1: [(days[10], days[11])], 3: [(days[30], days[30])]},
        days[0],
        days[-1],
    )
    open_days = [d for d in days if d.weekday() < 5 and d not in closed]
    lunch = {d: [(dt.time(12), dt.time(12, 45))] for d in range(5)}
    caseworkers = []
    for number in range(CASEWORKERS):
        hours = {
            d: (dt.time(7, 30), dt.time(16)) if d < 5 and not (number % 5 == 0 and d == 4) else None
            for d in range(7)
        }
        busy = []
        for _ in range(BOOKINGS // CASEWORKERS):
            day = random.choice(open_days)
            start = dt.datetime.combine(day, dt.time(7, 30), tzinfo=tz) + dt.timedelta(
                minutes=30 * random.randrange(16)
            )
            busy.append((start, start + dt.timedelta(minutes=45)))
        caseworkers.append(Caseworker(number, WeekSchedule(hours, lunch), busy))
    return offer, caseworkers, closed


def minute_scan(offer: Offer, caseworkers: list[Caseworker], closed: set[dt.date]) -> int:
    """The baseline: test every minute of every working day against every busy interval."""
    tz = ZoneInfo(ZONE)
    found = 0
    for day in bookable_days(offer, TODAY):
        if day in closed:
            continue
        for caseworker in caseworkers:
            hours = caseworker.schedule.hours.get(day.weekday())
            if hours is None:
                continue
            start = dt.datetime.combine(day, hours[0], tzinfo=tz)
            end = dt.datetime.combine(day, hours[1], tzinfo=tz)
            blocked = list(caseworker.busy) + [
                (dt.datetime.combine(day, a, tzinfo=tz), dt.datetime.combine(day, b, tzinfo=tz))
                for a, b in caseworker.schedule.pauses.get(day.weekday(), ())
            ]
            slot = start
            while slot + offer.duration + offer.admin_time <= end:
                minutes = range(int((offer.duration + offer.admin_time).total_seconds() // 60))
                if all(
                    not any(a <= slot + dt.timedelta(minutes=m) < b for a, b in blocked)
                    for m in minutes
                ):
                    found += 1
                slot += offer.duration
    return found


def main() -> None:
    offer, caseworkers, closed = setup()
    timings = []
    slots = {}
    for _ in range(200):
        started = time.perf_counter()
        slots = individual_slots(offer, caseworkers, closed, TODAY, ZONE)
        timings.append((time.perf_counter() - started) * 1000)
    baseline = []
    for _ in range(5):
        started = time.perf_counter()
        minute_scan(offer, caseworkers, closed)
        baseline.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "bench": "slot_search",
                "caseworkers": CASEWORKERS,
                "weeks": 8,
                "existing_bookings": sum(len(c.busy) for c in caseworkers),
                "days_with_free_times": len(slots),
                "free_times": sum(len(day) for day in slots.values()),
                "p50_ms": round(statistics.median(timings), 2),
                "p95_ms": round(timings[int(0.95 * len(timings))], 2),
                "baseline_minute_scan_ms": round(statistics.median(baseline), 1),
                "target_p95_ms": 10,
            }
        )
    )


if __name__ == "__main__":
    main()
