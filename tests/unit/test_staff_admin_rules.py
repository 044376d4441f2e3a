"""The rules of staff user administration, on plain values."""

from __future__ import annotations

import datetime as dt

from portal.staff.changes import (
    Period,
    apply,
    batch_problems,
    differences,
    ended_at_once,
    latest_end,
    organisation_problems,
    period_problems,
)
from portal.staff.directory import birth_date

TODAY = dt.date(2026, 12, 3)
DAY = dt.timedelta(days=1)


def test_an_administrators_authorization_has_no_end_date() -> None:
    problems = period_problems("authorization_admin", TODAY, TODAY + DAY, TODAY)
    assert "no end date" in problems["end"]
    assert period_problems("authorization_admin", TODAY, None, TODAY) == {}


def test_no_end_date_after_the_end_of_next_year_and_none_before_the_start() -> None:
    assert latest_end(TODAY) == dt.date(2027, 12, 31)
    assert period_problems("reader", TODAY, dt.date(2027, 12, 31), TODAY) == {}
    assert "2027-12-31" in period_problems("reader", TODAY, dt.date(2028, 1, 1), TODAY)["end"]
    later = TODAY + 10 * DAY
    assert "before the start" in period_problems("reader", later, TODAY + DAY, TODAY)["end"]


def test_a_new_start_in_the_past_is_refused_but_an_unchanged_one_is_kept() -> None:
    past = TODAY - 100 * DAY
    assert "past" in period_problems("reader", past, None, TODAY)["start"]
    assert period_problems("reader", past, None, TODAY, start_changed=False) == {}
    assert "past" in period_problems("reader", past, TODAY - DAY, TODAY, start_changed=False)["end"]
    assert (
        period_problems("reader", past, TODAY - DAY, TODAY, start_changed=False, end_changed=False)
        == {}
    )


def test_ending_at_once_ends_yesterday_or_withdraws_what_has_not_begun() -> None:
    running = Period(1, "reader", TODAY - 30 * DAY, None)
    assert ended_at_once(running, TODAY) == Period(1, "reader", TODAY - 30 * DAY, TODAY - DAY)
    assert ended_at_once(Period(2, "reader", TODAY, None), TODAY) is None
    assert ended_at_once(Period(3, "reader", TODAY + 5 * DAY, None), TODAY) is None


def test_each_kind_of_change_gives_the_periods_it_says() -> None:
    past = TODAY - 400 * DAY
    state = {
        "1": [Period(10, "service_admin", past, None), Period(11, "reader", past, past + DAY)],
        "2": [Period(20, "reader", past, None)],
    }
    created = apply(
        state,
        "create",
        {"add": [{"role": "reader", "start": "2027-01-01", "end": None}]},
        TODAY,
        "new:5",
    )
    assert (
        created["new:5"] == [Period(None, "reader", dt.date(2027, 1, 1), None)]
        and "new:5" not in state
    )
    ended = apply(state, "end", {"user_id": 1}, TODAY, "")
    assert ended["1"] == [Period(10, "service_admin", past, TODAY - DAY), state["1"][1]]
    changed = apply(
        state,
        "change",
        {
            "user_id": 2,
            "update": [{"id": 20, "start": past.isoformat(), "end": "2027-06-30"}],
            "add": [{"role": "reviewer", "start": TODAY.isoformat(), "end": None}],
        },
        TODAY,
        "",
    )
    assert changed["2"] == [
        Period(20, "reader", past, dt.date(2027, 6, 30)),
        Period(None, "reviewer", TODAY, None),
    ]
    batch = apply(
        state, "batch", {"user_ids": [1, 2], "field": "end", "date": "2027-03-31"}, TODAY, ""
    )
    assert batch["1"][0].end == dt.date(2027, 3, 31) and batch["1"][1] == state["1"][1]
    assert batch["2"][0].end == dt.date(2027, 3, 31)
    written, removed = differences(state["2"], changed["2"])
    assert len(written) == 2 and removed == []
    assert differences(state["1"], [])[1] == state["1"]


def test_the_organisation_keeps_an_administrator_and_the_author_their_own() -> None:
    admin = [Period(1, "authorization_admin", TODAY - 10 * DAY, None)]
    before = {"1": admin, "2": admin}
    own = organisation_problems(before, {"1": [], "2": admin}, "1", TODAY)
    assert own and "your own" in own[0]
    assert organisation_problems(before, {"1": admin, "2": []}, "1", TODAY) == []
    alone = {"1": admin}
    assert "at least one" in organisation_problems(alone, {"1": []}, "2", TODAY)[0]


def test_a_batch_names_each_user_it_cannot_give_the_date() -> None:
    reader = Period(1, "reader", TODAY - 10 * DAY, None)
    admin = Period(2, "authorization_admin", TODAY - 10 * DAY, None)
    gone = Period(3, "reader", TODAY - 10 * DAY, TODAY - DAY)
    chosen = {"1": ("Ann Reader", [reader]), "2": ("Al Admin", [admin]), "3": ("Gus Gone", [gone])}
    problems = batch_problems("end", TODAY + 30 * DAY, chosen, TODAY)
    assert len(problems) == 2
    assert problems[0].startswith("Al Admin:") and "Gus Gone" in problems[1]
    later = {"1": ("Ann Reader", [Period(1, "reader", TODAY, TODAY + 5 * DAY)])}
    assert "after the end date" in batch_problems("start", TODAY + 9 * DAY, later, TODAY)[0]


def test_the_birth_date_is_read_from_the_personal_number() -> None:
    assert birth_date("SE", "19900101-1239") == dt.date(1990, 1, 1)
    assert birth_date("SE", "19900161-1234") == dt.date(1990, 1, 1)  # co-ordination number
    assert birth_date("DK", "010190-1009") == dt.date(1990, 1, 1)
    assert birth_date("DK", "010110-4009") == dt.date(2010, 1, 1)
    assert birth_date("DK", "010160-5009") == dt.date(1860, 1, 1)
    assert birth_date("DK", "xx0190-1009") is None
