"""An export's rows as CSV or JSON, streamed from the database in batches: memory stays flat
however large the export, and the rows are never all in memory at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from portal.db import Database
from portal.hours import service
from portal.hours.models import HourExport

BATCH = 5000

Batches = AsyncIterator[Sequence[Sequence[Any]]]


async def export_batches(database: Database, export_id: int) -> Batches:
    """The rows in batches, from a server-side cursor (PostgreSQL) or a stepped one (SQLite)."""
    async with database.engine.connect() as connection:
        result = await connection.stream(
            service.export_rows_query(export_id).execution_options(yield_per=BATCH)
        )
        async for batch in result.partitions():
            yield batch


def values(row: Sequence[Any], own_work: str) -> list[Any]:
    participant, personal_number, day, activity, label, hours = row
    if activity == service.OWN_WORK:
        label = own_work
    return [participant, personal_number, day.isoformat(), activity, label, f"{hours:.2f}"]


async def csv_chunks(batches: Batches, own_work: str) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(service.EXPORT_COLUMNS)
    async for batch in batches:
        writer.writerows(values(row, own_work) for row in batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


async def json_chunks(batches: Batches, export: HourExport, own_work: str) -> AsyncIterator[str]:
    head = {
        "export": export.id,
        "period_start": export.period_start.isoformat(),
        "period_end": export.period_end.isoformat(),
        "created_at": export.created_at.isoformat(),
        "created_by": export.created_by_name,
    }
    yield json.dumps(head)[:-1] + ', "rows": ['
    separator = ""
    columns = service.EXPORT_COLUMNS
    async for batch in batches:
        records = (
            json.dumps(dict(zip(columns, values(row, own_work), strict=True)), ensure_ascii=False)
            for row in batch
        )
        text = ",".join(records)
        if text:
            yield separator + text
            separator = ","
    yield "]}"
