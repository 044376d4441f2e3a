"""The rules of provider reports, as pure functions: which month a monthly report is for, what
an implementation plan and a monthly or final report must hold, and each board cell's status
(as SQL expressions, so that the database works out the board a page at a time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.support import LazyProxy
from sqlalchemy import ColumnElement, and_, case, literal

from portal.hours.service import Month
from portal.web.forms import Errors, Fields, whole_number
from portal.web.i18n import gettext
from portal.web.i18n import lazy_gettext as _

KINDS: dict[str, LazyProxy] = {
    "plan": _("Implementation plan"),
    "monthly": _("Monthly report"),
    "final": _("Final report"),
}

# The board's short column names, as the old system's (GP, MR, SR).
KIND_ABBREVIATIONS: dict[str, LazyProxy] = {
    "plan": _("IP"),
    "monthly": _("MR"),
    "final": _("FR"),
}

ACTIVITY_STATUSES: dict[str, LazyProxy] = {
    "on_track": _("On track: the sub-goal will be met as planned"),
    "risk": _("Risk of delay"),
    "not_met": _("Will not be met as planned (give an adjusted end date)"),
    "completed": _("Completed: the sub-goal is reached and its activities done"),
}

END_REASONS: dict[str, LazyProxy] = {
    "work": _("Got a job"),
    "studies": _("Started studies"),
    "other_initiative": _("Moved on to another initiative"),
    "illness": _("Illness"),
    "no_show": _("Did not take part"),
    "period_over": _("The intervention's period ended"),
    "other": _("Other reason"),
}

# A board cell's status: its colour in the old system, and always a text label beside it.
CELL_STATUSES: dict[str, LazyProxy] = {
    "approved": _("Approved"),
    "submitted": _("Submitted, not yet reviewed"),
    "returned": _("Returned for revision"),
    "missing": _("Missing"),
    "not_applicable": _("Not applicable"),
}

YES_NO: dict[str, LazyProxy] = {"yes": _("Yes"), "no": _("No")}

TEXT_LIMIT = 4000
NAME_LIMIT = 120
# A draft keeps what was typed, a little past the limits (so that submitting can say by how
# much a text is too long), and nothing else.
DRAFT_LIMIT = 2 * TEXT_LIMIT
MAX_ACTIVITIES = 50


@dataclass(frozen=True)
class Period:
    """An intervention's period, both days included."""

    start: dt.date
    end: dt.date

    def months(self) -> list[Month]:
        months = [Month.of(self.start)]
        while months[-1] < Month.of(self.end):
            months.append(months[-1].next())
        return months


def report_month(today: dt.date) -> Month:
    """The month a monthly report is for by default: the one before today's."""
    return Month.of(today).previous()


def in_reporting_window(today: dt.date) -> bool:
    """Monthly reports are sent from the 1st to the 10th of the month after."""
    return today.day <= 10


def month_problem(month: Month, today: dt.date, period: Period) -> str | None:
    """Why a monthly report for `month` cannot be written, or None."""
    if month.last >= today:
        return gettext(
            "A month is reported once it has ended: the report for %(month)s can be sent "
            "from %(first)s.",
            month=str(month),
            first=month.next().first.isoformat(),
        )
    if month.last < period.start or month.first > period.end:
        return gettext(
            "The intervention runs from %(start)s to %(end)s; choose a month within it.",
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )
    return None


def _rows(form: Mapping[str, Any]) -> list[int]:
    """The indexes of the sub-activity rows in a plan form (activity-<i>-name)."""
    found = set()
    for key in form:
        parts = key.split("-")
        index = whole_number(parts[1], maximum=999) if len(parts) == 3 else None
        if parts[0] == "activity" and index is not None:
            found.add(index)
    return sorted(found)


