"""Demo provider reports: erik's provider runs a track for anna and eleven more participants,
reviewed by vera's job centre, so that every colour of the status board shows (an approved
plan, a monthly report waiting, one returned with a comment, last month's missing, an ended
intervention without its final report, …)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portal.db import utcnow
from portal.demo.caseload import generated_participant, personal_number
from portal.demo.texts import texts as texts_of
from portal.holidays import is_working_day
from portal.hours.service import Month
from portal.participants.models import Participant
from portal.reports import rules, service
from portal.reports.models import AbsenceDay, Intervention, Track
from portal.staff.models import (
    Organisation,
    ParticipantAssignment,
    StaffAuthorization,
    StaffUser,
)

# Each participant's story: months since the start, months to the end (negative: ended that
# many days ago), and what happened to the plan, last month's report and the final report.
STORIES: tuple[tuple[int, int, str, str, str], ...] = (
    # start months ago, end (months ahead; <0 days ago), plan, last month, final
    (4, 3, "approved", "submitted", ""),  # anna: last month's report waits for vera
    (5, 2, "approved", "returned", ""),
    (6, 1, "approved", "missing", ""),
    (3, 4, "approved", "approved", ""),
    (6, -20, "approved", "approved", "missing"),  # ended, its final report missing
    (6, -12, "approved", "approved", "submitted"),
    (7, -40, "approved", "approved", "approved"),
    (0, 6, "submitted", "", ""),  # started this month: no monthly report due yet
    (1, 5, "returned", "", ""),
    (1, 5, "missing", "", ""),
    (3, 3, "approved", "draft", ""),
    (8, 1, "approved", "approved", ""),
)


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day (at most the 28th) `months` earlier; a negative number is later."""
    month = Month.of(day)
    for _ in range(abs(months)):
        month = month.previous() if months > 0 else month.next()
    return month.first + dt.timedelta(days=min(day.day, 28) - 1)


def follow_up_content(
    texts: dict[str, Any], activities: list[dict[str, str]], final: bool, month: str = ""
) -> dict[str, Any]:
    content: dict[str, Any] = {
        "summary": texts["summary"],
        "focus": texts["focus"],
        "goals": texts["goals"],
        "dialogue": "yes",
        "consent": "yes",
        "activities": activities,
    }
    if month:
        content["month"] = month
    for activity in activities:
        content[f"status-{activity['key']}"] = "on_track"
        content[f"comment-{activity['key']}"] = texts["comment"]
        content[f"adjusted-{activity['key']}"] = ""
    if final:
        content.update(
            {name: texts[name] for name in ("assessment", "success_factors", "further_planning")}
        )
        content["reasons"] = ["work"]
        content["reason_other"] = ""
        content["ask_confirmation"] = "yes"
    return content


