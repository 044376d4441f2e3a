"""Demo hour histories: the last two months of Anna and Bo, one approved and one to approve."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.models import Signature
from portal.holidays import working_days
from portal.hours import approval as hours_approval
from portal.hours import service as hours
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.settings import Settings
from portal.staff.models import (
    StaffUser,
)
from portal.web.i18n import Formatter


def sent_at(month: hours.Month, now: dt.datetime) -> dt.datetime:
    """When the demo's provider sent a month's hours: on the 3rd of the next month at ten, or
    a minute ago when that is still ahead (early in a month)."""
    third = dt.datetime.combine(month.next().first + dt.timedelta(days=2), dt.time(10), now.tzinfo)
    return min(third, now - dt.timedelta(minutes=1))


async def add_demo_hours(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    settings: Settings,
) -> None:
    """Anna: last month submitted by Erik for her to approve, the month before approved.
    Bo: two months from his own provider."""
    zone = ZoneInfo(settings.timezone)
    today = dt.datetime.now(zone).date()
    formatter = Formatter(settings.timezone)
    last = hours.Month.of(today).previous()
    months = [(last.previous(), "approved"), (last, "submitted")]
    for persona_id, registrar in (("anna", "erik"), ("bo", "olle")):
        participant, user = participants[persona_id], staff[registrar]
        initiatives = await hours.participant_initiatives(db, participant.id)
        for month, state in months:
            activities = hours.activities_for_month(initiatives, month)
            values = {}
            for day in working_days(settings.country, month.year, month.month):
                first = activities[0].key
                values[hours.field_name(day, first)] = "4" if day.weekday() < 4 else "2"
                if first != hours.OWN_WORK:
                    values[hours.field_name(day, hours.OWN_WORK)] = "1.5"
            grid = hours.parse_grid(values, settings.country, month, activities, today, formatter)
            submitted_at = sent_at(month, dt.datetime.now(zone))
            await hours.save_draft(
                db,
                user.organisation_id,
                participant.id,
                month,
                values,
                user.full_name,
                submitted_at,
            )
            report = await hours.find_report(db, user.organisation_id, participant.id, month)
            assert report is not None
            await hours.submit(
                db,
                report,
                grid,
                activities,
                user.id,
                user.full_name,
                submitted_at,
                Links.of(settings),
            )
            if state == "approved" and persona_id == "anna":
                version = report.versions[-1]
                document = hours_approval.canonical(
                    hours_approval.approval_document(report, version, participant.id, consent=False)
                )
                signature = Signature(
                    participant_id=participant.id,
                    purpose="hours_approval.approve",
                    signed_at=submitted_at + dt.timedelta(days=1),
                    text=f"Demo: {month} version {version.version}, {version.total_hours} h.",
                    document=document,
                    document_sha256=hours_approval.digest(document),
                    subject="demo",
                    acr=None,
                    id_token_sha256=hours_approval.digest("demo"),
                )
                db.add(signature)
                await db.flush()
                await hours_approval.approve(
                    db,
                    participant.id,
                    report.id,
                    version.version,
                    False,
                    signature,
                    signature.signed_at,
                )