def plan_activities(
    form: Mapping[str, Any], period: Period, submitting: bool
) -> tuple[list[dict[str, str]], Errors]:
    """The sub-activities of an implementation plan form, as typed (rows left wholly empty are
    dropped), and, when `submitting`, what is wrong with them by field."""
    fields = Fields(form)
    activities: list[dict[str, str]] = []
    used_keys: set[str] = set()
    for index in _rows(form)[:MAX_ACTIVITIES]:
        prefix = f"activity-{index}-"
        typed = {
            name: str(form.get(prefix + name) or "").strip()[:DRAFT_LIMIT]
            for name in ("name", "description", "start", "end")
        }
        if not any(typed.values()):
            continue
        key = str(form.get(prefix + "key") or "").strip()
        if not key.isalnum() or len(key) > 12 or key in used_keys:
            key = next(f"a{n}" for n in range(1, 1000) if f"a{n}" not in used_keys)
        used_keys.add(key)
        activities.append({"key": key, **typed})
    if not submitting:
        return activities, {}
    if not activities:
        fields.errors["activity-0-name"] = gettext("Add at least one sub-activity.")
    for position, activity in enumerate(activities):
        source = {f"activity-{position}-{name}": value for name, value in activity.items()}
        row = Fields(source)
        row.text(f"activity-{position}-name", NAME_LIMIT)
        row.text(f"activity-{position}-description", TEXT_LIMIT)
        start = row.date(f"activity-{position}-start")
        end = row.date(f"activity-{position}-end")
        if start and end and end < start:
            row.errors[f"activity-{position}-end"] = gettext("The end comes before the start.")
        for name, day in ((f"activity-{position}-start", start), (f"activity-{position}-end", end)):
            if day and name not in row.errors and not period.start <= day <= period.end:
                row.errors[name] = gettext(
                    "Choose a day within the intervention, %(start)s to %(end)s.",
                    start=period.start.isoformat(),
                    end=period.end.isoformat(),
                )
        fields.errors.update(row.errors)
    return activities, fields.errors