async def add_demo_reports(
    db: AsyncSession,
    anna: Participant,
    provider: Organisation,
    job_centre: Organisation,
    registrar: StaffUser,
    reviewer: StaffUser,
    taken: set[str],
    country: str,
    today: dt.date,
) -> None:
    all_texts = texts_of(country)
    texts = all_texts["reports"]
    track = Track(
        organisation_id=provider.id,
        name=texts["track"],
        template=[
            {"name": name, "description": description, "start_day": start, "end_day": end}
            for name, description, start, end in texts["activities"]
        ],
    )
    db.add(track)
    db.add(provider_administrator(provider, country, today))
    chance = random.Random(16)  # noqa: S311 -- demo data, not a secret
    names = all_texts["caseload"]
    participants = [anna]
    while len(participants) < len(STORIES):
        participant = generated_participant(chance, names, country, today, taken, (20, 60))
        if participant is not None:
            db.add(participant)
            participants.append(participant)
    await db.flush()
    now = utcnow()
    for index, (participant, story) in enumerate(zip(participants, STORIES, strict=True)):
        start_back, end, plan_state, last_month_state, final_state = story
        start = months_back(today, start_back).replace(day=1) if start_back else today
        end_date = today - dt.timedelta(days=-end) if end < 0 else months_back(today, -end)
        if participant is not anna:
            db.add(
                ParticipantAssignment(participant_id=participant.id, organisation_id=provider.id)
            )
        intervention = Intervention(
            participant_id=participant.id,
            provider_id=provider.id,
            reviewer_organisation_id=job_centre.id,
            track_id=track.id,
            start_date=start,
            end_date=end_date,
        )
        db.add(intervention)
        await db.flush()
        intervention.track = track
        period = service.period_of(intervention)
        activities = rules.from_track(track.template, period)
        when = now - dt.timedelta(days=(today - start).days)
        await write(
            db,
            intervention,
            "plan",
            "",
            {"activities": activities},
            plan_state,
            registrar,
            reviewer,
            when,
            texts,
        )
        if index in (0, 1, 3):
            add_absence(db, intervention, registrar, country, today, index)
        if plan_state != "approved":
            continue
        last_month = rules.report_month(today)
        for month in period.months():
            if month >= last_month or month.last >= today:
                break
            state = "approved"
            at = now - dt.timedelta(days=(today - month.next().first).days - 3)
            content = follow_up_content(texts, activities, False, str(month))
            await write(
                db,
                intervention,
                "monthly",
                str(month),
                content,
                state,
                registrar,
                reviewer,
                at,
                texts,
            )
        if (
            last_month_state
            and last_month_state != "missing"
            and period.start <= last_month.last
            and period.end >= last_month.first
        ):
            content = follow_up_content(texts, activities, False, str(last_month))
            at = now - dt.timedelta(days=max(0, today.day - 2))
            await write(
                db,
                intervention,
                "monthly",
                str(last_month),
                content,
                last_month_state,
                registrar,
                reviewer,
                at,
                texts,
            )
        if final_state and final_state != "missing":
            content = follow_up_content(texts, activities, True)
            at = now - dt.timedelta(days=max(0, (today - end_date).days - 3))
            await write(
                db, intervention, "final", "", content, final_state, registrar, reviewer, at, texts
            )


# The provider's administrator, who keeps its tracks: no persona, log in by personal number.
ADMINISTRATOR_BIRTH = dt.date(1979, 4, 2)


def provider_administrator(provider: Organisation, country: str, today: dt.date) -> StaffUser:
    user = StaffUser(
        personal_number=personal_number(country, ADMINISTRATOR_BIRTH, 123),
        first_name="Petra",
        last_name="Lund",
        email="petra@provider.example.org",
        organisation_id=provider.id,
    )
    user.authorizations.append(
        StaffAuthorization(
            role="authorization_admin", start_date=today - dt.timedelta(days=365), end_date=None
        )
    )
    return user


def add_absence(
    db: AsyncSession,
    intervention: Intervention,
    registrar: StaffUser,
    country: str,
    today: dt.date,
    index: int,
) -> None:
    """A few days of absence last month: two of illness, and (for some) one of child care."""
    month = rules.report_month(today)
    days = [
        day
        for day in (month.first + dt.timedelta(days=n) for n in range(31))
        if day <= month.last and is_working_day(country, day)
    ]
    reasons = ["illness", "illness"] + (["child_care"] if index != 1 else [])
    for day, reason in zip(days[3 + index : 3 + index + len(reasons)], reasons, strict=False):
        db.add(
            AbsenceDay(
                intervention_id=intervention.id,
                day=day,
                reason=reason,
                note="",
                recorded_by_name=registrar.full_name,
                recorded_by_staff_id=registrar.id,
                recorded_at=utcnow(),
            )
        )


async def write(
    db: AsyncSession,
    intervention: Intervention,
    kind: str,
    period: str,
    content: dict[str, Any],
    state: str,
    registrar: StaffUser,
    reviewer: StaffUser,
    at: dt.datetime,
    texts: dict[str, Any],
) -> None:
    """A report brought to `state` through the service, as erik and vera would have."""
    if state in ("", "missing"):
        return
    report, _draft = await service.save_draft(
        db, intervention, kind, period, content, registrar, at
    )
    if state == "draft":
        return
    await service.submit(db, report, content, registrar, at)
    if state in ("approved", "returned"):
        comment = texts["return_comment"] if state == "returned" else ""
        later = at + dt.timedelta(days=1)
        await service.decide(
            db, report, report.versions[-1].version, state, comment, reviewer, later
        )
