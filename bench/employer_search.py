"""Employers' search of the CV bank at 10 000 and at 100 000 participants with searchable CVs;
prints one JSON line per size and search: requests/s and latency percentiles, against the
bare endpoint's in the same run. Every request is a real search: it ranks the hits and
writes the organisation's pseudonyms and a line in each shown participant's log.

The data: each participant looks for one to three of 400 occupations (one popular
occupation holds 4 % of them, as the largest do in the real registers), with hours,
start dates and forms of employment spread out, and a postcode drawn from the whole
country's list.

Run: .venv/bin/python -m bench.employer_search [SECONDS_PER_SEARCH] [SIZES...]
With PORTAL_BENCH_POSTGRES_URL set (a database whose public schema may be dropped), the same
runs on PostgreSQL too. Target (issue 20): p95 < 50 ms, of the same order at both sizes (read
at one connection: the time one search takes; at eight, requests queue behind each other in
the one process, so the latency there is the throughput's).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench.harness import insert_participants, measure_at_sizes, sync_url
from portal.areas import places

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
SIZES = [int(size) for size in sys.argv[2:]] or [10_000, 100_000]
# One employer searching (the time a search takes), and eight at once (the load a process bears).
CONNECTIONS = (1, 8)
FORMS = ("permanent", "temporary", "seasonal", "self_employed", "other")
OCCUPATIONS = 400
POPULAR_SHARE = 0.04


def occupation_pool(connection: object) -> list[str]:
    rows = connection.execute(  # type: ignore[attr-defined]
        text("SELECT uri FROM occupations ORDER BY uri LIMIT :n"), {"n": OCCUPATIONS}
    )
    return [str(row[0]) for row in rows]


def add_searchable_cvs(url: str, size: int) -> None:
    engine = create_engine(sync_url(url))
    chance = random.Random(size)
    now = dt.datetime.now(dt.UTC)
    postcodes = list(places("SE").by_postcode.values())
    with engine.begin() as connection:
        pool = occupation_pool(connection)
        popular, others = pool[0], pool[1:]
        people = insert_participants(connection, size, "C", chance, now)
        profiles, wishes = [], []
        for person in people:
            place = chance.choice(postcodes)
            profiles.append(
                {
                    "id": person["id"],
                    "postcode": place.postcode,
                    "lat": place.latitude,
                    "lon": place.longitude,
                    "now": now,
                }
            )
            chosen = {popular} if chance.random() < POPULAR_SHARE else set()
            chosen.update(chance.sample(others, chance.randint(1, 2)))
            for uri in chosen:
                start = now.date() + dt.timedelta(days=chance.randint(0, 120))
                wishes.append(
                    {
                        "id": person["id"],
                        "uri": uri,
                        "trained": chance.random() < 0.5,
                        "experienced": chance.random() < 0.5,
                        "hours": chance.choice((10, 20, 25, 30, 37, 40)),
                        "start": None if chance.random() < 0.4 else start,
                        "form": chance.choice(FORMS),
                        "lat": place.latitude,
                        "lon": place.longitude,
                        "now": now,
                    }
                )
        connection.execute(
            text(
                "INSERT INTO cv_profiles (participant_id, profile, driving_licences, it_skills, "
                "other_competences, searchable, work_postcode, latitude, longitude, updated_at) "
                "VALUES (:id, '', '', '', '', true, :postcode, :lat, :lon, :now)"
            ),
            profiles,
        )
        connection.execute(
            text(
                "INSERT INTO cv_sought_occupations (participant_id, occupation_uri, label, "
                "trained, experienced, hours_per_week, earliest_start, employment_form, "
                "conditions, searchable, latitude, longitude, created_at, updated_at) VALUES "
                "(:id, :uri, '', :trained, :experienced, :hours, :start, :form, 'ordinary', "
                "true, :lat, :lon, :now, :now)"
            ),
            wishes,
        )
        connection.execute(text("ANALYZE"))
    engine.dispose()


POOL: list[str] = []  # the occupations the data uses, the popular one first


def searches(size: int) -> dict[str, str]:
    """The searches measured: the popular occupation alone (4 % of everyone), near
    Stockholm within 25 km with hours and a start date, its third page, and a rare one."""
    popular, rare = POOL[0], POOL[-1]  # the pool as `fill` found it
    start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()

    def of(uri: str, **criteria: str) -> str:
        return "/employer/search?" + urlencode({"uri": uri, "area": "", **criteria})

    return {
        "popular_occupation": of(popular, hours="30"),
        "popular_near_stockholm": of(
            popular, area="111 22", km="25", hours="30", start=start, form="permanent"
        ),
        "popular_page_3": of(popular, hours="30", page="3"),
        "rare_occupation": of(rare),
    }


def main() -> None:
    measure_at_sizes(
        "employer_search",
        50,
        SIZES,
        fill,
        ("nora", "Norrbageriet AB"),
        searches,
        SECONDS,
        CONNECTIONS,
        login_path="/employer/login",
        target="target_p95_ms",
    )


def fill(url: str, size: int) -> None:
    add_searchable_cvs(url, size)
    if not POOL:
        engine = create_engine(sync_url(url))
        with engine.connect() as connection:
            POOL.extend(occupation_pool(connection))
        engine.dispose()


if __name__ == "__main__":
    main()
