"""Demo plans: Anna's goals, agreements and initiatives in every state, and Bo's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from portal.demo.texts import texts as texts_of
from portal.notify.service import Links
from portal.participants.models import Participant
from portal.plan.inputs import AgreementInput, GoalInput, InitiativeInput, StatusInput
from portal.plan.service import (
    Author,
    PlanWriter,
    add_status_entry,
    cancel_initiative,
    end_initiative,
    save_agreement,
    save_goal,
    save_initiative,
)
from portal.settings import Settings
from portal.staff.models import (
    StaffUser,
)


def _initiative(**values: object) -> InitiativeInput:
    defaults: dict[str, object] = {
        "hours_per_week": None,
        "end_date": None,
        "address": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    return InitiativeInput(**{**defaults, **values})  # type: ignore[arg-type]


async def add_demo_plans(
    db: AsyncSession,
    participants: dict[str, Participant],
    staff: dict[str, StaffUser],
    today: dt.date,
    settings: Settings,
) -> None:
    """Anna's plan with goals, agreements and five initiatives in every state; Bo's own. In
    the deployment's language."""
    texts = texts_of(settings.country)["plans"]
    day = dt.timedelta(days=1)
    karin = Author(staff["karin"].full_name, staff_id=staff["karin"].id)
    lars = Author(staff["lars"].full_name, staff_id=staff["lars"].id)
    # The demo's participants ask for no reminders, so no message is queued.
    anna = PlanWriter(participants["anna"], karin, today, Links.of(settings))
    bo = PlanWriter(participants["bo"], lars, today, Links.of(settings))

    for goal in texts["anna_goals"]:
        await save_goal(db, anna, "job", GoalInput(goal, None))
    await save_goal(db, anna, "progression", GoalInput(texts["anna_progression"], None))
    first_agreement, second_agreement = texts["anna_agreements"]
    await save_agreement(db, anna, AgreementInput(first_agreement, today - 40 * day, karin.name))
    await save_agreement(db, anna, AgreementInput(second_agreement, today - 10 * day, karin.name))
    internship_plan = _initiative(
        type="company_internship",
        hours_per_week=Decimal("20"),
        agreed_by=karin.name,
        start_date=today - 30 * day,
        end_date=today + 30 * day,
        contact_name="Lena Holm",
        **texts["internship"],
    )
    internship, _changed = await save_initiative(db, anna, internship_plan)
    # The period was moved two weeks later, so Anna sees a moved period.
    await save_initiative(db, anna, replace(internship_plan, end_date=today + 44 * day), internship)
    await add_status_entry(
        db, anna, internship, StatusInput(texts["internship_status"], today - 9 * day)
    )
    await save_initiative(
        db,
        anna,
        _initiative(
            type="education",
            hours_per_week=Decimal("4"),
            agreed_by=karin.name,
            start_date=today + 14 * day,
            end_date=today + 42 * day,
            **texts["course"],
        ),
    )
    guidance, _changed = await save_initiative(
        db,
        replace(anna, today=today - 60 * day),
        _initiative(
            type="guidance",
            agreed_by=karin.name,
            start_date=today - 90 * day,
            end_date=today - 50 * day,
            **texts["guidance"],
        ),
    )
    await end_initiative(
        db, replace(anna, today=today - 50 * day), guidance, texts["guidance_ended"]
    )
    await save_initiative(
        db,
        anna,
        _initiative(
            type="job_search",
            hours_per_week=Decimal("3"),
            agreed_by=karin.name,
            start_date=today - 20 * day,
            **texts["job_search"],
        ),
    )
    mentor, _changed = await save_initiative(
        db,
        anna,
        _initiative(
            type="mentor", agreed_by=karin.name, start_date=today + 50 * day, **texts["mentor"]
        ),
    )
    await cancel_initiative(db, anna, mentor)

    await save_goal(db, bo, "job", GoalInput(texts["bo_goal"], None))
    await save_agreement(db, bo, AgreementInput(texts["bo_agreement"], today - 5 * day, lars.name))
    await save_initiative(
        db,
        bo,
        _initiative(
            type="education",
            agreed_by=lars.name,
            start_date=today + 7 * day,
            end_date=today + 9 * day,
            **texts["bo_course"],
        ),
    )