def renumbered(activities: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Plan rows as form fields again, numbered from 0 (after rows were dropped)."""
    return {
        f"activity-{index}-{name}": value
        for index, activity in enumerate(activities)
        for name, value in activity.items()
    }


def from_track(template: Sequence[Mapping[str, Any]], period: Period) -> list[dict[str, str]]:
    """A track's predefined plan placed in this intervention's period (a day past the
    intervention's end is its end)."""
    activities = []
    for index, item in enumerate(template):
        start = min(period.start + dt.timedelta(days=int(item["start_day"])), period.end)
        end = min(period.start + dt.timedelta(days=int(item["end_day"])), period.end)
        activities.append(
            {
                "key": f"a{index + 1}",
                "name": str(item["name"]),
                "description": str(item.get("description", "")),
                "start": start.isoformat(),
                "end": max(start, end).isoformat(),
            }
        )
    return activities


# The fields of a monthly report; a final report has these and FINAL_FIELDS.
MONTHLY_FIELDS = ("summary", "focus", "goals")
FINAL_FIELDS = ("assessment", "success_factors", "further_planning")


def follow_up(
    form: Mapping[str, Any],
    activities: Sequence[Mapping[str, str]],
    period: Period,
    final: bool,
) -> tuple[dict[str, Any], Errors]:
    """A monthly (or, with `final`, a final) report's content from its form, and what is
    wrong with it by field. Every sub-activity of the approved plan needs a status and a
    comment; "will not be met" needs an adjusted end date after the planned end and not after
    the intervention's end."""
    fields = Fields(form)
    content: dict[str, Any] = {}
    for name in MONTHLY_FIELDS + (FINAL_FIELDS if final else ()):
        content[name] = fields.text(name, TEXT_LIMIT)
    for name in ("dialogue", "consent"):
        content[name] = fields.choice(name, YES_NO)
    for activity in activities:
        key, label = activity["key"], activity["name"]
        status_field, comment_field = f"status-{key}", f"comment-{key}"
        adjusted_field = f"adjusted-{key}"
        status = str(form.get(status_field) or "")
        comment = fields.text(comment_field, TEXT_LIMIT)
        if comment_field in fields.errors:
            fields.errors[comment_field] = (
                gettext("%(activity)s: write a comment.", activity=label)
                if not comment
                else gettext(
                    "%(activity)s: %(problem)s",
                    activity=label,
                    problem=fields.errors[comment_field],
                )
            )
        if status not in ACTIVITY_STATUSES:
            fields.errors[status_field] = gettext("%(activity)s: choose a status.", activity=label)
        adjusted = ""
        if status == "not_met":
            adjusted = _adjusted_end(fields, adjusted_field, activity, period)
        content[status_field] = status
        content[comment_field] = comment
        content[adjusted_field] = adjusted
    if final:
        reasons = [r for r in form.get("reasons", []) if r in END_REASONS]
        content["reasons"] = reasons
        content["reason_other"] = fields.text("reason_other", NAME_LIMIT, required=False)
        content["ask_confirmation"] = "yes" if fields.flag("ask_confirmation") else ""
        if not reasons:
            fields.errors["reasons"] = gettext("Choose at least one reason for ending.")
        elif "other" in reasons and not content["reason_other"]:
            fields.errors["reason_other"] = gettext("Say what the other reason is.")
    return content, fields.errors


def draft_fields(
    form: Mapping[str, Any], activities: Sequence[Mapping[str, str]], final: bool
) -> dict[str, Any]:
    """The fields of a monthly or final report's form as typed, only those the form has."""
    names = [*MONTHLY_FIELDS, "dialogue", "consent"]
    if final:
        names += [*FINAL_FIELDS, "reason_other", "ask_confirmation"]
    for activity in activities:
        names += [f"{field}-{activity['key']}" for field in ("status", "comment", "adjusted")]
    kept: dict[str, Any] = {
        name: str(form[name])[:DRAFT_LIMIT] for name in names if isinstance(form.get(name), str)
    }
    if final:
        kept["reasons"] = [r for r in form.get("reasons", []) if r in END_REASONS]
    return kept


def changed_fields(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> set[str]:
    """What a version changed since an earlier one: its field names, and "activity:<key>" for
    each sub-activity whose part changed (empty when there is nothing to compare with)."""
    if old is None:
        return set()
    changed: set[str] = set()
    for name in set(new) | set(old):
        if name in ("activities", "month") or new.get(name) == old.get(name):
            continue
        field, _dash, key = name.partition("-")
        changed.add(f"activity:{key}" if field in ("status", "comment", "adjusted") else name)
    if "status-" not in " ".join(new):  # a plan: its sub-activities themselves
        before = {a.get("key"): a for a in old.get("activities", [])}
        for activity in new.get("activities", []):
            if before.get(activity.get("key")) != activity:
                changed.add(f"activity:{activity.get('key')}")
    return changed


def _adjusted_end(fields: Fields, name: str, activity: Mapping[str, str], period: Period) -> str:
    label = activity["name"]
    try:
        planned_end = dt.date.fromisoformat(activity["end"])
    except ValueError:
        planned_end = period.end
    if planned_end >= period.end:
        fields.errors[name] = gettext(
            "%(activity)s ends on the intervention's last day, so its end cannot be moved: "
            "choose “Risk of delay” and explain in the comment.",
            activity=label,
        )
        return str(fields.source.get(name) or "")
    day = fields.date(name)
    if name in fields.errors:
        fields.errors[name] = gettext(
            "%(activity)s: %(problem)s", activity=label, problem=fields.errors[name]
        )
    elif day is not None and not planned_end < day <= period.end:
        fields.errors[name] = gettext(
            "%(activity)s: the adjusted end must come after the planned end, %(planned)s, and "
            "not after the intervention's end, %(end)s.",
            activity=label,
            planned=planned_end.isoformat(),
            end=period.end.isoformat(),
        )
    return day.isoformat() if day else str(fields.source.get(name) or "")


# ---------------------------------------------------------------- board cells (SQL)


def sent_state(state: Any) -> ColumnElement[str]:
    """A report's state as a cell: a draft (or no report) is missing."""
    return case(
        (state.in_(("submitted", "approved", "returned")), state),
        else_=literal("missing"),
    )


def plan_cell(state: Any) -> ColumnElement[str]:
    """The implementation plan is due as soon as the intervention exists."""
    return sent_state(state)


def monthly_cell(
    state: Any, plan_approved: Any, start: Any, end: Any, month_first: Any, month_last: Any
) -> ColumnElement[str]:
    """Last month's monthly report (the month from `month_first` to `month_last`, each a
    value or a parameter): not applicable when the intervention did not run in last
    month, or before its plan is approved (a monthly report follows the plan up; the plan's
    own cell shows what is missing); otherwise its state (missing until sent). At a new month
    "last month" moves on, so every cell turns red again until that month is reported."""
    due = and_(plan_approved, start <= month_last, end >= month_first)
    return case((due, sent_state(state)), else_=literal("not_applicable"))


def final_cell(state: Any, plan_approved: Any, end: Any, today: Any) -> ColumnElement[str]:
    """The final report: not applicable until the intervention has ended (and, like a monthly
    report, before the plan is approved), then due."""
    due = and_(plan_approved, end < today)
    return case((due, sent_state(state)), else_=literal("not_applicable"))
