"""What the hour-history pages read, each in one go (`Database.read_objects`, no ORM
session): the participant's list and one report with its versions, entries, answers and
signatures; the provider's month with the participant's initiatives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select

from portal.auth.models import Signature
from portal.db import Database, attach, select_objects
from portal.hours.approval import visible_to_participant
from portal.hours.models import (
    ConsentEvent,
    HourEntry,
    HourReport,
    HourReportVersion,
    HourResponse,
)
from portal.hours.service import Month
from portal.plan.reading import InitiativePeriod, initiative_periods_query


@cache
def report_list_queries() -> tuple[Any, Any, Any, Any]:
    """The participant's reports (run with {"participant"}), newest month first; their
    versions; the versions' answers; and each version's hours in all."""
    mine = HourReport.participant_id == bindparam("participant")
    of_version = HourReport.id == HourReportVersion.report_id
    reports = (
        select_objects(HourReport)
        .where(mine)
        .order_by(HourReport.year.desc(), HourReport.month.desc(), HourReport.id.desc())
    )
    versions = (
        select_objects(HourReportVersion)
        .join(HourReport, of_version)
        .where(mine)
        .order_by(HourReportVersion.report_id, HourReportVersion.version)
    )
    responses = (
        select_objects(HourResponse)
        .join(HourReportVersion, HourReportVersion.id == HourResponse.version_id)
        .join(HourReport, of_version)
        .where(mine)
    )
    totals = (
        select(HourEntry.version_id, func.sum(HourEntry.hours).label("hours"))
        .join(HourReportVersion, HourReportVersion.id == HourEntry.version_id)
        .join(HourReport, of_version)
        .where(mine)
        .group_by(HourEntry.version_id)
    )
    return reports, versions, responses, totals


async def participant_report_list(
    database: Database, participant_id: int, now: dt.datetime
) -> list[tuple[HourReport, HourReportVersion, Decimal]]:
    """Each report the participant sees, with the version shown and its hours in all, newest
    month first. The versions' day-by-day entries are not read: the sums come from the
    database."""
    reports_query, versions_query, responses_query, totals_query = report_list_queries()
    given = {"participant": participant_id}
    reports, versions, responses, sums = await database.read_objects(
        (HourReport, reports_query, given),
        (HourReportVersion, versions_query, given),
        (HourResponse, responses_query, given),
        (None, totals_query, given),
    )
    attach(versions, "response", responses, "version_id", one=True)
    attach(reports, "versions", versions, "report_id")
    totals = {version_id: Decimal(str(total)) for version_id, total in sums}
    return [
        (report, version, totals.get(version.id, Decimal(0)))
        for report in reports
        if (version := visible_to_participant(report, now)) is not None
    ]


@cache
def report_queries() -> tuple[Any, ...]:
    """One report of the participant (run with {"participant", "report"}) with its versions,
    their entries, answers and the answers' signatures; and the participant's latest consent
    event."""
    of_report = HourReportVersion.report_id == bindparam("report")
    report = select_objects(HourReport).where(
        HourReport.id == bindparam("report"),
        HourReport.participant_id == bindparam("participant"),
    )
    versions = (
        select_objects(HourReportVersion).where(of_report).order_by(HourReportVersion.version)
    )
    entries = (
        select_objects(HourEntry)
        .join(HourReportVersion, HourReportVersion.id == HourEntry.version_id)
        .where(of_report)
        .order_by(HourEntry.version_id, HourEntry.day, HourEntry.activity)
    )
    responses = (
        select_objects(HourResponse)
        .join(HourReportVersion, HourReportVersion.id == HourResponse.version_id)
        .where(of_report)
    )
    signatures = (
        select_objects(Signature)
        .join(HourResponse, HourResponse.signature_id == Signature.id)
        .join(HourReportVersion, HourReportVersion.id == HourResponse.version_id)
        .where(of_report)
    )
    consent = (
        select(ConsentEvent.kind)
        .where(ConsentEvent.participant_id == bindparam("participant"))
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    )
    return report, versions, entries, responses, signatures, consent


class ReportRead(NamedTuple):
    """A report as the participant's pages read it: the version shown to them, and whether
    consent may be asked for with an approval (none is in force)."""

    report: HourReport
    version: HourReportVersion
    may_offer_consent: bool


async def read_participant_report(
    database: Database,
    participant_id: int,
    report_id: int,
    now: dt.datetime,
    with_entries: bool = True,
) -> ReportRead | None:
    """One report the participant sees, with every version's answer (and its signature) and,
    unless told otherwise, its entries, in one read; None when it is not theirs, not sent, or
    expired. Without entries, touching a version's `entries` raises (`with_entries` reads
    them)."""
    reads = zip(READ_MODELS, report_queries(), strict=True)
    given = {"participant": participant_id, "report": report_id}
    found = await database.read_objects(
        *((model, query, given) for model, query in reads if with_entries or model is not HourEntry)
    )
    entries: list[Any] | None = None
    if with_entries:
        reports, versions, entries, responses, signatures, latest_consent = found
    else:
        reports, versions, responses, signatures, latest_consent = found
    if not reports:
        return None
    attach(responses, "signature", signatures, "id", parent_key="signature_id", one=True)
    attach(versions, "response", responses, "version_id", one=True)
    if entries is not None:
        attach(versions, "entries", entries, "version_id")
    attach(reports, "versions", versions, "report_id")
    version = visible_to_participant(reports[0], now)
    if version is None:
        return None
    in_force = bool(latest_consent) and latest_consent[0].kind == "given"
    return ReportRead(reports[0], version, not in_force)


READ_MODELS = (HourReport, HourReportVersion, HourEntry, HourResponse, Signature, None)


@cache
def version_entries_query() -> Any:
    return (
        select_objects(HourEntry)
        .where(HourEntry.version_id == bindparam("version"))
        .order_by(HourEntry.day, HourEntry.activity)
    )


async def with_entries(database: Database, version: HourReportVersion) -> HourReportVersion:
    """The version with its entries, read now unless they were read with it."""
    if "entries" not in version.__dict__:
        (entries,) = await database.read_objects(
            (HourEntry, version_entries_query(), {"version": version.id})
        )
        attach([version], "entries", entries, "version_id")
    return version


@cache
def provider_month_queries() -> tuple[tuple[type[Any] | None, Any], ...]:
    """(class or None, query) for {"organisation_id", "participant_id", "year", "month"}: the
    organisation's report of the participant's month, its versions with their answers; and
    the participant's initiatives."""
    report_of_month = (
        (HourReport.organisation_id == bindparam("organisation_id"))
        & (HourReport.participant_id == bindparam("participant_id"))
        & (HourReport.year == bindparam("year"))
        & (HourReport.month == bindparam("month"))
    )
    of_version = HourReport.id == HourReportVersion.report_id
    return (
        (HourReport, select_objects(HourReport).where(report_of_month)),
        (
            HourReportVersion,
            select_objects(HourReportVersion)
            .join(HourReport, of_version)
            .where(report_of_month)
            .order_by(HourReportVersion.version),
        ),
        (
            HourResponse,
            select_objects(HourResponse)
            .join(HourReportVersion, HourReportVersion.id == HourResponse.version_id)
            .join(HourReport, of_version)
            .where(report_of_month),
        ),
        (None, initiative_periods_query()),
    )


async def provider_month(
    database: Database, organisation_id: int, participant_id: int, month: Month
) -> tuple[HourReport | None, list[InitiativePeriod]]:
    """The provider organisation's report of the participant's month (None before the first
    draft), with every version's answer; and the participant's initiatives. A version's
    entries are read when needed (`with_entries`): a draft is shown from its draft data, a
    sent version from its kept table."""
    given = {
        "organisation_id": organisation_id,
        "participant_id": participant_id,
        "year": month.year,
        "month": month.month,
    }
    reports, versions, responses, periods = await database.read_objects(
        *((model, query, given) for model, query in provider_month_queries())
    )
    attach(versions, "response", responses, "version_id", one=True)
    attach(reports, "versions", versions, "report_id")
    return (reports[0] if reports else None), [InitiativePeriod(*row) for row in periods]
