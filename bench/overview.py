"""The staff's case overview at 1 000 and at 100 000 participants of one organisation; prints
one JSON line per size and page: requests/s and latency of the first page, the last page by
name, a search and a marking filter, against the bare endpoint's in the same run.

Run: .venv/bin/python -m bench.overview [SECONDS_PER_PAGE] [SIZES...]
With PORTAL_BENCH_POSTGRES_URL set (a database whose public schema may be dropped), the same
runs on PostgreSQL too. Target (issue 17): p99 < 100 ms, and no page time growing with the
number of participants.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from sqlalchemy import create_engine, text

from bench.harness import insert_participants, measure_at_sizes, sync_url

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
SIZES = [int(size) for size in sys.argv[2:]] or [1_000, 100_000]
CONNECTIONS = 8


def add_caseload(url: str, size: int) -> None:
    """`size` participants of the demo job centre: a third with a plan change, a tenth marked."""
    engine = create_engine(sync_url(url))
    chance = random.Random(size)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        centre = connection.execute(
            text("SELECT organisation_id FROM staff_users WHERE first_name = 'Karin'")
        ).scalar_one()
        people = insert_participants(connection, size, "B", chance, now)
        connection.execute(
            text(
                "INSERT INTO participant_assignments (participant_id, organisation_id) "
                "VALUES (:id, :organisation)"
            ),
            [{"id": p["id"], "organisation": centre} for p in people],
        )
        changes = [
            {"id": p["id"], "at": now - dt.timedelta(minutes=chance.randint(0, 90 * 1440))}
            for p in people[::3]
        ]
        connection.execute(
            text(
                "INSERT INTO plan_revisions (participant_id, revision, changed_at) "
                "VALUES (:id, 1, :at)"
            ),
            changes,
        )
        connection.execute(
            text(
                "INSERT INTO participant_latest_events (participant_id, kind, at) "
                "VALUES (:id, 'plan_changed', :at)"
            ),
            changes,
        )
        connection.execute(
            text(
                "INSERT INTO participant_markings (participant_id, marking, set_at) "
                "VALUES (:id, 'youth', :now)"
            ),
            [{"id": p["id"], "now": now} for p in people[::10]],
        )
        if url.startswith("postgresql"):
            connection.execute(text("ANALYZE"))
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('participants', 'id'), "
                    "(SELECT MAX(id) FROM participants))"
                )
            )
    engine.dispose()


def pages_of(size: int) -> dict[str, str]:
    last = -(-(size + 1) // 50)
    return {
        "first_page": "/staff/",
        "last_page_by_name": f"/staff/?sort=name&page={last}",
        "search": "/staff/?q=Holm",
        "marking": "/staff/?marking=youth",
    }


def main() -> None:
    measure_at_sizes(
        "case_overview",
        100,
        SIZES,
        add_caseload,
        ("karin", "Karin"),
        pages_of,
        SECONDS,
        CONNECTIONS,
    )


if __name__ == "__main__":
    main()
