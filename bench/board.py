"""The reviewer's status board with 500 and with 5 000 participants, each with an intervention
of 24 months of reports (an approved plan and a monthly report for every month, some waiting,
some returned); prints one JSON line per size and page: requests/s and latency of the first
page, a page sorted by the monthly report's status, two status filters (returned, missing)
and a search, against the bare endpoint's in the same run.

Run: .venv/bin/python -m bench.board [SECONDS_PER_PAGE] [SIZES...]
With PORTAL_BENCH_POSTGRES_URL set (a database whose public schema may be dropped), the same
runs on PostgreSQL too. Target (issue 16): p99 < 150 ms on both, and a page of 50 rows taking
the same order of time at 500 and at 5 000 participants.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import insert_participants, measure_at_sizes, sync_url
from portal.hours.service import Month
from portal.reports import summary

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
SIZES = [int(size) for size in sys.argv[2:]] or [500, 5_000]
CONNECTIONS = 8
MONTHS = 24


def add_interventions(url: str, size: int) -> None:
    """`size` participants of the demo provider, reviewed by the demo job centre, each with an
    intervention that started 24 months ago and its reports."""
    engine = create_engine(sync_url(url))
    chance = random.Random(size)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    this_month = Month.of(today)
    months = [this_month]
    for _ in range(MONTHS):
        months.insert(0, months[0].previous())
    with engine.begin() as connection:
        provider, centre = connection.execute(
            text(
                "SELECT (SELECT organisation_id FROM staff_users WHERE first_name = 'Erik'),"
                " (SELECT organisation_id FROM staff_users WHERE first_name = 'Vera')"
            )
        ).one()
        first_intervention = (
            int(
                connection.execute(
                    text("SELECT COALESCE(MAX(id), 0) FROM interventions")
                ).scalar_one()
            )
            + 1
        )
        people = insert_participants(connection, size, "R", chance, now)
        interventions = [
            {
                "id": first_intervention + n,
                "participant": p["id"],
                "provider": provider,
                "centre": centre,
                "start": months[0].first,
                "end": months[-1].first + dt.timedelta(days=180 + chance.randint(-200, 60)),
                "now": now,
            }
            for n, p in enumerate(people)
        ]
        connection.execute(
            text(
                "INSERT INTO interventions (id, participant_id, provider_id, "
                "reviewer_organisation_id, start_date, end_date, created_at) "
                "VALUES (:id, :participant, :provider, :centre, :start, :end, :now)"
            ),
            interventions,
        )
        reports = []
        for intervention in interventions:
            reports.append(report_row(intervention["id"], "plan", "", "approved", now))
            for month in months[:-1]:
                if month.first > intervention["end"]:
                    break
                state = chance.choices(
                    ("approved", "submitted", "returned", None), weights=(85, 6, 3, 6)
                )[0]
                if state is not None:
                    reports.append(
                        report_row(intervention["id"], "monthly", str(month), state, now)
                    )
        connection.execute(
            text(
                "INSERT INTO reports (intervention_id, kind, period, state, state_at, "
                "submitted_at, approved_version, created_at) "
                "VALUES (:intervention, :kind, :period, :state, :at, :at, :approved, :at)"
            ),
            reports,
        )
        connection.execute(
            summary.refresh_statement(), [{"intervention": i["id"]} for i in interventions]
        )
        connection.execute(
            text(
                "INSERT INTO participant_assignments (participant_id, organisation_id) "
                "VALUES (:id, :organisation)"
            ),
            [{"id": p["id"], "organisation": centre} for p in people],
        )
        if url.startswith("postgresql"):
            connection.execute(text("ANALYZE"))
    engine.dispose()


def report_row(
    intervention: int, kind: str, period: str, state: str, now: dt.datetime
) -> dict[str, Any]:
    return {
        "intervention": intervention,
        "kind": kind,
        "period": period,
        "state": state,
        "at": now,
        "approved": 1 if state == "approved" else None,
    }


def main() -> None:
    measure_at_sizes(
        "status_board",
        150,
        SIZES,
        add_interventions,
        ("vera", "Vera"),
        lambda _size: {
            "first_page": "/staff/reports/board",
            "sorted_by_monthly_report": "/staff/reports/board?sort=monthly&page=3",
            "returned_monthly_reports": "/staff/reports/board?status=returned&kind=monthly",
            "missing_reports": "/staff/reports/board?status=missing",
            "search": "/staff/reports/board?q=Holm",
        },
        SECONDS,
        CONNECTIONS,
    )


if __name__ == "__main__":
    main()
