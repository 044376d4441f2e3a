"""Exports to ESF and the statistics agency: which approved reports an export holds (consent in
force at the moment of export, never exported before), and its rows as CSV or JSON, streamed
from the database in batches so that memory stays flat however large the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Integer, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.db import Database
from portal.hours import service
from portal.hours.models import (
    ConsentEvent,
    HourEntry,
    HourExport,
    HourExportItem,
    HourReport,
    HourReportVersion,
    HourResponse,
)
from portal.hours.service import HoursError
from portal.participants.models import Participant
from portal.web.i18n import gettext

# ---------------------------------------------------------------- export


def exportable_query(
    period_start: dt.date, period_end: dt.date, participant_ids: Any | None = None
) -> Any:
    """(version id, consent event id) of what an export made now may contain: the approved,
    latest submitted version of each report in the period, never exported before, of a
    participant whose latest consent event gives consent."""
    later = aliased(HourReportVersion)
    event = aliased(ConsentEvent)
    latest_event = (
        select(func.max(event.id))
        .where(event.participant_id == HourReport.participant_id)
        .correlate(HourReport)
        .scalar_subquery()
    )
    first_month = period_start.year * 12 + period_start.month
    last_month = period_end.year * 12 + period_end.month
    query = (
        select(HourReportVersion.id, ConsentEvent.id)
        .join(HourReport, HourReport.id == HourReportVersion.report_id)
        .join(HourResponse, HourResponse.version_id == HourReportVersion.id)
        .join(ConsentEvent, ConsentEvent.id == latest_event)
        .where(
            HourReportVersion.state == "submitted",
            HourResponse.kind == "approved",
            ConsentEvent.kind == "given",
            HourReport.year * 12 + HourReport.month >= first_month,
            HourReport.year * 12 + HourReport.month <= last_month,
            ~exists().where(
                later.report_id == HourReportVersion.report_id,
                later.version > HourReportVersion.version,
                later.state == "submitted",
            ),
            ~exists().where(HourExportItem.version_id == HourReportVersion.id),
        )
        .order_by(HourReportVersion.id)
    )
    if participant_ids is not None:
        query = query.where(HourReport.participant_id.in_(participant_ids))
    return query


async def create_export(
    db: AsyncSession,
    period_start: dt.date,
    period_end: dt.date,
    created_by_name: str,
    now: dt.datetime,
    staff_id: int | None = None,
    organisation_id: int | None = None,
    client: str | None = None,
    participant_ids: Any | None = None,
) -> HourExport:
    """Record an export and its manifest in one go (INSERT … SELECT, so it scales)."""
    if period_end < period_start:
        raise HoursError(gettext("The period must end on or after its start."))
    export = HourExport(
        period_start=period_start,
        period_end=period_end,
        created_at=now,
        created_by_name=created_by_name,
        created_by_staff_id=staff_id,
        created_by_client=client,
        organisation_id=organisation_id,
    )
    db.add(export)
    await db.flush()
    chosen = exportable_query(period_start, period_end, participant_ids).subquery()
    await db.execute(
        HourExportItem.__table__.insert().from_select(  # type: ignore[attr-defined]
            ["export_id", "version_id", "consent_event_id"],
            select(
                literal(export.id, Integer),
                chosen.c[0],
                chosen.c[1],
            ),
        )
    )
    await db.flush()
    return export


async def report_counts(db: AsyncSession, export_ids: Sequence[int]) -> dict[int, int]:
    """How many report versions each export holds (its manifest's length)."""
    rows = await db.execute(
        select(HourExportItem.export_id, func.count())
        .where(HourExportItem.export_id.in_(list(export_ids)))
        .group_by(HourExportItem.export_id)
    )
    counts = {export_id: 0 for export_id in export_ids}
    counts.update({export_id: count for export_id, count in rows})
    return counts


EXPORT_COLUMNS = ("participant", "personal_number", "date", "activity", "activity_name", "hours")


def export_rows_query(export_id: int) -> Any:
    from portal.participants.models import Participant

    return (
        select(
            Participant.id,
            Participant.personal_number,
            HourEntry.day,
            HourEntry.activity,
            HourEntry.activity_label,
            HourEntry.hours,
        )
        .join(HourExportItem, HourExportItem.version_id == HourEntry.version_id)
        .join(HourReportVersion, HourReportVersion.id == HourEntry.version_id)
        .join(HourReport, HourReport.id == HourReportVersion.report_id)
        .join(Participant, Participant.id == HourReport.participant_id)
        .where(HourExportItem.export_id == export_id)
        .order_by(Participant.id, HourEntry.day, HourEntry.activity)
    )


BATCH = 5000

Batches = AsyncIterator[Sequence[Sequence[Any]]]


async def export_batches(database: Database, export_id: int) -> Batches:
    """The rows in batches, from a server-side cursor (PostgreSQL) or a stepped one (SQLite)."""
    async with database.engine.connect() as connection:
        result = await connection.stream(
            export_rows_query(export_id).execution_options(yield_per=BATCH)
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
    writer.writerow(EXPORT_COLUMNS)
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
    columns = EXPORT_COLUMNS
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


async def manifest_rows(db: AsyncSession, export_id: int) -> list[Any]:
    """Per report in the export: whose, which month and version, its hours, and the consent
    it was exported under."""
    return list(
        (
            await db.execute(
                select(
                    Participant.first_name,
                    Participant.last_name,
                    HourReport.year,
                    HourReport.month,
                    HourReportVersion.version,
                    func.coalesce(func.sum(HourEntry.hours), 0),
                    ConsentEvent.at,
                )
                .select_from(HourExportItem)
                .join(HourReportVersion, HourReportVersion.id == HourExportItem.version_id)
                .join(HourReport, HourReport.id == HourReportVersion.report_id)
                .join(Participant, Participant.id == HourReport.participant_id)
                .join(ConsentEvent, ConsentEvent.id == HourExportItem.consent_event_id)
                .outerjoin(HourEntry, HourEntry.version_id == HourReportVersion.id)
                .where(HourExportItem.export_id == export_id)
                .group_by(
                    HourExportItem.id,
                    Participant.first_name,
                    Participant.last_name,
                    HourReport.year,
                    HourReport.month,
                    HourReportVersion.version,
                    ConsentEvent.at,
                )
                .order_by(Participant.last_name, HourReport.year, HourReport.month)
            )
        ).all()
    )
