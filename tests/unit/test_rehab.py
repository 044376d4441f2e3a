"""The preparatory part's rules: who writes which field, the follow-up texts kept per question
whatever option is chosen, and progress."""

from __future__ import annotations

import datetime as dt

from portal.rehab.models import RehabVersion
from portal.rehab.questions import FOLLOW_UP_OF, OPTIONS, QUESTIONS
from portal.rehab.service import Document, may_write, parse_section


def test_the_participant_writes_all_but_my_case_and_the_caseworkers_summary() -> None:
    assert may_write("cv", "leisure", staff=False)
    assert may_write("remarks", "missing", staff=False)
    assert not may_write("remarks", "summary", staff=False)
    assert not may_write("case", "history", staff=False)
    assert may_write("case", "history", staff=True) and may_write("remarks", "summary", True)


def test_what_the_participant_may_not_write_stays_as_it_was() -> None:
    current = {"missing": "old", "summary": "The caseworker's words."}
    data, errors = parse_section(
        "remarks", {"missing": "My dog.", "summary": "Forged."}, False, current
    )
    assert errors == {} and data == {"missing": "My dog.", "summary": "The caseworker's words."}


def test_every_follow_up_text_is_kept_under_its_question_whatever_the_option() -> None:
    form = {
        "option_everyday": "fully",
        "follow_everyday_partly": "Mornings are hard.",  # written under "partly" before
        "follow_everyday_good": "My sister helps.",
    }
    data, errors = parse_section("situation", form, False, {})
    assert errors == {} and data is not None
    assert data["everyday"] == {
        "option": "fully",
        "texts": {"good": "My sister helps.", "partly": "Mornings are hard.", "hard": ""},
    }
    # Back to "partly": its follow-up question is asked again, with the text kept.
    question = QUESTIONS[0]
    assert question.follow_up("partly") is question.follow_ups[FOLLOW_UP_OF["partly"]]
    assert data["everyday"]["texts"][FOLLOW_UP_OF["partly"]] == "Mornings are hard."


def test_every_option_leads_to_a_follow_up_question() -> None:
    for question in QUESTIONS:
        for option in OPTIONS:
            assert question.follow_up(option) is not None, (question.id, option)


def test_bad_input_is_refused_with_a_message_by_field() -> None:
    data, errors = parse_section("situation", {"option_health": "maybe"}, False, {})
    assert data is None and set(errors) == {"option_health"}
    data, errors = parse_section(
        "case", {"doc_date_0": "2026-13-01", "doc_by_1": "Her doctor"}, True, {}
    )
    assert data is None and set(errors) == {"doc_title_0", "doc_date_0", "doc_title_1"}
    data, errors = parse_section("cv", {"leisure": "x" * 4001}, False, {})
    assert data is None and set(errors) == {"leisure"}


def version(section: str, data: dict[str, object]) -> RehabVersion:
    return RehabVersion(
        section=section,
        number=1,
        data=data,
        saved_by="participant",
        saved_by_name="Anna",
        saved_at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
    )


def test_progress_counts_the_parts_filled_in() -> None:
    document = Document(
        {
            "case": None,
            "cv": version("cv", {"leisure": "Football.", "abilities": ""}),
            "situation": version(
                "situation",
                {"everyday": {"option": "partly", "texts": {}}, "health": {"option": ""}},
            ),
            "remarks": None,
        }
    )
    assert document.progress("case") == (0, 4)
    assert document.progress("cv") == (1, 4)
    assert document.progress("situation") == (1, len(QUESTIONS))
    assert document.number("cv") == 1 and document.number("remarks") == 0
