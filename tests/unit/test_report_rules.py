"""Provider report rules: the month a report is for, the plan's and follow-ups' fields, the
adjusted end date, and each board cell's status at a month change and after the end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import create_engine, literal, select

from portal.hours.service import Month
from portal.reports import rules
from portal.reports.rules import Period

PERIOD = Period(dt.date(2026, 3, 2), dt.date(2026, 8, 31))
ACTIVITIES = [
    {"key": "a1", "name": "Truck licence", "start": "2026-03-02", "end": "2026-05-31"},
    {"key": "a2", "name": "Job search", "start": "2026-04-01", "end": "2026-08-31"},
]


def test_a_monthly_report_is_for_the_month_before_by_default() -> None:
    assert rules.report_month(dt.date(2026, 1, 5)) == Month(2025, 12)
    assert rules.report_month(dt.date(2026, 7, 31)) == Month(2026, 6)


def test_the_reporting_window_is_the_first_to_the_tenth() -> None:
    assert rules.in_reporting_window(dt.date(2026, 5, 1))
    assert rules.in_reporting_window(dt.date(2026, 5, 10))
    assert not rules.in_reporting_window(dt.date(2026, 5, 11))


def test_a_month_not_yet_ended_is_refused_with_the_day_it_opens() -> None:
    problem = rules.month_problem(Month(2026, 5), dt.date(2026, 5, 31), PERIOD)
    assert problem is not None and "2026-06-01" in problem
    assert rules.month_problem(Month(2026, 5), dt.date(2026, 6, 1), PERIOD) is None


def test_a_month_outside_the_intervention_is_refused() -> None:
    assert rules.month_problem(Month(2026, 2), dt.date(2026, 6, 1), PERIOD) is not None
    assert rules.month_problem(Month(2026, 9), dt.date(2026, 12, 1), PERIOD) is not None
    # The month the intervention starts in counts, though it starts on the 2nd.
    assert rules.month_problem(Month(2026, 3), dt.date(2026, 6, 1), PERIOD) is None


def test_the_period_lists_every_month_it_touches() -> None:
    assert [str(m) for m in PERIOD.months()] == [f"2026-0{n}" for n in range(3, 9)]


def plan_form(**rows: dict[str, str]) -> dict[str, str]:
    form = {}
    for index, row in rows.items():
        for name, value in row.items():
            form[f"activity-{index.removeprefix('r')}-{name}"] = value
    return form


def test_a_plan_drops_empty_rows_and_gives_each_activity_a_key() -> None:
    form = plan_form(
        r0={"name": "CV", "description": "Write it", "start": "2026-03-02", "end": "2026-03-31"},
        r1={"name": "", "description": "", "start": "", "end": ""},
        r2={"name": "Practice", "description": "", "start": "", "end": ""},
    )
    activities, errors = rules.plan_activities(form, PERIOD, submitting=False)
    assert [a["name"] for a in activities] == ["CV", "Practice"]
    assert [a["key"] for a in activities] == ["a1", "a2"]
    assert errors == {}


def test_a_submitted_plan_needs_every_field_and_days_within_the_intervention() -> None:
    form = plan_form(
        r0={"name": "CV", "description": "", "start": "2026-03-01", "end": "2026-03-31"},
        r1={
            "name": "Practice",
            "description": "Four weeks",
            "start": "2026-05-10",
            "end": "2026-05-01",
        },
    )
    _activities, errors = rules.plan_activities(form, PERIOD, submitting=True)
    assert set(errors) == {"activity-0-description", "activity-0-start", "activity-1-end"}
    assert "2026-03-02" in errors["activity-0-start"]


def test_a_plan_without_sub_activities_cannot_be_submitted() -> None:
    _activities, errors = rules.plan_activities({}, PERIOD, submitting=True)
    assert "activity-0-name" in errors


def test_a_track_plan_is_placed_in_the_intervention_and_never_past_its_end() -> None:
    template = [
        {"name": "Intro", "description": "", "start_day": 0, "end_day": 13},
        {"name": "Long", "description": "", "start_day": 30, "end_day": 900},
    ]
    placed = rules.from_track(template, PERIOD)
    assert (placed[0]["start"], placed[0]["end"]) == ("2026-03-02", "2026-03-15")
    assert placed[1]["end"] == "2026-08-31"


def follow_up_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "summary": "Went well",
        "focus": "Applications",
        "goals": "Met",
        "dialogue": "yes",
        "consent": "no",
        "status-a1": "on_track",
        "comment-a1": "Booked",
        "status-a2": "risk",
        "comment-a2": "Slow start",
    }
    form.update(changes)
    return form


def test_a_complete_monthly_report_has_no_errors() -> None:
    content, errors = rules.follow_up(follow_up_form(), ACTIVITIES, PERIOD, final=False)
    assert errors == {}
    assert content["status-a2"] == "risk" and content["consent"] == "no"


def test_every_sub_activity_needs_a_status_and_a_comment_named_in_the_message() -> None:
    form = follow_up_form(**{"status-a1": "", "comment-a2": "  "})
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert set(errors) == {"status-a1", "comment-a2"}
    assert "Truck licence" in errors["status-a1"]
    assert "Job search" in errors["comment-a2"]


def test_will_not_be_met_needs_an_adjusted_end_after_the_planned_end() -> None:
    form = follow_up_form(**{"status-a1": "not_met"})
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert "adjusted-a1" in errors
    form["adjusted-a1"] = "2026-05-31"  # the planned end itself
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert "after the planned end" in errors["adjusted-a1"]
    form["adjusted-a1"] = "2026-09-01"  # after the intervention
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert "adjusted-a1" in errors
    form["adjusted-a1"] = "2026-08-31"
    content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert errors == {} and content["adjusted-a1"] == "2026-08-31"


def test_an_activity_ending_with_the_intervention_cannot_be_adjusted() -> None:
    form = follow_up_form(**{"status-a2": "not_met", "adjusted-a2": "2026-08-31"})
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert "Risk of delay" in errors["adjusted-a2"]


def test_the_adjusted_end_is_kept_only_with_will_not_be_met() -> None:
    form = follow_up_form(**{"adjusted-a1": "2026-06-30"})
    content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=False)
    assert errors == {} and content["adjusted-a1"] == ""


def test_a_final_report_needs_its_assessment_and_a_reason_for_ending() -> None:
    _content, errors = rules.follow_up(follow_up_form(), ACTIVITIES, PERIOD, final=True)
    assert {"assessment", "success_factors", "further_planning", "reasons"} <= set(errors)
    form = follow_up_form(
        assessment="Good", success_factors="Contact", further_planning="Jobs", reasons=["other"]
    )
    _content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=True)
    assert set(errors) == {"reason_other"}
    form["reason_other"] = "Moved abroad"
    content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=True)
    assert errors == {} and content["reasons"] == ["other"]


def test_unknown_reasons_are_ignored() -> None:
    form = follow_up_form(
        assessment="a", success_factors="b", further_planning="c", reasons=["bogus", "work"]
    )
    content, errors = rules.follow_up(form, ACTIVITIES, PERIOD, final=True)
    assert errors == {} and content["reasons"] == ["work"]


# ---------------------------------------------------------------- board cells, in SQL

ENGINE = create_engine("sqlite://")


def evaluate(expression: Any) -> str:
    with ENGINE.connect() as connection:
        return str(connection.execute(select(expression)).scalar_one())


def state(value: str | None) -> Any:
    return literal(value)


@pytest.mark.parametrize(
    ("report_state", "expected"),
    [
        (None, "missing"),
        ("draft", "missing"),
        ("submitted", "submitted"),
        ("returned", "returned"),
        ("approved", "approved"),
    ],
)
def test_a_plan_cell_is_the_plans_state_and_missing_until_sent(
    report_state: str | None, expected: str
) -> None:
    assert evaluate(rules.plan_cell(state(report_state))) == expected


def monthly(
    report_state: str | None, today: dt.date, period: Period = PERIOD, plan: bool = True
) -> str:
    cell = rules.monthly_cell(
        state(report_state),
        literal(plan),
        literal(period.start),
        literal(period.end),
        literal(rules.report_month(today).first),
        literal(rules.report_month(today).last),
    )
    return evaluate(cell)


def test_last_months_report_turns_red_again_at_a_new_month() -> None:
    # On 31 May, April's report (approved) is the one that counts: green.
    assert monthly("approved", dt.date(2026, 5, 31)) == "approved"
    # On 1 June the cell asks for May's report, which is not there yet: red.
    assert monthly(None, dt.date(2026, 6, 1)) == "missing"
    assert monthly("submitted", dt.date(2026, 6, 3)) == "submitted"


def test_no_monthly_report_is_due_before_the_intervention_ran_or_after_it() -> None:
    assert monthly(None, dt.date(2026, 3, 20)) == "not_applicable"  # February: not started
    assert monthly(None, dt.date(2026, 10, 2)) == "not_applicable"  # September: ended
    assert monthly(None, dt.date(2026, 9, 2)) == "missing"  # August: its last month


def final(report_state: str | None, today: dt.date, plan: bool = True) -> str:
    return evaluate(
        rules.final_cell(state(report_state), literal(plan), literal(PERIOD.end), literal(today))
    )


def test_follow_ups_are_not_due_before_the_plan_is_approved() -> None:
    assert monthly(None, dt.date(2026, 6, 1), plan=False) == "not_applicable"
    assert final(None, dt.date(2026, 9, 1), plan=False) == "not_applicable"


def test_the_final_report_is_white_until_the_intervention_ends_then_red() -> None:
    assert final(None, dt.date(2026, 8, 31)) == "not_applicable"
    assert final(None, dt.date(2026, 9, 1)) == "missing"
    assert final("submitted", dt.date(2026, 9, 1)) == "submitted"
    assert final("approved", dt.date(2027, 1, 1)) == "approved"


def test_a_draft_keeps_only_the_forms_fields_and_bounded_text() -> None:
    form = {
        "summary": "x" * 100_000,
        "status-a1": "risk",
        "status-zz": "on_track",
        "junk": "y" * 10,
        "reasons": ["work", "bogus"],
    }
    kept = rules.draft_fields(form, ACTIVITIES, final=True)
    assert set(kept) == {"summary", "status-a1", "reasons"}
    assert len(kept["summary"]) == rules.DRAFT_LIMIT and kept["reasons"] == ["work"]


def test_a_plan_keeps_at_most_fifty_sub_activities() -> None:
    form = {f"activity-{n}-name": f"Step {n}" for n in range(200)}
    activities, _errors = rules.plan_activities(form, PERIOD, submitting=False)
    assert len(activities) == rules.MAX_ACTIVITIES


def test_what_a_version_changed_is_named_by_field_and_sub_activity() -> None:
    old = follow_up_form()
    new = follow_up_form(summary="Better", **{"comment-a2": "Caught up"})
    assert rules.changed_fields(new, old) == {"summary", "activity:a2"}
    assert rules.changed_fields(new, None) == set()
    plan_old = {"activities": ACTIVITIES}
    plan_new = {"activities": [ACTIVITIES[0], {**ACTIVITIES[1], "end": "2026-07-31"}]}
    assert rules.changed_fields(plan_new, plan_old) == {"activity:a2"}
