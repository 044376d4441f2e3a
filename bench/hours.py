"""The ESF/SCB export at size: 10 000 participants x 12 approved, consented months, one activity
per working day (about 2.6 million day-activity rows). Prints one JSON line per database.

For each database: the time to create the export (its manifest, one INSERT ... SELECT), the
time to stream its rows as CSV (the same code as the download), and the measuring process's
peak memory; as the baseline, the same process's memory after start-up and the time of a bare
`SELECT count(*)` over the rows. Targets: streaming, peak < 200 MB, < 60 s on SQLite.
PostgreSQL is measured when PORTAL_TEST_POSTGRES_URL (or the second argument) names one; its
`public` schema is dropped and rebuilt.
Run: .venv/bin/python -m bench.hours [PARTICIPANTS] [POSTGRES_URL]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

PARTICIPANTS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--measure" else 10_000
MONTHS = 12
YEAR = 2025


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(url: str, folder: str) -> object:
    from portal.settings import Settings

    return Settings.from_env(
        {
            "PORTAL_DATABASE_URL": url,
            "PORTAL_SECRET_KEY": "bench-secret-0123456789abcdef",
            "PORTAL_DEV_IDP": "1",
            "PORTAL_VAR_DIR": folder,
        }
    )


def rows(table: str, participants: int) -> Iterator[tuple[object, ...]]:
    """The rows of one table, made as they are written (never all in memory)."""
    from portal.holidays import working_days

    now = dt.datetime(YEAR + 1, 1, 15, tzinfo=dt.UTC).isoformat(sep=" ")
    if table == "organisations":
        yield (1, "Bench provider", "provider")
    elif table == "signatures":
        yield (1, None, None, "bench", now, "t", "{}", "0" * 64, "s", None, "0" * 64)
    elif table == "participants":
        for p in range(1, participants + 1):
            yield (p, f"{p:08d}-0000", "Bench", str(p), now)
    elif table == "consent_events":
        for p in range(1, participants + 1):
            yield (p, p, "given", now, "2026-1", 1)
    else:
        days = {m: [d.isoformat() for d in working_days("SE", YEAR, m)] for m in range(1, 13)}
        for index in range(participants * MONTHS):
            report, p, month = index + 1, index // MONTHS + 1, index % MONTHS + 1
            if table == "hour_reports":
                yield (report, p, 1, YEAR, month, now)
            elif table == "hour_report_versions":
                yield (report, report, 1, "submitted", "{}", now, "Bench", now, None)
            elif table == "hour_responses":
                yield (report, report, "approved", "", now, 1)
            else:
                for day in days[month]:
                    yield (report, day, "own_work", "Own work", 4)


COLUMNS = {
    "organisations": "id, name, kind",
    "signatures": "id, participant_id, staff_user_id, purpose, signed_at, text, document, "
    "document_sha256, subject, acr, id_token_sha256",
    "participants": "id, personal_number, first_name, last_name, created_at",
    "consent_events": "id, participant_id, kind, at, notice_version, signature_id",
    "hour_reports": "id, participant_id, organisation_id, year, month, created_at",
    "hour_report_versions": "id, report_id, version, state, draft_data, "
    "updated_at, updated_by_name, submitted_at, submitted_by_staff_id",
    "hour_responses": "id, version_id, kind, comment, responded_at, signature_id",
    "hour_entries": "version_id, day, activity, activity_label, hours",
}


def seed(url: str, participants: int) -> None:
    """Bulk-load the rows (executemany on SQLite, COPY on PostgreSQL), then ANALYZE, as a
    database that has grown to this size would have its statistics."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            for table, columns in COLUMNS.items():
                marks = ", ".join("?" * len(columns.split(",")))
                connection.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    rows(table, participants),
                )
            connection.execute("ANALYZE")
        connection.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as pg:
        with pg.cursor() as cursor:
            for table, columns in COLUMNS.items():
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in rows(table, participants):
                        copy.write_row(values)
            for table in ("organisations", "signatures", "participants", "consent_events"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
        pg.commit()
        pg.execute("ANALYZE")


async def measure(url: str) -> dict[str, object]:
    """Create the export and stream its CSV, in this (fresh) process."""
    from sqlalchemy import text

    import portal.models  # noqa: F401
    from portal.db import Database, utcnow
    from portal.hours import exports
    from portal.hours.exports import csv_chunks, export_batches

    baseline_mb = rss_mb()
    database = Database(url)
    started = time.perf_counter()
    async with database.sessions() as db:
        total_rows = (await db.execute(text("SELECT count(*) FROM hour_entries"))).scalar()
    count_seconds = time.perf_counter() - started

    started = time.perf_counter()
    async with database.transaction() as db:
        export = await exports.create_export(
            db, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), "bench", utcnow(), client="bench"
        )
    create_seconds = time.perf_counter() - started
    async with database.sessions() as db:
        exported = (await exports.report_counts(db, [export.id]))[export.id]

    started = time.perf_counter()
    size = lines = 0
    async for chunk in csv_chunks(export_batches(database, export.id), "Eget arbete"):
        size += len(chunk)
        lines += chunk.count("\n")
    stream_seconds = time.perf_counter() - started
    await database.dispose()
    return {
        "rows_in_database": total_rows,
        "reports_exported": exported,
        "csv_rows": lines - 1,
        "csv_mb": round(size / 1e6, 1),
        "create_export_s": round(create_seconds, 2),
        "stream_csv_s": round(stream_seconds, 2),
        "total_s": round(create_seconds + stream_seconds, 2),
        "peak_rss_mb": round(rss_mb(), 1),
        "baseline_rss_mb": round(baseline_mb, 1),
        "baseline_count_rows_s": round(count_seconds, 2),
    }


def run(url: str, folder: str, backend: str) -> dict[str, object]:
    from portal.cli import db_upgrade

    if backend == "postgresql":
        from sqlalchemy import create_engine, text

        engine = create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    db_upgrade(settings_for(url, folder))  # type: ignore[arg-type]
    started = time.perf_counter()
    seed(url, PARTICIPANTS)
    seed_seconds = time.perf_counter() - started
    measured = subprocess.run(
        [sys.executable, "-m", "bench.hours", "--measure", url],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return {
        "bench": "hours_export",
        "backend": backend,
        "participants": PARTICIPANTS,
        "months": MONTHS,
        "seed_s": round(seed_seconds, 1),
        **result,
        "targets": {"total_s_sqlite": 60, "peak_rss_mb": 200},
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(asyncio.run(measure(sys.argv[2]))))
        return
    postgres = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("PORTAL_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(f"sqlite:///{folder}/bench.db", folder, "sqlite")), flush=True)
        if postgres:
            print(json.dumps(run(postgres, folder, "postgresql")), flush=True)


if __name__ == "__main__":
    main()
