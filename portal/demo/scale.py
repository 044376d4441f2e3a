"""A country-sized data set to measure against: `portal demo-data --scale N` adds N generated
participants of the demo job centre to the demo data, each with what a participant of some
years has: a plan's history of versions, hour histories from a provider, meetings and an access
log. For N = 100 000 that is about 1 M plan versions, 5 M hour entries, 500 000 bookings and
2 M access-log entries. The rows go in in bulk (`bulk.py`), a block of participants at a time,
in one transaction. The same seed on the same day gives the same data; dates are reckoned
from the day it runs, so that hours wait for approval and meetings lie ahead as in real life."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from portal.auth.personas import PERSONAS_BY_ID
from portal.demo.bulk import Bulk, bulk_writer
from portal.demo.caseload import personal_number
from portal.demo.scale_rows import COLUMNS, PAST_BOOKINGS, Block, Staff, World
from portal.demo.texts import texts as texts_of
from portal.settings import Settings

BLOCK = 2_000
# Tables whose ids this module gives out itself (the others number their own rows).
OWN_IDS: tuple[str, ...] = ("participants", "plan_goals", "plan_initiatives", "hour_reports")
OWN_IDS += ("hour_report_versions", "signatures", "bookings")
STAFF_KEYS = ("karin", "lars", "vera")  # the job centre's staff who read pages
SLOTS_PER_DAY = 7  # a caseworker's meetings a day: on the hour from nine


def read_world(bulk: Bulk, settings: Settings, today: dt.date) -> World:
    country = settings.country
    names = {id: name for id, name in bulk.query("SELECT id, name FROM organisations")}
    staff = {
        number: Staff(id, f"{first} {last}", organisation, names[organisation])
        for id, number, first, last, organisation in bulk.query(
            "SELECT id, personal_number, first_name, last_name, organisation_id "
            "FROM staff_users ORDER BY id"
        )
    }
    persona = {key: staff[PERSONAS_BY_ID[key].personal_number(country)] for key in STAFF_KEYS}
    providers = bulk.query("SELECT id FROM organisations WHERE kind = 'provider' ORDER BY id")
    registrars = [
        next(user for user in staff.values() if user.organisation_id == organisation)
        for (organisation,) in providers[:2]
    ]
    offer = bulk.query(
        "SELECT id, duration_minutes, admin_minutes FROM meeting_offers "
        "WHERE is_group = false ORDER BY id LIMIT 1"
    )[0]
    return World(
        country=country,
        zone=ZoneInfo(settings.timezone),
        today=today,
        now=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        job_centre=persona["karin"],
        readers=[persona[key] for key in ("karin", "lars", "vera")],
        registrars=registrars,
        offer=(int(offer[0]), int(offer[1]), int(offer[2])),
        taken={row[0] for row in bulk.query("SELECT personal_number FROM participants")},
        texts=texts_of(country),
        teams=[
            (int(team), str(municipality))
            for team, municipality in bulk.query(
                "SELECT DISTINCT team_id, municipality FROM participant_teams "
                "WHERE team_id IS NOT NULL ORDER BY team_id"
            )
        ],
    )


def scaled(bulk: Bulk, world: World, size: int, seed: int) -> Counter[str]:
    """Write `size` generated participants and everything of theirs; the rows per table."""
    ids = {
        table: int(bulk.query(f"SELECT COALESCE(MAX(id), 0) FROM {table}")[0][0]) + 1  # noqa: S608
        for table in OWN_IDS
    }
    chance = random.Random(seed)  # noqa: S311 -- demo data, not a secret
    add_caseworkers(bulk, world, size, chance)
    counts: Counter[str] = Counter()
    numbers = numbers_of(world.country, world.today, world.taken)
    for start in range(0, size, BLOCK):
        block = Block(world, chance, ids, bulk)
        for index in range(start, min(size, start + BLOCK)):
            block.participant(index, size, next(numbers))
        for table, rows in block.rows.items():
            bulk.write(table, COLUMNS[table].split(), rows)
            counts[table] += len(rows)
    return counts


def numbers_of(country: str, today: dt.date, taken: set[str]) -> Iterator[str]:
    """Valid personal numbers not in `taken`, 18 to 64 years old, in a fixed order: every
    birthday in turn, with serial numbers the demo's caseload does not draw."""
    birthdays = [today - dt.timedelta(days=18 * 366 + day) for day in range(46 * 365)]
    serials = [*range(990, 1000), *range(100)] if country == "SE" else range(9999, 0, -1)
    for serial in serials:
        for birthday in birthdays:
            number = personal_number(country, birthday, serial)
            if number not in taken:
                yield number


def add_caseworkers(bulk: Bulk, world: World, size: int, chance: random.Random) -> None:
    """Enough caseworkers of the job centre that every generated meeting has its own time:
    four past meetings each in the last year, and one in ten ahead in the next four weeks."""
    count = max(50, -(-PAST_BOOKINGS * size // (SLOTS_PER_DAY * 240)))
    names = world.texts["caseload"]
    first = int(bulk.query("SELECT COALESCE(MAX(id), 0) FROM caseworkers")[0][0]) + 1
    world.caseworkers = list(range(first, first + count))
    rows = [
        (id, f"{chance.choice(names['first_names'])} {chance.choice(names['last_names'])}")
        for id in world.caseworkers
    ]
    bulk.write("caseworkers", ("id", "name"), rows)
    weekdays = [world.today - dt.timedelta(days=n) for n in range(1, 400)]
    past = [day for day in weekdays if day.weekday() < 5]
    ahead = [world.today + dt.timedelta(days=n) for n in range(1, 29)]
    world.past_slots = [world.utc(d, 9 + s) for d in past for s in range(SLOTS_PER_DAY)]
    world.future_slots = [
        world.utc(d, 9 + s) for d in ahead if d.weekday() < 5 for s in range(SLOTS_PER_DAY)
    ]


def add_scaled_data(settings: Settings, size: int, seed: int) -> Counter[str] | None:
    """Add `size` generated participants to the demo data (loaded before) in one transaction;
    None when the database has them already."""
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    with bulk_writer(settings.database_url) as bulk:
        world = read_world(bulk, settings, today)
        if next(numbers_of(world.country, today, set())) in world.taken:
            return None
        counts = scaled(bulk, world, size, seed)
        bulk.finish((*OWN_IDS, "caseworkers"))
    return counts


def first_generated(database_url: str, size: int) -> tuple[str, int]:
    """The first of the `size` participants generated last: personal number and id. Assigned
    to the demo caseworker and the demo provider, with hours, meetings and one ahead: whom the
    benches and tests log in as."""
    from sqlalchemy import create_engine, text

    url = database_url
    engine = create_engine(
        "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql") else url
    )
    with engine.connect() as connection:
        number, id = connection.execute(
            text(
                "SELECT personal_number, id FROM participants "
                "WHERE id = (SELECT MAX(id) FROM participants) - :size + 1"
            ),
            {"size": size},
        ).one()
    engine.dispose()
    return str(number), int(id)
