"""Each intervention's reports in brief, kept on its own row: the states of its implementation
plan and final report, whether a plan is approved, and its newest monthly report's month and
state. The status board filters and sorts by these (one narrow row per intervention) instead of
joining three reports for every intervention in scope; the service keeps them in the same
transaction as the reports they summarise.

Last month's monthly report is the newest one: a month is reported once it has ended, so no
report is newer than last month's. A board worked out for an earlier day (a test's `today`)
reads the report itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    Table,
    Update,
    and_,
    bindparam,
    case,
    exists,
    func,
)
from sqlalchemy import select as select_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from portal.reports import rules
from portal.reports.models import Intervention, Report


def of_kind(kind: str) -> ColumnElement[bool]:
    return and_(Report.intervention_id == Intervention.id, Report.kind == kind)


@cache
def refresh_statement() -> Update:
    """Work the summary out again from the reports, for one intervention (`:intervention`)."""
    table = cast(Table, Intervention.__table__)
    newest_month = (
        select_(func.max(Report.period))
        .where(of_kind("monthly"))
        .correlate_except(Report)
        .scalar_subquery()
    )
    latest = aliased(Report)
    return (
        table.update()
        .where(table.c.id == bindparam("intervention"))
        .values(
            plan_state=select_(Report.state).where(of_kind("plan")).scalar_subquery(),
            plan_approved=exists().where(of_kind("plan"), Report.approved_version.is_not(None)),
            final_state=select_(Report.state).where(of_kind("final")).scalar_subquery(),
            monthly_period=newest_month,
            monthly_state=select_(latest.state)
            .where(
                latest.intervention_id == Intervention.id,
                latest.kind == "monthly",
                latest.period == newest_month,
            )
            .correlate_except(latest)
            .scalar_subquery(),
        )
    )


async def refresh(db: AsyncSession, intervention_id: int) -> None:
    """After a report of the intervention changed (flushed), in the same transaction."""
    await db.flush()
    await db.execute(refresh_statement(), {"intervention": intervention_id})


def cells() -> dict[str, ColumnElement[str]]:
    """Each column's cell status from the summary, for the day `:today` whose last month is
    `:month` (from `:month_first` to `:month_last`): the same rules as the reports' own cells
    (`rules.plan_cell` and the others)."""
    month = bindparam("month", type_=String)
    older_report = (
        select_(Report.state).where(of_kind("monthly"), Report.period == month).scalar_subquery()
    )
    monthly_state: Any = case(
        (Intervention.monthly_period == month, Intervention.monthly_state),
        (Intervention.monthly_period > month, older_report),
        else_=None,
    )
    return {
        "plan": rules.plan_cell(Intervention.plan_state),
        "monthly": rules.monthly_cell(
            monthly_state,
            Intervention.plan_approved,
            Intervention.start_date,
            Intervention.end_date,
            bindparam("month_first", type_=Date),
            bindparam("month_last", type_=Date),
        ),
        "final": rules.final_cell(
            Intervention.final_state,
            Intervention.plan_approved,
            Intervention.end_date,
            bindparam("today", type_=Date),
        ),
    }
